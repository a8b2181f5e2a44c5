package smsparse

import (
	"time"

	"github.com/momoanalytics/momo"
)

// View is the JSON form of one parsed message, the line `momo parse` prints.
// Field names and the kind vocabulary follow the corpus labels; absent
// values are null, money is an integer of minor units, and occurred_at is
// RFC 3339 with the operator's local offset.
type View struct {
	Result             momo.Outcome    `json:"result"`
	Operator           *string         `json:"operator"`
	Country            *string         `json:"country"`
	Kind               *momo.Kind      `json:"kind"`
	Direction          *momo.Direction `json:"direction"`
	Status             *momo.Status    `json:"status"`
	Amount             momo.Amount     `json:"amount"`
	Currency           *momo.Currency  `json:"currency"`
	Fee                momo.Amount     `json:"fee"`
	Tax                momo.Amount     `json:"tax"`
	Balance            momo.Amount     `json:"balance"`
	Counterparty       *string         `json:"counterparty"`
	CounterpartyNumber *string         `json:"counterparty_number"`
	TransactionID      *string         `json:"transaction_id"`
	OccurredAt         *string         `json:"occurred_at"`
	Template           *string         `json:"template"`
	// Why says why an unrecognized message was not read.
	Why string `json:"why,omitempty"`
	// Suspicious and Suspicion are the fake-SMS verdict on the message
	// alone, and Unchecked the checks it gave no material for; the caller
	// fills them (this package knows nothing of risk).
	Suspicious bool     `json:"suspicious"`
	Suspicion  []string `json:"suspicion"`
	Unchecked  []string `json:"unchecked,omitempty"`
	// Messages holds every SMS of a text that held several (a pasted
	// batch), the first of which is also given at the top level.
	Messages []View `json:"messages,omitempty"`
}

// NewResultsView builds the JSON form of what ParseAll read from one text:
// the first SMS's fields, and all of them under "messages" when there were
// several.
func NewResultsView(rs []Result) View {
	if len(rs) == 0 {
		return View{Result: momo.OutcomeUnrecognized, Why: "empty text"}
	}
	v := NewView(rs[0].Parse)
	v.Why = rs[0].Why
	if len(rs) > 1 {
		for _, r := range rs {
			one := NewView(r.Parse)
			one.Why = r.Why
			v.Messages = append(v.Messages, one)
		}
	}
	return v
}

// NewView builds the JSON form of a verdict.
func NewView(p momo.Parse) View {
	v := View{Result: p.Outcome, Operator: opt(p.Operator)}
	if p.Outcome != momo.OutcomeParsed {
		return v
	}

	tx := p.Transaction
	v.Country = opt(tx.Country)
	v.Kind = &tx.Kind
	v.Direction = &tx.Direction
	if tx.Status != "" {
		v.Status = &tx.Status
	}
	if tx.Currency != "" {
		v.Currency = &tx.Currency
	}
	v.Amount, v.Fee, v.Tax, v.Balance = tx.Amount, tx.Fee, tx.Tax, tx.Balance
	v.Counterparty = opt(tx.Counterparty)
	v.CounterpartyNumber = opt(tx.CounterpartyNumber)
	v.TransactionID = opt(tx.TransactionID)
	if !tx.OccurredAt.IsZero() {
		s := tx.OccurredAt.Format(time.RFC3339)
		v.OccurredAt = &s
	}
	v.Template = opt(tx.Template)
	return v
}

func opt[T ~string](s T) *T {
	if s == "" {
		return nil
	}
	return &s
}
