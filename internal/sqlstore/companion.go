package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// Companions. Some SMS repeat another one's money movement (a bundle
// confirmation after the bundle payment); the template marks them with a
// rule. A companion and its primary may arrive in either order, in one
// batch or in two. Whichever arrives second finds the other, and the
// companion stops counting. Pairing runs in record order over transactions
// already inserted, so each search is limited to ids below the searching
// transaction's: it sees what a one-by-one insert would have seen.

// sum is an amount of money in a currency: companions match on it.
type sum struct {
	currency momo.Currency
	minor    int64
}

// openSet counts, per sum, the subscriber's booked companions not yet
// linked. A transaction without a rule searches for a companion only when
// its sum is in the set, which it seldom is: most transactions skip the
// query.
type openSet map[sum]int

// openCompanions loads the open companions that a transaction of this
// batch could pair with: those whose window ends at or after the earliest
// such transaction. It is loaded before the batch's own transactions are
// inserted; pairing adds the batch's companions as it meets them.
func (w *writer) openCompanions(ctx context.Context, firsts []newTx) (openSet, error) {
	var since time.Time
	for _, n := range firsts {
		if n.kinds == "" && pairable(n) && (since.IsZero() || n.at.Before(since)) {
			since = n.at
		}
	}
	open := openSet{}
	if since.IsZero() {
		return open, nil
	}
	rows, err := w.stmt(ctx, w.st.openCompanions).QueryContext(ctx, w.sub, dbTime{since})
	if err != nil {
		return nil, fmt.Errorf("read open companions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s sum
		var minor sql.NullInt64
		if err := rows.Scan(&s.currency, &minor); err != nil {
			return nil, fmt.Errorf("read open companions: %w", err)
		}
		if minor.Valid { // a companion of unknown amount pairs with nothing
			s.minor = minor.Int64
			open[s]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read open companions: %w", err)
	}
	return open, nil
}

// pairable says whether a new transaction takes part in pairing: it counts,
// and its amount is known.
func pairable(n newTx) bool {
	return n.booked && n.e.rec.Tx.Amount.Known
}

// pairAll pairs the batch's new transactions in record order.
func (w *writer) pairAll(ctx context.Context, firsts []newTx, open openSet) error {
	for _, n := range firsts {
		if !n.e.owner || !pairable(n) {
			continue
		}
		t := n.e.rec.Tx
		key := sum{t.Currency, t.Amount.Minor}
		if n.kinds != "" {
			paired, err := w.pairWithPrimary(ctx, n)
			if err != nil {
				return err
			}
			if !paired {
				open[key]++
			}
			continue
		}
		if open[key] == 0 {
			continue
		}
		paired, err := w.pairWithCompanion(ctx, n)
		if err != nil {
			return err
		}
		if paired {
			open[key]--
		}
	}
	return nil
}

// pairWithPrimary links companion n to the earlier transaction it repeats,
// if there is one: n stops counting.
func (w *writer) pairWithPrimary(ctx context.Context, n newTx) (bool, error) {
	t := n.e.rec.Tx
	from, to := n.at.Add(-t.Companion.Window), n.at.Add(t.Companion.Window)
	primary, ok, err := closest(ctx, w.stmt(ctx, w.st.findPrimary), n.at,
		w.sub, dbTime{from}, dbTime{to}, n.kinds, t.Currency, t.Amount.Minor, n.e.txID)
	if err != nil || !ok {
		return false, err
	}
	return true, w.pair(ctx, n.e.txID, primary)
}

// pairWithCompanion links an earlier companion that repeats n, if there is
// one: the companion stops counting.
func (w *writer) pairWithCompanion(ctx context.Context, n newTx) (bool, error) {
	t := n.e.rec.Tx
	companion, ok, err := closest(ctx, w.stmt(ctx, w.st.findCompanion), n.at,
		w.sub, t.Currency, t.Amount.Minor, t.Kind, dbTime{n.at}, dbTime{n.at}, n.e.txID)
	if err != nil || !ok {
		return false, err
	}
	return true, w.pair(ctx, companion, n.e.txID)
}

// pair makes companion repeat primary: the companion is no longer booked.
func (w *writer) pair(ctx context.Context, companion, primary int64) error {
	w.linked[companion] = true // its totals change (see writer.totals)
	if _, err := w.stmt(ctx, w.st.link).ExecContext(ctx, primary, companion); err != nil {
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
