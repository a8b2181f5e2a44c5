// Package momo holds the domain of MoMo Analytics: money in minor units, the
// vocabulary of mobile-money transactions, inbound SMS, subscribers, the
// storage interface and the error codes every adapter translates.
//
// It imports nothing of ours. Parsers, stores, the web server and the bots
// depend on it; cmd/momo wires them together.
package momo

import (
	"strconv"
)

// Kind is what a message says happened. The vocabulary is fixed: reports,
// risk rules and exports all switch on it.
type Kind string

// The kinds a template can produce.
const (
	KindReceived       Kind = "received"
	KindSent           Kind = "sent"
	KindPayment        Kind = "payment"
	KindWithdrawal     Kind = "withdrawal"
	KindDeposit        Kind = "deposit"
	KindAirtime        Kind = "airtime"
	KindBundle         Kind = "bundle"
	KindBill           Kind = "bill"
	KindBankTransfer   Kind = "bank_transfer"
	KindLoan           Kind = "loan"
	KindReversal       Kind = "reversal"
	KindFailed         Kind = "failed"
	KindFeeOnly        Kind = "fee_only"
	KindBalance        Kind = "balance"
	KindStatement      Kind = "statement"
	KindNotTransaction Kind = "not_transaction"
)

var kinds = map[Kind]bool{
	KindReceived: true, KindSent: true, KindPayment: true, KindWithdrawal: true,
	KindDeposit: true, KindAirtime: true, KindBundle: true, KindBill: true,
	KindBankTransfer: true, KindLoan: true, KindReversal: true, KindFailed: true,
	KindFeeOnly: true, KindBalance: true, KindStatement: true, KindNotTransaction: true,
}

// Valid reports whether k belongs to the vocabulary.
func (k Kind) Valid() bool { return kinds[k] }

// MovesMoney reports whether a message of this kind books money in or out of
// the wallet. Balances, statements, notices and failures do not.
func (k Kind) MovesMoney() bool {
	switch k {
	case KindBalance, KindStatement, KindNotTransaction, KindFailed:
		return false
	}
	return true
}

// Direction says whether the wallet was credited, debited or neither.
type Direction string

// The three directions.
const (
	In   Direction = "in"
	Out  Direction = "out"
	None Direction = "none"
)

// Valid reports whether d is one of the three directions.
func (d Direction) Valid() bool { return d == In || d == Out || d == None }

// Status is the transaction's own status as the SMS states it. It is empty
// for messages that describe no transaction.
type Status string

// The statuses an SMS can state.
const (
	Completed Status = "completed"
	Pending   Status = "pending"
	Failed    Status = "failed"
)

// Valid reports whether s is a known status or empty.
func (s Status) Valid() bool { return s == "" || s == Completed || s == Pending || s == Failed }

// Amount is an optional sum of money in the minor unit of its currency.
// Known is false when the SMS does not state it; that is not the same as 0.
// It is a value, not a pointer, so parsing one SMS allocates nothing for it.
type Amount struct {
	Minor int64
	Known bool
}

// Some returns a known amount.
func Some(minor int64) Amount { return Amount{Minor: minor, Known: true} }

// MarshalJSON writes the amount as an integer, or null when unknown.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.Known {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, a.Minor, 10), nil
}

// UnmarshalJSON reads an integer or null.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*a = Amount{}
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return E(CodeInvalid, "an amount must be an integer count of minor units", err)
	}
	*a = Some(n)
	return nil
}
