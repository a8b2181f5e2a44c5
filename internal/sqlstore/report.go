package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

const (
	defaultTop = 10
	maxTop     = 1000
)

// Report computes the analytics of q. All queries read one snapshot of the
// database, from the totals that Save keeps per day and, for
// counterparties, per month (totals.go, migration 00009): a few rows a day
// instead of every transaction. SQL adds the days up by month, currency,
// kind and direction, and Go adds those sums up into months, kinds and
// charges.
//
// Money figures cover booked transactions whose local day lies in the range.
// Counterparties are ranked within each currency, q.Top (default 10) per
// currency. Balances are the last balance an SMS stated in the range, per operator and
// currency, read from every transaction that states one, booked or not; over
// all subscribers (q.Subscriber 0) they are the sum of each subscriber's
// last balance. Message counts use the message's local day (its
// transaction's, else the day it was received or imported).
//
// q.Owner limits every section to the subscribers linked to that account
// (and q.Subscriber, when set, must be one of them, or the report is
// empty). q.Series adds the sums of each day (Days) and the balance at the
// end of each day (BalanceHistory), from the same totals.
func (s *Store) Report(ctx context.Context, q momo.ReportQuery) (momo.Report, error) {
	for _, d := range []string{q.From, q.To} {
		if d != "" && !isDay(d) {
			return momo.Report{}, s.fail(ctx, "report",
				momo.E(momo.CodeInvalid, "report dates must read YYYY-MM-DD", nil))
		}
	}
	top := q.Top
	if top == 0 {
		top = defaultTop
	}
	top = min(top, maxTop)

	tx, err := s.db.BeginTx(ctx, s.d.reportTx)
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
		{"money", r.money},
		{"counterparties", r.counterparties},
		{"balances", r.balances},
		{"risk levels", r.riskLevels},
		{"alerts", r.alerts},
	}
	series := []struct {
		name string
		run  func(context.Context, *momo.Report) error
	}{{"days", r.days}, {"balance history", r.balanceHistory}}
	switch {
	case q.SeriesOnly:
		steps = series
	case q.Series:
		steps = append(steps, series...)
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

// filter is what a query selects besides the report's subscriber and days.
type filter struct {
	conds []string
}

// where builds the query's filter on its subscriber and local days. Only
// placeholders reach the SQL; the values travel as arguments.
func (r reporter) where(f filter) (string, []any) {
	conds := slices.Clip(f.conds) // appending must not write into the caller's array
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	scope, scopeArgs := scopeOf(r.q.Owner, r.q.Subscriber)
	conds = append(conds, scope...)
	args = append(args, scopeArgs...)
	if r.q.From != "" {
		add("local_day >= ?", r.q.From)
	}
	if r.q.To != "" {
		add("local_day <= ?", r.q.To)
	}
	if len(conds) == 0 {
		return "1 = 1", args
	}
	return strings.Join(conds, " AND "), args
}

// scopeOf is the condition on subscriber_id that an owner and a subscriber
// (either 0 for any) ask for, and its arguments. An owner's subscribers
// are a subquery, which both databases answer with one index seek per
// subscriber into the table filtered: the totals' primary keys and the
// transactions' indexes lead with subscriber_id.
func scopeOf(owner momo.UserID, sub momo.SubscriberID) ([]string, []any) {
	var conds []string
	var args []any
	if owner != 0 {
		conds = append(conds, "subscriber_id IN (SELECT id FROM subscribers WHERE user_id = ?)")
		args = append(args, owner)
	}
	if sub != 0 {
		conds = append(conds, "subscriber_id = ?")
		args = append(args, sub)
	}
	return conds, args
}

// each runs query, whose "{where}" becomes the filter f, and calls scan
// for every row. extra are the arguments of placeholders after the filter.
func (r reporter) each(ctx context.Context, query string, f filter, scan func(*sql.Rows) error, extra ...any) error {
	where, args := r.where(f)
	query = strings.ReplaceAll(query, "{where}", where)
	rows, err := r.tx.QueryContext(ctx, r.d.q(query), append(args, extra...)...)
	if err != nil {
		return err
	}
	return scanAll(rows, scan)
}

// scanAll calls scan for every row of rows, and closes them.
func scanAll(rows *sql.Rows, scan func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// messages counts messages by outcome, and unrecognized ones by operator.
func (r reporter) messages(ctx context.Context, rep *momo.Report) error {
	parts, args := r.sources(`
		SELECT outcome, operator, count FROM message_months WHERE `, `
		SELECT outcome, operator, count FROM message_days WHERE `)
	err := r.over(ctx, `
		SELECT outcome, CAST(SUM(count) AS BIGINT) FROM {sources}
		GROUP BY outcome`, parts, args, countOutcomes(rep))
	if err != nil {
		return err
	}
	return r.over(ctx, `
		SELECT operator, CAST(SUM(count) AS BIGINT) AS n
		FROM {sources} WHERE outcome = 'unrecognized'
		GROUP BY operator
		ORDER BY n DESC, operator`, parts, args, func(rows *sql.Rows) error {
		var o momo.OperatorCount
		if err := rows.Scan(&o.Operator, &o.Count); err != nil {
			return err
		}
		rep.UnrecognizedBy = append(rep.UnrecognizedBy, o)
		return nil
	})
}

// over runs query, whose "{sources}" becomes the union of parts (see
// sources), and calls scan for every row.
func (r reporter) over(ctx context.Context, query string, parts []string, args []any, scan func(*sql.Rows) error) error {
	if len(parts) == 0 {
		return nil // the range holds no day
	}
	union := "(" + strings.Join(parts, `
			UNION ALL`) + ") sources"
	rows, err := r.tx.QueryContext(ctx, r.d.q(strings.ReplaceAll(query, "{sources}", union)), args...)
	if err != nil {
		return err
	}
	return scanAll(rows, scan)
}

// moneyGroup is the sum of the booked transactions of one month, currency,
// kind and direction: the finest grain the money sections share.
type moneyGroup struct {
	month     string
	currency  momo.Currency
	kind      momo.Kind
	direction momo.Direction
	count     int
	amount    int64
	fees      int64
	taxes     int64
}

// money fills the transaction count, months, kinds and charges from the
// sums of booked transactions: monthly for the months wholly in the range,
// daily for the days of the months its ends cut. Over twenty years of
// history the daily sums alone were 35,000 rows to sort into months on
// every dashboard view.
func (r reporter) money(ctx context.Context, rep *momo.Report) error {
	parts, args := r.sources(`
		SELECT local_month AS month, currency, kind, direction, count, total, fees, taxes
		FROM money_months WHERE `, `
		SELECT substr(local_day, 1, 7) AS month, currency, kind, direction, count, total, fees, taxes
		FROM money_days WHERE `)
	// No GROUP BY: addMoney adds the rows up by month, kind and currency
	// anyway, and sorting them into groups first took SQLite longer.
	var groups []moneyGroup
	err := r.over(ctx, `
		SELECT month, currency, kind, direction, count, total, fees, taxes
		FROM {sources}`, parts, args, collectMoney(&groups))
	if err != nil {
		return err
	}
	addMoney(rep, groups)
	return nil
}

// months adds up money in and out, fees and taxes per month and currency.
func months(groups []moneyGroup) []momo.MonthTotal {
	type key struct {
		month    string
		currency momo.Currency
	}
	return total(groups, func(g moneyGroup) key { return key{g.month, g.currency} },
		func(t *momo.MonthTotal, g moneyGroup) {
			t.Month, t.Currency = g.month, g.currency
			switch g.direction {
			case momo.In:
				t.In += g.amount
			case momo.Out:
				t.Out += g.amount
			}
			t.Fees += g.fees
			t.Taxes += g.taxes
			t.Count += g.count
		},
		func(a, b momo.MonthTotal) int {
			return cmp.Or(strings.Compare(a.Month, b.Month), strings.Compare(string(a.Currency), string(b.Currency)))
		})
}

// kinds adds up each kind and direction per currency, the largest totals
// of each currency first.
func kinds(groups []moneyGroup) []momo.KindTotal {
	type key struct {
		kind      momo.Kind
		direction momo.Direction
		currency  momo.Currency
	}
	return total(groups, func(g moneyGroup) key { return key{g.kind, g.direction, g.currency} },
		func(t *momo.KindTotal, g moneyGroup) {
			t.Kind, t.Direction, t.Currency = g.kind, g.direction, g.currency
			t.Count += g.count
			t.Total += g.amount
		},
		func(a, b momo.KindTotal) int {
			return cmp.Or(strings.Compare(string(a.Currency), string(b.Currency)), cmp.Compare(b.Total, a.Total),
				strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(string(a.Direction), string(b.Direction)))
		})
}

// charges adds up fees and taxes per currency.
func charges(groups []moneyGroup) []momo.ChargeTotal {
	return total(groups, func(g moneyGroup) momo.Currency { return g.currency },
		func(t *momo.ChargeTotal, g moneyGroup) {
			t.Currency = g.currency
			t.Fees += g.fees
			t.Taxes += g.taxes
		},
		func(a, b momo.ChargeTotal) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
}

// total folds groups into one T per key with add, and sorts the result.
func total[K comparable, T any](groups []moneyGroup, keyOf func(moneyGroup) K, add func(*T, moneyGroup), order func(a, b T) int) []T {
	index := map[K]int{}
	var out []T
	for _, g := range groups {
		k := keyOf(g)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, *new(T))
		}
		add(&out[i], g)
	}
	slices.SortFunc(out, order)
	return out
}

// counterparties lists, per currency, the top counterparties by money
// exchanged, in and out together (amounts in different currencies do not
// compare). Each comes with the sealed name and number of the latest
// transaction, of the same subscriber, that states them, in the range or
// not; over all subscribers, of the subscriber who last dealt with it.
// The months wholly inside the range come from counterparty_months, the
// days of the months cut by its ends from the transactions.
func (r reporter) counterparties(ctx context.Context, rep *momo.Report) error {
	if r.top < 0 {
		return nil // none asked for
	}
	parts, args := r.counterpartySources()
	if len(parts) == 0 {
		return nil // the range holds no day
	}
	query := `
		WITH sources AS (` + strings.Join(parts, `
			UNION ALL`) + `
		), totals AS (
			SELECT counterparty_key, currency, SUM(n) AS n,
			       SUM(money_in) AS money_in, SUM(money_out) AS money_out, MAX(last_id) AS last_id
			FROM sources
			GROUP BY counterparty_key, currency
		), ranked AS (
			SELECT totals.*, ROW_NUMBER() OVER (
			           PARTITION BY currency
			           ORDER BY money_in + money_out DESC, n DESC, counterparty_key) AS nth
			FROM totals
		), top AS (
			SELECT ranked.*, last.subscriber_id
			FROM ranked JOIN transactions last ON last.id = ranked.last_id
			WHERE ranked.nth <= ?
		)
		SELECT t.counterparty_key, COALESCE(c.name_enc, ''), COALESCE(c.number_enc, ''),
		       t.currency, CAST(t.n AS BIGINT), CAST(t.money_in AS BIGINT), CAST(t.money_out AS BIGINT)
		FROM top t
		LEFT JOIN counterparties c ON c.subscriber_id = t.subscriber_id
		     AND c.counterparty_key = t.counterparty_key AND c.currency = t.currency
		ORDER BY t.currency, t.nth`
	rows, err := r.tx.QueryContext(ctx, r.d.q(query), append(args, r.top)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c momo.CounterpartyTotal
		if err := rows.Scan(&c.Key, &c.Name, &c.Number, &c.Currency, &c.Count, &c.In, &c.Out); err != nil {
			return err
		}
		rep.Counterparties = append(rep.Counterparties, c)
	}
	return rows.Err()
}

// counterpartySources are the queries whose rows counterparties adds up:
// one over the whole months of the range, one per month its ends cut.
func (r reporter) counterpartySources() ([]string, []any) {
	return r.sources(`
			SELECT counterparty_key, currency, count AS n, money_in, money_out, last_id
			FROM counterparty_months WHERE `, `
			SELECT counterparty_key, currency, 1 AS n,
			       CASE WHEN direction = 'in' THEN COALESCE(amount, 0) ELSE 0 END AS money_in,
			       CASE WHEN direction = 'out' THEN COALESCE(amount, 0) ELSE 0 END AS money_out,
			       id AS last_id
			FROM transactions WHERE `, "booked = 1", "counterparty_key IS NOT NULL")
}

// sources cuts the report's range into whole months, which months reads
// from a table of monthly sums (by local_month), and the days of the
// months its ends cut, which days reads from rows by day (local_day,
// also meeting dayConds). Each query ends in "WHERE " for the conditions
// added here; it returns the queries with their arguments in order.
func (r reporter) sources(months, days string, dayConds ...string) ([]string, []any) {
	var parts []string
	var args []any
	add := func(query string, conds []string, condArgs ...any) {
		scope, scopeArgs := scopeOf(r.q.Owner, r.q.Subscriber)
		conds = append(conds, scope...)
		condArgs = append(condArgs, scopeArgs...)
		parts = append(parts, query+strings.Join(conds, " AND "))
		args = append(args, condArgs...)
	}

	span := monthSpan(r.q.From, r.q.To)
	if span.first == "" || span.last == "" || span.first <= span.last {
		conds := []string{"1 = 1"}
		var condArgs []any
		if span.first != "" {
			conds = append(conds, "local_month >= ?")
			condArgs = append(condArgs, span.first)
		}
		if span.last != "" {
			conds = append(conds, "local_month <= ?")
			condArgs = append(condArgs, span.last)
		}
		add(months, conds, condArgs...)
	}
	for _, e := range span.edges {
		if e[0] > e[1] {
			continue
		}
		conds := append(slices.Clip(dayConds), "local_day >= ?", "local_day <= ?")
		add(days, conds, e[0], e[1])
	}
	return parts, args
}

// span is a range of days cut into whole months, first to last ("" for
// no bound), and the ranges of days of the months cut by its ends.
type span struct {
	first, last string
	edges       [][2]string
}

// monthSpan cuts the days from..to (either "" for no bound) into whole
// months and partial ones.
func monthSpan(from, to string) span {
	var s span
	if from != "" {
		s.first = from[:7]
		if !strings.HasSuffix(from, "-01") {
			s.first = addMonths(s.first, 1)
			end := lastDay(from[:7])
			if to != "" {
				end = min(end, to)
			}
			s.edges = append(s.edges, [2]string{from, end})
		}
	}
	if to != "" {
		s.last = to[:7]
		if to != lastDay(to[:7]) {
			s.last = addMonths(s.last, -1)
			cutFirst := from != "" && from[:7] == to[:7] && !strings.HasSuffix(from, "-01")
			if !cutFirst { // else the first edge holds these days
				s.edges = append(s.edges, [2]string{max(to[:7]+"-01", from), to})
			}
		}
	}
	return s
}

// addMonths returns the month n months after month ("2006-01").
func addMonths(month string, n int) string {
	t, _ := time.Parse("2006-01", month) // a prefix of a checked day
	return t.AddDate(0, n, 0).Format("2006-01")
}

// lastDay returns the last day of month ("2006-01").
func lastDay(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, 1, -1).Format(time.DateOnly)
}

// balances reads the last stated balance of each subscriber per operator
// and currency (the latest by time, then the last stored) from the last
// balance of each month and of each day of the months the range cuts, and
// adds them up across subscribers.
func (r reporter) balances(ctx context.Context, rep *momo.Report) error {
	const columns = "subscriber_id, operator, currency, booked_at, transaction_id, balance"
	parts, args := r.sources(`
		SELECT `+columns+` FROM balance_months WHERE `, `
		SELECT `+columns+` FROM balance_days WHERE `)
	return r.over(ctx, `
		WITH last AS (
			SELECT operator, currency, booked_at, balance, ROW_NUMBER() OVER (
			           PARTITION BY subscriber_id, operator, currency
			           ORDER BY booked_at DESC, transaction_id DESC) AS nth
			FROM {sources}
		)
		SELECT operator, currency, CAST(SUM(balance) AS BIGINT), MAX(booked_at)
		FROM last WHERE nth = 1
		GROUP BY operator, currency
		ORDER BY operator, currency`, parts, args, appendBalance(rep))
}

// days sums the booked transactions of each local day and currency, the
// oldest day first.
func (r reporter) days(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT local_day, currency,
		       CAST(SUM(CASE WHEN direction = 'in' THEN total ELSE 0 END) AS BIGINT),
		       CAST(SUM(CASE WHEN direction = 'out' THEN total ELSE 0 END) AS BIGINT),
		       CAST(SUM(fees) AS BIGINT), CAST(SUM(taxes) AS BIGINT), CAST(SUM(count) AS BIGINT)
		FROM money_days WHERE {where}
		GROUP BY local_day, currency
		ORDER BY local_day, currency`, filter{}, appendDay(rep))
}

// balanceHistory reads the balance at the end of each local day that
// states one, per operator and currency, the oldest day first. Over
// several subscribers it is the sum of each one's last balance on or
// before that day within the range, as the report's Balances adds them
// up: each subscriber's balance counts from the day it changes by how much
// it changed (its difference from that subscriber's previous day), and a
// running sum over the days adds the changes up. At is the time of the
// day's latest balance.
func (r reporter) balanceHistory(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		WITH changes AS (
			SELECT local_day, operator, currency, booked_at,
			       balance - COALESCE(LAG(balance) OVER (
			           PARTITION BY subscriber_id, operator, currency ORDER BY local_day), 0) AS change
			FROM balance_days WHERE {where}
		), per_day AS (
			SELECT local_day, operator, currency, SUM(change) AS change, MAX(booked_at) AS at
			FROM changes
			GROUP BY local_day, operator, currency
		)
		SELECT local_day, operator, currency, at, CAST(SUM(change) OVER (
		           PARTITION BY operator, currency ORDER BY local_day
		           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT)
		FROM per_day
		ORDER BY local_day, operator, currency`, filter{}, appendBalanceDay(rep))
}

// riskLevels counts the assessed transactions of each risk level, the
// lowest scores first.
func (r reporter) riskLevels(ctx context.Context, rep *momo.Report) error {
	parts, args := r.sources(`
		SELECT risk_level, count, min_score FROM risk_months WHERE `, `
		SELECT risk_level, count, min_score FROM risk_days WHERE `)
	return r.over(ctx, `
		SELECT risk_level, CAST(SUM(count) AS BIGINT) FROM {sources}
		GROUP BY risk_level
		ORDER BY MIN(min_score), risk_level`, parts, args, func(rows *sql.Rows) error {
		var l momo.LevelCount
		if err := rows.Scan(&l.Level, &l.Count); err != nil {
			return err
		}
		rep.RiskLevels = append(rep.RiskLevels, l)
		return nil
	})
}

// maxAlerts is how many HIGH and CRITICAL verdicts a report lists.
const maxAlerts = 10

// alerts lists the most recent HIGH and CRITICAL verdicts.
func (r reporter) alerts(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT booked_at, kind, direction, currency, amount, risk_score, risk_level, risk_reasons, fake_sms
		FROM transactions
		WHERE {where}
		ORDER BY booked_at DESC, id DESC
		LIMIT ?`, filter{conds: []string{"risk_level IN ('HIGH', 'CRITICAL')", "booked = 1"}}, func(rows *sql.Rows) error {
		var a momo.Alert
		var at dbTime
		var amount sql.NullInt64
		var reasons string
		var fake int64
		if err := rows.Scan(&at, &a.Kind, &a.Direction, &a.Currency, &amount, &a.Risk.Score, &a.Risk.Level, &reasons, &fake); err != nil {
			return err
		}
		a.At, a.Amount, a.Risk.FakeSMS = at.Time, momo.Amount{Minor: amount.Int64, Known: amount.Valid}, fake != 0
		if err := json.Unmarshal([]byte(reasons), &a.Risk.Reasons); err != nil {
			return fmt.Errorf("read alert reasons: %w", err)
		}
		rep.Alerts = append(rep.Alerts, a)
		return nil
	}, maxAlerts)
}

// Row readers shared by the report and the test oracle that computes it
// from the base tables.

// countOutcomes reads (outcome, count) rows into the message counts.
func countOutcomes(rep *momo.Report) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var outcome momo.Outcome
		var n int
		if err := rows.Scan(&outcome, &n); err != nil {
			return err
		}
		rep.Messages += n
		switch outcome {
		case momo.OutcomeUnrecognized:
			rep.Unrecognized = n
		case momo.OutcomeRejected:
			rep.Rejected = n
		}
		return nil
	}
}

// collectMoney reads (month, currency, kind, direction, count, amount,
// fees, taxes) rows into groups.
func collectMoney(groups *[]moneyGroup) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var g moneyGroup
		if err := rows.Scan(&g.month, &g.currency, &g.kind, &g.direction, &g.count,
			&g.amount, &g.fees, &g.taxes); err != nil {
			return err
		}
		*groups = append(*groups, g)
		return nil
	}
}

// addMoney adds the money groups up into the report's sections.
func addMoney(rep *momo.Report, groups []moneyGroup) {
	for _, g := range groups {
		rep.Transactions += g.count
	}
	rep.Months = months(groups)
	rep.Kinds = kinds(groups)
	rep.Charges = charges(groups)
}

// appendBalance reads (operator, currency, balance, time) rows.
func appendBalance(rep *momo.Report) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var b momo.BalanceAt
		var at dbTime
		if err := rows.Scan(&b.Operator, &b.Currency, &b.Balance, &at); err != nil {
			return err
		}
		b.At = at.Time
		rep.Balances = append(rep.Balances, b)
		return nil
	}
}

// appendDay reads (day, currency, in, out, fees, taxes, count) rows.
func appendDay(rep *momo.Report) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var d momo.DayTotal
		if err := rows.Scan(&d.Day, &d.Currency, &d.In, &d.Out, &d.Fees, &d.Taxes, &d.Count); err != nil {
			return err
		}
		rep.Days = append(rep.Days, d)
		return nil
	}
}

// appendBalanceDay reads (day, operator, currency, time, balance) rows
// into the balance history; the day orders them and is not kept.
func appendBalanceDay(rep *momo.Report) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var b momo.BalanceAt
		var day string
		var at dbTime
		if err := rows.Scan(&day, &b.Operator, &b.Currency, &at, &b.Balance); err != nil {
			return err
		}
		b.At = at.Time
		rep.BalanceHistory = append(rep.BalanceHistory, b)
		return nil
	}
}
