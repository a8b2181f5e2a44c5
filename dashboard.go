package momo

import (
	"context"
	"time"
)

// The dashboard's questions, and the one-time codes that link a chat to a
// web account. Every query names its scope: Owner limits it to the
// subscribers linked to one account, Subscriber to one subscriber (within
// Owner's when both are set); both zero is every subscriber, which only
// the admin pages ask for.

// DayTotal is money in and out on one local day and currency: the
// dashboard's chart over time when the range is short.
type DayTotal struct {
	Day      string // "2006-01-02"
	Currency Currency
	In, Out  int64
	Fees     int64
	Taxes    int64
	Count    int
}

// TransactionQuery selects booked transactions for the list and the export,
// newest first. From and To are local dates, inclusive; empty is unbounded.
type TransactionQuery struct {
	Owner      UserID
	Subscriber SubscriberID
	From, To   string
	// After continues a listing after the last row of the previous page;
	// the zero cursor starts at the newest transaction.
	After TransactionCursor
	Limit int // 1 to MaxTransactionPage
}

// MaxTransactionPage bounds one page of transactions.
const MaxTransactionPage = 1000

// TransactionCursor is a position in the newest-first order.
type TransactionCursor struct {
	BookedAt time.Time
	ID       int64
}

// StoredTransaction is a booked transaction read back with its ids.
type StoredTransaction struct {
	ID         int64
	Subscriber SubscriberID
	TransactionRecord
}

// Cursor is the position just after t, to ask for the next page.
func (t StoredTransaction) Cursor() TransactionCursor {
	return TransactionCursor{BookedAt: t.BookedAt, ID: t.ID}
}

// TransactionPage is one page of a listing; More says whether another
// follows.
type TransactionPage struct {
	Rows []StoredTransaction
	More bool
}

// SubscriberSummary is one subscriber on the admin pages: whose it is and
// how much is stored, never what.
type SubscriberSummary struct {
	Subscriber   Subscriber
	Owner        UserID // 0 when not linked
	OwnerName    string
	Messages     int64
	Transactions int64
}

// LinkCode is a one-time code that attaches a chat to a web account: the
// account's page shows it, the person sends "/link CODE" to the bot. The
// store keeps its keyed hash, never the code.
type LinkCode struct {
	Hash      string
	User      UserID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LinkCodeLifetime is how long a link code can be used.
const LinkCodeLifetime = 10 * time.Minute

// Audit actions of the dashboard: a link code shown, a chat attached, an
// upload, an export, changed preferences.
const (
	AuditLinkCode = "link.code"
	AuditLink     = "link"
	AuditUpload   = "upload"
	AuditExport   = "export"
	AuditSettings = "settings"
)

// Preferences are how a user wants to read their data: times in Timezone
// (an IANA name; empty reads each day as the SMS shows it) and Currency
// first among the currencies they hold.
type Preferences struct {
	Timezone string
	Currency Currency // empty: no preference
}

// Check refuses a timezone or currency the reports could not use, with a
// message for the user. "Local" is refused too: it is whatever zone the
// server runs in, which means nothing to the user.
func (p Preferences) Check() error {
	if p.Timezone != "" {
		if _, err := time.LoadLocation(p.Timezone); err != nil || p.Timezone == "Local" || len(p.Timezone) > 64 {
			return E(CodeInvalid, "Choose a timezone such as Africa/Accra.", err)
		}
	}
	if p.Currency != "" {
		if _, ok := p.Currency.Exponent(); !ok {
			return E(CodeInvalid, "Choose one of the currencies offered.", nil)
		}
	}
	return nil
}

// DashboardStore answers the dashboard. Reports use ReportQuery's Owner
// the same way (see ReportQuery).
type DashboardStore interface {
	Report(ctx context.Context, q ReportQuery) (Report, error)
	// Transactions lists booked transactions, newest first.
	Transactions(ctx context.Context, q TransactionQuery) (TransactionPage, error)
	// RecentUnrecognized returns at most limit unrecognized messages of
	// q's scope and local days, newest first; bodies stay sealed.
	RecentUnrecognized(ctx context.Context, q ReportQuery, limit int) ([]StoredMessage, error)
	// Subscribers lists every subscriber for the admin, most transactions
	// first, at most limit.
	Subscribers(ctx context.Context, limit int) ([]SubscriberSummary, error)
	// BookedSpan returns the first and last local day on which the
	// owner's money was booked, "" when there is none.
	BookedSpan(ctx context.Context, owner UserID) (first, last string, err error)
	// SubscriberSummary returns one subscriber for the admin.
	SubscriberSummary(ctx context.Context, id SubscriberID) (SubscriberSummary, error)
	// UploadSubscriber returns the subscriber that holds a user's uploads,
	// created and linked to the user on first use, with the user's
	// preferences as its defaults.
	UploadSubscriber(ctx context.Context, owner UserID) (Subscriber, error)
}

// LinkStore keeps link codes and preferences.
type LinkStore interface {
	// CreateLinkCode stores c and deletes the user's earlier codes, so that
	// only the newest one works; it writes a in the same transaction.
	CreateLinkCode(ctx context.Context, c LinkCode, a Audit) error
	// RedeemLinkCode uses the code with this hash, once: in one
	// transaction it deletes the code, finds or creates the subscriber of
	// (channel, ref) from defaults, links it to the code's user and writes
	// an AuditLink row. An unknown, used or expired code is CodeNotFound;
	// a chat already linked to another account is CodeConflict (the code
	// then stays usable).
	RedeemLinkCode(ctx context.Context, hash string, now time.Time, channel Source, ref string, defaults Subscriber) (Subscriber, UserID, error)
	SetPreferences(ctx context.Context, id UserID, p Preferences, a Audit) error
	Preferences(ctx context.Context, id UserID) (Preferences, error)
}
