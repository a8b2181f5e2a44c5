package risk

import (
	"time"

	"github.com/momoanalytics/momo"
)

// History summarises a subscriber's past as the rules need it. The caller
// builds it from the store, or with Add (or Replay) from a sequence of
// messages; the zero value is an empty history. Its maps are shared by
// copies: Assess only reads them, Add writes them.
//
// A store-built History needs: the last 100 outgoing transactions and every
// outgoing one of the last 48 hours before the one assessed (Outgoing,
// oldest first); the last stated balance of each wallet (Balances); the
// amount of earlier transactions with the same operator id (IDs); how
// often each counterparty was paid (Paid, OutgoingCount); and the
// counterparties of messages whose verdict had FakeSMS set (Suspects).
type History struct {
	Outgoing      []Spend
	Balances      map[string]Balance // by WalletKey
	IDs           map[string]momo.Amount
	Paid          map[string]int // outgoing transactions per counterparty key
	OutgoingCount int            // all outgoing transactions ever seen
	// Suspects are counterparties named in messages judged fake: the
	// fraudster's account, to which the victim is asked to "send back".
	Suspects map[string]bool
}

// Spend is one earlier outgoing transaction.
type Spend struct {
	At           time.Time // when it happened (the SMS time, else its arrival)
	Amount       int64     // principal in minor units
	Currency     momo.Currency
	Kind         momo.Kind
	Counterparty string // keyed hash; "" when none
}

// Balance is a balance an SMS stated.
type Balance struct {
	Minor int64
	At    time.Time
}

// WalletKey names the wallet a transaction moves: one per operator,
// country and currency.
func WalletKey(tx momo.Transaction) string {
	return foldedName(tx.Operator) + "|" + tx.Country + "|" + string(tx.Currency)
}

// IDKey names an operator transaction id.
func IDKey(tx momo.Transaction) string {
	return foldedName(tx.Operator) + "|" + tx.Country + "|" + tx.TransactionID
}

// History keeps at least keepSpends outgoing transactions, and all of the
// last keepWindow: enough for the usual amount, today's total and the last
// hour whatever the timezone.
const (
	keepSpends = 100
	keepWindow = 48 * time.Hour
)

// Add folds a message and its verdict into the history. A message judged
// fake by anything but its balance leaves no balance, id or spending
// behind, only its counterparty as a suspect: its balance and id are the
// fraudster's and would make the next genuine message look wrong. One
// judged fake by its balance alone is kept, so that a missed SMS breaks the
// balance chain once rather than for ever. A repeated id with the same
// amount is the same transaction again and is not counted twice.
func (h *History) Add(c Candidate, v Verdict) {
	h.noteSuspect(c, v)
	if c.Parse.Outcome != momo.OutcomeParsed || fakeBeyondBalance(v) {
		return
	}
	tx := c.Parse.Transaction
	at := when(c)

	h.noteBalance(tx, at)
	if !h.noteID(tx) {
		return
	}
	if tx.Direction == momo.Out && tx.Kind.MovesMoney() && tx.Amount.Known && !tx.Companion.IsSet() {
		h.noteSpend(Spend{At: at, Amount: tx.Amount.Minor, Currency: tx.Currency, Kind: tx.Kind, Counterparty: c.CounterpartyKey})
	}
}

func fakeBeyondBalance(v Verdict) bool {
	if !v.FakeSMS {
		return false
	}
	for _, s := range v.Signals {
		if s.Rule.IsFakeSMS() && s.Rule != RuleBalanceMismatch {
			return true
		}
	}
	return false
}

// noteSuspect remembers who a fake "you have received" SMS named, so that
// paying them later is caught even when the payment itself looks ordinary.
// Only money claimed to come in counts, and only from someone never paid
// before: a genuine SMS misjudged as fake (one that arrived late, say)
// must not turn the subscriber's grocer or sister into a suspect.
func (h *History) noteSuspect(c Candidate, v Verdict) {
	tx := c.Parse.Transaction
	if !v.FakeSMS || c.CounterpartyKey == "" || h.Paid[c.CounterpartyKey] > 0 {
		return
	}
	if c.Parse.Outcome == momo.OutcomeParsed && tx.Direction != momo.In {
		return
	}
	if h.Suspects == nil {
		h.Suspects = map[string]bool{}
	}
	h.Suspects[c.CounterpartyKey] = true
}

// noteBalance keeps the latest balance per wallet. An older message
// arriving late does not replace a newer balance.
func (h *History) noteBalance(tx momo.Transaction, at time.Time) {
	if !tx.Balance.Known {
		return
	}
	key := WalletKey(tx)
	if prev, ok := h.Balances[key]; ok && at.Before(prev.At) {
		return
	}
	if h.Balances == nil {
		h.Balances = map[string]Balance{}
	}
	h.Balances[key] = Balance{Minor: tx.Balance.Minor, At: at}
}

// noteID records the id's amount and reports whether the transaction is
// new (false for the same id and amount seen before).
func (h *History) noteID(tx momo.Transaction) bool {
	if tx.TransactionID == "" {
		return true
	}
	key := IDKey(tx)
	if prev, ok := h.IDs[key]; ok {
		return prev != tx.Amount
	}
	if h.IDs == nil {
		h.IDs = map[string]momo.Amount{}
	}
	h.IDs[key] = tx.Amount
	return true
}

func (h *History) noteSpend(s Spend) {
	h.Outgoing = append(h.Outgoing, s)
	h.OutgoingCount++
	if s.Counterparty != "" {
		if h.Paid == nil {
			h.Paid = map[string]int{}
		}
		h.Paid[s.Counterparty]++
	}

	latest := s.At
	drop := 0
	for len(h.Outgoing)-drop > keepSpends && latest.Sub(h.Outgoing[drop].At) > keepWindow {
		drop++
	}
	// Slicing the front off leaves the dropped spends in the array until
	// the next append outgrows it and copies only the kept ones: copying
	// them at every drop cost an import more than the rules themselves.
	h.Outgoing = h.Outgoing[drop:]
}

// Replay assesses a sequence of messages in order, each against the history
// of those before it: the import of a whole export, the evaluation, and the
// tests all go through it.
type Replay struct {
	Config   Config
	Settings Settings
	History  History
}

// Next assesses c and then adds it to the history.
func (r *Replay) Next(c Candidate) Verdict {
	v := Assess(r.Config, c, r.Settings, r.History)
	r.History.Add(c, v)
	return v
}

// when is the time of a message: the time written in it, else its arrival,
// else zero.
func when(c Candidate) time.Time {
	if t := c.Parse.Transaction.OccurredAt; c.Parse.Outcome == momo.OutcomeParsed && !t.IsZero() {
		return t
	}
	return c.Message.ReceivedAt
}
