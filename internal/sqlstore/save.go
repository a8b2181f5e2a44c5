package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// reparsePage is how many messages Reparse reads at a time.
const reparsePage = 500

// Save stores a batch of messages for a subscriber in one database
// transaction and returns each record's outcome: OutcomeDuplicate when the
// message (same hash) or the transaction it describes (same dedup key) is
// already stored, earlier in the batch included; the record's own outcome
// otherwise. A message whose transaction is a duplicate is still kept,
// marked duplicate and pointing at the stored transaction.
func (s *Store) Save(ctx context.Context, sub momo.SubscriberID, recs []momo.MessageRecord) ([]momo.Outcome, error) {
	for i := range recs {
		if err := checkRecord(&recs[i]); err != nil {
			return nil, s.fail(ctx, "save batch", fmt.Errorf("record %d: %w", i, err))
		}
	}
	if len(recs) == 0 {
		return []momo.Outcome{}, nil
	}
	st, err := s.statements(ctx)
	if err != nil {
		return nil, s.fail(ctx, "save batch", err)
	}

	// A round fails only when a message it took for new was stored
	// already while its transaction was not (a message once stored
	// unrecognized, now read as a transaction). The next round knows the
	// hashes the constraint turned away; they only grow, so the rounds end.
	stored := map[string]bool{}
	for {
		out, err := s.saveOnce(ctx, st, sub, recs, stored)
		var redo *errStored
		if !errors.As(err, &redo) {
			if err != nil {
				return nil, s.fail(ctx, "save batch", err)
			}
			return out, nil
		}
		for _, h := range redo.hashes {
			stored[h] = true
		}
	}
}

// saveOnce runs one attempt at saving a batch in a database transaction.
func (s *Store) saveOnce(ctx context.Context, st *statements, sub momo.SubscriberID, recs []momo.MessageRecord, stored map[string]bool) ([]momo.Outcome, error) {
	var out []momo.Outcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w, err := s.newWriter(ctx, tx, st, sub)
		if err != nil {
			return err
		}
		out, err = w.saveBatch(ctx, recs, stored)
		return err
	})
	return out, err
}

// Reparse rebuilds a subscriber's transactions from the stored messages in
// one database transaction. It deletes the transactions, then walks the
// messages in the order they were received (the import time standing in for
// an unknown receipt time), asks build for each one's new record and stores
// its transaction as Save would, a page at a time, updating the message
// rows in place; at the end it sums the subscriber's report totals again
// (totals.go). An error from build rolls everything back.
func (s *Store) Reparse(ctx context.Context, sub momo.SubscriberID, build func(momo.StoredMessage) (momo.MessageRecord, error)) (momo.Counts, error) {
	st, err := s.statements(ctx)
	if err != nil {
		return momo.Counts{}, s.fail(ctx, "reparse", err)
	}
	var counts momo.Counts
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		counts = momo.Counts{} // a retried transaction counts again
		w, err := s.newWriter(ctx, tx, st, sub)
		if err != nil {
			return err
		}
		if err := s.dropTransactions(ctx, tx, sub); err != nil {
			return err
		}
		var after pagePos
		for {
			page, err := s.messagePage(ctx, tx, sub, after)
			if err != nil {
				return err
			}
			if err := w.rebuild(ctx, page, build, &counts); err != nil {
				return err
			}
			if len(page) < reparsePage {
				return totaler{tx: tx, d: s.d, sub: sub}.all(ctx)
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

// dropTransactions deletes a subscriber's transactions and what was
// derived from them. The messages are unlinked first: deleting a
// transaction that a message still points at would make SQLite check
// every message.
func (s *Store) dropTransactions(ctx context.Context, tx *sql.Tx, sub momo.SubscriberID) error {
	if _, err := tx.ExecContext(ctx, s.d.q(`
		UPDATE messages SET transaction_id = NULL
		WHERE subscriber_id = ? AND transaction_id IS NOT NULL`), sub); err != nil {
		return fmt.Errorf("unlink messages: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q(`
		DELETE FROM transactions WHERE subscriber_id = ?`), sub); err != nil {
		return fmt.Errorf("delete transactions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q(`
		DELETE FROM counterparties WHERE subscriber_id = ?`), sub); err != nil {
		return fmt.Errorf("delete counterparties: %w", err)
	}
	return nil
}

// rebuild asks build for the new record of each message of a page, stores
// their transactions as Save does, and rewrites the message rows with the
// new outcomes. A record's hash, source, sender, body and receipt time are
// ignored: the row keeps its own.
func (w *writer) rebuild(ctx context.Context, page []pagedMessage, build func(momo.StoredMessage) (momo.MessageRecord, error), counts *momo.Counts) error {
	recs := make([]momo.MessageRecord, len(page))
	es := make([]entry, len(page))
	for i, m := range page {
		rec, err := build(m.StoredMessage)
		if err != nil {
			return fmt.Errorf("message %d: %w", m.ID, err)
		}
		rec.Hash = m.Hash
		if err := checkRecord(&rec); err != nil {
			return fmt.Errorf("message %d: %w", m.ID, err)
		}
		recs[i] = rec
		es[i] = entry{rec: &recs[i], at: m.sortAt, fresh: true, msgID: m.ID}
	}
	firsts, open, err := w.storeTransactions(ctx, es)
	if err != nil {
		return err
	}
	if err := w.pairAll(ctx, firsts, open); err != nil {
		return err
	}
	for i := range es {
		if err := w.updateMessage(ctx, &es[i]); err != nil {
			return err
		}
		counts.Add(es[i].outcome())
	}
	return nil
}

// updateMessage rewrites what a reparsed message's new record says.
func (w *writer) updateMessage(ctx context.Context, e *entry) error {
	r := e.rec
	txID := sql.NullInt64{Int64: e.txID, Valid: e.txID != 0}
	_, err := w.stmt(ctx, w.st.updateMessage).ExecContext(ctx, e.outcome(), r.Reason, r.Operator,
		r.Template, w.messageDay(r, e.at), txID, e.msgID)
	if err != nil {
		return fmt.Errorf("update message %d: %w", e.msgID, err)
	}
	return nil
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
	if rec.LocalDay != "" && !isDay(rec.LocalDay) {
		return invalid("a local day must read YYYY-MM-DD")
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
