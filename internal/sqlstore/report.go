package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/momoanalytics/momo"
)

const (
	defaultTop = 10
	maxTop     = 1000
)

// Report computes the analytics of q. Every figure comes out of SQL
// aggregates; Go only copies rows into the report. All queries read one
// snapshot of the database.
//
// Money figures cover booked transactions whose local day lies in the range.
// Counterparties are ranked within each currency, q.Top (default 10) per
// currency. Balances are the last balance an SMS stated in the range, per operator and
// currency, read from every transaction that states one, booked or not; over
// all subscribers (q.Subscriber 0) they are the sum of each subscriber's
// last balance. Message counts use the message's local day (its
// transaction's, else the day it was received or imported).
func (s *Store) Report(ctx context.Context, q momo.ReportQuery) (momo.Report, error) {
	for _, d := range []string{q.From, q.To} {
		if d != "" && !isDay(d) {
			return momo.Report{}, s.fail(ctx, "report",
				momo.E(momo.CodeInvalid, "report dates must read YYYY-MM-DD", nil))
		}
	}
	top := q.Top
	if top <= 0 {
		top = defaultTop
	}
	top = min(top, maxTop)

	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return momo.Report{}, s.fail(ctx, "report", err)
	}
	defer tx.Rollback()

	r := reporter{tx: tx, d: s.d, q: q, top: top}
	var rep momo.Report
	steps := []struct {
		name string
		run  func(context.Context, *momo.Report) error
	}{
		{"messages", r.messages},
		{"months", r.months},
		{"kinds", r.kinds},
		{"charges", r.charges},
		{"counterparties", r.counterparties},
		{"balances", r.balances},
		{"unrecognized", r.unrecognized},
	}
	for _, st := range steps {
		if err := st.run(ctx, &rep); err != nil {
			return momo.Report{}, s.fail(ctx, "report: "+st.name, err)
		}
	}
	return rep, nil
}

type reporter struct {
	tx  *sql.Tx
	d   *dialect
	q   momo.ReportQuery
	top int // counterparties per currency
}

// where builds a filter on the query's subscriber and local days. Only
// placeholders reach the SQL; the values travel as arguments.
func (r reporter) where(conds ...string) (string, []any) {
	conds = slices.Clip(conds) // appending must not write into the caller's array
	var args []any
	if r.q.Subscriber != 0 {
		conds = append(conds, "subscriber_id = ?")
		args = append(args, r.q.Subscriber)
	}
	if r.q.From != "" {
		conds = append(conds, "local_day >= ?")
		args = append(args, r.q.From)
	}
	if r.q.To != "" {
		conds = append(conds, "local_day <= ?")
		args = append(args, r.q.To)
	}
	if len(conds) == 0 {
		return "1 = 1", args
	}
	return strings.Join(conds, " AND "), args
}

// each runs query, whose "{where}" becomes the query's filter and conds,
// and calls scan for every row. extra are the arguments of placeholders
// after the filter.
func (r reporter) each(ctx context.Context, query string, conds []string, scan func(*sql.Rows) error, extra ...any) error {
	where, args := r.where(conds...)
	query = strings.ReplaceAll(query, "{where}", where)
	rows, err := r.tx.QueryContext(ctx, r.d.q(query), append(args, extra...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

var bookedOnly = []string{"booked = 1"}

func (r reporter) messages(ctx context.Context, rep *momo.Report) error {
	err := r.each(ctx, `
		SELECT COUNT(*),
		       COALESCE(SUM(CASE WHEN outcome = 'unrecognized' THEN 1 ELSE 0 END), 0),
		       COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0)
		FROM messages WHERE {where}`, nil, func(rows *sql.Rows) error {
		return rows.Scan(&rep.Messages, &rep.Unrecognized, &rep.Rejected)
	})
	if err != nil {
		return err
	}
	return r.each(ctx, `SELECT COUNT(*) FROM transactions WHERE {where}`, bookedOnly,
		func(rows *sql.Rows) error { return rows.Scan(&rep.Transactions) })
}

func (r reporter) months(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT local_month, currency,
		       COALESCE(SUM(CASE WHEN direction = 'in' THEN amount END), 0),
		       COALESCE(SUM(CASE WHEN direction = 'out' THEN amount END), 0),
		       COALESCE(SUM(fee), 0), COALESCE(SUM(tax), 0), COUNT(*)
		FROM transactions WHERE {where}
		GROUP BY local_month, currency
		ORDER BY local_month, currency`, bookedOnly, func(rows *sql.Rows) error {
		var m momo.MonthTotal
		if err := rows.Scan(&m.Month, &m.Currency, &m.In, &m.Out, &m.Fees, &m.Taxes, &m.Count); err != nil {
			return err
		}
		rep.Months = append(rep.Months, m)
		return nil
	})
}

func (r reporter) kinds(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT kind, direction, currency, COUNT(*), COALESCE(SUM(amount), 0) AS total
		FROM transactions WHERE {where}
		GROUP BY kind, direction, currency
		ORDER BY currency, total DESC, kind, direction`, bookedOnly, func(rows *sql.Rows) error {
		var k momo.KindTotal
		if err := rows.Scan(&k.Kind, &k.Direction, &k.Currency, &k.Count, &k.Total); err != nil {
			return err
		}
		rep.Kinds = append(rep.Kinds, k)
		return nil
	})
}

func (r reporter) charges(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT currency, COALESCE(SUM(fee), 0), COALESCE(SUM(tax), 0)
		FROM transactions WHERE {where}
		GROUP BY currency
		ORDER BY currency`, bookedOnly, func(rows *sql.Rows) error {
		var c momo.ChargeTotal
		if err := rows.Scan(&c.Currency, &c.Fees, &c.Taxes); err != nil {
			return err
		}
		rep.Charges = append(rep.Charges, c)
		return nil
	})
}

// counterparties lists, per currency, the top counterparties by money
// exchanged, in and out together (amounts in different currencies do not
// compare). Each comes with the sealed name and number of the latest
// transaction, of the same subscriber, that states them, in the range or
// not; over all subscribers, of the subscriber who last dealt with it.
func (r reporter) counterparties(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		WITH totals AS (
			SELECT counterparty_key, currency, COUNT(*) AS n,
			       COALESCE(SUM(CASE WHEN direction = 'in' THEN amount END), 0) AS money_in,
			       COALESCE(SUM(CASE WHEN direction = 'out' THEN amount END), 0) AS money_out,
			       COALESCE(SUM(CASE WHEN direction IN ('in', 'out') THEN amount END), 0) AS money,
			       MAX(id) AS last_id
			FROM transactions WHERE {where}
			GROUP BY counterparty_key, currency
		), ranked AS (
			SELECT totals.*, ROW_NUMBER() OVER (
			           PARTITION BY currency
			           ORDER BY money DESC, n DESC, counterparty_key) AS nth
			FROM totals
		), top AS (
			SELECT ranked.*, last.subscriber_id
			FROM ranked JOIN transactions last ON last.id = ranked.last_id
			WHERE ranked.nth <= ?
		)
		SELECT COALESCE((SELECT x.counterparty_enc FROM transactions x
		                 WHERE x.subscriber_id = t.subscriber_id AND x.counterparty_key = t.counterparty_key
		                   AND x.currency = t.currency AND x.counterparty_enc IS NOT NULL
		                 ORDER BY x.id DESC LIMIT 1), ''),
		       COALESCE((SELECT x.counterparty_number_enc FROM transactions x
		                 WHERE x.subscriber_id = t.subscriber_id AND x.counterparty_key = t.counterparty_key
		                   AND x.currency = t.currency AND x.counterparty_number_enc IS NOT NULL
		                 ORDER BY x.id DESC LIMIT 1), ''),
		       t.currency, t.n, t.money_in, t.money_out
		FROM top t
		ORDER BY t.currency, t.nth`,
		[]string{"booked = 1", "counterparty_key IS NOT NULL"}, func(rows *sql.Rows) error {
			var c momo.CounterpartyTotal
			if err := rows.Scan(&c.Name, &c.Number, &c.Currency, &c.Count, &c.In, &c.Out); err != nil {
				return err
			}
			rep.Counterparties = append(rep.Counterparties, c)
			return nil
		}, r.top)
}

// balances reads the last stated balance of each subscriber per operator
// and currency (the latest by time, then the last stored), and adds them up
// across subscribers. A scan for each group's last time and a lookup of the
// row measured faster than ranking every row with a window function.
func (r reporter) balances(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		WITH last AS (
			SELECT subscriber_id, operator, currency, MAX(booked_at) AS at
			FROM transactions WHERE {where}
			GROUP BY subscriber_id, operator, currency
		)
		SELECT l.operator, l.currency,
		       SUM((SELECT t.balance FROM transactions t
		            WHERE t.subscriber_id = l.subscriber_id AND t.booked_at = l.at
		              AND t.operator = l.operator AND t.currency = l.currency
		              AND t.balance IS NOT NULL
		            ORDER BY t.id DESC LIMIT 1)),
		       MAX(l.at)
		FROM last l
		GROUP BY l.operator, l.currency
		ORDER BY l.operator, l.currency`, []string{"balance IS NOT NULL"}, func(rows *sql.Rows) error {
		var b momo.BalanceAt
		var at dbTime
		if err := rows.Scan(&b.Operator, &b.Currency, &b.Balance, &at); err != nil {
			return err
		}
		b.At = at.Time
		rep.Balances = append(rep.Balances, b)
		return nil
	})
}

func (r reporter) unrecognized(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT operator, COUNT(*) AS n
		FROM messages WHERE {where}
		GROUP BY operator
		ORDER BY n DESC, operator`, []string{"outcome = 'unrecognized'"}, func(rows *sql.Rows) error {
		var o momo.OperatorCount
		if err := rows.Scan(&o.Operator, &o.Count); err != nil {
			return err
		}
		rep.UnrecognizedBy = append(rep.UnrecognizedBy, o)
		return nil
	})
}
