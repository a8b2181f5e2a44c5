package momo

import "time"

// Transaction is what one SMS says, as a template read it. Names and numbers
// are as written in the SMS (often masked by the operator). It holds
// plaintext and lives in memory only; stores keep the sealed form.
type Transaction struct {
	Operator  string   // brand, e.g. "MTN MoMo"
	Country   string   // ISO 3166 alpha-2
	Currency  Currency // empty for messages that move no money
	Kind      Kind
	Direction Direction
	Status    Status

	Amount  Amount // principal, without fee or tax
	Fee     Amount
	Tax     Amount // levies stated separately, such as Ghana's E-Levy
	Balance Amount // wallet balance after the transaction

	Counterparty       string
	CounterpartyNumber string
	TransactionID      string // the operator's own id

	// OccurredAt is the time written inside the SMS, in the operator's
	// location; zero when the SMS states none.
	OccurredAt time.Time
	// Location is the operator's timezone, in which the SMS tells time.
	Location *time.Location

	Template  string    // the key of the template that matched
	Companion Companion // set when this SMS may repeat another one's money movement
}

// Companion describes how an SMS that repeats another SMS's money movement
// (a bundle confirmation after the bundle payment, the bank's copy of a
// transfer) finds the transaction it belongs to: one of Kinds, for the same
// amount, within Window of this one.
type Companion struct {
	Kinds  []Kind
	Window time.Duration
}

// IsSet reports whether the template declared a companion rule.
func (c Companion) IsSet() bool { return len(c.Kinds) > 0 }

// Parse is the parser's verdict on one message.
type Parse struct {
	Outcome Outcome // OutcomeParsed or OutcomeUnrecognized
	// Operator is the operator the message was read as, or the best guess
	// for an unrecognized one ("" when nothing suggests any).
	Operator    string
	Transaction Transaction // valid when Outcome is OutcomeParsed
}

// Parser reads SMS text.
type Parser interface {
	Parse(m Message) Parse
}
