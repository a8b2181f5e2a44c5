package smsparse

import (
	"regexp"
	"testing"
)

func TestLowerPattern(t *testing.T) {
	tests := []struct{ in, want string }{
		{`You have RECEIVED`, `you have received`},
		{`[A-Z0-9]{8,12}`, `[a-z0-9]{8,12}`},
		{`\D\S\W\B\d`, `\D\S\W\B\d`},
		{`\pL\PL\p{Lu}\P{Greek}`, `\pL\PL\p{Lu}\P{Greek}`},
		{`\x41\x{1F4B0}Z`, `\x41\x{1F4B0}z`},
		{`\QTxn.ID\E Ok`, `\Qtxn.id\E ok`},
		{`(?P<Amount>\d+)(?<Name>X)(?i:AB)(?U)C`, `(?P<Amount>\d+)(?<Name>x)(?i:ab)(?U)c`},
		{`[[:upper:]A][]Q][^]Q]`, `[[:upper:]a][]q][^]q]`},
		{`GH₵ É[É]`, `gh₵ (?i:É)[É]`},
		{`a\.B\\C`, `a\.b\\c`},
	}
	for _, tc := range tests {
		got := lowerPattern(tc.in)
		if got != tc.want {
			t.Errorf("lowerPattern(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if _, err := regexp.Compile(got); err != nil {
			t.Errorf("lowerPattern(%q) does not compile: %v", tc.in, err)
		}
	}
}

// TestCompilePatternMatchesLoweredText checks the compiled form against the
// case-insensitive expression it comes from, on texts lowered as Parse
// lowers them.
func TestCompilePatternMatchesLoweredText(t *testing.T) {
	tests := []struct {
		expr string
		text string
	}{
		{`(?P<txid>[A-Z0-9]{8,12}) Confirmed\. You have received`, "QK12ABC345 Confirmed. You have received"},
		{`Balance:? ?\S+ RWF`, "BALANCE: 1,200 rwf"},
		{`\QTotal (GHS)\E \d+`, "total (ghs) 45"},
		{`Payé (?P<amount>\d+)`, "PAYÉ 5"},
	}
	for _, tc := range tests {
		c, err := compilePattern(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		_, lower := normalizeLower(tc.text)
		if !c.re.MatchString(lower) {
			t.Errorf("%s (as %s) does not match %q", tc.expr, c.re, lower)
		}
		if want := regexp.MustCompile("(?i)" + tc.expr); !want.MatchString(tc.text) {
			t.Errorf("the case-insensitive %s does not match %q", tc.expr, tc.text)
		}
	}
}
