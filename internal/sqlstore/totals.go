package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/momoanalytics/momo"
)

// Totals. Reports read sums kept per subscriber and day (money also per
// month, counterparties only per month) instead of every transaction: see
// migrations 00009 and 00011. Save adds
// its batch's new messages and transactions to them, in its own database
// transaction, counting each transaction as it stands after pairing. Rows
// stored before the batch change in one way only: a companion that a new
// transaction pairs with stops counting; Save sums the days (and months)
// of such companions again from the base tables, the batch's rows on them
// included, instead of adding to them. Reparse sums all the subscriber's
// days again.

// totalsTable is a totals table and the statement that sums its rows again from
// the rows it totals, where "{where}" selects them.
type totalsTable struct {
	table, insert string
	// booked: the table counts booked transactions alone, and changes when
	// a stored transaction becomes a companion.
	booked bool
}

// dayTotals are the sums kept per day. Each insert sums the base rows that
// "{where}" selects, which names subscriber_id and local_day only.
// money_days and risk_days count booked transactions alone, as every
// figure of a report does, and are summed again when a stored transaction
// becomes a companion (bookedDays); the others count every message and
// balance and do not change then.
var dayTotals = []totalsTable{
	{booked: true, table: "money_days", insert: `
		INSERT INTO money_days (subscriber_id, local_day, currency, kind, direction,
			count, total, fees, taxes)
		SELECT subscriber_id, local_day, currency, kind, direction, COUNT(*),
		       COALESCE(SUM(amount), 0), COALESCE(SUM(fee), 0), COALESCE(SUM(tax), 0)
		FROM transactions WHERE {where} AND booked = 1
		GROUP BY subscriber_id, local_day, currency, kind, direction`},
	{table: "message_days", insert: `
		INSERT INTO message_days (subscriber_id, local_day, outcome, operator, count)
		SELECT subscriber_id, local_day, outcome, operator, COUNT(*)
		FROM messages WHERE {where}
		GROUP BY subscriber_id, local_day, outcome, operator`},
	{booked: true, table: "risk_days", insert: `
		INSERT INTO risk_days (subscriber_id, local_day, risk_level, count, min_score)
		SELECT subscriber_id, local_day, risk_level, COUNT(*), MIN(risk_score)
		FROM transactions WHERE {where} AND booked = 1 AND risk_level IS NOT NULL
		GROUP BY subscriber_id, local_day, risk_level`},
	{table: "balance_days", insert: `
		INSERT INTO balance_days (subscriber_id, local_day, operator, currency,
			booked_at, transaction_id, balance)
		SELECT subscriber_id, local_day, operator, currency, booked_at, id, balance
		FROM (SELECT subscriber_id, local_day, operator, currency, booked_at, id, balance,
		             ROW_NUMBER() OVER (PARTITION BY subscriber_id, local_day, operator, currency
		                                ORDER BY booked_at DESC, id DESC) AS nth
		      FROM transactions WHERE {where} AND balance IS NOT NULL) last
		WHERE nth = 1`},
}

// counterpartyTotals sums booked transactions with a counterparty per month;
// "{where}" selects transactions by subscriber_id and local_day.
const counterpartyTotals = `
	INSERT INTO counterparty_months (subscriber_id, local_month, counterparty_key, currency,
		count, money_in, money_out, last_id)
	SELECT subscriber_id, local_month, counterparty_key, currency, COUNT(*),
	       COALESCE(SUM(CASE WHEN direction = 'in' THEN amount END), 0),
	       COALESCE(SUM(CASE WHEN direction = 'out' THEN amount END), 0), MAX(id)
	FROM transactions WHERE {where} AND booked = 1 AND counterparty_key IS NOT NULL
	GROUP BY subscriber_id, local_month, counterparty_key, currency`

// monthTotals sum the daily totals into months; "{where}" selects days by
// subscriber_id and local_day. They run after the days are summed. Only
// money_months is summed again when stored transactions become
// companions, as only money_days is.
var monthTotals = []totalsTable{
	{booked: true, table: "money_months", insert: `
		INSERT INTO money_months (subscriber_id, local_month, currency, kind, direction,
			count, total, fees, taxes)
		SELECT subscriber_id, substr(local_day, 1, 7), currency, kind, direction,
		       SUM(count), SUM(total), SUM(fees), SUM(taxes)
		FROM money_days WHERE {where}
		GROUP BY subscriber_id, substr(local_day, 1, 7), currency, kind, direction`},
	{table: "message_months", insert: `
		INSERT INTO message_months (subscriber_id, local_month, outcome, operator, count)
		SELECT subscriber_id, substr(local_day, 1, 7), outcome, operator, SUM(count)
		FROM message_days WHERE {where}
		GROUP BY subscriber_id, substr(local_day, 1, 7), outcome, operator`},
	{booked: true, table: "risk_months", insert: `
		INSERT INTO risk_months (subscriber_id, local_month, risk_level, count, min_score)
		SELECT subscriber_id, substr(local_day, 1, 7), risk_level, SUM(count), MIN(min_score)
		FROM risk_days WHERE {where}
		GROUP BY subscriber_id, substr(local_day, 1, 7), risk_level`},
	{table: "balance_months", insert: `
		INSERT INTO balance_months (subscriber_id, local_month, operator, currency,
			booked_at, transaction_id, balance)
		SELECT subscriber_id, local_month, operator, currency, booked_at, transaction_id, balance
		FROM (SELECT subscriber_id, substr(local_day, 1, 7) AS local_month, operator, currency,
		             booked_at, transaction_id, balance,
		             ROW_NUMBER() OVER (PARTITION BY subscriber_id, substr(local_day, 1, 7), operator, currency
		                                ORDER BY booked_at DESC, transaction_id DESC) AS nth
		      FROM balance_days WHERE {where}) last
		WHERE nth = 1`},
}

// maxDays is how many days one statement sums again.
const maxDays = 200

// totaler runs the totals' statements of one subscriber in a database
// transaction.
type totaler struct {
	tx  *sql.Tx
	d   *dialect
	sub momo.SubscriberID
}

func (t totaler) exec(ctx context.Context, query string, args ...any) error {
	if _, err := t.tx.ExecContext(ctx, t.d.q(query), args...); err != nil {
		return fmt.Errorf("update totals: %w", err)
	}
	return nil
}

// lock makes concurrent writers of one subscriber's totals take turns. On
// PostgreSQL, a transaction that deletes a day's sums and sums it again
// must not run beside another that adds to or sums that day: after the
// lock, each statement sees the other's committed rows (read committed),
// so that no transaction is missed or counted twice. SQLite writes one
// transaction at a time anyway.
func (t totaler) lock(ctx context.Context) error {
	return t.exec(ctx, `UPDATE subscribers SET timezone = timezone WHERE id = ?`, t.sub)
}

// bookedDays sums again the totals of booked transactions of the given
// days and their months: those that change when stored transactions of
// theirs become companions.
func (t totaler) bookedDays(ctx context.Context, days []string) error {
	for lo := 0; lo < len(days); lo += maxDays {
		chunk := days[lo:min(lo+maxDays, len(days))]
		where := "subscriber_id = ? AND local_day IN (" + listSQL(len(chunk)) + ")"
		args := make([]any, 0, 1+len(chunk))
		args = append(args, int64(t.sub))
		for _, d := range chunk {
			args = append(args, d)
		}
		for _, it := range bookedTotals(dayTotals) {
			if err := t.exec(ctx, "DELETE FROM "+it.table+" WHERE "+where, args...); err != nil {
				return err
			}
			if err := t.exec(ctx, strings.Replace(it.insert, "{where}", where, 1), args...); err != nil {
				return err
			}
		}
	}
	return t.months(ctx, monthsOf(days))
}

// bookedTotals are the totals among ts that count booked transactions
// alone: those a new companion changes.
func bookedTotals(ts []totalsTable) []totalsTable {
	var out []totalsTable
	for _, t := range ts {
		if t.booked {
			out = append(out, t)
		}
	}
	return out
}

// months sums the booked totals and the counterparties of whole months
// again, from the daily totals, whose days must be summed already.
func (t totaler) months(ctx context.Context, months []string) error {
	const days = "subscriber_id = ? AND local_day >= ? AND local_day <= ?"
	redo := append(bookedTotals(monthTotals), totalsTable{table: "counterparty_months", insert: counterpartyTotals})
	for _, m := range months {
		for _, it := range redo {
			if err := t.exec(ctx, "DELETE FROM "+it.table+" WHERE subscriber_id = ? AND local_month = ?",
				int64(t.sub), m); err != nil {
				return err
			}
			if err := t.exec(ctx, strings.Replace(it.insert, "{where}", days, 1), int64(t.sub), m+"-01", m+"-31"); err != nil {
				return err
			}
		}
	}
	return nil
}

// all sums every day of the subscriber again.
func (t totaler) all(ctx context.Context) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	inserts := []totalsTable{{table: "counterparty_months", insert: counterpartyTotals}}
	inserts = append(inserts, dayTotals...)
	inserts = append(inserts, monthTotals...) // after the days they sum
	for _, it := range inserts {
		if err := t.exec(ctx, "DELETE FROM "+it.table+" WHERE subscriber_id = ?", int64(t.sub)); err != nil {
			return err
		}
		if err := t.exec(ctx, strings.Replace(it.insert, "{where}", "subscriber_id = ?", 1), int64(t.sub)); err != nil {
			return err
		}
	}
	return nil
}

// monthsOf lists the months of days, in order, once each.
func monthsOf(days []string) []string {
	months := make([]string, 0, 2)
	for _, d := range days {
		months = append(months, d[:7])
	}
	slices.Sort(months)
	return slices.Compact(months)
}

// totals adds the batch's new messages and transactions to the totals. A
// stored transaction that the batch made a companion stops counting on its
// own day: the money of those days and the counterparties of their months
// are summed again from the base tables instead, the batch's new rows on
// them included.
func (w *writer) totals(ctx context.Context, es []entry, firsts []newTx) error {
	fresh := make(map[int64]bool, len(firsts))
	for _, n := range firsts {
		if n.e.owner {
			fresh[n.e.txID] = true
		}
	}
	redo := map[string]bool{}
	for id := range w.linked {
		if fresh[id] {
			continue
		}
		var day string
		err := w.tx.QueryRowContext(ctx, w.d.q(`SELECT local_day FROM transactions WHERE id = ?`), id).Scan(&day)
		if err != nil {
			return fmt.Errorf("read linked companion's day: %w", err)
		}
		redo[day] = true
	}
	var days []string
	redoMonths := map[string]bool{}
	for d := range redo {
		days = append(days, d)
		redoMonths[d[:7]] = true
	}
	slices.Sort(days)

	t := totaler{tx: w.tx, d: w.d, sub: w.sub} // locked by newWriter
	var sums batchSums
	sums.add(w, es, firsts, redo, redoMonths)
	if err := sums.apply(ctx, t); err != nil {
		return err
	}
	return t.bookedDays(ctx, days)
}

// batchSums are a batch's additions to the totals tables, one row per key.
type batchSums struct {
	money    map[[4]string]*[4]int64 // day, currency, kind, direction: count, total, fees, taxes
	months   map[[4]string]*[4]int64 // the same by month
	messages map[[3]string]int64     // day, outcome, operator
	risk     map[[2]string]*[2]int64 // day, level: count, lowest score
	balances map[[3]string]balanceAt // day, operator, currency
	counter  map[[3]string]*[4]int64 // month, key, currency: count, in, out, last id
	// redoMonths are the months whose booked totals are summed again
	// whole after the batch: their risk levels are not added to.
	redoMonths map[string]bool
}

type balanceAt struct {
	at      string
	id, sum int64
}

// later says whether b was stated after a: by time, then stored last.
func (b balanceAt) later(a balanceAt) bool {
	return b.at > a.at || b.at == a.at && b.id > a.id
}

// add sums the batch's stored messages and new transactions, leaving out
// the money of the days in skip and the counterparties of the months in
// skipMonths, which are summed again whole.
func (s *batchSums) add(w *writer, es []entry, firsts []newTx, skip, skipMonths map[string]bool) {
	s.money = map[[4]string]*[4]int64{}
	s.months = map[[4]string]*[4]int64{}
	s.messages = map[[3]string]int64{}
	s.risk = map[[2]string]*[2]int64{}
	s.balances = map[[3]string]balanceAt{}
	s.counter = map[[3]string]*[4]int64{}
	s.redoMonths = skipMonths
	for i := range es {
		e := &es[i]
		if e.msgID != 0 {
			s.messages[[3]string{w.messageDay(e.rec, e.at), string(e.outcome()), e.rec.Operator}]++
		}
	}
	for i := range firsts {
		n := &firsts[i]
		if !n.e.owner {
			continue
		}
		day := w.txDay(n)
		counts := n.booked && !w.linked[n.e.txID]
		s.addDay(n, day, counts && !skip[day])
		if counts && !skipMonths[day[:7]] {
			sumMoney(s.months, n.e.rec.Tx, day[:7])
			if n.e.rec.Tx.CounterpartyKey != "" {
				s.addCounterparty(n, day[:7])
			}
		}
	}
}

// addDay adds a new transaction to its day's sums, to its money and risk
// if booked says so.
func (s *batchSums) addDay(n *newTx, day string, booked bool) {
	t := n.e.rec.Tx
	if booked {
		sumMoney(s.money, t, day)
	}
	if booked && t.Risk != nil {
		k := [2]string{day, t.Risk.Level}
		r := s.risk[k]
		if r == nil {
			r = &[2]int64{0, int64(t.Risk.Score)}
			s.risk[k] = r
		}
		r[0]++
		r[1] = min(r[1], int64(t.Risk.Score))
	}
	if t.Balance.Known {
		k := [3]string{day, t.Operator, string(t.Currency)}
		b := balanceAt{at: timeText(n.at), id: n.e.txID, sum: t.Balance.Minor}
		if old, ok := s.balances[k]; !ok || b.later(old) {
			s.balances[k] = b
		}
	}
}

// sumMoney adds a booked transaction's money to the sums of its day or
// month.
func sumMoney(sums map[[4]string]*[4]int64, t *momo.TransactionRecord, when string) {
	k := [4]string{when, string(t.Currency), string(t.Kind), string(t.Direction)}
	m := sums[k]
	if m == nil {
		m = new([4]int64)
		sums[k] = m
	}
	m[0]++
	m[1] += known(t.Amount)
	m[2] += known(t.Fee)
	m[3] += known(t.Tax)
}

// addCounterparty adds a new booked transaction to its counterparty's
// month.
func (s *batchSums) addCounterparty(n *newTx, month string) {
	t := n.e.rec.Tx
	k := [3]string{month, t.CounterpartyKey, string(t.Currency)}
	c := s.counter[k]
	if c == nil {
		c = new([4]int64)
		s.counter[k] = c
	}
	c[0]++
	switch t.Direction {
	case momo.In:
		c[1] += known(t.Amount)
	case momo.Out:
		c[2] += known(t.Amount)
	}
	c[3] = max(c[3], n.e.txID)
}

// known is an amount as the totals add it: an unknown one counts 0.
func known(a momo.Amount) int64 {
	if a.Known {
		return a.Minor
	}
	return 0
}

// apply adds the sums to the totals tables.
func (s *batchSums) apply(ctx context.Context, t totaler) error {
	sub := int64(t.sub)
	var money, months, messages, risk, balances, counter [][]any
	for k, m := range s.money {
		money = append(money, []any{sub, k[0], k[1], k[2], k[3], m[0], m[1], m[2], m[3]})
	}
	for k, m := range s.months {
		months = append(months, []any{sub, k[0], k[1], k[2], k[3], m[0], m[1], m[2], m[3]})
	}
	for k, n := range s.messages {
		messages = append(messages, []any{sub, k[0], k[1], k[2], n})
	}
	for k, r := range s.risk {
		risk = append(risk, []any{sub, k[0], k[1], r[0], r[1]})
	}
	for k, b := range s.balances {
		balances = append(balances, []any{sub, k[0], k[1], k[2], b.at, b.id, b.sum})
	}
	messageMonths, riskMonths, balanceMonths := s.byMonth(sub)
	for k, c := range s.counter {
		counter = append(counter, []any{sub, k[0], k[1], k[2], c[0], c[1], c[2], c[3]})
	}
	for _, u := range []struct {
		head string
		rows [][]any
		tail string
	}{
		{`INSERT INTO money_days (subscriber_id, local_day, currency, kind, direction, count, total, fees, taxes)`, money, `
			ON CONFLICT (subscriber_id, local_day, currency, kind, direction) DO UPDATE SET
				count = money_days.count + excluded.count, total = money_days.total + excluded.total,
				fees = money_days.fees + excluded.fees, taxes = money_days.taxes + excluded.taxes`},
		{`INSERT INTO money_months (subscriber_id, local_month, currency, kind, direction, count, total, fees, taxes)`, months, `
			ON CONFLICT (subscriber_id, local_month, currency, kind, direction) DO UPDATE SET
				count = money_months.count + excluded.count, total = money_months.total + excluded.total,
				fees = money_months.fees + excluded.fees, taxes = money_months.taxes + excluded.taxes`},
		{`INSERT INTO message_days (subscriber_id, local_day, outcome, operator, count)`, messages, `
			ON CONFLICT (subscriber_id, local_day, outcome, operator) DO UPDATE SET
				count = message_days.count + excluded.count`},
		{`INSERT INTO message_months (subscriber_id, local_month, outcome, operator, count)`, messageMonths, `
			ON CONFLICT (subscriber_id, local_month, outcome, operator) DO UPDATE SET
				count = message_months.count + excluded.count`},
		{`INSERT INTO risk_months (subscriber_id, local_month, risk_level, count, min_score)`, riskMonths, `
			ON CONFLICT (subscriber_id, local_month, risk_level) DO UPDATE SET
				count = risk_months.count + excluded.count,
				min_score = CASE WHEN excluded.min_score < risk_months.min_score
				                 THEN excluded.min_score ELSE risk_months.min_score END`},
		{`INSERT INTO balance_months (subscriber_id, local_month, operator, currency, booked_at, transaction_id, balance)`, balanceMonths, `
			ON CONFLICT (subscriber_id, local_month, operator, currency) DO UPDATE SET
				booked_at = excluded.booked_at, transaction_id = excluded.transaction_id, balance = excluded.balance
			WHERE excluded.booked_at > balance_months.booked_at
			   OR excluded.booked_at = balance_months.booked_at AND excluded.transaction_id > balance_months.transaction_id`},
		{`INSERT INTO risk_days (subscriber_id, local_day, risk_level, count, min_score)`, risk, `
			ON CONFLICT (subscriber_id, local_day, risk_level) DO UPDATE SET
				count = risk_days.count + excluded.count,
				min_score = CASE WHEN excluded.min_score < risk_days.min_score
				                 THEN excluded.min_score ELSE risk_days.min_score END`},
		{`INSERT INTO balance_days (subscriber_id, local_day, operator, currency, booked_at, transaction_id, balance)`, balances, `
			ON CONFLICT (subscriber_id, local_day, operator, currency) DO UPDATE SET
				booked_at = excluded.booked_at, transaction_id = excluded.transaction_id, balance = excluded.balance
			WHERE excluded.booked_at > balance_days.booked_at
			   OR excluded.booked_at = balance_days.booked_at AND excluded.transaction_id > balance_days.transaction_id`},
		{`INSERT INTO counterparty_months (subscriber_id, local_month, counterparty_key, currency, count, money_in, money_out, last_id)`, counter, `
			ON CONFLICT (subscriber_id, local_month, counterparty_key, currency) DO UPDATE SET
				count = counterparty_months.count + excluded.count,
				money_in = counterparty_months.money_in + excluded.money_in,
				money_out = counterparty_months.money_out + excluded.money_out,
				last_id = CASE WHEN excluded.last_id > counterparty_months.last_id
				               THEN excluded.last_id ELSE counterparty_months.last_id END`},
	} {
		if err := t.upsert(ctx, u.head, u.rows, u.tail); err != nil {
			return err
		}
	}
	return nil
}

// byMonth folds the batch's daily sums of messages, risk levels and
// balances into months, as rows for apply. Messages and balances change
// only by what batches add, never by companions; the risk levels of the
// months summed again whole (redoMonths) are left to that.
func (s *batchSums) byMonth(sub int64) (messages, risk, balances [][]any) {
	msgs := map[[3]string]int64{}
	for k, n := range s.messages {
		msgs[[3]string{k[0][:7], k[1], k[2]}] += n
	}
	levels := map[[2]string]*[2]int64{}
	for k, r := range s.risk {
		if s.redoMonths[k[0][:7]] {
			continue
		}
		m := [2]string{k[0][:7], k[1]}
		if old := levels[m]; old != nil {
			old[0] += r[0]
			old[1] = min(old[1], r[1])
		} else {
			levels[m] = &[2]int64{r[0], r[1]}
		}
	}
	last := map[[3]string]balanceAt{}
	for k, b := range s.balances {
		m := [3]string{k[0][:7], k[1], k[2]}
		if old, ok := last[m]; !ok || b.later(old) {
			last[m] = b
		}
	}

	for k, n := range msgs {
		messages = append(messages, []any{sub, k[0], k[1], k[2], n})
	}
	for k, r := range levels {
		risk = append(risk, []any{sub, k[0], k[1], r[0], r[1]})
	}
	for k, b := range last {
		balances = append(balances, []any{sub, k[0], k[1], k[2], b.at, b.id, b.sum})
	}
	return messages, risk, balances
}

// upsert runs head VALUES rows tail, in the chunks that Save's inserts use:
// a few sizes of statement, which PostgreSQL's driver prepares once each.
// No two rows of a statement share a key: PostgreSQL refuses to update a
// row twice in one statement.
func (t totaler) upsert(ctx context.Context, head string, rows [][]any, tail string) error {
	return chunks(len(rows), func(lo, hi int) error {
		width := len(rows[lo])
		args := make([]any, 0, (hi-lo)*width)
		for _, r := range rows[lo:hi] {
			args = append(args, r...)
		}
		return t.exec(ctx, head+" VALUES "+rowsSQL(hi-lo, width)+tail, args...)
	})
}
