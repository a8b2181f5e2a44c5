package risk

import (
	"slices"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

func TestOperatorNames(t *testing.T) {
	tests := []struct {
		parserName, country string
		want                string // Name of the entry found, "" for none
	}{
		{"MTN MoMo", "RW", "MTN MoMo"},
		{"M-Pesa (Safaricom)", "KE", "M-Pesa"},
		{"M-Pesa (Vodacom)", "TZ", "M-Pesa"},
		{"Telecel Cash (ex-Vodafone Cash)", "GH", "Telecel Cash"},
		{"Vodafone Cash", "GH", "Telecel Cash"},
		{"Airtel Money (pre-AirtelTigo)", "GH", "Airtel Money"},
		{"AT Money (AirtelTigo)", "GH", "AT Money"},
		{"Airtel Money", "TZ", ""},
		{"Orange Money", "CI", ""},
	}
	cfg := DefaultConfig()
	for _, tt := range tests {
		found := byCountry(cfg.named(tt.parserName), tt.country)
		got := ""
		if len(found) > 0 {
			got = found[0].Name
		}
		if got != tt.want || len(found) > 1 {
			t.Errorf("%s in %s: %d entries, first %q, want %q", tt.parserName, tt.country, len(found), got, tt.want)
		}
	}
}

func TestWritesMoney(t *testing.T) {
	ke := mpesaKenya()
	tests := []struct {
		text string
		want bool
	}{
		{"ksh3,500.00 sent", true}, {"paid 50.00ksh", true}, {"5000 kes", true}, {"kshs 20", true},
		{"makes 5 friends", false}, {"ksh only", false}, {"", false},
	}
	for _, tt := range tests {
		if got := ke.writesMoney(tt.text); got != tt.want {
			t.Errorf("writesMoney(%q) = %v", tt.text, got)
		}
	}
}

func TestPhoneSender(t *testing.T) {
	tests := []struct {
		sender string
		want   bool
	}{
		{"+250788000417", true}, {"0788000417", true}, {"788000417", true}, {"+233 24 000 0123", true},
		{"16500", false}, {"M-Money", false}, {"+12345678901234567", false}, {"0788-000-417", false}, {"", false},
	}
	for _, tt := range tests {
		if got := phoneSender(tt.sender); got != tt.want {
			t.Errorf("phoneSender(%q) = %v", tt.sender, got)
		}
	}
}

// TestCoverSenders: the parser's table lends its sender ids, so the two
// packages never disagree about who may send an operator's SMS.
func TestCoverSenders(t *testing.T) {
	m := momo.Message{Body: "Payment received for GHS 100.00 from Ama Sample  Current Balance: GHS 179.29 . Available Balance: GHS 179.29. Reference: 1. Transaction ID: 88139850900. TRANSACTION FEE: 0.00", Sender: "MTN MobileMoney"}
	p := momo.Parse{Outcome: momo.OutcomeParsed, Operator: "MTN MoMo", Transaction: momo.Transaction{Operator: "MTN MoMo", Country: "GH", Kind: momo.KindReceived, TransactionID: "88139850900"}}

	cfg := DefaultConfig()
	if got := rulesOf(Inspect(cfg, m, p).Signals); !slices.Equal(got, []Rule{RuleSenderUnknown}) {
		t.Fatalf("before Cover: %v", got)
	}
	cfg.Cover("MTN MoMo", "GH", "MobileMoney", "MTN MobileMoney")
	if got := Inspect(cfg, m, p); got.Suspicious {
		t.Errorf("after Cover: %v", got.Reasons)
	}
	if n := len(DefaultConfig().Operators[1].Senders); n != 2 {
		t.Errorf("Cover changed the defaults: %d senders", n)
	}

	cfg.Cover("Airtel Money", "TZ", "AIRTELMONEY")
	if got := byCountry(cfg.named("Airtel Money"), "TZ"); len(got) != 1 || !got[0].sends("airtelmoney") {
		t.Errorf("an operator risk did not know gets an entry: %+v", got)
	}
}

// TestRealParserCorpus reads every genuine message of the corpus with the
// parser's own tables, as `momo parse` will, configured from its book.
// Nothing may look suspicious, except that the Telecel ids were shortened
// by their publisher (SOURCES.md): real ones have 16 digits.
func TestRealParserCorpus(t *testing.T) {
	cfg := DefaultConfig()
	for _, op := range parser(t).Operators() {
		cfg.Cover(op.Name, op.Country, op.Senders...)
	}
	for _, file := range []string{"labelled.jsonl", "other-operators.jsonl"} {
		for _, c := range loadCorpus(t, file) {
			p := parser(t).Parse(c.message)
			s := Inspect(cfg, c.message, p)
			rules := rulesOf(s.Signals)
			if strings.HasPrefix(c.operator, "Telecel") {
				rules = slices.DeleteFunc(rules, func(r Rule) bool { return r == RuleTxIDFormat })
			}
			if len(rules) > 0 {
				t.Errorf("%s line %d (%s, %s): %v", file, c.line, c.operator, p.Outcome, s.Reasons)
			}
		}
	}
}
