package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// reparsePage is how many messages Reparse reads at a time.
const reparsePage = 500

// Save stores a batch of messages for a subscriber in one database
// transaction and returns each record's outcome: OutcomeDuplicate when the
// message (same hash) or the transaction it describes (same dedup key) is
// already stored, the record's own outcome otherwise. A message whose
// transaction is a duplicate is still kept, marked duplicate and pointing at
// the stored transaction.
func (s *Store) Save(ctx context.Context, sub momo.SubscriberID, recs []momo.MessageRecord) ([]momo.Outcome, error) {
	for i := range recs {
		if err := checkRecord(&recs[i]); err != nil {
			return nil, s.fail(ctx, "save batch", fmt.Errorf("record %d: %w", i, err))
		}
	}
	out := make([]momo.Outcome, 0, len(recs))
	if len(recs) == 0 {
		return out, nil
	}

	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w, err := s.newWriter(ctx, tx, sub)
		if err != nil {
			return err
		}
		defer w.close()
		for i := range recs {
			o, err := w.save(ctx, &recs[i])
			if err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(ctx, "save batch", err)
	}
	return out, nil
}

// Reparse rebuilds a subscriber's transactions from the stored messages in
// one database transaction. It deletes the transactions, then walks the
// messages in the order they were received (the import time standing in for
// an unknown receipt time), asks build for each one's new record and stores
// it as Save would, updating the message row in place. An error from build
// rolls everything back.
func (s *Store) Reparse(ctx context.Context, sub momo.SubscriberID, build func(momo.StoredMessage) (momo.MessageRecord, error)) (momo.Counts, error) {
	var counts momo.Counts
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w, err := s.newWriter(ctx, tx, sub)
		if err != nil {
			return err
		}
		defer w.close()

		// Unlink the messages first: deleting a transaction that a message
		// still points at would make SQLite check every message.
		if _, err := tx.ExecContext(ctx, s.d.q(`
			UPDATE messages SET transaction_id = NULL
			WHERE subscriber_id = ? AND transaction_id IS NOT NULL`), sub); err != nil {
			return fmt.Errorf("unlink messages: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`
			DELETE FROM transactions WHERE subscriber_id = ?`), sub); err != nil {
			return fmt.Errorf("delete transactions: %w", err)
		}

		var after pagePos
		for {
			page, err := s.messagePage(ctx, tx, sub, after)
			if err != nil {
				return err
			}
			for _, m := range page {
				o, err := w.rebuild(ctx, m, build)
				if err != nil {
					return fmt.Errorf("message %d: %w", m.ID, err)
				}
				counts.Add(o)
			}
			if len(page) < reparsePage {
				return nil
			}
			last := page[len(page)-1]
			after = pagePos{at: last.sortAt, id: last.ID}
		}
	})
	if err != nil {
		return momo.Counts{}, s.fail(ctx, "reparse", err)
	}
	return counts, nil
}

// rebuild asks build for message m's new record, stores its transaction as
// Save does, and rewrites the message row with the new outcome. The record's
// hash, source, sender, body and receipt time are ignored: the row keeps its
// own.
func (w *writer) rebuild(ctx context.Context, m pagedMessage, build func(momo.StoredMessage) (momo.MessageRecord, error)) (momo.Outcome, error) {
	rec, err := build(m.StoredMessage)
	if err != nil {
		return "", err
	}
	rec.Hash = m.Hash
	if err := checkRecord(&rec); err != nil {
		return "", err
	}
	o, txID, err := w.settle(ctx, &rec, m.sortAt)
	if err != nil {
		return "", err
	}
	_, err = w.updateMessage.ExecContext(ctx, o, rec.Reason, rec.Operator, rec.Template,
		w.messageDay(&rec, m.sortAt), txID, m.ID)
	if err != nil {
		return "", fmt.Errorf("update message: %w", err)
	}
	return o, nil
}

// pagePos is where a page of the reparse walk ends.
type pagePos struct {
	at time.Time
	id int64
}

type pagedMessage struct {
	momo.StoredMessage
	sortAt time.Time // the receipt time, else the import time
}

func (s *Store) messagePage(ctx context.Context, tx *sql.Tx, sub momo.SubscriberID, after pagePos) ([]pagedMessage, error) {
	// Keyset paging over the messages_received index: each page starts
	// where the previous one ended, however far into the history. The
	// ">=" term is the one SQLite turns into an index range; a row-value
	// comparison would be clearer but is not (for an expression index).
	since := timeText(after.at)
	rows, err := tx.QueryContext(ctx, s.d.q(`
		SELECT id, hash, source, sender_enc, body_enc, received_at, outcome, reason,
		       COALESCE(received_at, imported_at)
		FROM messages
		WHERE subscriber_id = ? AND COALESCE(received_at, imported_at) >= ?
		  AND (COALESCE(received_at, imported_at) > ? OR id > ?)
		ORDER BY COALESCE(received_at, imported_at), id
		LIMIT ?`), sub, since, since, after.id, reparsePage)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()

	page := make([]pagedMessage, 0, reparsePage)
	for rows.Next() {
		var m pagedMessage
		var received, sortAt dbTime
		if err := rows.Scan(&m.ID, &m.Hash, &m.Source, &m.Sender, &m.Body,
			&received, &m.Outcome, &m.Reason, &sortAt); err != nil {
			return nil, fmt.Errorf("read messages: %w", err)
		}
		m.ReceivedAt, m.sortAt = received.Time, sortAt.Time
		page = append(page, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	return page, nil
}

// checkRecord refuses records the schema could not hold faithfully. The
// messages carry no text that could leak into the error.
func checkRecord(rec *momo.MessageRecord) error {
	invalid := func(msg string) error { return momo.E(momo.CodeInvalid, msg, nil) }
	if rec.Hash == "" {
		return invalid("a message needs a hash")
	}
	switch rec.Outcome {
	case momo.OutcomeParsed, momo.OutcomeUnrecognized, momo.OutcomeRejected:
	default:
		return invalid("a stored message must be parsed, unrecognized or rejected, not " + string(rec.Outcome))
	}
	t := rec.Tx
	if t == nil {
		return nil
	}
	switch {
	case t.DedupKey == "":
		return invalid("a transaction needs a dedup key")
	case !t.Kind.Valid():
		return invalid("unknown transaction kind " + string(t.Kind))
	case !t.Direction.Valid():
		return invalid("unknown direction " + string(t.Direction))
	case !t.Status.Valid():
		return invalid("unknown status " + string(t.Status))
	case t.LocalDay != "" && !isDay(t.LocalDay):
		return invalid("a local day must read YYYY-MM-DD")
	case t.Companion.IsSet() && t.Companion.Window < 0:
		return invalid("a companion window cannot be negative")
	}
	for _, k := range t.Companion.Kinds {
		if !k.Valid() {
			return invalid("unknown companion kind " + string(k))
		}
	}
	return nil
}

func isDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == len(time.DateOnly)
}

// booked says whether a transaction counts in reports: it moves money and
// the SMS does not say it failed or is still pending (a pending transfer or
// reversal will be booked by the SMS that completes it).
func booked(t *momo.TransactionRecord) bool {
	return t.Kind.MovesMoney() && t.Status != momo.Failed && t.Status != momo.Pending
}

// flag is a boolean as the schema stores it.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// writer stores records inside one database transaction with statements
// prepared once for the batch.
type writer struct {
	sub momo.SubscriberID
	loc *time.Location // the subscriber's timezone, for messages' local days
	now time.Time      // the import time of the whole batch

	insertMessage *sql.Stmt
	linkMessage   *sql.Stmt
	updateMessage *sql.Stmt
	insertTx      *sql.Stmt
	existingTx    *sql.Stmt
	findPrimary   *sql.Stmt
	findCompanion *sql.Stmt
	link          *sql.Stmt
}

func (s *Store) newWriter(ctx context.Context, tx *sql.Tx, sub momo.SubscriberID) (*writer, error) {
	var tz string
	err := tx.QueryRowContext(ctx, s.d.q(`SELECT timezone FROM subscribers WHERE id = ?`), sub).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, momo.E(momo.CodeNotFound, "no such subscriber", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("read subscriber: %w", err)
	}
	w := &writer{sub: sub, loc: time.UTC, now: s.now().UTC()}
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		w.loc = loc
	}

	prepare := []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.insertMessage, `
			INSERT INTO messages (subscriber_id, hash, source, sender_enc, body_enc,
				received_at, imported_at, local_day, outcome, reason, operator, template)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (subscriber_id, hash) DO NOTHING
			RETURNING id`},
		// Save's second step; touches only what it changes, to spare
		// the indexes.
		{&w.linkMessage, `
			UPDATE messages SET outcome = ?, transaction_id = ? WHERE id = ?`},
		// Reparse rewrites everything the new record says.
		{&w.updateMessage, `
			UPDATE messages
			SET outcome = ?, reason = ?, operator = ?, template = ?, local_day = ?, transaction_id = ?
			WHERE id = ?`},
		{&w.insertTx, `
			INSERT INTO transactions (subscriber_id, dedup_key, operator, country, currency,
				kind, direction, status, amount, fee, tax, balance,
				counterparty_enc, counterparty_number_enc, counterparty_key, operator_txid,
				occurred_at, booked_at, local_day, local_month, template, booked,
				companion_kinds, companion_from, companion_to, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (subscriber_id, dedup_key) DO NOTHING
			RETURNING id`},
		{&w.existingTx, `
			SELECT id FROM transactions WHERE subscriber_id = ? AND dedup_key = ?`},
		// A companion looks for the transaction it repeats: booked, not a
		// companion itself, of one of the rule's kinds, the same money,
		// within the window, with no companion yet. kinds is ",a,b,".
		// LIKE reads the "_" of bank_transfer as any one character, but
		// no other kind differs from it only there.
		{&w.findPrimary, `
			SELECT p.id, p.booked_at FROM transactions p
			WHERE p.subscriber_id = ? AND p.booked_at BETWEEN ? AND ?
			  AND p.booked = 1 AND p.companion_kinds IS NULL AND p.companion_of IS NULL
			  AND ? LIKE '%,' || p.kind || ',%'
			  AND p.currency = ? AND p.amount = ? AND p.id <> ?
			  AND NOT EXISTS (SELECT 1 FROM transactions c WHERE c.companion_of = p.id)`},
		// A transaction without a rule looks for a booked companion that
		// arrived first and whose rule it satisfies.
		{&w.findCompanion, `
			SELECT c.id, c.booked_at FROM transactions c
			WHERE c.subscriber_id = ? AND c.currency = ? AND c.amount = ?
			  AND c.companion_kinds IS NOT NULL AND c.companion_of IS NULL AND c.booked = 1
			  AND c.companion_kinds LIKE '%,' || ? || ',%'
			  AND c.companion_to >= ? AND c.companion_from <= ?
			  AND c.id <> ?`},
		{&w.link, `
			UPDATE transactions SET booked = 0, companion_of = ? WHERE id = ?`},
	}
	for _, p := range prepare {
		st, err := tx.PrepareContext(ctx, s.d.q(p.query))
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = st
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range []*sql.Stmt{w.insertMessage, w.linkMessage, w.updateMessage, w.insertTx,
		w.existingTx, w.findPrimary, w.findCompanion, w.link} {
		if st != nil {
			st.Close()
		}
	}
}

// save inserts one message and, unless it is a duplicate, its transaction.
func (w *writer) save(ctx context.Context, rec *momo.MessageRecord) (momo.Outcome, error) {
	at := rec.ReceivedAt
	if at.IsZero() {
		at = w.now
	}
	var id int64
	err := w.insertMessage.QueryRowContext(ctx, w.sub, rec.Hash, rec.Source,
		string(rec.Sender), string(rec.Body), dbTime{rec.ReceivedAt}, dbTime{w.now},
		w.messageDay(rec, at), rec.Outcome, rec.Reason, rec.Operator, rec.Template).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return momo.OutcomeDuplicate, nil // ON CONFLICT: the hash is stored
	}
	if err != nil {
		return "", fmt.Errorf("insert message: %w", err)
	}
	if rec.Tx == nil {
		return rec.Outcome, nil
	}
	o, txID, err := w.settle(ctx, rec, at)
	if err != nil {
		return "", err
	}
	if _, err := w.linkMessage.ExecContext(ctx, o, txID, id); err != nil {
		return "", fmt.Errorf("link message: %w", err)
	}
	return o, nil
}

// settle stores rec's transaction, if it has one, and returns the
// message's outcome and the transaction it describes (NULL for none). at is
// the message's time. Save and Reparse write the result on the message.
func (w *writer) settle(ctx context.Context, rec *momo.MessageRecord, at time.Time) (momo.Outcome, sql.NullInt64, error) {
	if rec.Tx == nil {
		return rec.Outcome, sql.NullInt64{}, nil
	}
	id, dup, err := w.insertTransaction(ctx, rec.Tx, at)
	if err != nil {
		return "", sql.NullInt64{}, err
	}
	outcome := rec.Outcome
	if dup {
		outcome = momo.OutcomeDuplicate
	}
	return outcome, sql.NullInt64{Int64: id, Valid: true}, nil
}

// messageDay is the local day a message counts on in reports: its
// transaction's, else the day of at in the subscriber's timezone.
func (w *writer) messageDay(rec *momo.MessageRecord, at time.Time) string {
	if rec.Tx != nil {
		if rec.Tx.LocalDay != "" {
			return rec.Tx.LocalDay
		}
		at = bookedAt(rec.Tx, at)
	}
	return at.In(w.loc).Format(time.DateOnly)
}

// bookedAt is the transaction's time, falling back as the domain does when
// the caller left it out: the SMS's own time, else the message's.
func bookedAt(t *momo.TransactionRecord, msgAt time.Time) time.Time {
	switch {
	case !t.BookedAt.IsZero():
		return t.BookedAt
	case !t.OccurredAt.IsZero():
		return t.OccurredAt
	}
	return msgAt
}

// insertTransaction stores t unless the subscriber has a transaction with
// its dedup key, in which case it returns that one's id and dup true. A
// stored transaction that counts is then paired with its companion, if any.
func (w *writer) insertTransaction(ctx context.Context, t *momo.TransactionRecord, msgAt time.Time) (id int64, dup bool, err error) {
	at := bookedAt(t, msgAt)
	day := t.LocalDay
	if day == "" {
		day = at.In(w.loc).Format(time.DateOnly)
	}
	isBooked := booked(t)

	var kinds, from, to any
	if t.Companion.IsSet() {
		names := make([]string, len(t.Companion.Kinds))
		for i, k := range t.Companion.Kinds {
			names[i] = string(k)
		}
		kinds = "," + strings.Join(names, ",") + ","
		from = dbTime{at.Add(-t.Companion.Window)}
		to = dbTime{at.Add(t.Companion.Window)}
	}

	err = w.insertTx.QueryRowContext(ctx, w.sub, t.DedupKey, t.Operator, t.Country, t.Currency,
		t.Kind, t.Direction, t.Status,
		amountArg(t.Amount), amountArg(t.Fee), amountArg(t.Tax), amountArg(t.Balance),
		nullString(t.Counterparty), nullString(t.CounterpartyNumber), nullString(t.CounterpartyKey),
		nullString(t.OperatorTxID), dbTime{t.OccurredAt}, dbTime{at}, day, day[:7], t.Template,
		flag(isBooked), kinds, from, to, dbTime{w.now}).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// The dedup key is taken: the unique constraint said so, and
		// nothing deletes transactions outside this database transaction.
		if err := w.existingTx.QueryRowContext(ctx, w.sub, t.DedupKey).Scan(&id); err != nil {
			return 0, false, fmt.Errorf("find duplicate transaction: %w", err)
		}
		return id, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert transaction: %w", err)
	}

	if !isBooked || !t.Amount.Known {
		return id, false, nil
	}
	if t.Companion.IsSet() {
		// t repeats an earlier transaction: t stops counting.
		primary, ok, err := closest(ctx, w.findPrimary, at,
			w.sub, from, to, kinds, t.Currency, t.Amount.Minor, id)
		if err != nil || !ok {
			return id, false, err
		}
		err = w.pair(ctx, id, primary)
		return id, false, err
	}
	// An earlier companion repeats t: the companion stops counting.
	companion, ok, err := closest(ctx, w.findCompanion, at,
		w.sub, t.Currency, t.Amount.Minor, t.Kind, dbTime{at}, dbTime{at}, id)
	if err != nil || !ok {
		return id, false, err
	}
	return id, false, w.pair(ctx, companion, id)
}

// pair makes companion repeat primary: the companion is no longer booked.
func (w *writer) pair(ctx context.Context, companion, primary int64) error {
	if _, err := w.link.ExecContext(ctx, primary, companion); err != nil {
		return fmt.Errorf("link companion: %w", err)
	}
	return nil
}

// closest runs a query of candidate (id, booked_at) rows and returns the id
// whose time is nearest to at; on a tie, the earlier, then the first stored.
func closest(ctx context.Context, st *sql.Stmt, at time.Time, args ...any) (int64, bool, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, false, fmt.Errorf("find companion: %w", err)
	}
	defer rows.Close()
	var best struct {
		id  int64
		at  time.Time
		gap time.Duration
	}
	found := false
	for rows.Next() {
		var id int64
		var t dbTime
		if err := rows.Scan(&id, &t); err != nil {
			return 0, false, fmt.Errorf("find companion: %w", err)
		}
		gap := t.Sub(at).Abs()
		better := !found || gap < best.gap ||
			gap == best.gap && (t.Before(best.at) || t.Equal(best.at) && id < best.id)
		if better {
			best.id, best.at, best.gap, found = id, t.Time, gap, true
		}
	}
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("find companion: %w", err)
	}
	return best.id, found, nil
}
