package risk

import (
	"fmt"

	"github.com/momoanalytics/momo"
)

// Candidate is one message to assess: as it arrived, as the parser read
// it, and the keyed hash of its counterparty ("" when it names none).
type Candidate struct {
	Message         momo.Message
	Parse           momo.Parse
	CounterpartyKey string
}

// Verdict is the risk of one message. Score is the sum of the signals'
// points, kept within 0–100.
type Verdict struct {
	Score     int
	Level     Level
	Reasons   []string // the signals' reasons, in order
	Unchecked []string // checks the input gave no material for
	Signals   []Signal
	// FakeSMS is set when the fake-SMS signs add up to cfg.FakeThreshold:
	// the message is probably not from the operator. Risk is worth keeping
	// for every outgoing transaction and for messages with FakeSMS set.
	FakeSMS bool
}

// Assess scores one message against the subscriber's settings and history.
// History must hold only what came before the message.
func Assess(cfg Config, c Candidate, s Settings, h History) Verdict {
	sus := Inspect(cfg, c.Message, c.Parse)
	a := assessment{cfg: cfg, c: c, s: s, h: h, tx: c.Parse.Transaction, signals: sus.Signals, unchecked: sus.Unchecked}
	if c.Parse.Outcome != momo.OutcomeParsed {
		a.skip("spending checks: the message could not be read as a transaction")
		return a.verdict()
	}

	a.checkHistory()
	a.checkCounterparty()
	if a.tx.Direction == momo.Out && a.tx.Kind.MovesMoney() && a.tx.Amount.Known {
		a.checkSpending()
	}
	return a.verdict()
}

// assessment gathers the signals of one Assess call.
type assessment struct {
	cfg       Config
	c         Candidate
	s         Settings
	h         History
	tx        momo.Transaction
	signals   []Signal
	unchecked []string
}

// add records a signal; a rule configured to 0 points is off and says
// nothing.
func (a *assessment) add(r Rule, reason string) {
	if p := a.cfg.points(r); p != 0 {
		a.signals = append(a.signals, Signal{Rule: r, Points: p, Reason: reason})
	}
}

func (a *assessment) skip(what string) { a.unchecked = append(a.unchecked, what) }

func (a *assessment) money(minor int64) string {
	return string(a.tx.Currency) + " " + a.tx.Currency.Format(minor)
}

// verdict sums the signals. Relief for a trusted or confirmed counterparty
// only cancels spending points: trusting a name does not make a fake SMS
// that uses it genuine.
func (a *assessment) verdict() Verdict {
	a.applyRelief()

	v := Verdict{Signals: a.signals, Unchecked: a.unchecked}
	fake := 0
	for _, s := range a.signals {
		v.Score += s.Points
		v.Reasons = append(v.Reasons, s.Reason)
		if s.Rule.IsFakeSMS() {
			fake += s.Points
		}
	}
	v.Score = min(max(v.Score, 0), 100)
	v.Level = a.cfg.Level(v.Score)
	v.FakeSMS = fake > 0 && fake >= a.cfg.FakeThreshold
	return v
}

// checkHistory looks for the fake-SMS signs that need the past: an id
// already used for another amount, and, for money coming in, a balance
// that does not follow from the last one. Outgoing balances are not
// checked: nobody fakes their own debit, and a missed SMS would only add
// noise to the spending score.
func (a *assessment) checkHistory() {
	if !a.tx.Kind.MovesMoney() {
		return
	}
	a.checkReusedID()
	if a.tx.Direction == momo.In {
		a.checkBalance()
	}
}

func (a *assessment) checkReusedID() {
	if a.tx.TransactionID == "" {
		return
	}
	prev, ok := a.h.IDs[IDKey(a.tx)]
	if !ok || prev == a.tx.Amount {
		return
	}
	earlier := "another amount"
	if prev.Known {
		earlier = a.money(prev.Minor)
	}
	a.add(RuleTxIDReused, fmt.Sprintf("The transaction id was already used by an earlier message for %s.", earlier))
}

// checkBalance compares the stated balance with the last known one plus
// the amount (less any fee or tax the SMS states). A fraudster who types a
// "You have received" SMS does not know the victim's balance.
func (a *assessment) checkBalance() {
	prev, ok := a.h.Balances[WalletKey(a.tx)]
	at := when(a.c)
	switch {
	case !a.tx.Balance.Known || !a.tx.Amount.Known:
		a.skip("balance continuity: the SMS states no balance or no amount")
		return
	case !ok:
		a.skip("balance continuity: no earlier balance is known for this wallet")
		return
	case !at.IsZero() && prev.At.After(at):
		a.skip("balance continuity: the last known balance comes from a later message")
		return
	}
	want := prev.Minor + a.tx.Amount.Minor - known(a.tx.Fee) - known(a.tx.Tax)
	if want != a.tx.Balance.Minor {
		a.add(RuleBalanceMismatch, fmt.Sprintf("The new balance stated, %s, does not follow from the last known balance of %s and the amount received.",
			a.money(a.tx.Balance.Minor), a.money(prev.Minor)))
	}
}

func known(a momo.Amount) int64 {
	if a.Known {
		return a.Minor
	}
	return 0
}

// checkCounterparty applies the subscriber's list and past answers. They
// count in both directions: money "from" a blocked number is the opening
// of the send-it-back scam.
func (a *assessment) checkCounterparty() {
	key := a.c.CounterpartyKey
	if key == "" {
		if a.tx.Direction == momo.Out && a.tx.Kind.MovesMoney() {
			a.skip("blocked and trusted lists: the message names no counterparty")
		}
		return
	}
	if a.s.Blocked[key] {
		who := "The recipient"
		if a.tx.Direction == momo.In {
			who = "The sender of this money"
		}
		a.add(RuleBlocked, who+" is on your blocked list.")
	}
	if a.tx.Direction == momo.Out && a.suspect(key) {
		a.add(RuleNamedInFake, "The recipient was named in an earlier SMS that looked fake; this may be the \"send it back\" scam.")
	}
	if a.s.Feedback[key].distrusted() {
		a.add(RuleReportedFraud, "You reported an earlier transaction with this counterparty as fraud.")
	}
}

// suspect reports whether key was named in an earlier fake and the
// subscriber has not since vouched for it (trusted, or confirmed genuine).
func (a *assessment) suspect(key string) bool {
	fb := a.s.Feedback[key]
	return a.h.Suspects[key] && !a.s.Trusted[key] && fb.Legitimate <= fb.Fraud
}

// applyRelief lowers the spending points for a counterparty the subscriber
// trusts or confirmed, never below zero, and never for one that is blocked,
// was named in a fake, or was reported as fraud at least as often as
// confirmed: the subscriber's latest word outweighs an old list. The
// relief is recorded at what it took off, so the signals still add up to
// the score.
func (a *assessment) applyRelief() {
	key := a.c.CounterpartyKey
	if key == "" || a.s.Blocked[key] || a.suspect(key) {
		return
	}
	spending := 0
	for _, s := range a.signals {
		if isSpending(s.Rule) {
			spending += s.Points
		}
	}
	fb := a.s.Feedback[key]
	if fb.distrusted() {
		return
	}
	if a.s.Trusted[key] {
		spending = a.relieve(RuleTrusted, spending, "The counterparty is on your trusted list, which lowers the score.")
	}
	if fb.Legitimate > fb.Fraud {
		a.relieve(RuleConfirmedLegitimate, spending, "You confirmed earlier transactions with this counterparty as genuine, which lowers the score.")
	}
}

func (a *assessment) relieve(r Rule, spending int, reason string) int {
	off := min(-a.cfg.points(r), spending)
	if off <= 0 {
		return spending
	}
	a.signals = append(a.signals, Signal{Rule: r, Points: -off, Reason: reason})
	return spending - off
}

var spendingRules = map[Rule]bool{
	RuleNight: true, RuleLargeAmount: true, RuleAboveUsual: true, RuleOverBudget: true,
	RuleBurst: true, RuleRoundAmount: true, RuleLowBalanceLeft: true, RuleNewCounterparty: true,
}

func isSpending(r Rule) bool { return spendingRules[r] }
