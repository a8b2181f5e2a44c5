package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// What the dashboard asks besides the report: pages of transactions, the
// latest unrecognized messages, the admin's list of subscribers and the
// subscriber that holds a user's uploads.

var _ momo.DashboardStore = (*Store)(nil)

// maxMerged is how many subscribers a listing reads one by one, each from
// its own end of an index, before merging their newest rows. Beyond it
// (the admin's view of every subscriber) one query filters and sorts.
const maxMerged = 32

// dayReach is how far a local day reaches around its UTC date: timezones
// run from UTC-12 to UTC+14, so the transactions of a local day were
// booked between 14 hours before its UTC midnight and 14 after the next.
const dayReach = 14 * time.Hour

// Transactions lists the booked transactions of q's scope and local days,
// newest first by booking time, then id.
//
// PostgreSQL has no index on booking times (migration 7 dropped it to
// speed up imports), and one more would cost imports 15-20% (measured
// with BenchmarkSave). The page is read from a window of local days
// instead, which transactions_days serves on PostgreSQL, and SQLite from
// the end of transactions_booked_at, bounded by the booking times the
// days can hold: the newest few days first, then four times as many,
// until the window holds the page, which a day's reach proves (see
// pageIsWhole). Dense histories take one query; sparse ones a few.
func (s *Store) Transactions(ctx context.Context, q momo.TransactionQuery) (momo.TransactionPage, error) {
	if err := checkPage(q); err != nil {
		return momo.TransactionPage{}, s.fail(ctx, "transactions", err)
	}
	tx, err := s.db.BeginTx(ctx, s.d.reportTx)
	if err != nil {
		return momo.TransactionPage{}, s.fail(ctx, "transactions", err)
	}
	defer tx.Rollback()

	page, err := s.transactions(ctx, tx, q)
	if err != nil {
		return momo.TransactionPage{}, s.fail(ctx, "transactions", err)
	}
	return page, nil
}

// firstWindow is how many local days a page is first looked for in;
// windowGrowth how many times more each next look takes.
const (
	firstWindow  = 3
	windowGrowth = 4
)

func (s *Store) transactions(ctx context.Context, tx *sql.Tx, q momo.TransactionQuery) (momo.TransactionPage, error) {
	sc, err := s.scope(ctx, tx, q.Owner, q.Subscriber)
	if err != nil {
		return momo.TransactionPage{}, err
	}
	first, last, err := s.bookedDays(ctx, tx, sc, q)
	if err != nil || first == "" {
		return momo.TransactionPage{}, err
	}

	var rows []momo.StoredTransaction
	for span := firstWindow; ; span *= windowGrowth {
		from := max(first, addDays(last, -span))
		rows, err = s.transactionsIn(ctx, tx, sc, q, from, last)
		if err != nil {
			return momo.TransactionPage{}, err
		}
		if from == first || pageIsWhole(rows, q.Limit, from) {
			break
		}
	}

	page := momo.TransactionPage{Rows: rows}
	if len(rows) > q.Limit {
		page.Rows, page.More = rows[:q.Limit], true
	}
	return page, nil
}

// pageIsWhole says whether rows, read from the local days from onwards,
// hold the page: limit+1 rows, the last booked at least a day's reach
// after from began. The transactions of earlier days were booked before
// from began in some timezone, so before that time: after the last row.
func pageIsWhole(rows []momo.StoredTransaction, limit int, from string) bool {
	if len(rows) <= limit {
		return false
	}
	start, _ := time.Parse(time.DateOnly, from) // a stored day
	return !rows[len(rows)-1].BookedAt.Before(start.Add(dayReach))
}

// bookedDays returns the first and last local day, within q's days and
// before its cursor, on which the scope has booked transactions, from the
// daily totals; "" when there is none.
func (s *Store) bookedDays(ctx context.Context, tx *sql.Tx, sc scope, q momo.TransactionQuery) (string, string, error) {
	var days []string
	var dayArgs []any
	last := q.To
	if !q.After.BookedAt.IsZero() {
		// Rows before the cursor are of its day in a timezone at most.
		reach := q.After.BookedAt.UTC().Add(dayReach).Format(time.DateOnly)
		if last == "" || reach < last {
			last = reach
		}
	}
	if q.From != "" {
		days, dayArgs = append(days, "local_day >= ?"), append(dayArgs, q.From)
	}
	if last != "" {
		days, dayArgs = append(days, "local_day <= ?"), append(dayArgs, last)
	}

	query, args := firstAndLastDay(sc, days, dayArgs)
	var first, newest sql.NullString
	if err := tx.QueryRowContext(ctx, s.d.q(query), args...).Scan(&first, &newest); err != nil {
		return "", "", fmt.Errorf("days of the transactions: %w", err)
	}
	return first.String, newest.String, nil
}

// BookedSpan returns the first and last local day on which the owner's
// money was booked, "" when there is none: a seek at each end of each
// subscriber's daily totals.
func (s *Store) BookedSpan(ctx context.Context, owner momo.UserID) (string, string, error) {
	sc, err := s.scope(ctx, s.db, owner, 0)
	if err != nil {
		return "", "", s.fail(ctx, "booked span", err)
	}
	query, args := firstAndLastDay(sc, nil, nil)
	var first, last sql.NullString
	if err := s.db.QueryRowContext(ctx, s.d.q(query), args...).Scan(&first, &last); err != nil {
		return "", "", s.fail(ctx, "booked span", err)
	}
	return first.String, last.String, nil
}

// firstAndLastDay is the query for the scope's first and last day of
// money. For each subscriber of a known few, it asks for the first and the
// last day apart: each is then one seek at an end of the primary key,
// where both in one query read every day of the subscriber (35,000 rows
// for twenty busy years).
func firstAndLastDay(sc scope, days []string, dayArgs []any) (string, []any) {
	if len(sc.ids) == 0 {
		conds, args := sc.conds()
		conds = append(conds, days...)
		return `SELECT MIN(local_day), MAX(local_day) FROM money_days WHERE ` + strings.Join(conds, " AND "),
			append(args, dayArgs...)
	}

	where := strings.Join(append([]string{"subscriber_id = ?"}, days...), " AND ")
	var parts []string
	var args []any
	for _, id := range sc.ids {
		parts = append(parts, `
			SELECT (SELECT MIN(local_day) FROM money_days WHERE `+where+`) AS first,
			       (SELECT MAX(local_day) FROM money_days WHERE `+where+`) AS last`)
		for range 2 {
			args = append(append(args, id), dayArgs...)
		}
	}
	return `SELECT MIN(first), MAX(last) FROM (` + strings.Join(parts, " UNION ALL") + `) ends`, args
}

// transactionsIn reads the first limit+1 transactions of q in the local
// days from..to.
func (s *Store) transactionsIn(ctx context.Context, tx *sql.Tx, sc scope, q momo.TransactionQuery, from, to string) ([]momo.StoredTransaction, error) {
	l := listing{
		columns: storedTxColumns,
		table:   "transactions",
		order:   "booked_at DESC, id DESC",
		limit:   q.Limit + 1, // one more says whether another page follows
	}
	l.where("booked = 1")
	l.days(from, to)
	l.bookedWithin(from, to)
	if !q.After.BookedAt.IsZero() {
		after := timeText(q.After.BookedAt)
		l.where("booked_at <= ?", after)
		l.where("(booked_at < ? OR id < ?)", after, q.After.ID)
	}

	var rows []momo.StoredTransaction
	err := s.list(ctx, tx, l, sc, func(r *sql.Rows) error {
		t, err := scanStoredTx(r)
		if err != nil {
			return err
		}
		rows = append(rows, t)
		return nil
	})
	return rows, err
}

// addDays returns the local day n days after day.
func addDays(day string, n int) string {
	t, _ := time.Parse(time.DateOnly, day) // a stored day
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// checkPage refuses a page size or a date the listing cannot serve.
func checkPage(q momo.TransactionQuery) error {
	if q.Limit < 1 || q.Limit > momo.MaxTransactionPage {
		return momo.E(momo.CodeInvalid, fmt.Sprintf("a page holds 1 to %d transactions", momo.MaxTransactionPage), nil)
	}
	return checkDays(q.From, q.To)
}

func checkDays(days ...string) error {
	for _, d := range days {
		if d != "" && !isDay(d) {
			return momo.E(momo.CodeInvalid, "dates must read YYYY-MM-DD", nil)
		}
	}
	return nil
}

// RecentUnrecognized returns at most limit unrecognized messages of q's
// scope and local days, the newest day first and, within a day, the last
// stored first; bodies stay sealed. messages_unrecognized holds them by
// subscriber and day.
func (s *Store) RecentUnrecognized(ctx context.Context, q momo.ReportQuery, limit int) ([]momo.StoredMessage, error) {
	if limit < 1 || limit > momo.MaxTransactionPage {
		return nil, s.fail(ctx, "recent unrecognized",
			momo.E(momo.CodeInvalid, fmt.Sprintf("a list holds 1 to %d messages", momo.MaxTransactionPage), nil))
	}
	if err := checkDays(q.From, q.To); err != nil {
		return nil, s.fail(ctx, "recent unrecognized", err)
	}

	l := listing{
		// local_day is selected for the merged listing's ORDER BY.
		columns: "id, hash, source, sender_enc, body_enc, received_at, outcome, reason, local_day",
		table:   "messages",
		order:   "local_day DESC, id DESC",
		limit:   limit,
	}
	// Word for word the index's WHERE, which SQLite needs to use it.
	l.where("outcome = 'unrecognized'")
	l.days(q.From, q.To)

	sc, err := s.scope(ctx, s.db, q.Owner, q.Subscriber)
	if err != nil {
		return nil, s.fail(ctx, "recent unrecognized", err)
	}
	var out []momo.StoredMessage
	err = s.list(ctx, s.db, l, sc, func(rows *sql.Rows) error {
		var day string
		m, err := scanStored(rows, &day)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, s.fail(ctx, "recent unrecognized", err)
	}
	return out, nil
}

// listing is a query for the newest rows of a table, by subscriber.
type listing struct {
	columns string
	table   string
	conds   []string // besides the subscriber's
	args    []any
	order   string // the newest first; the columns it names are selected
	limit   int
}

func (l *listing) where(cond string, args ...any) {
	l.conds = append(l.conds, cond)
	l.args = append(l.args, args...)
}

// days keeps the rows of the local days from..to (either "" for no
// bound).
func (l *listing) days(from, to string) {
	if from != "" {
		l.where("local_day >= ?", from)
	}
	if to != "" {
		l.where("local_day <= ?", to)
	}
}

// bookedWithin bounds booked_at by the times the local days from..to can
// hold, which lets the index on (subscriber_id, booked_at) seek.
func (l *listing) bookedWithin(from, to string) {
	if from != "" {
		start, _ := time.Parse(time.DateOnly, from) // checked
		l.where("booked_at >= ?", timeText(start.Add(-dayReach)))
	}
	if to != "" {
		end, _ := time.Parse(time.DateOnly, to)
		l.where("booked_at < ?", timeText(end.AddDate(0, 0, 1).Add(dayReach)))
	}
}

// scope is the subscribers a listing covers: ids when there are at most
// maxMerged of them, else the owner and subscriber that select them.
type scope struct {
	ids   []momo.SubscriberID // nil when there are more
	owner momo.UserID
	sub   momo.SubscriberID
}

// conds is the condition on subscriber_id that selects the scope.
func (sc scope) conds() ([]string, []any) {
	if sc.ids == nil {
		conds, args := scopeOf(sc.owner, sc.sub)
		if len(conds) == 0 {
			conds = []string{"1 = 1"}
		}
		return conds, args
	}
	if len(sc.ids) == 0 {
		return []string{"1 = 0"}, nil
	}
	marks := strings.Repeat(", ?", len(sc.ids))[2:]
	args := make([]any, len(sc.ids))
	for i, id := range sc.ids {
		args[i] = id
	}
	return []string{"subscriber_id IN (" + marks + ")"}, args
}

// queryer is a database or a database transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// list runs l over the scope and calls scan for each row, in l's order.
// Up to maxMerged subscribers, each one's newest rows are read on their
// own, with the limit, and merged: each read walks an index from its end
// and stops, where one query over all of them would read and sort every
// row in range.
func (s *Store) list(ctx context.Context, db queryer, l listing, sc scope, scan func(*sql.Rows) error) error {
	if sc.ids != nil && len(sc.ids) == 0 {
		return nil // nobody in scope
	}
	query, args := l.merged(sc.ids)
	if sc.ids == nil {
		query, args = l.single(sc)
	}
	rows, err := db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return err
	}
	return scanAll(rows, scan)
}

// scope finds the subscribers of owner and sub (0 for any).
func (s *Store) scope(ctx context.Context, db queryer, owner momo.UserID, sub momo.SubscriberID) (scope, error) {
	sc := scope{owner: owner, sub: sub}
	if owner == 0 && sub != 0 {
		sc.ids = []momo.SubscriberID{sub}
		return sc, nil
	}
	query := `SELECT id FROM subscribers WHERE 1 = 1`
	var args []any
	if owner != 0 {
		query, args = query+` AND user_id = ?`, append(args, owner)
	}
	if sub != 0 {
		query, args = query+` AND id = ?`, append(args, sub)
	}
	rows, err := db.QueryContext(ctx, s.d.q(query+` ORDER BY id LIMIT ?`), append(args, maxMerged+1)...)
	if err != nil {
		return sc, fmt.Errorf("subscribers in scope: %w", err)
	}
	ids := []momo.SubscriberID{}
	err = scanAll(rows, func(rows *sql.Rows) error {
		var id momo.SubscriberID
		ids = append(ids, id)
		return rows.Scan(&ids[len(ids)-1])
	})
	if err != nil {
		return sc, fmt.Errorf("subscribers in scope: %w", err)
	}
	if len(ids) <= maxMerged {
		sc.ids = ids
	}
	return sc, nil
}

// merged is l over each subscriber of ids on its own, newest rows first,
// then over their union.
func (l listing) merged(ids []momo.SubscriberID) (string, []any) {
	one := `SELECT ` + l.columns + ` FROM ` + l.table + ` WHERE subscriber_id = ?`
	for _, c := range l.conds {
		one += " AND " + c
	}
	one += ` ORDER BY ` + l.order + ` LIMIT ?`

	var args []any
	if len(ids) == 1 {
		args = append(append(append(args, ids[0]), l.args...), l.limit)
		return one, args
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		// A subquery keeps each part's own order and limit.
		parts[i] = `SELECT * FROM (` + one + `) AS s` + strconv.Itoa(i)
		args = append(append(append(args, id), l.args...), l.limit)
	}
	query := strings.Join(parts, " UNION ALL ") + ` ORDER BY ` + l.order + ` LIMIT ?`
	return query, append(args, l.limit)
}

// single is l as one query over the scope.
func (l listing) single(sc scope) (string, []any) {
	conds, args := sc.conds()
	conds = append(conds, l.conds...)
	args = append(args, l.args...)
	query := `SELECT ` + l.columns + ` FROM ` + l.table + ` WHERE ` + strings.Join(conds, " AND ") +
		` ORDER BY ` + l.order + ` LIMIT ?`
	return query, append(args, l.limit)
}

// storedTxColumns are what scanStoredTx reads.
const storedTxColumns = `id, subscriber_id, dedup_key, operator, country, currency, kind, direction, status,
	amount, fee, tax, balance, counterparty_enc, counterparty_number_enc, counterparty_key,
	operator_txid, occurred_at, booked_at, local_day, template, companion_kinds, companion_from,
	risk_score, risk_level, risk_reasons, fake_sms`

func scanStoredTx(rows *sql.Rows) (momo.StoredTransaction, error) {
	var t momo.StoredTransaction
	var amount, fee, tax, balance, score sql.NullInt64
	var name, number, key, txid, kinds, level, reasons sql.NullString
	var occurred, booked, companionFrom dbTime
	var fake int64
	err := rows.Scan(&t.ID, &t.Subscriber, &t.DedupKey, &t.Operator, &t.Country, &t.Currency, &t.Kind,
		&t.Direction, &t.Status, &amount, &fee, &tax, &balance, &name, &number, &key,
		&txid, &occurred, &booked, &t.LocalDay, &t.Template, &kinds, &companionFrom,
		&score, &level, &reasons, &fake)
	if err != nil {
		return t, fmt.Errorf("read transaction: %w", err)
	}
	t.Amount, t.Fee, t.Tax, t.Balance = amountOf(amount), amountOf(fee), amountOf(tax), amountOf(balance)
	t.Counterparty, t.CounterpartyNumber = momo.Sealed(name.String), momo.Sealed(number.String)
	t.CounterpartyKey, t.OperatorTxID = key.String, txid.String
	t.OccurredAt, t.BookedAt = occurred.Time, booked.Time
	t.Companion = companionOf(kinds.String, booked.Time, companionFrom.Time)
	if level.Valid {
		t.Risk = &momo.Risk{Score: int(score.Int64), Level: level.String, FakeSMS: fake != 0}
		if err := json.Unmarshal([]byte(reasons.String), &t.Risk.Reasons); err != nil {
			return t, fmt.Errorf("read risk reasons: %w", err)
		}
	}
	return t, nil
}

// companionOf reads a companion rule back from its stored form: the kinds
// as ",a,b," and the window's start, its width before booked.
func companionOf(kinds string, booked, from time.Time) momo.Companion {
	if kinds == "" {
		return momo.Companion{}
	}
	var c momo.Companion
	for k := range strings.SplitSeq(strings.Trim(kinds, ","), ",") {
		c.Kinds = append(c.Kinds, momo.Kind(k))
	}
	if !from.IsZero() {
		c.Window = booked.Sub(from)
	}
	return c
}

// Subscribers lists every subscriber with its owner and how much is
// stored, most transactions first, at most limit. The counts add up the
// totals of each subscriber's days (message_days, money_days), a few rows
// a day, rather than counting rows; transactions are the booked ones,
// as reports count them.
func (s *Store) Subscribers(ctx context.Context, limit int) ([]momo.SubscriberSummary, error) {
	if limit < 1 {
		return nil, s.fail(ctx, "subscribers", momo.E(momo.CodeInvalid, "the list must hold at least one subscriber", nil))
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(subscriberSummaries+`
		ORDER BY transactions DESC, s.id
		LIMIT ?`), limit)
	if err != nil {
		return nil, s.fail(ctx, "subscribers", err)
	}
	var out []momo.SubscriberSummary
	err = scanAll(rows, func(rows *sql.Rows) error {
		sum, err := scanSummary(rows)
		out = append(out, sum)
		return err
	})
	if err != nil {
		return nil, s.fail(ctx, "subscribers", err)
	}
	return out, nil
}

// SubscriberSummary returns one subscriber as Subscribers lists it.
func (s *Store) SubscriberSummary(ctx context.Context, id momo.SubscriberID) (momo.SubscriberSummary, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(subscriberSummaries+` WHERE s.id = ?`), id)
	if err != nil {
		return momo.SubscriberSummary{}, s.fail(ctx, "subscriber summary", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return momo.SubscriberSummary{}, s.fail(ctx, "subscriber summary", err)
		}
		return momo.SubscriberSummary{}, s.fail(ctx, "subscriber summary",
			momo.E(momo.CodeNotFound, "no such subscriber", nil))
	}
	sum, err := scanSummary(rows)
	if err != nil {
		return momo.SubscriberSummary{}, s.fail(ctx, "subscriber summary", err)
	}
	return sum, nil
}

const subscriberSummaries = `
	SELECT s.id, s.channel, s.ref, s.timezone, s.currency, s.daily_budget, s.created_at,
	       COALESCE(s.user_id, 0), COALESCE(u.username, ''),
	       CAST(COALESCE((SELECT SUM(m.count) FROM message_days m WHERE m.subscriber_id = s.id), 0) AS BIGINT),
	       CAST(COALESCE((SELECT SUM(d.count) FROM money_days d WHERE d.subscriber_id = s.id), 0) AS BIGINT) AS transactions
	FROM subscribers s LEFT JOIN users u ON u.id = s.user_id`

func scanSummary(rows *sql.Rows) (momo.SubscriberSummary, error) {
	var sum momo.SubscriberSummary
	var budget sql.NullInt64
	var created dbTime
	sub := &sum.Subscriber
	err := rows.Scan(&sub.ID, &sub.Channel, &sub.Ref, &sub.Timezone, &sub.Currency, &budget, &created,
		&sum.Owner, &sum.OwnerName, &sum.Messages, &sum.Transactions)
	if err != nil {
		return sum, fmt.Errorf("read subscriber: %w", err)
	}
	sub.DailyBudget, sub.CreatedAt = amountOf(budget), created.Time
	return sum, nil
}

// UploadSubscriber returns the subscriber that holds owner's uploads
// (channel upload, ref "user:<id>"), creating it on first use with the
// user's preferences as its timezone and currency, linked to the user. Two
// first uploads at once create it once: the insert does nothing when the
// other's is there, and the read that follows sees it. A subscriber of
// that ref linked to nobody, or to someone else, belonged to an account
// that is gone and whose id came back: it is a conflict, not a gift.
func (s *Store) UploadSubscriber(ctx context.Context, owner momo.UserID) (momo.Subscriber, error) {
	var sub momo.Subscriber
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := s.preferences(ctx, tx, owner)
		if err != nil {
			return err
		}
		defaults := momo.Subscriber{Timezone: p.Timezone, Currency: p.Currency}
		ref := "user:" + strconv.FormatInt(int64(owner), 10)
		var linked momo.UserID
		sub, linked, err = s.subscriberIn(ctx, tx, momo.SourceUpload, ref, defaults, owner)
		if err != nil {
			return err
		}
		if linked != owner {
			return momo.E(momo.CodeConflict, "the upload space of this account belongs to another", nil)
		}
		return nil
	})
	if err != nil {
		return momo.Subscriber{}, s.fail(ctx, "upload subscriber", err)
	}
	return sub, nil
}

// execQuerier is a database or a database transaction.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// subscriberIn finds the subscriber of channel and ref, creating it from
// defaults, linked to owner (0 for nobody), when there is none. With an
// owner, it also returns the account the subscriber is linked to (0 for
// none); without, 0.
func (s *Store) subscriberIn(ctx context.Context, db execQuerier, channel momo.Source, ref string, defaults momo.Subscriber, owner momo.UserID) (momo.Subscriber, momo.UserID, error) {
	if channel == "" || ref == "" {
		return momo.Subscriber{}, 0, momo.E(momo.CodeInvalid, "a subscriber needs a channel and a reference", nil)
	}
	if err := s.insertSubscriber(ctx, db, channel, ref, defaults, owner); err != nil {
		return momo.Subscriber{}, 0, err
	}

	// Without an owner, the query names no column of migration 8: the
	// tests of older migrations store subscribers at those versions.
	linkedColumn := "0"
	if owner != 0 {
		linkedColumn = "COALESCE(user_id, 0)"
	}
	sub := momo.Subscriber{Channel: channel, Ref: ref}
	var budget sql.NullInt64
	var linked momo.UserID
	var at dbTime
	err := db.QueryRowContext(ctx, s.d.q(`
		SELECT id, timezone, currency, daily_budget, created_at, `+linkedColumn+`
		FROM subscribers WHERE channel = ? AND ref = ?`), channel, ref).
		Scan(&sub.ID, &sub.Timezone, &sub.Currency, &budget, &at, &linked)
	if err != nil {
		return momo.Subscriber{}, 0, fmt.Errorf("read subscriber: %w", err)
	}
	sub.DailyBudget, sub.CreatedAt = amountOf(budget), at.Time
	return sub, linked, nil
}

// insertSubscriber stores a subscriber unless (channel, ref) has one.
func (s *Store) insertSubscriber(ctx context.Context, db execQuerier, channel momo.Source, ref string, defaults momo.Subscriber, owner momo.UserID) error {
	created := defaults.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	columns, marks := "channel, ref, timezone, currency, daily_budget, created_at", "?, ?, ?, ?, ?, ?"
	args := []any{channel, ref, defaults.Timezone, defaults.Currency, amountArg(defaults.DailyBudget), dbTime{created}}
	if owner != 0 {
		columns, marks = columns+", user_id", marks+", ?"
		args = append(args, owner)
	}
	_, err := db.ExecContext(ctx, s.d.q(`
		INSERT INTO subscribers (`+columns+`) VALUES (`+marks+`)
		ON CONFLICT (channel, ref) DO NOTHING`), args...)
	if err != nil {
		return fmt.Errorf("insert subscriber: %w", err)
	}
	return nil
}
