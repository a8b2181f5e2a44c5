package risk

import (
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// FuzzMessage feeds arbitrary text, senders and arrival times through the
// real parser and Inspect: no panic, and reasons match signals.
func FuzzMessage(f *testing.F) {
	for _, body := range []string{genuineReceipt, shortID, misspelt, sendItBack, callMe, withLink, askPIN, "", "ksh5 rwf5 ₵5 GHS http://x.ly", "You have received 1 RWF Financial Transaction Id: ."} {
		f.Add(body, "M-Money", int64(1749556940))
		f.Add(body, "+250788000417", int64(0))
	}
	f.Fuzz(func(t *testing.T, body, sender string, unix int64) {
		m := momo.Message{Body: body, Sender: sender}
		if unix != 0 {
			m.ReceivedAt = time.Unix(unix%(1<<34), 0).UTC()
		}
		s := Inspect(DefaultConfig(), m, parser(t).Parse(m))
		if len(s.Reasons) != len(s.Signals) || s.Suspicious != (len(s.Signals) > 0) {
			t.Fatalf("inconsistent suspicion %+v", s)
		}
	})
}

// FuzzAssess builds transactions with arbitrary amounts, balances, kinds,
// times and histories: no panic, a score within 0–100, the level of that
// score, and one reason per signal.
func FuzzAssess(f *testing.F) {
	f.Add(int64(5_000), int64(95_000), int64(100), uint8(3), int64(1749556940), int64(3), "RWF", sendItBack, true)
	f.Add(int64(-1), int64(-1<<62), int64(1<<62), uint8(0), int64(0), int64(-7), "GHS", "", false)
	f.Add(int64(1<<62), int64(1<<62), int64(-1<<62), uint8(9), int64(-1<<40), int64(1<<40), "XYZ", withLink, true)
	kinds := []momo.Kind{momo.KindSent, momo.KindPayment, momo.KindReceived, momo.KindWithdrawal, momo.KindAirtime, momo.KindDeposit, momo.KindFailed, momo.KindBalance, momo.KindReversal, momo.KindBankTransfer}
	f.Fuzz(func(t *testing.T, amount, balance, fee int64, kind uint8, unix, histStep int64, cur, body string, known bool) {
		k := kinds[int(kind)%len(kinds)]
		dir := momo.Out
		if k == momo.KindReceived || k == momo.KindDeposit || k == momo.KindReversal {
			dir = momo.In
		}
		at := time.Unix(unix%(1<<34), 0).In(kigali)
		tx := momo.Transaction{
			Operator: "MTN MoMo", Country: "RW", Currency: momo.Currency(cur), Kind: k, Direction: dir,
			Amount: momo.Amount{Minor: amount, Known: known}, Fee: momo.Amount{Minor: fee, Known: known},
			Balance: momo.Amount{Minor: balance, Known: known}, OccurredAt: at, Location: kigali, TransactionID: "41207755310",
		}
		c := Candidate{Message: momo.Message{Body: body, Sender: "M-Money", ReceivedAt: at.UTC()}, Parse: parsed(tx), CounterpartyKey: "k"}

		var h History
		for i := range 12 {
			prev := tx
			prev.Amount = momo.Some(amount + int64(i)*histStep)
			prev.OccurredAt = at.Add(-time.Duration(i+1) * time.Duration(histStep%7200) * time.Second)
			prev.TransactionID = ""
			h.Add(Candidate{Parse: parsed(prev), CounterpartyKey: "k"}, Verdict{})
		}
		s := Settings{Location: kigali, DailyBudget: momo.Some(histStep), Trusted: map[string]bool{"k": histStep%2 == 0}, Feedback: map[string]Feedback{"k": {Legitimate: int(kind % 3), Fraud: int(kind % 2)}}}

		v := Assess(DefaultConfig(), c, s, h)
		if v.Score < 0 || v.Score > 100 || v.Level != LevelFor(v.Score) || len(v.Reasons) != len(v.Signals) {
			t.Fatalf("verdict out of bounds: %+v", v)
		}
	})
}
