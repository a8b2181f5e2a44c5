package momo

import (
	"context"
	"time"
)

// Sealed is ciphertext: a Fernet token of a value we must not keep in clear
// (an SMS body, a counterparty's name or number). Stores keep it as it is.
type Sealed string

// Cipher seals values for storage and computes keyed hashes, so that equal
// values can be found and grouped without keeping them in clear.
type Cipher interface {
	Seal(plaintext []byte) (Sealed, error)
	Open(token Sealed) ([]byte, error)
	// Hash returns a keyed hash of value in the given domain ("sms",
	// "counterparty", …); the same value in two domains hashes differently.
	Hash(domain, value string) string
}

// SubscriberID identifies a subscriber in a store.
type SubscriberID int64

// Subscriber is whoever sends us SMS: a Telegram chat, a WhatsApp number, a
// device, or the person running the command line.
type Subscriber struct {
	ID      SubscriberID
	Channel Source
	// Ref identifies the subscriber within the channel: a keyed hash of the
	// chat id or phone number, or "local" for the command line.
	Ref string
	// Timezone is an IANA name. Empty means: read each transaction's day in
	// its operator's timezone, which is the time the SMS itself shows.
	Timezone    string
	Currency    Currency
	DailyBudget Amount
	CreatedAt   time.Time
}

// MessageRecord is one message ready to store: sealed, hashed, and with the
// transaction it describes when a template matched.
type MessageRecord struct {
	// Hash identifies the message itself (keyed, over sender, normalised
	// body and receipt time): the same SMS imported twice has the same hash.
	Hash       string
	Source     Source
	Sender     Sealed
	Body       Sealed
	ReceivedAt time.Time // UTC; zero when unknown
	// LocalDay is the day the message counts on in reports, "2006-01-02":
	// its transaction's day, else its receipt (or import) day in the
	// subscriber's timezone, else in the operator's, else in UTC.
	LocalDay string
	Outcome  Outcome // parsed, unrecognized or rejected
	Reason   string  // why it was rejected; never message text
	Operator string  // read or guessed operator
	Template string
	Tx       *TransactionRecord // nil unless the message describes a transaction
}

// TransactionRecord is a transaction in the form stores keep.
type TransactionRecord struct {
	// DedupKey is unique per subscriber: the operator's transaction id when
	// there is one, else a fingerprint including the balance after, else a
	// keyed hash of the normalised SMS.
	DedupKey  string
	Operator  string
	Country   string
	Currency  Currency
	Kind      Kind
	Direction Direction
	Status    Status
	Amount    Amount
	Fee       Amount
	Tax       Amount
	Balance   Amount

	Counterparty       Sealed
	CounterpartyNumber Sealed
	CounterpartyKey    string // keyed hash of the normalised name and number, for grouping

	OperatorTxID string
	OccurredAt   time.Time // UTC; zero when the SMS states none
	BookedAt     time.Time // UTC: OccurredAt, else ReceivedAt, else the import time
	LocalDay     string    // BookedAt's date in the subscriber's timezone, "2006-01-02"
	Template     string
	Companion    Companion
	Risk         *Risk // nil when not assessed
}

// Risk is a fraud-risk verdict kept with a transaction: every outgoing one,
// and every incoming one that looks like a fake SMS.
type Risk struct {
	Score   int      // 0 to 100
	Level   string   // LOW, MEDIUM, HIGH or CRITICAL
	Reasons []string // plain sentences; never SMS text
	FakeSMS bool     // the message itself looks forged
}

// Answer is what a subscriber said about a counterparty: "legitimate" or
// "fraud" in reply to an alert, "block", or "trust". Later risk scores for
// that counterparty follow it.
type Answer struct {
	CounterpartyKey string // the keyed hash transactions group it by
	Answer          string
}

// StoredMessage is a message read back for re-parsing.
type StoredMessage struct {
	ID         int64
	Hash       string
	Source     Source
	Sender     Sealed
	Body       Sealed
	ReceivedAt time.Time
	Outcome    Outcome
	Reason     string
}

// ReportQuery selects what a report covers. From and To are local dates
// ("2006-01-02", inclusive); empty means unbounded. Subscriber 0 means all.
// Messages count on their own local day (MessageRecord.LocalDay).
type ReportQuery struct {
	// Owner, when set, limits the report to the subscribers linked to that
	// account (none linked: an empty report); Subscriber, when set, to one
	// subscriber (which must then be the Owner's, or the report is empty).
	Owner      UserID
	Subscriber SubscriberID
	From, To   string
	// Top is how many counterparties to list in each currency: 0 for the
	// default, below 0 for none (the admin's aggregate shows no names).
	Top int
	// Series asks for the day-by-day figures too: Days, and
	// BalanceHistory (the last balance of each day). SeriesOnly asks for
	// them alone, for a page that has the rest from a longer range.
	Series     bool
	SeriesOnly bool
}

// Report is the analytics of a subscriber's history, computed by the store.
// Counterparty names stay sealed; the reporting layer opens the few it shows.
type Report struct {
	Messages       int
	Transactions   int
	Unrecognized   int
	Rejected       int
	Months         []MonthTotal
	Kinds          []KindTotal
	Charges        []ChargeTotal
	Counterparties []CounterpartyTotal
	Balances       []BalanceAt
	UnrecognizedBy []OperatorCount
	RiskLevels     []LevelCount // assessed transactions per risk level
	Alerts         []Alert      // the most recent HIGH and CRITICAL verdicts
	// With ReportQuery.Series only:
	Days           []DayTotal
	BalanceHistory []BalanceAt // per day, operator and currency, oldest first
}

// LevelCount counts assessed transactions of one risk level.
type LevelCount struct {
	Level string
	Count int
}

// Alert is a transaction the risk engine judged HIGH or CRITICAL.
type Alert struct {
	At        time.Time
	Kind      Kind
	Direction Direction
	Currency  Currency
	Amount    Amount
	Risk      Risk
}

// MonthTotal is money in and out in one local month and currency.
type MonthTotal struct {
	Month    string // "2006-01"
	Currency Currency
	In, Out  int64
	Fees     int64
	Taxes    int64
	Count    int
}

// KindTotal sums one kind of transaction.
type KindTotal struct {
	Kind      Kind
	Direction Direction
	Currency  Currency
	Count     int
	Total     int64
}

// ChargeTotal sums what the operator and the state took.
type ChargeTotal struct {
	Currency Currency
	Fees     int64
	Taxes    int64
}

// CounterpartyTotal sums the money exchanged with one counterparty.
type CounterpartyTotal struct {
	Key      string // the keyed hash that groups the counterparty's transactions
	Name     Sealed
	Number   Sealed
	Currency Currency
	Count    int
	In, Out  int64
}

// BalanceAt is the last balance an operator's SMS stated.
type BalanceAt struct {
	Operator string
	Currency Currency
	Balance  int64
	At       time.Time
}

// OperatorCount counts messages per (guessed) operator.
type OperatorCount struct {
	Operator string
	Count    int
}

// Store keeps subscribers, messages and transactions. Every method that
// changes more than one row does it in one database transaction.
type Store interface {
	// Subscriber returns the subscriber of channel and ref, creating it from
	// defaults when there is none.
	Subscriber(ctx context.Context, channel Source, ref string, defaults Subscriber) (Subscriber, error)

	// Save stores a batch of messages for a subscriber and returns each
	// one's outcome: OutcomeDuplicate when the message, or the transaction
	// it describes, is already stored; the record's own outcome otherwise.
	Save(ctx context.Context, sub SubscriberID, recs []MessageRecord) ([]Outcome, error)

	// Reparse rebuilds a subscriber's transactions from the stored
	// messages, in the order they were received, asking build for each
	// message's new record. It runs in one database transaction.
	Reparse(ctx context.Context, sub SubscriberID, build func(StoredMessage) (MessageRecord, error)) (Counts, error)

	// Report computes the analytics of q.
	Report(ctx context.Context, q ReportQuery) (Report, error)

	Close() error
}
