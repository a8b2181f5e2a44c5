package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// writer stores records of one subscriber inside one database transaction,
// a batch at a time, with statements prepared once for the store.
type writer struct {
	tx    *sql.Tx
	d     *dialect
	st    *statements
	bound map[*sql.Stmt]*sql.Stmt // st's statements, bound to tx

	sub     momo.SubscriberID
	loc     *time.Location // the subscriber's timezone, for local days
	now     time.Time      // the import time of the whole batch
	nowText string         // now as stored

	// linked are the transactions the batch made companions: stored
	// before it or new.
	linked map[int64]bool
}

func (s *Store) newWriter(ctx context.Context, tx *sql.Tx, st *statements, sub momo.SubscriberID) (*writer, error) {
	w := &writer{tx: tx, d: s.d, st: st, bound: map[*sql.Stmt]*sql.Stmt{},
		sub: sub, loc: time.UTC, now: s.now().UTC(), linked: map[int64]bool{}}
	w.nowText = timeText(w.now)
	// Writers of one subscriber take turns from the start: two batches
	// that insert the same messages in different orders would otherwise
	// wait on each other's unique keys until PostgreSQL breaks the
	// deadlock by failing one. An import has one writer; this costs it
	// one row update a batch.
	if err := (totaler{tx: tx, d: s.d, sub: sub}).lock(ctx); err != nil {
		return nil, err
	}
	var tz string
	err := w.stmt(ctx, st.subscriberZone).QueryRowContext(ctx, sub).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, momo.E(momo.CodeNotFound, "no such subscriber", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("read subscriber: %w", err)
	}
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		w.loc = loc
	}
	return w, nil
}

// stmt binds a prepared statement to the writer's database transaction,
// once per statement: binding reuses what the connection has prepared.
func (w *writer) stmt(ctx context.Context, p *sql.Stmt) *sql.Stmt {
	b, ok := w.bound[p]
	if !ok {
		b = w.tx.StmtContext(ctx, p)
		w.bound[p] = b
	}
	return b
}

// entry is one record of a batch on its way into the database.
type entry struct {
	rec *momo.MessageRecord
	at  time.Time // the message's time: when received, else imported
	// fresh says the message is to be stored: it is the first of its hash
	// in the batch, and not known to be stored already.
	fresh bool

	msgID int64 // the message row, 0 when the message is a duplicate
	txID  int64 // the transaction the message describes, 0 for none
	// owner is set on the entry that stored its transaction; the other
	// entries of the same transaction are duplicates.
	owner bool
}

// outcome is what became of the entry's message.
func (e *entry) outcome() momo.Outcome {
	if e.msgID == 0 || e.rec.Tx != nil && !e.owner {
		return momo.OutcomeDuplicate
	}
	return e.rec.Outcome
}

// errStored reports messages that a batch took for new but found stored
// when it inserted them, after it had stored a transaction for them. The
// batch is rolled back and saved again knowing their hashes.
type errStored struct{ hashes []string }

func (e *errStored) Error() string {
	return fmt.Sprintf("%d messages were found stored after their transactions were written", len(e.hashes))
}

// saveBatch stores the batch's new messages and the transactions they
// describe. stored holds hashes known to be stored already. Transactions
// go first so that each message row is written once, with its outcome and
// transaction; the unique constraint on the hash then decides which
// messages are new. A new transaction whose message turns out to be stored
// must not stay: saveBatch returns *errStored, and the caller rolls back.
func (w *writer) saveBatch(ctx context.Context, recs []momo.MessageRecord, stored map[string]bool) ([]momo.Outcome, error) {
	es := w.entries(recs, stored)
	firsts, open, err := w.storeTransactions(ctx, es)
	if err != nil {
		return nil, err
	}
	if err := w.insertMessages(ctx, es); err != nil {
		return nil, err
	}
	if err := orphans(firsts); err != nil {
		return nil, err
	}
	if err := w.pairAll(ctx, firsts, open); err != nil {
		return nil, err
	}
	if err := w.totals(ctx, es, firsts); err != nil {
		return nil, err
	}
	out := make([]momo.Outcome, len(es))
	for i := range es {
		out[i] = es[i].outcome()
	}
	return out, nil
}

// entries prepares a batch. A hash repeated within the batch is stored
// once: its first record is the message, the others are duplicates of it.
func (w *writer) entries(recs []momo.MessageRecord, stored map[string]bool) []entry {
	es := make([]entry, len(recs))
	seen := make(map[string]bool, len(recs))
	for i := range recs {
		r := &recs[i]
		es[i] = entry{rec: r, at: r.ReceivedAt, fresh: !seen[r.Hash] && !stored[r.Hash]}
		if es[i].at.IsZero() {
			es[i].at = w.now
		}
		seen[r.Hash] = true
	}
	return es
}

// orphans returns *errStored when a transaction was stored for a message
// that was not.
func orphans(firsts []newTx) error {
	var hashes []string
	for _, n := range firsts {
		if n.e.owner && n.e.msgID == 0 {
			hashes = append(hashes, n.e.rec.Hash)
		}
	}
	if len(hashes) > 0 {
		return &errStored{hashes: hashes}
	}
	return nil
}

// insertMessages inserts the fresh messages, each with its outcome and
// transaction, and sets the id of each one stored.
func (w *writer) insertMessages(ctx context.Context, es []entry) error {
	fresh := make([]*entry, 0, len(es))
	byHash := make(map[string]*entry, len(es))
	for i := range es {
		if es[i].fresh {
			fresh = append(fresh, &es[i])
			byHash[es[i].rec.Hash] = &es[i]
		}
	}
	return chunks(len(fresh), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*messageColumns)
		for _, e := range fresh[lo:hi] {
			args = w.messageArgs(args, e)
		}
		rows, err := w.stmt(ctx, w.st.insertMessages[hi-lo]).QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("insert messages: %w", err)
		}
		// RETURNING names the rows inserted, in no promised order; the
		// others hit the unique constraint.
		return scanPairs(rows, "insert messages", func(id int64, hash string) {
			byHash[hash].msgID = id
		})
	})
}

func (w *writer) messageArgs(args []any, e *entry) []any {
	r := e.rec
	// The outcome the message will have if it is stored: a message that
	// hits the constraint is not written at all.
	outcome := r.Outcome
	if r.Tx != nil && !e.owner {
		outcome = momo.OutcomeDuplicate
	}
	var txID any
	if e.txID != 0 {
		txID = e.txID
	}
	// Plain strings and integers: database/sql passes them to the driver
	// as they are, without reflection or a Valuer call per argument.
	return append(args, int64(w.sub), r.Hash, string(r.Source), string(r.Sender), string(r.Body),
		timeArg(r.ReceivedAt), w.nowText, w.messageDay(r, e.at),
		string(outcome), r.Reason, r.Operator, r.Template, txID)
}

// scanPairs reads (id, text) rows and closes them.
func scanPairs(rows *sql.Rows, op string, fn func(id int64, s string)) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		fn(id, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// messageDay is the local day a message counts on in reports: the one the
// record states, else its transaction's, else the day of at in the
// subscriber's timezone.
func (w *writer) messageDay(rec *momo.MessageRecord, at time.Time) string {
	if rec.LocalDay != "" {
		return rec.LocalDay
	}
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
