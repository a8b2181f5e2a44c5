package risk

import (
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

func TestHistoryAdd(t *testing.T) {
	var h History
	c := transfer(5_000, 95_000, clock(9, 0, 0))
	h.Add(c, Verdict{})
	h.Add(rwMessage(msgReceived, 1_000, 96_000, clock(10, 0, 0), grace), Verdict{})

	if len(h.Outgoing) != 1 || h.OutgoingCount != 1 || h.Paid[c.CounterpartyKey] != 1 {
		t.Errorf("outgoing: %+v", h)
	}
	wallet := WalletKey(c.Parse.Transaction)
	if got := h.Balances[wallet]; got.Minor != 96_000 || !got.At.Equal(clock(10, 0, 0)) {
		t.Errorf("balance %+v, want the later one", got)
	}

	// An older message arriving late does not replace the newer balance.
	h.Add(transfer(1_000, 50_000, clock(8, 0, 0)), Verdict{})
	if got := h.Balances[wallet].Minor; got != 96_000 {
		t.Errorf("late message moved the balance to %d", got)
	}
}

func TestHistoryDuplicatesAndFakes(t *testing.T) {
	var h History
	pay := rwMessage(msgPayment, 2_000, 8_000, clock(9, 0, 0), shop)
	h.Add(pay, Verdict{})
	h.Add(pay, Verdict{})
	if h.OutgoingCount != 1 {
		t.Errorf("the same id and amount twice counted %d times", h.OutgoingCount)
	}

	fake := rwMessage(msgReceived, 50_000, 150_000, clock(10, 0, 0), eric)
	fake.Parse.Transaction.TransactionID = "99999999999"
	h.Add(fake, Verdict{FakeSMS: true, Signals: []Signal{{Rule: RuleSenderPhone, Points: 60}}})
	if h.Balances[WalletKey(fake.Parse.Transaction)].Minor != 8_000 || h.IDs[IDKey(fake.Parse.Transaction)].Known {
		t.Errorf("a fake left its balance or id behind: %+v", h)
	}
	if !h.Suspects[fake.CounterpartyKey] {
		t.Errorf("the fake's counterparty is not a suspect")
	}

	// Judged fake by its balance alone: probably a missed SMS; keep it so
	// the chain breaks once, not for ever.
	missed := rwMessage(msgReceived, 1_000, 20_000, clock(11, 0, 0), grace)
	missed.Parse.Transaction.TransactionID = "41207755399"
	h.Add(missed, Verdict{FakeSMS: true, Signals: []Signal{{Rule: RuleBalanceMismatch, Points: 40}}})
	if got := h.Balances[WalletKey(missed.Parse.Transaction)].Minor; got != 20_000 {
		t.Errorf("balance after a balance-only mismatch: %d", got)
	}
}

func TestHistoryTrim(t *testing.T) {
	var h History
	start := clock(0, 0, 0).Add(-30 * 24 * time.Hour)
	for i := range 300 {
		c := rwMessage(msgAirtime, 100, 1_000_000, start.Add(time.Duration(i)*2*time.Hour), party{})
		c.Parse.Transaction.TransactionID = ""
		h.Add(c, Verdict{})
	}
	if len(h.Outgoing) != keepSpends || h.OutgoingCount != 300 {
		t.Errorf("kept %d of %d", len(h.Outgoing), h.OutgoingCount)
	}

	// Within 48 hours nothing is dropped, however many.
	h = History{}
	for i := range 150 {
		c := rwMessage(msgAirtime, 100, 1_000_000, start.Add(time.Duration(i)*time.Minute), party{})
		c.Parse.Transaction.TransactionID = ""
		h.Add(c, Verdict{})
	}
	if len(h.Outgoing) != 150 {
		t.Errorf("dropped spends of the last 48 hours: kept %d", len(h.Outgoing))
	}
}

func TestHistoryIgnoresCompanionsAndUnread(t *testing.T) {
	var h History
	c := rwMessage(msgAirtime, 500, 1_000, clock(9, 0, 0), party{})
	c.Parse.Transaction.Companion = momo.Companion{Kinds: []momo.Kind{momo.KindBundle}, Window: time.Minute}
	h.Add(c, Verdict{})
	h.Add(Candidate{Message: momo.Message{Body: "?"}, Parse: momo.Parse{Outcome: momo.OutcomeUnrecognized}}, Verdict{})
	if h.OutgoingCount != 0 {
		t.Errorf("a companion or unread message was counted as spending")
	}
}

// TestReplayIsAssessThenAdd: Replay is exactly Assess against the past
// followed by Add.
func TestReplayIsAssessThenAdd(t *testing.T) {
	subs := Simulate(3)
	events := subs[0].Events[:200]
	r := Replay{Config: DefaultConfig(), Settings: subs[0].Settings}
	var h History
	for i, e := range events {
		want := Assess(DefaultConfig(), e.Candidate, subs[0].Settings, h)
		h.Add(e.Candidate, want)
		if got := r.Next(e.Candidate); got.Score != want.Score || got.FakeSMS != want.FakeSMS {
			t.Fatalf("event %d: replay %d, assess %d", i, got.Score, want.Score)
		}
	}
}
