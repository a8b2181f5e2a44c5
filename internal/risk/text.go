package risk

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold returns the text the phrase rules read: lower case, white space
// runs (line breaks included) made one space, trimmed. Operators break
// lines anywhere, so phrases are only found reliably in this form.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); {
		// Operator texts are ASCII but for a name or an accent: those
		// bytes are folded here, the rest rune by rune.
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n

		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch {
		case 'A' <= r && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// withoutBoilerplate blanks out the operator's own fixed sentences, so
// "never share your PIN" or "Safaricom only calls you from 0722000000"
// cannot read as a request to share a PIN or call a number.
func withoutBoilerplate(lower string, ops []*Operator) string {
	for _, o := range ops {
		for _, b := range o.Boilerplate {
			lower = strings.ReplaceAll(lower, b, " ")
		}
	}
	return lower
}

// textRule is one kind of request a genuine operator SMS never makes.
type textRule struct {
	rule    Rule
	phrases []phrase
}

// textRules are written in English, with the Swahili phrases scammers in
// East Africa use for the same requests; add phrases here for more
// languages. They run on folded text without the operator's boilerplate.
var textRules = []textRule{
	{RuleAsksMoneyBack, []phrase{
		newPhrase(`\b(?:send|sent|return|refund|transfer|forward|reverse|pay)\b[^.!?]{0,40}?\bback\b`),
		newPhrase(`\b(?:by mistake|mistakenly|wrongly sent|sent (?:it )?wrongly|in error|wrong (?:number|account|person))\b`),
		newPhrase(`\b(?:kimakosa|nirudishie|rudisha)\b`),
	}},
	{RuleAsksToCall, []phrase{
		newPhrase(`\b(?:call|contact|whatsapp|text|sms|reach|phone|piga)\b(?: me| us)?(?: now| back)?(?: on| at| via| through| using)?:? ?\+?\d[\d ]{7,}\d\b`),
	}},
	{RuleAsksForPIN, []phrase{
		newPhrase(`\b(?:send|give|share|tell|enter|reply with|confirm|type|forward)\b[^.!?]{0,30}?\b(?:pin|otp|secret code|verification code|password)\b`),
	}},
}

// negation words before a request make it a warning ("never share your
// PIN"), which operators and banks send; only requests are suspicious.
var negation = regexp.MustCompile(`\b(?:never|not|don't|dont|do not|no one|nobody|usishiriki)\b[^.!?]{0,20}$`)

// negationReach bounds how far before a request a negation is looked
// for, in bytes: the longest negation and its 20-character gap.
const negationReach = 40

// scanText returns the rules whose requests appear in the text.
func scanText(text *scanned) []Rule {
	var out []Rule
	for _, tr := range textRules {
		if matchesUnnegated(text, tr.phrases) {
			out = append(out, tr.rule)
		}
	}
	return out
}

func matchesUnnegated(text *scanned, phrases []phrase) bool {
	lower := text.text
	for _, p := range phrases {
		if !p.mayMatch(text) {
			continue
		}
		for _, loc := range p.re.FindAllStringIndex(lower, -1) {
			// The negation must be close before the request; looking only
			// there also keeps long texts with many matches linear.
			if !negation.MatchString(lower[max(0, loc[0]-negationReach):loc[0]]) {
				return true
			}
		}
	}
	return false
}

// linkRe finds web links: with a scheme, with www., or a bare host under a
// top-level domain that link shorteners and scam pages use. ".bank" (as in
// MTN Rwanda's "imbank.bank" account names) is not among them.
var linkRe = newPhrase(`(?:https?://|www\.)[^\s]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ly|me|co|io|xyz|top|link|app|site|online|click|live|rw|gh|ke|ug|tz)\b(?:/[^\s]*)?`)

// foreignLink reports whether the text holds a link that is not one of the
// operators' own.
func foreignLink(text *scanned, ops []*Operator) bool {
	if !linkRe.mayMatch(text) {
		return false
	}
	for _, link := range linkRe.re.FindAllString(text.text, -1) {
		if !ownLink(link, ops) {
			return true
		}
	}
	return false
}

func ownLink(link string, ops []*Operator) bool {
	link = strings.TrimPrefix(strings.TrimPrefix(link, "https://"), "http://")
	link = strings.TrimRight(link, ".,;:!?)")
	for _, o := range ops {
		for _, prefix := range o.Links {
			if strings.HasPrefix(link, prefix) {
				return true
			}
		}
	}
	return false
}

// phoneSender reports whether an SMS sender is an ordinary phone number:
// digits only, with an optional leading +, of a length between a national
// number without its 0 (9 digits) and the longest international one (15).
// Operators' short codes (3 to 6 digits) are not phone numbers.
func phoneSender(sender string) bool {
	s := strings.ReplaceAll(strings.TrimSpace(sender), " ", "")
	s = strings.TrimPrefix(s, "+")
	if len(s) < 9 || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
