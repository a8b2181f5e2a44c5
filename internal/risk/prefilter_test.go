package risk

import (
	"slices"
	"strings"
	"testing"
)

func TestPhraseTexts(t *testing.T) {
	tests := []struct {
		expr string
		want []string // nil: no pre-check
	}{
		{`\bback\b`, []string{"back"}},
		{`\b(?:send|pay)\b[^.]{0,40}?\bback\b`, []string{"back"}},
		{`\b(?:kimakosa|rudisha)\b`, []string{"kimakosa", "rudisha"}},
		{`x\.(?:com|net)\b`, []string{"x.com", "x.net"}},
		{`a|\d+`, nil},
		{`(?:ab)?cd`, []string{"cd", "abcd"}},
		{`\d{3,}`, nil},
	}
	for _, tc := range tests {
		got := newPhrase(tc.expr).anyOf
		if tc.want == nil {
			if got != nil {
				t.Errorf("%s: %q, want no pre-check", tc.expr, got)
			}
			continue
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.expr, got, w)
			}
		}
	}
}

// TestPhrasePreCheckSound: every text a rule matches passes its pre-check.
func TestPhrasePreCheckSound(t *testing.T) {
	texts := []string{
		"please send the money back to me", "you sent it wrongly, reverse it back now",
		"sent by mistake", "wrong number", "kimakosa nirudishie", "call me on 0788 123 456",
		"whatsapp +250788123456", "share your pin with the agent", "reply with otp 1234",
		"visit www.example.com now", "go to http://x.y/z", "bit.ly/abc", "mtn.co.rw/help",
		"confirm your verification code", "piga 0712345678",
	}
	var all []phrase
	for _, tr := range textRules {
		all = append(all, tr.phrases...)
	}
	all = append(all, linkRe)
	// Without the index every check below would compare a search with
	// itself: the rules' texts must all be indexed.
	table := phraseIndex()
	for _, p := range all {
		for _, id := range p.ids {
			if table.index == nil || id >= table.n {
				t.Fatalf("%s: text %d is not in the index (%d indexed)", p.re, id, table.n)
			}
		}
	}
	matched := 0
	for _, p := range all {
		for _, text := range texts {
			searched := p.anyOf == nil || slices.ContainsFunc(p.anyOf, func(s string) bool { return strings.Contains(text, s) })
			if indexed := p.mayMatch(new(scan(text))); indexed != searched {
				t.Errorf("%s on %q: the index says %v, a search for each text %v", p.re, text, indexed, searched)
			}
			if p.re.MatchString(text) {
				matched++
				if !p.mayMatch(new(scan(text))) {
					t.Errorf("%s matches %q, but its pre-check %q refuses it", p.re, text, p.anyOf)
				}
			}
		}
	}
	if matched < len(texts) {
		t.Errorf("only %d matches: the texts no longer exercise the rules", matched)
	}
	for _, p := range all {
		t.Logf("%s: %q", p.re, p.anyOf)
	}
}
