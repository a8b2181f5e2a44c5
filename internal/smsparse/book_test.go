package smsparse_test

import (
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

const extraOperator = `
operators:
  - key: example-gh
    name: Example Money
    country: GH
    currency: GHS
    currency_words: [GHS, "₵"]
    timezone: Africa/Accra
    senders: [ExampleMoney]
    hints: [ghs, "example money"]
    time_layouts: ["2006-01-02 15:04"]
    templates:
      - name: received
        kind: received
        direction: in
        pattern: 'You got {cur} ?{amount} from {counterparty} at {time}\. Balance {cur} ?{balance}\. Id {txid}\.'
`

func TestExtraTemplates(t *testing.T) {
	b, err := smsparse.Load(nil, map[string][]byte{"extra.yaml": []byte(extraOperator)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	p := b.Parse(momo.Message{Body: "You got GHS 1,250.50 from Ama Example at 2025-01-02 08:15. Balance ₵2,000.00. Id 123ABC.", Sender: "ExampleMoney"})
	if p.Outcome != momo.OutcomeParsed {
		t.Fatalf("not parsed: %+v", p)
	}
	tx := p.Transaction
	if tx.Amount != momo.Some(125050) || tx.Balance != momo.Some(200000) || tx.Counterparty != "Ama Example" || tx.TransactionID != "123ABC" {
		t.Errorf("fields: %+v", tx)
	}
	if got := tx.OccurredAt.UTC().Format("2006-01-02T15:04"); got != "2025-01-02T08:15" {
		t.Errorf("Accra is UTC: got %s", got)
	}
}

// TestOverrideTemplate replaces a built-in template by name.
func TestOverrideTemplate(t *testing.T) {
	override := `
operators:
  - key: mtn-rw
    name: MTN MoMo
    country: RW
    currency: RWF
    timezone: Africa/Kigali
    templates:
      - name: otp_app_login
        kind: not_transaction
        direction: none
        pattern: 'one-time password is :\d+'
`
	b, err := smsparse.Load(nil, map[string][]byte{"fix.yaml": []byte(override)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var n int
	for _, op := range b.Operators() {
		for _, tpl := range op.Templates {
			if op.Key == "mtn-rw" && tpl.Name == "otp_app_login" {
				n++
			}
		}
	}
	if n != 1 {
		t.Fatalf("otp_app_login appears %d times, want 1 (replaced)", n)
	}
}

func TestBadTemplates(t *testing.T) {
	base := func(tpl string) string {
		return `
operators:
  - key: bad
    name: Bad
    country: GH
    currency: GHS
    timezone: Africa/Accra
    time_layouts: ["2006-01-02"]
    templates:
` + tpl
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"unclosed group", base("      - {name: t, kind: sent, direction: out, pattern: 'sent (to'}\n"), "does not compile"},
		{"unknown placeholder", base("      - {name: t, kind: sent, direction: out, pattern: 'sent {amont}'}\n"), "unknown placeholder {amont}"},
		{"unknown kind", base("      - {name: t, kind: gift, direction: out, pattern: 'x'}\n"), `unknown kind "gift"`},
		{"bad direction", base("      - {name: t, kind: sent, direction: up, pattern: 'x'}\n"), "direction"},
		{"empty pattern", base("      - {name: t, kind: sent, direction: out, pattern: ''}\n"), "empty pattern"},
		{"unknown field", base("      - {name: t, kind: sent, direction: out, pattern: 'x', fields: {amout: '\\d+'}}\n"), `unknown field "amout"`},
		{"unknown key", base("      - {name: t, kind: sent, direction: out, pattern: 'x', patern: 'y'}\n"), "not valid"},
		{"bad companion", base("      - {name: t, kind: sent, direction: out, pattern: 'x', companion: {kinds: [sent], window: soon}}\n"), "companion window"},
		{"bad currency", strings.Replace(base(""), "GHS", "GHX", 1), "unknown currency"},
		{"bad timezone", strings.Replace(base(""), "Africa/Accra", "Africa/Atlantis", 1), "unknown timezone"},
		{"not yaml", "operators: [", "not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := smsparse.Load(nil, map[string][]byte{"bad.yaml": []byte(tc.yaml)})
			if err == nil {
				t.Fatal("loaded a bad template file")
			}
			if momo.ErrorCode(err) != momo.CodeConfig || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q (code %s) should be a config error saying %q", err, momo.ErrorCode(err), tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"  padded  ", "padded"},
		{"two  spaces", "two spaces"},
		{"line\nbreak", "line break"},
		{"crlf\r\nbreak", "crlf break"},
		{"tab\there", "tab here"},
		{"nbsp\u00a0here", "nbsp here"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := smsparse.Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCeiling keeps an amount above MOMO_MAX_AMOUNT from being booked.
func TestCeiling(t *testing.T) {
	b := book(t)
	b.SetCeiling(1000)
	body := "*165*S*5000 RWF transferred to Eric Sample (250788000011) from 40000001 at 2025-03-02 10:00:00 . Fee was: 100 RWF. New balance: 1000 RWF."
	if p := b.Parse(momo.Message{Body: body}); p.Outcome != momo.OutcomeUnrecognized || p.Operator != "MTN MoMo" {
		t.Errorf("amount above the ceiling: %+v", p)
	}
}

// TestMalformedAmountsAreNotGuessed: a message that looks right but whose
// amount does not read cleanly stays unrecognized, never a wrong number.
func TestMalformedAmountsAreNotGuessed(t *testing.T) {
	b := book(t)
	for _, amount := range []string{"5,00,0", "99999999999999999999", "1e309", "５０００"} {
		body := "*165*S*" + amount + " RWF transferred to Eric Sample (250788000011) from 40000001 at 2025-03-02 10:00:00 . Fee was: 100 RWF. New balance: 1000 RWF."
		p := b.Parse(momo.Message{Body: body})
		if p.Outcome == momo.OutcomeParsed && p.Transaction.Amount.Minor != 5000 {
			t.Errorf("%q read as %d", amount, p.Transaction.Amount.Minor)
		}
	}
}

// FuzzParse seeds every template family: the Rwanda export's first
// messages, one invented case per template of the other operators, and a
// pasted batch, then checks that Parse, ParseAll and Redact never panic and
// never produce a negative amount or an invalid kind.
func FuzzParse(f *testing.F) {
	b := book(f)
	for _, m := range rwandaBodies(f)[:60] {
		f.Add(m.Body, m.Sender)
	}
	var batch []string
	for _, c := range loadCases(f) {
		f.Add(c.Body, *c.Sender)
		if len(batch) < 4 {
			batch = append(batch, c.Body)
		}
	}
	f.Add(strings.Join(batch, "\n\n"), "")
	f.Add("Forwarded from MobileMoney\n> Payment received for GHS 1e309 from X", "")
	f.Add("Yello!Umaze kugura \x00 igura 1,000 RWF", "")
	f.Add("You have received \xff RWF", "M-Money")
	check := func(t *testing.T, body string, p momo.Parse) {
		if p.Outcome != momo.OutcomeParsed {
			return
		}
		tx := p.Transaction
		for _, a := range []momo.Amount{tx.Amount, tx.Fee, tx.Tax, tx.Balance} {
			if a.Known && a.Minor < 0 {
				t.Fatalf("negative amount from %q", body)
			}
		}
		if !tx.Kind.Valid() || !tx.Direction.Valid() || tx.Operator == "" || tx.Country == "" {
			t.Fatalf("invalid kind, direction or operator from %q", body)
		}
	}
	f.Fuzz(func(t *testing.T, body, sender string) {
		m := momo.Message{Body: body, Sender: sender}
		check(t, body, b.Parse(m))
		rs := b.ParseAll(m)
		if len(rs) == 0 {
			t.Fatalf("no result for %q", body)
		}
		for _, r := range rs {
			check(t, body, r.Parse)
		}
		if red := b.Redact(body); strings.ContainsAny(red, "0123456789") {
			t.Fatalf("digits survive redaction: %q", red)
		}
	})
}
