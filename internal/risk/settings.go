package risk

import (
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// Settings is what the subscriber told us. Counterparties are named by the
// keyed hash the store groups them by (momo.TransactionRecord's
// CounterpartyKey), never by name or number.
type Settings struct {
	// Location is the subscriber's timezone; nil means the operator's,
	// which is the time the SMS itself shows.
	Location *time.Location
	// DailyBudget caps the principal sent out per local day, in Currency
	// (empty Currency: whatever the transaction's). Unknown means none.
	DailyBudget momo.Amount
	Currency    momo.Currency

	Blocked  map[string]bool
	Trusted  map[string]bool
	Feedback map[string]Feedback
}

// Feedback counts the subscriber's answers to alerts about one
// counterparty.
type Feedback struct {
	Legitimate int // "that was me"
	Fraud      int // "that was not me", including answers that blocked
}

// distrusted reports whether the fraud answers outweigh the others. A tie
// counts as fraud: when the subscriber has said both, caution is cheaper.
func (f Feedback) distrusted() bool { return f.Fraud > 0 && f.Fraud >= f.Legitimate }

// Answer is the subscriber's reply to an alert.
type Answer string

// The three answers an alert offers.
const (
	AnswerLegitimate Answer = "legitimate"
	AnswerFraud      Answer = "fraud"
	AnswerBlock      Answer = "block"
)

// answerWords maps what people type to an answer: the bots' YES / NO /
// BLOCK buttons and the words themselves.
var answerWords = map[string]Answer{
	"yes": AnswerLegitimate, "legitimate": AnswerLegitimate, "legit": AnswerLegitimate, "me": AnswerLegitimate,
	"no": AnswerFraud, "fraud": AnswerFraud, "not me": AnswerFraud,
	"block": AnswerBlock,
}

// ParseAnswer reads a reply to an alert.
func ParseAnswer(s string) (Answer, error) {
	a, ok := answerWords[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return "", momo.E(momo.CodeInvalid, "answer YES, NO or BLOCK", nil)
	}
	return a, nil
}

// Record applies an answer about a counterparty. BLOCK is a fraud answer
// that also blocks; blocking removes the counterparty from the trusted list,
// because a list that says both would make every later score a guess.
func (s *Settings) Record(key string, a Answer) {
	if key == "" {
		return
	}
	if s.Feedback == nil {
		s.Feedback = map[string]Feedback{}
	}
	fb := s.Feedback[key]
	switch a {
	case AnswerLegitimate:
		fb.Legitimate++
	case AnswerFraud, AnswerBlock:
		fb.Fraud++
	}
	s.Feedback[key] = fb

	if a == AnswerBlock {
		if s.Blocked == nil {
			s.Blocked = map[string]bool{}
		}
		s.Blocked[key] = true
		delete(s.Trusted, key)
	}
}

// Trust puts a counterparty on the trusted list and takes it off the
// blocked one: the subscriber's latest word wins.
func (s *Settings) Trust(key string) {
	if key == "" {
		return
	}
	if s.Trusted == nil {
		s.Trusted = map[string]bool{}
	}
	s.Trusted[key] = true
	delete(s.Blocked, key)
}

// location returns the timezone to read local hours and days in.
func (s Settings) location(tx momo.Transaction) *time.Location {
	switch {
	case s.Location != nil:
		return s.Location
	case tx.Location != nil:
		return tx.Location
	}
	return time.UTC
}
