package risk

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// The texts below follow MTN Rwanda's real "You have received" shape with
// invented people, numbers and ids. written is the time inside them.
const (
	genuineReceipt = "You have received 25000 RWF from Aline Fictive (*********417) on your mobile money account at 2025-06-10 14:02:11. Message from sender: . Your new balance:27350 RWF. Financial Transaction Id: 41207755310."
	shortID        = "You have received 150000 RWF from Jean Fictif (250790000913) on your mobile money account at 2025-06-10 14:02:11. Message from sender: . Your new balance:152000 RWF. Financial Transaction Id: 4120775531."
	misspelt       = "You have recieved 150000 RWF from Jean Fictif (250790000913) on your mobile money account at 2025-06-10 14:02:11. Your new balance:152000 RWF. Financial Transaction Id: 41207755310."
	sendItBack     = "You have received 150000 RWF from Jean Fictif (250790000913) on your mobile money account at 2025-06-10 14:02:11. Message from sender: Sorry I sent it by mistake, please send it back. Your new balance:152000 RWF. Financial Transaction Id: 41207755310."
	callMe         = "You have received 150000 RWF from Jean Fictif (250790000913) on your mobile money account at 2025-06-10 14:02:11. Message from sender: Mistake, call me on 0790 000 913. Your new balance:152000 RWF. Financial Transaction Id: 41207755310."
	withLink       = "You have received 150000 RWF from MoMo Bonus (250790000913) on your mobile money account at 2025-06-10 14:02:11. Message from sender: claim it at http://momo-bonus.example.xyz/claim. Your new balance:152000 RWF. Financial Transaction Id: 41207755310."
	askPIN         = "You have received 150000 RWF from MoMo Support (250790000913) on your mobile money account at 2025-06-10 14:02:11. Message from sender: to release it reply with your PIN. Your new balance:152000 RWF. Financial Transaction Id: 41207755310."
)

var written = time.Date(2025, 6, 10, 14, 2, 11, 0, kigali)

// receipt is a message as a phone exported it: sender and arrival 9
// seconds after the written time.
func receipt(body, sender string) momo.Message {
	return momo.Message{Body: body, Sender: sender, ReceivedAt: written.Add(9 * time.Second).UTC(), Source: momo.SourceBackup}
}

// TestFakeSignalsAlone runs each message-alone signal on a realistic
// message through the real parser.
func TestFakeSignalsAlone(t *testing.T) {
	tests := []struct {
		name string
		m    momo.Message
		want []Rule
	}{
		{"genuine", receipt(genuineReceipt, "M-Money"), nil},
		{"genuine, sender id in another case", receipt(genuineReceipt, "m-money"), nil},
		{"from an international number", receipt(genuineReceipt, "+250788000417"), []Rule{RuleSenderPhone}},
		{"from a national number", receipt(genuineReceipt, "0788000417"), []Rule{RuleSenderPhone}},
		{"from a number with spaces", receipt(genuineReceipt, "+250 788 000 417"), []Rule{RuleSenderPhone}},
		{"from a short code", receipt(genuineReceipt, "16500"), []Rule{RuleSenderUnknown}},
		{"from another sender id", receipt(genuineReceipt, "MoMo-Info"), []Rule{RuleSenderUnknown}},
		{"from another operator's id", receipt(genuineReceipt, "MPESA"), []Rule{RuleSenderUnknown}},
		{"id a digit short", receipt(shortID, "M-Money"), []Rule{RuleTxIDFormat}},
		{"misspelt template", receipt(misspelt, "M-Money"), []Rule{RuleNearMiss}},
		{"asks for the money back", receipt(sendItBack, "M-Money"), []Rule{RuleAsksMoneyBack}},
		{"asks to call a number", receipt(callMe, "M-Money"), []Rule{RuleAsksToCall}},
		{"carries a foreign link", receipt(withLink, "M-Money"), []Rule{RuleForeignLink}},
		{"asks for the PIN", receipt(askPIN, "M-Money"), []Rule{RuleAsksForPIN}},
		{"phone number and money back", receipt(sendItBack, "0790000913"), []Rule{RuleSenderPhone, RuleAsksMoneyBack}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parser(t).Parse(tt.m)
			s := Inspect(DefaultConfig(), tt.m, p)
			if got := rulesOf(s.Signals); !slices.Equal(got, tt.want) {
				t.Errorf("signals %v, want %v (reasons %q)", got, tt.want, s.Reasons)
			}
			if s.Suspicious != (len(tt.want) > 0) || len(s.Reasons) != len(s.Signals) {
				t.Errorf("suspicious %v with %d reasons", s.Suspicious, len(s.Reasons))
			}
		})
	}
}

func TestArrivalDelay(t *testing.T) {
	tests := []struct {
		name string
		gap  time.Duration // arrival minus written time
		want bool
	}{
		{"seconds", 9 * time.Second, false},
		{"75 minutes, the real export's worst", 75 * time.Minute, false},
		{"exactly 2 hours", 2 * time.Hour, false},
		{"3 hours late", 3 * time.Hour, true},
		{"arrived 9 minutes before its time", -9 * time.Minute, false},
		{"arrived 11 minutes before its time", -11 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := momo.Message{Body: genuineReceipt, Sender: "M-Money", ReceivedAt: written.Add(tt.gap).UTC()}
			s := Inspect(DefaultConfig(), m, parser(t).Parse(m))
			if got := slices.Contains(rulesOf(s.Signals), RuleTimeSkew); got != tt.want {
				t.Errorf("time skew = %v, want %v (%v)", got, tt.want, s.Reasons)
			}
		})
	}
}

// TestPastedText: text pasted into a chat has no sender and no SMS time.
// Those checks are listed as not made, never as passed.
func TestPastedText(t *testing.T) {
	m := momo.Message{Body: genuineReceipt, Source: momo.SourceTelegram}
	suspicious, reasons, unchecked := Message(m, parser(t).Parse(m))
	if suspicious || len(reasons) > 0 {
		t.Errorf("pasted genuine text judged suspicious: %v", reasons)
	}
	for _, want := range []string{"sender id:", "arrival delay:"} {
		if !hasPrefix(unchecked, want) {
			t.Errorf("unchecked %q lacks %q", unchecked, want)
		}
	}

	// A pasted fake still shows what the text alone can show.
	m = momo.Message{Body: sendItBack, Source: momo.SourceTelegram}
	suspicious, reasons, _ = Message(m, parser(t).Parse(m))
	if !suspicious || len(reasons) != 1 {
		t.Errorf("pasted fake: suspicious %v, reasons %v", suspicious, reasons)
	}
}

// TestNearMissNeedsTemplates: an imitation is only a near miss of an
// operator the parser has templates for; otherwise the check is not made.
func TestNearMissNeedsTemplates(t *testing.T) {
	ghana := "Payment recieved for GHS 500.00 from Kwame Fake Current Balance: GHS 512.40 . Available Balance: GHS 512.40. Reference: 1. Transaction ID: 90079700011. TRANSACTION FEE: 0.00"
	m := momo.Message{Body: ghana, Sender: "MobileMoney"}
	p := momo.Parse{Outcome: momo.OutcomeUnrecognized, Operator: "MTN MoMo"}

	rwOnly := DefaultConfig()
	rwOnly.Cover("MTN MoMo", "RW")
	s := Inspect(rwOnly, m, p)
	if s.Suspicious || !hasPrefix(s.Unchecked, "message shape:") {
		t.Errorf("without Ghana templates: suspicious %v, unchecked %v", s.Suspicious, s.Unchecked)
	}

	both := rwOnly
	both.Cover("MTN MoMo", "GH")
	s = Inspect(both, m, p)
	if !slices.Equal(rulesOf(s.Signals), []Rule{RuleNearMiss}) {
		t.Errorf("with Ghana templates: %v", s.Reasons)
	}
}

// TestNotAnOperatorMessage: ordinary SMS from friends are not judged.
func TestNotAnOperatorMessage(t *testing.T) {
	m := momo.Message{Body: "Hi, are we still meeting at 5? Call me on 0788000417", Sender: "0788000417"}
	s := Inspect(DefaultConfig(), m, parser(t).Parse(m))
	if s.Suspicious || len(s.Unchecked) != 1 {
		t.Errorf("a chat SMS: suspicious %v, unchecked %v", s.Suspicious, s.Unchecked)
	}
}

// TestOperatorBoilerplate: genuine messages carry links, helplines and
// PIN warnings. The operator's own are not suspicious; the same rules
// catch a fraudster's.
func TestOperatorBoilerplate(t *testing.T) {
	mpesa := func(body string) (momo.Message, momo.Parse) {
		return momo.Message{Body: body, Sender: "MPESA"}, momo.Parse{Outcome: momo.OutcomeParsed, Operator: "M-Pesa", Transaction: momo.Transaction{
			Operator: "M-Pesa", Country: "KE", Currency: "KES", Kind: momo.KindPayment, Direction: momo.Out, TransactionID: "TJK6H7T3GB",
		}}
	}
	tests := []struct {
		name   string
		body   string
		plain  bool // strip the operator's boilerplate and links from the config
		expect []Rule
	}{
		{"M-Pesa's own link and helpline",
			"TJK6H7T3GB Confirmed. Ksh250.00 paid to Sample Kiosk. on 20/10/24 at 4:21 PM.New M-PESA balance is Ksh1,123.12. Transaction cost, Ksh0.00. Amount you can transact within the day is 499,750.00. Save frequent Tills for quick payment on M-PESA app https://bit.ly/mpesalnk",
			false, nil},
		{"the same without knowing M-Pesa's link",
			"TJK6H7T3GB Confirmed. Ksh250.00 paid to Sample Kiosk. on 20/10/24 at 4:21 PM.New M-PESA balance is Ksh1,123.12. Transaction cost, Ksh0.00. Amount you can transact within the day is 499,750.00. Save frequent Tills for quick payment on M-PESA app https://bit.ly/mpesalnk",
			true, []Rule{RuleForeignLink}},
		{"a look-alike link",
			"TJK6H7T3GB Confirmed. Ksh250.00 paid to Sample Kiosk. on 20/10/24 at 4:21 PM.New M-PESA balance is Ksh1,123.12. Claim your refund at https://bit.ly/mpesa-refund",
			false, []Rule{RuleForeignLink}},
		{"M-Pesa's own warning with a number",
			"TJK6H7T3GB confirmed. You bought Ksh100.00 of airtime on 21/9/24 at 5:51 PM New M-PESA balance is Ksh6.00.Safaricom only calls you from 0722000000",
			false, nil},
		{"a fraudster's call request",
			"TJK6H7T3GB confirmed. You bought Ksh100.00 of airtime on 21/9/24 at 5:51 PM New M-PESA balance is Ksh6.00. To reverse it call 0722 000 919",
			false, []Rule{RuleAsksToCall}},
		{"a PIN warning is not a PIN request",
			"TJK6H7T3GB Confirmed. Ksh250.00 paid to Sample Kiosk. on 20/10/24 at 4:21 PM. Never share your PIN with anyone.",
			false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.plain {
				for i := range cfg.Operators {
					cfg.Operators[i].Boilerplate, cfg.Operators[i].Links = nil, nil
				}
			}
			m, p := mpesa(tt.body)
			if got := rulesOf(Inspect(cfg, m, p).Signals); !slices.Equal(got, tt.expect) {
				t.Errorf("signals %v, want %v", got, tt.expect)
			}
		})
	}
}

// TestHistorySignals covers the fake-SMS signs that need the past: the
// balance chain and reused ids.
func TestHistorySignals(t *testing.T) {
	wallet := WalletKey(momo.Transaction{Operator: "MTN MoMo", Country: "RW", Currency: "RWF"})
	id := IDKey(momo.Transaction{Operator: "MTN MoMo", Country: "RW", TransactionID: "41207755310"})
	before := written.Add(-time.Hour)
	tests := []struct {
		name      string
		h         History
		body      string
		want      []Rule
		unchecked string
	}{
		{"balance follows", History{Balances: map[string]Balance{wallet: {2_350, before}}}, genuineReceipt, nil, ""},
		{"balance invented", History{Balances: map[string]Balance{wallet: {2_000, before}}}, genuineReceipt, []Rule{RuleBalanceMismatch}, ""},
		{"no earlier balance", History{}, genuineReceipt, nil, "balance continuity:"},
		{"earlier balance is from a later message", History{Balances: map[string]Balance{wallet: {2_000, written.Add(time.Hour)}}}, genuineReceipt, nil, "balance continuity:"},
		{"id seen with another amount", History{Balances: map[string]Balance{wallet: {2_350, before}}, IDs: map[string]momo.Amount{id: momo.Some(5_000)}}, genuineReceipt, []Rule{RuleTxIDReused}, ""},
		{"id seen with the same amount", History{Balances: map[string]Balance{wallet: {2_350, before}}, IDs: map[string]momo.Amount{id: momo.Some(25_000)}}, genuineReceipt, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := receipt(tt.body, "M-Money")
			v := Assess(DefaultConfig(), Candidate{Message: m, Parse: parser(t).Parse(m)}, settings(), tt.h)
			if got := rulesOf(v.Signals); !slices.Equal(got, tt.want) {
				t.Errorf("signals %v, want %v (%v)", got, tt.want, v.Reasons)
			}
			if tt.unchecked != "" && !hasPrefix(v.Unchecked, tt.unchecked) {
				t.Errorf("unchecked %v lacks %q", v.Unchecked, tt.unchecked)
			}
			if v.FakeSMS != (len(tt.want) > 0) {
				t.Errorf("FakeSMS = %v", v.FakeSMS)
			}
		})
	}
}

// TestBalanceWithFee: an incoming SMS that states a fee is checked net of
// it.
func TestBalanceWithFee(t *testing.T) {
	c := rwMessage(msgReceived, 10_000, 11_900, written, eric)
	c.Parse.Transaction.Fee = momo.Some(100)
	h := History{Balances: map[string]Balance{WalletKey(c.Parse.Transaction): {2_000, written.Add(-time.Hour)}}}
	if v := Assess(DefaultConfig(), c, settings(), h); fired(v, RuleBalanceMismatch) {
		t.Errorf("2,000 + 10,000 - 100 is 11,900: %v", v.Reasons)
	}
}

// TestFakeIncomingIsScored: incoming money is not safe by default. A fake
// receipt is scored and marked; a genuine one is not.
func TestFakeIncomingIsScored(t *testing.T) {
	m := receipt(sendItBack, "0790000913")
	v := Assess(DefaultConfig(), Candidate{Message: m, Parse: parser(t).Parse(m)}, settings(), History{})
	if !v.FakeSMS || v.Level != Critical {
		t.Errorf("phone sender asking for the money back: %d %s fake=%v", v.Score, v.Level, v.FakeSMS)
	}

	m = receipt(misspelt, "0790000913")
	v = Assess(DefaultConfig(), Candidate{Message: m, Parse: parser(t).Parse(m)}, settings(), History{})
	if !v.FakeSMS || !hasPrefix(v.Unchecked, "spending checks:") {
		t.Errorf("an unreadable near miss is still judged: %v / %v", v.Reasons, v.Unchecked)
	}
}

// TestGenuineCorpusIsNotSuspicious runs every genuine message of the
// corpus, of every operator, with the parse its labels give.
func TestGenuineCorpusIsNotSuspicious(t *testing.T) {
	for _, file := range []string{"labelled.jsonl", "other-operators.jsonl"} {
		for _, c := range loadCorpus(t, file) {
			m, p := c.message, c.parse
			// The publisher of the Telecel examples shortened their ids to
			// 000001…; the real ones are 16 digits.
			if strings.HasPrefix(c.operator, "Telecel") {
				p.Transaction.TransactionID = ""
			}
			if s := Inspect(DefaultConfig(), m, p); s.Suspicious {
				t.Errorf("%s line %d (%s): %v", file, c.line, c.operator, s.Reasons)
			}
		}
	}
}

// TestLongText: the phrase rules read a bounded prefix and say so.
func TestLongText(t *testing.T) {
	m := receipt(genuineReceipt+strings.Repeat(" Murakoze cyane.", 1000), "M-Money")
	s := Inspect(DefaultConfig(), m, parser(t).Parse(m))
	if s.Suspicious || !hasPrefix(s.Unchecked, "text rules:") {
		t.Errorf("long text: suspicious %v, unchecked %v", s.Suspicious, s.Unchecked)
	}
}
