package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// newTx is a transaction a batch is about to insert, with the values
// derived from its record once for the insert and for the pairing.
type newTx struct {
	e      *entry
	at     time.Time // booked_at
	booked bool
	kinds  string // the companion rule's kinds as ",a,b,", "" for none
}

func (w *writer) newTx(e *entry) newTx {
	t := e.rec.Tx
	n := newTx{e: e, at: bookedAt(t, e.at), booked: booked(t)}
	if t.Companion.IsSet() {
		names := make([]string, len(t.Companion.Kinds))
		for i, k := range t.Companion.Kinds {
			names[i] = string(k)
		}
		n.kinds = "," + strings.Join(names, ",") + ","
	}
	return n
}

// storeTransactions stores the transactions of the fresh entries, one row
// per dedup key, owned by the first entry that names it; an entry whose
// key is already stored points at that transaction. It returns the first
// entry of each key, for pairing, and the open companions the pairing
// starts from, read before the batch's own transactions were inserted.
func (w *writer) storeTransactions(ctx context.Context, es []entry) ([]newTx, openSet, error) {
	firsts, byKey := w.pickFirsts(es)
	if len(firsts) == 0 {
		return nil, nil, nil
	}
	open, err := w.openCompanions(ctx, firsts)
	if err != nil {
		return nil, nil, err
	}
	if err := w.insertTransactions(ctx, firsts, byKey); err != nil {
		return nil, nil, err
	}
	if err := w.findTransactions(ctx, firsts, byKey); err != nil {
		return nil, nil, err
	}
	if err := w.nameCounterparties(ctx, firsts); err != nil {
		return nil, nil, err
	}
	for i := range es {
		if es[i].fresh && es[i].rec.Tx != nil {
			es[i].txID = byKey[es[i].rec.Tx.DedupKey].e.txID
		}
	}
	return firsts, open, nil
}

// pickFirsts picks, in record order, the first fresh entry of each dedup
// key: the entry that owns the transaction if the key is new.
func (w *writer) pickFirsts(es []entry) ([]newTx, map[string]*newTx) {
	var firsts []newTx
	first := map[string]bool{}
	for i := range es {
		e := &es[i]
		if !e.fresh || e.rec.Tx == nil || first[e.rec.Tx.DedupKey] {
			continue
		}
		first[e.rec.Tx.DedupKey] = true
		firsts = append(firsts, w.newTx(e))
	}
	byKey := make(map[string]*newTx, len(firsts))
	for i := range firsts {
		byKey[firsts[i].e.rec.Tx.DedupKey] = &firsts[i]
	}
	return firsts, byKey
}

// insertTransactions inserts the transactions of firsts in record order, so
// that their ids grow in that order: pairing relies on it. A key already
// stored is left out by the unique constraint.
func (w *writer) insertTransactions(ctx context.Context, firsts []newTx, byKey map[string]*newTx) error {
	return chunks(len(firsts), func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*transactionColumns)
		for i := range firsts[lo:hi] {
			args = w.transactionArgs(args, &firsts[lo+i])
		}
		rows, err := w.stmt(ctx, w.st.insertTransactions[hi-lo]).QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("insert transactions: %w", err)
		}
		return scanPairs(rows, "insert transactions", func(id int64, key string) {
			byKey[key].e.txID, byKey[key].e.owner = id, true
		})
	})
}

func (w *writer) transactionArgs(args []any, n *newTx) []any {
	t := n.e.rec.Tx
	day := w.txDay(n)
	var kinds, from, to any
	if n.kinds != "" {
		kinds = n.kinds
		from = timeText(n.at.Add(-t.Companion.Window))
		to = timeText(n.at.Add(t.Companion.Window))
	}
	args = append(args, int64(w.sub), t.DedupKey, t.Operator, t.Country, string(t.Currency),
		string(t.Kind), string(t.Direction), string(t.Status),
		amountArg(t.Amount), amountArg(t.Fee), amountArg(t.Tax), amountArg(t.Balance),
		nullString(t.Counterparty), nullString(t.CounterpartyNumber), nullString(t.CounterpartyKey),
		nullString(t.OperatorTxID), timeArg(t.OccurredAt), timeText(n.at), day, day[:7], t.Template,
		flag(n.booked), kinds, from, to, w.nowText)
	return appendRisk(args, t.Risk)
}

// txDay is the local day a new transaction is stored with.
func (w *writer) txDay(n *newTx) string {
	if d := n.e.rec.Tx.LocalDay; d != "" {
		return d
	}
	return n.at.In(w.loc).Format(time.DateOnly)
}

// appendRisk adds the risk columns: NULL when the transaction was not
// assessed.
func appendRisk(args []any, r *momo.Risk) []any {
	if r == nil {
		return append(args, nil, nil, nil, int64(0))
	}
	reasons, _ := json.Marshal(r.Reasons) // a []string always marshals
	return append(args, int64(r.Score), r.Level, string(reasons), flag(r.FakeSMS))
}

// findTransactions reads the ids of the keys of firsts that were already
// stored. The unique constraint said they are, and nothing deletes
// transactions outside this database transaction.
func (w *writer) findTransactions(ctx context.Context, firsts []newTx, byKey map[string]*newTx) error {
	var stored []string
	for _, n := range firsts {
		if !n.e.owner {
			stored = append(stored, n.e.rec.Tx.DedupKey)
		}
	}
	err := chunks(len(stored), func(lo, hi int) error {
		args := make([]any, 0, 1+hi-lo)
		args = append(args, int64(w.sub))
		for _, k := range stored[lo:hi] {
			args = append(args, k)
		}
		rows, err := w.stmt(ctx, w.st.findTransactions[hi-lo]).QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("find duplicate transactions: %w", err)
		}
		return scanPairs(rows, "find duplicate transactions", func(id int64, key string) {
			byKey[key].e.txID = id
		})
	})
	if err != nil {
		return err
	}
	for _, n := range firsts {
		if n.e.txID == 0 {
			return errors.New("find duplicate transactions: a key neither inserted nor found")
		}
	}
	return nil
}

// counterparty identifies a counterparty as reports group it.
type counterparty struct {
	key      string
	currency momo.Currency
}

// nameCounterparties records, for each counterparty of the batch's new
// transactions, the sealed name and number of the last one that states
// them: ids grow with record order, so the last is the latest.
func (w *writer) nameCounterparties(ctx context.Context, firsts []newTx) error {
	var order []counterparty
	latest := map[counterparty]*[2]momo.Sealed{} // name, number
	for _, n := range firsts {
		t := n.e.rec.Tx
		if !n.e.owner || t.CounterpartyKey == "" {
			continue
		}
		c := counterparty{t.CounterpartyKey, t.Currency}
		names, ok := latest[c]
		if !ok {
			names = new([2]momo.Sealed)
			latest[c] = names
			order = append(order, c)
		}
		if t.Counterparty != "" {
			names[0] = t.Counterparty
		}
		if t.CounterpartyNumber != "" {
			names[1] = t.CounterpartyNumber
		}
	}
	return chunks(len(order), func(lo, hi int) error {
		args := make([]any, 0, 5*(hi-lo))
		for _, c := range order[lo:hi] {
			names := latest[c]
			args = append(args, int64(w.sub), c.key, string(c.currency),
				nullString(names[0]), nullString(names[1]))
		}
		if _, err := w.stmt(ctx, w.st.nameCounterparties[hi-lo]).ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("name counterparties: %w", err)
		}
		return nil
	})
}
