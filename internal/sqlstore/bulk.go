package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// maxRows is the most rows one multi-row statement carries. A batch is cut
// into chunks of maxRows and its rest into powers of two, so that seven
// statement sizes, prepared once, serve every batch: preparing 64 rows of
// transactions takes a third of the time of inserting them. 256 rows
// measured no faster. The widest statement, 64 transactions, has under
// 2,000 parameters, far below the limits of SQLite (32,766) and PostgreSQL
// (65,535).
const maxRows = 64

// chunks calls fn for consecutive ranges [lo, hi) covering n items, each
// of a size that is a power of two no larger than maxRows.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; {
		size := maxRows
		for size > n-lo {
			size /= 2
		}
		if err := fn(lo, lo+size); err != nil {
			return err
		}
		lo += size
	}
	return nil
}

// rowsSQL writes n groups of width placeholders, "(?, ?), (?, ?)".
func rowsSQL(n, width int) string {
	group := "(" + listSQL(width) + ")"
	return strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}

// listSQL writes n placeholders for an IN list.
func listSQL(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// sized holds one statement prepared for each chunk size.
type sized map[int]*sql.Stmt

// statements are the queries of Save and Reparse, prepared on the pool
// once and bound to each database transaction that uses them.
type statements struct {
	insertMessages     sized
	insertTransactions sized
	findTransactions   sized
	nameCounterparties sized

	subscriberZone *sql.Stmt
	openCompanions *sql.Stmt
	findPrimary    *sql.Stmt
	findCompanion  *sql.Stmt
	link           *sql.Stmt
	updateMessage  *sql.Stmt
}

// statements returns the prepared statements, preparing them on first use.
// It must be called outside a database transaction: preparing on the pool
// needs a free connection, and an in-memory store has only one.
func (s *Store) statements(ctx context.Context) (*statements, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if s.stmts != nil {
		return s.stmts, nil
	}
	st, err := s.prepareAll(ctx)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.stmts = st
	return st, nil
}

func (s *Store) prepareAll(ctx context.Context) (*statements, error) {
	st := &statements{insertMessages: sized{}, insertTransactions: sized{},
		findTransactions: sized{}, nameCounterparties: sized{}}
	if err := s.prepareSized(ctx, st); err != nil {
		return st, err
	}
	single := []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.subscriberZone, `SELECT timezone FROM subscribers WHERE id = ?`},
		{&st.openCompanions, openCompanionsSQL},
		{&st.findPrimary, findPrimarySQL},
		{&st.findCompanion, findCompanionSQL},
		{&st.link, `UPDATE transactions SET booked = 0, companion_of = ? WHERE id = ?`},
		// Reparse rewrites everything the new record says.
		{&st.updateMessage, `
			UPDATE messages
			SET outcome = ?, reason = ?, operator = ?, template = ?, local_day = ?, transaction_id = ?
			WHERE id = ?`},
	}
	for _, q := range single {
		p, err := s.db.PrepareContext(ctx, s.d.q(q.query))
		if err != nil {
			return st, err
		}
		*q.stmt = p
	}
	return st, nil
}

// prepareSized prepares the multi-row statements in every chunk size.
func (s *Store) prepareSized(ctx context.Context, st *statements) error {
	for size := maxRows; size >= 1; size /= 2 {
		bySize := []struct {
			set   sized
			query string
		}{
			{st.insertMessages, insertMessagesSQL(size)},
			{st.insertTransactions, insertTransactionsSQL(size)},
			{st.findTransactions, findTransactionsSQL(size)},
			{st.nameCounterparties, nameCounterpartiesSQL(size)},
		}
		for _, q := range bySize {
			p, err := s.db.PrepareContext(ctx, s.d.q(q.query))
			if err != nil {
				return err
			}
			q.set[size] = p
		}
	}
	return nil
}

func (st *statements) close() {
	for _, set := range []sized{st.insertMessages, st.insertTransactions, st.findTransactions, st.nameCounterparties} {
		for _, p := range set {
			p.Close()
		}
	}
	for _, p := range []*sql.Stmt{st.subscriberZone, st.openCompanions, st.findPrimary,
		st.findCompanion, st.link, st.updateMessage} {
		if p != nil {
			p.Close()
		}
	}
}

const messageColumns = 13

func insertMessagesSQL(rows int) string {
	return `
		INSERT INTO messages (subscriber_id, hash, source, sender_enc, body_enc,
			received_at, imported_at, local_day, outcome, reason, operator, template,
			transaction_id)
		VALUES ` + rowsSQL(rows, messageColumns) + `
		ON CONFLICT (subscriber_id, hash) DO NOTHING
		RETURNING id, hash`
}

const transactionColumns = 30

func insertTransactionsSQL(rows int) string {
	return `
		INSERT INTO transactions (subscriber_id, dedup_key, operator, country, currency,
			kind, direction, status, amount, fee, tax, balance,
			counterparty_enc, counterparty_number_enc, counterparty_key, operator_txid,
			occurred_at, booked_at, local_day, local_month, template, booked,
			companion_kinds, companion_from, companion_to, created_at,
			risk_score, risk_level, risk_reasons, fake_sms)
		VALUES ` + rowsSQL(rows, transactionColumns) + `
		ON CONFLICT (subscriber_id, dedup_key) DO NOTHING
		RETURNING id, dedup_key`
}

func findTransactionsSQL(keys int) string {
	return `
		SELECT id, dedup_key FROM transactions
		WHERE subscriber_id = ? AND dedup_key IN (` + listSQL(keys) + `)`
}

// nameCounterpartiesSQL records counterparties' latest sealed names and
// numbers; a NULL keeps the one stored. A statement must not name a
// counterparty twice (PostgreSQL refuses to update a row twice).
func nameCounterpartiesSQL(rows int) string {
	return `
		INSERT INTO counterparties (subscriber_id, counterparty_key, currency, name_enc, number_enc)
		VALUES ` + rowsSQL(rows, 5) + `
		ON CONFLICT (subscriber_id, counterparty_key, currency) DO UPDATE SET
			name_enc = COALESCE(excluded.name_enc, counterparties.name_enc),
			number_enc = COALESCE(excluded.number_enc, counterparties.number_enc)`
}

// openCompanionsSQL reads the money of the subscriber's booked companions
// that are not linked yet and whose window ends at or after a time; it
// reads only the transactions_open_companions index.
const openCompanionsSQL = `
	SELECT currency, amount FROM transactions
	WHERE subscriber_id = ? AND companion_kinds IS NOT NULL AND companion_of IS NULL
	  AND booked = 1 AND companion_to >= ?`

// findPrimarySQL: a companion looks for the transaction it repeats: stored
// before it, booked, not a companion itself, of one of the rule's kinds,
// the same money, within the window, with no companion yet. kinds is
// ",a,b,". LIKE reads the "_" of bank_transfer as any one character, but no
// other kind differs from it only there.
const findPrimarySQL = `
	SELECT p.id, p.booked_at FROM transactions p
	WHERE p.subscriber_id = ? AND p.booked_at BETWEEN ? AND ?
	  AND p.booked = 1 AND p.companion_kinds IS NULL AND p.companion_of IS NULL
	  AND ? LIKE '%,' || p.kind || ',%'
	  AND p.currency = ? AND p.amount = ? AND p.id < ?
	  AND NOT EXISTS (SELECT 1 FROM transactions c WHERE c.companion_of = p.id)`

// findCompanionSQL: a transaction without a rule looks for a booked
// companion stored before it whose rule it satisfies.
const findCompanionSQL = `
	SELECT c.id, c.booked_at FROM transactions c
	WHERE c.subscriber_id = ? AND c.currency = ? AND c.amount = ?
	  AND c.companion_kinds IS NOT NULL AND c.companion_of IS NULL AND c.booked = 1
	  AND c.companion_kinds LIKE '%,' || ? || ',%'
	  AND c.companion_to >= ? AND c.companion_from <= ?
	  AND c.id < ?`
