package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// oracle computes the report as Report did before the totals of migration
// 00009, from every transaction and message in the range: the tests hold
// the totals to its results.
type oracle struct{ reporter }

// oracleReport is Report computed by the oracle. An owner's scope is
// resolved here, by other means than Report's (see oracleScope).
func (s *Store) oracleReport(ctx context.Context, q momo.ReportQuery) (momo.Report, error) {
	q, empty, err := s.oracleScope(ctx, q)
	if err != nil || empty {
		return momo.Report{}, err
	}
	top := q.Top
	if top <= 0 {
		top = defaultTop
	}
	top = min(top, maxTop)
	tx, err := s.db.BeginTx(ctx, s.d.reportTx)
	if err != nil {
		return momo.Report{}, err
	}
	defer tx.Rollback()

	r := oracle{reporter{tx: tx, d: s.d, q: q, top: top}}
	var rep momo.Report
	steps := []func(context.Context, *momo.Report) error{
		r.messages, r.money, r.counterparties, r.balances, r.riskLevels, r.alerts,
	}
	if q.Series {
		steps = append(steps, r.days, r.balanceHistory)
	}
	for _, run := range steps {
		if err := run(ctx, &rep); err != nil {
			return momo.Report{}, err
		}
	}
	return rep, nil
}

// oracleScope turns q's Owner into what the oracle's queries can ask
// without it: the owner's only subscriber, or every subscriber when the
// owner has them all. empty says that the scope holds no subscriber: the
// owner has none, or not the one asked for.
func (s *Store) oracleScope(ctx context.Context, q momo.ReportQuery) (momo.ReportQuery, bool, error) {
	if q.Owner == 0 {
		return q, false, nil
	}
	owned := map[momo.SubscriberID]bool{}
	all := 0
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id FROM subscribers`)
	if err != nil {
		return q, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id momo.SubscriberID
		var user sql.NullInt64
		if err := rows.Scan(&id, &user); err != nil {
			return q, false, err
		}
		all++
		if user.Valid && momo.UserID(user.Int64) == q.Owner {
			owned[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		return q, false, err
	}

	switch {
	case q.Subscriber != 0:
		q.Owner = 0
		return q, !owned[q.Subscriber], nil
	case len(owned) == 0:
		return q, true, nil
	case len(owned) == 1:
		q.Owner = 0
		for id := range owned {
			q.Subscriber = id
		}
		return q, false, nil
	case len(owned) == all:
		q.Owner = 0
		return q, false, nil
	}
	return q, false, fmt.Errorf("the oracle cannot scope an owner of %d of %d subscribers", len(owned), all)
}

// days sums the booked transactions of each local day and currency.
func (r oracle) days(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT local_day, currency,
		       COALESCE(SUM(CASE WHEN direction = 'in' THEN amount END), 0),
		       COALESCE(SUM(CASE WHEN direction = 'out' THEN amount END), 0),
		       COALESCE(SUM(fee), 0), COALESCE(SUM(tax), 0), COUNT(*)
		FROM transactions WHERE {where}
		GROUP BY local_day, currency
		ORDER BY local_day, currency`, filter{conds: []string{"booked = 1"}}, appendDay(rep))
}

// balanceHistory reads each subscriber's last balance of every day from
// the transactions, and carries each subscriber's balance forward in Go
// to add them up day by day.
func (r oracle) balanceHistory(ctx context.Context, rep *momo.Report) error {
	type dayBalance struct {
		sub           momo.SubscriberID
		day, operator string
		currency      momo.Currency
		at            dbTime
		balance       int64
	}
	var last []dayBalance
	err := r.each(ctx, `
		SELECT subscriber_id, local_day, operator, currency, booked_at, balance FROM (
			SELECT subscriber_id, local_day, operator, currency, booked_at, balance,
			       ROW_NUMBER() OVER (PARTITION BY subscriber_id, local_day, operator, currency
			                          ORDER BY booked_at DESC, id DESC) AS nth
			FROM transactions WHERE {where}
		) ranked WHERE nth = 1
		ORDER BY local_day, operator, currency`, filter{conds: []string{"balance IS NOT NULL"}}, func(rows *sql.Rows) error {
		var b dayBalance
		if err := rows.Scan(&b.sub, &b.day, &b.operator, &b.currency, &b.at, &b.balance); err != nil {
			return err
		}
		last = append(last, b)
		return nil
	})
	if err != nil {
		return err
	}

	type account struct {
		operator string
		currency momo.Currency
	}
	held := map[account]map[momo.SubscriberID]int64{}
	for i := 0; i < len(last); {
		first := last[i]
		acc := account{first.operator, first.currency}
		if held[acc] == nil {
			held[acc] = map[momo.SubscriberID]int64{}
		}
		point := momo.BalanceAt{Operator: first.operator, Currency: first.currency}
		for ; i < len(last) && last[i].day == first.day && last[i].operator == first.operator && last[i].currency == first.currency; i++ {
			held[acc][last[i].sub] = last[i].balance
			if last[i].at.After(point.At) {
				point.At = last[i].at.Time
			}
		}
		for _, b := range held[acc] {
			point.Balance += b
		}
		rep.BalanceHistory = append(rep.BalanceHistory, point)
	}
	return nil
}

// storedOutcomes are the outcomes a message row can have.
var storedOutcomes = []momo.Outcome{momo.OutcomeDuplicate, momo.OutcomeParsed,
	momo.OutcomeRejected, momo.OutcomeUnrecognized}

// messages counts messages by outcome, and unrecognized ones by operator.
func (r oracle) messages(ctx context.Context, rep *momo.Report) error {
	names := make([]string, len(storedOutcomes))
	for i, o := range storedOutcomes {
		names[i] = "'" + string(o) + "'" // constants of ours, not input
	}
	byOutcome := filter{conds: []string{"outcome IN (" + strings.Join(names, ", ") + ")"}}
	err := r.each(ctx, `
		SELECT outcome, COUNT(*) FROM messages WHERE {where}
		GROUP BY outcome`, byOutcome, countOutcomes(rep))
	if err != nil {
		return err
	}
	return r.each(ctx, `
		SELECT operator, COUNT(*) AS n
		FROM messages WHERE {where}
		GROUP BY operator
		ORDER BY n DESC, operator`, filter{conds: []string{"outcome = 'unrecognized'"}}, func(rows *sql.Rows) error {
		var o momo.OperatorCount
		if err := rows.Scan(&o.Operator, &o.Count); err != nil {
			return err
		}
		rep.UnrecognizedBy = append(rep.UnrecognizedBy, o)
		return nil
	})
}

// money fills the transaction count, months, kinds and charges from one
// pass over the booked transactions.
func (r oracle) money(ctx context.Context, rep *momo.Report) error {
	var groups []moneyGroup
	err := r.each(ctx, `
		SELECT local_month, currency, kind, direction, COUNT(*),
		       COALESCE(SUM(amount), 0), COALESCE(SUM(fee), 0), COALESCE(SUM(tax), 0)
		FROM transactions WHERE {where}
		GROUP BY local_month, currency, kind, direction`,
		filter{conds: []string{"booked = 1"}}, collectMoney(&groups))
	if err != nil {
		return err
	}
	addMoney(rep, groups)
	return nil
}

// counterparties lists, per currency, the top counterparties by money
// exchanged, in and out together (amounts in different currencies do not
// compare). Each comes with the sealed name and number of the latest
// transaction, of the same subscriber, that states them, in the range or
// not; over all subscribers, of the subscriber who last dealt with it.
func (r oracle) counterparties(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		WITH totals AS (
			SELECT counterparty_key, currency, COUNT(*) AS n,
			       COALESCE(SUM(CASE WHEN direction = 'in' THEN amount END), 0) AS money_in,
			       COALESCE(SUM(CASE WHEN direction = 'out' THEN amount END), 0) AS money_out,
			       MAX(id) AS last_id
			FROM transactions WHERE {where}
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
		       t.currency, t.n, t.money_in, t.money_out
		FROM top t
		LEFT JOIN counterparties c ON c.subscriber_id = t.subscriber_id
		     AND c.counterparty_key = t.counterparty_key AND c.currency = t.currency
		ORDER BY t.currency, t.nth`,
		filter{conds: []string{"booked = 1", "counterparty_key IS NOT NULL"}},
		func(rows *sql.Rows) error {
			var c momo.CounterpartyTotal
			if err := rows.Scan(&c.Key, &c.Name, &c.Number, &c.Currency, &c.Count, &c.In, &c.Out); err != nil {
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
func (r oracle) balances(ctx context.Context, rep *momo.Report) error {
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
		ORDER BY l.operator, l.currency`, filter{conds: []string{"balance IS NOT NULL"}}, appendBalance(rep))
}

// riskLevels counts the assessed booked transactions of each risk level.
func (r oracle) riskLevels(ctx context.Context, rep *momo.Report) error {
	return r.each(ctx, `
		SELECT risk_level, COUNT(*) FROM transactions
		WHERE {where}
		GROUP BY risk_level
		ORDER BY MIN(risk_score)`, filter{conds: []string{"risk_level IS NOT NULL", "booked = 1"}}, func(rows *sql.Rows) error {
		var l momo.LevelCount
		if err := rows.Scan(&l.Level, &l.Count); err != nil {
			return err
		}
		rep.RiskLevels = append(rep.RiskLevels, l)
		return nil
	})
}

// randomHistory saves a random history for sub over about four months, in
// random batches: every kind, failed and pending transactions, unknown
// amounts, balances, risk verdicts, counterparties, repeated messages and
// transactions, and companions saved before or after their primaries, in
// the same batch or not; round tells its messages and transactions from
// another round's. It returns the records by hash, for Reparse.
func randomHistory(t *testing.T, s *Store, sub momo.SubscriberID, round string, rng *rand.Rand) map[string]momo.MessageRecord {
	t.Helper()
	kinds := []struct {
		kind momo.Kind
		dir  momo.Direction
	}{
		{momo.KindReceived, momo.In}, {momo.KindSent, momo.Out}, {momo.KindPayment, momo.Out},
		{momo.KindAirtime, momo.Out}, {momo.KindWithdrawal, momo.Out}, {momo.KindBundle, momo.Out},
	}
	levels := []struct {
		level string
		low   int
	}{{"LOW", 0}, {"MEDIUM", 30}, {"HIGH", 60}, {"CRITICAL", 85}}
	t0 := at("2024-01-20 00:00")
	byHash := map[string]momo.MessageRecord{}
	var recs []momo.MessageRecord
	for i := range 400 {
		when := t0.Add(time.Duration(rng.IntN(120*24*60)) * time.Minute)
		hash := fmt.Sprintf("%d-%s-m%d", sub, round, i)
		if rng.IntN(10) == 0 {
			recs = append(recs, unrecognized(hash, []string{"MTN MoMo", "Telecel"}[rng.IntN(2)], when))
			continue
		}
		amount := int64(100 * (1 + rng.IntN(5)))
		var tx *momo.TransactionRecord
		if rng.IntN(6) == 0 { // a companion, its primary before or after it
			tx = bundleConfirmation(fmt.Sprintf("%s-bun%d", round, i), amount, when)
			pay := money(fmt.Sprintf("%s-pay%d", round, i), momo.KindPayment, momo.Out, amount,
				when.Add(time.Duration(rng.IntN(5)-2)*time.Minute))
			recs = append(recs, parsed(hash+"p", pay))
		} else {
			k := kinds[rng.IntN(len(kinds))]
			tx = money(fmt.Sprintf("%s-tx%d", round, i), k.kind, k.dir, amount, when)
			tx.Status = []momo.Status{momo.Completed, momo.Completed, momo.Completed, momo.Failed, momo.Pending, ""}[rng.IntN(6)]
			if rng.IntN(8) == 0 {
				tx.Amount = momo.Amount{}
			}
			if k.dir == momo.Out {
				tx.Fee, tx.Tax = momo.Some(amount/100), momo.Some(amount/200)
			}
			if rng.IntN(3) > 0 {
				tx.Balance = momo.Some(int64(rng.IntN(100_000)))
			}
			if rng.IntN(4) > 0 {
				cp := rng.IntN(12)
				tx.CounterpartyKey = fmt.Sprintf("cp%02d", cp)
				tx.Counterparty = momo.Sealed(fmt.Sprintf("name%02d-%d", cp, rng.IntN(3)))
			}
			if rng.IntN(2) == 0 {
				l := levels[rng.IntN(len(levels))]
				tx.Risk = &momo.Risk{Score: l.low + rng.IntN(10), Level: l.level, Reasons: []string{"test"}}
			}
		}
		if rng.IntN(4) == 0 {
			tx.LocalDay = "" // the day in the subscriber's timezone
		}
		if rng.IntN(3) == 0 {
			tx.Currency = "XOF"
			tx.Operator = "Wave"
		}
		recs = append(recs, parsed(hash, tx))
		if rng.IntN(15) == 0 { // the same transaction in another message
			again := *tx
			recs = append(recs, parsed(hash+"d", &again))
		}
	}
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	for i := 0; i < len(recs); {
		n := 1 + rng.IntN(60)
		batch := recs[i:min(i+n, len(recs))]
		if rng.IntN(5) == 0 && i > 0 { // a message saved again
			batch = append(slices.Clone(batch), recs[rng.IntN(i)])
		}
		save(t, s, sub, batch...)
		i += n
	}
	for _, r := range recs {
		byHash[r.Hash] = r
	}
	return byHash
}

// randomQueries are report queries over the random histories: no range,
// whole months, ranges that cut months, open ends, an empty range.
func randomQueries(rng *rand.Rand, subs []momo.SubscriberID) []momo.ReportQuery {
	fixed := []momo.ReportQuery{
		{}, {From: "2024-02-01", To: "2024-02-29"}, {From: "2024-02-01", To: "2024-03-31"},
		{From: "2024-02-10", To: "2024-02-20"}, {From: "2024-02-10"}, {To: "2024-03-15"},
		{From: "2024-03-01"}, {To: "2024-02-29"}, {From: "2024-03-10", To: "2024-02-10"},
		{From: "2024-03-10", To: "2024-03-09"}, {From: "2024-01-31", To: "2024-05-01"},
		{Top: 2}, {From: "2024-02-15", To: "2024-04-15", Top: 3},
	}
	day := func() string {
		return at("2024-01-15 00:00").AddDate(0, 0, rng.IntN(140)).Format(time.DateOnly)
	}
	for range 12 {
		q := momo.ReportQuery{From: day(), To: day(), Top: rng.IntN(5)}
		if q.From > q.To && rng.IntN(4) > 0 {
			q.From, q.To = q.To, q.From
		}
		fixed = append(fixed, q)
	}
	var out []momo.ReportQuery
	for _, sub := range append([]momo.SubscriberID{0}, subs...) {
		for i, q := range fixed {
			q.Subscriber = sub
			q.Series = i%2 == 0
			out = append(out, q)
		}
	}
	return out
}

// ownerQueries are queries of owner's scope, alone and with each of subs,
// with the day series.
func ownerQueries(owner momo.UserID, subs []momo.SubscriberID) []momo.ReportQuery {
	fixed := []momo.ReportQuery{{}, {From: "2024-02-10", To: "2024-03-20"}, {To: "2024-02-29", Top: 3}}
	var out []momo.ReportQuery
	for _, sub := range append([]momo.SubscriberID{0}, subs...) {
		for _, q := range fixed {
			q.Owner, q.Subscriber, q.Series = owner, sub, true
			out = append(out, q)
		}
	}
	return out
}

// checkAgainstOracle compares Report with the oracle on every query.
func checkAgainstOracle(t *testing.T, s *Store, queries []momo.ReportQuery) {
	t.Helper()
	ctx := context.Background()
	for _, q := range queries {
		got, err := s.Report(ctx, q)
		if err != nil {
			t.Fatalf("Report(%+v): %v", q, err)
		}
		want, err := s.oracleReport(ctx, q)
		if err != nil {
			t.Fatalf("oracle(%+v): %v", q, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v", q)
			compareReports(t, got, want)
		}
	}
}

// TestReportMatchesOracle holds the report from the totals to the report
// from every row, on random histories, before and after a reparse that
// changes amounts and drops some transactions, and after migration 9
// summed the totals again.
func TestReportMatchesOracle(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		for seed := range uint64(3) {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 9))
				s := openOn(t, e)
				subs := []momo.SubscriberID{subscriber(t, s, "a", ""), subscriber(t, s, "b", "America/New_York")}
				var recs []map[string]momo.MessageRecord
				for _, sub := range subs {
					recs = append(recs, randomHistory(t, s, sub, "first", rng))
				}
				// One account owns both subscribers, the other none.
				both, none := createUser(t, s, "both", momo.AdminIfFirst), createUser(t, s, "none", momo.AdminNever)
				for _, sub := range subs {
					if err := s.LinkSubscriber(context.Background(), sub, both.ID); err != nil {
						t.Fatal(err)
					}
				}
				queries := randomQueries(rng, subs)
				queries = append(queries, ownerQueries(both.ID, subs)...)
				queries = append(queries, ownerQueries(none.ID, subs)...)
				checkAgainstOracle(t, s, queries)

				_, err := s.Reparse(context.Background(), subs[0], func(m momo.StoredMessage) (momo.MessageRecord, error) {
					rec := recs[0][m.Hash]
					if rec.Tx != nil {
						tx := *rec.Tx
						switch rng.IntN(5) {
						case 0:
							tx.Amount = momo.Some(tx.Amount.Minor + 1)
						case 1:
							rec.Outcome, rec.Reason = momo.OutcomeRejected, "test"
							rec.Tx = nil
							return rec, nil
						}
						rec.Tx = &tx
					}
					return rec, nil
				})
				if err != nil {
					t.Fatalf("Reparse: %v", err)
				}
				checkAgainstOracle(t, s, queries)

				// New batches after the reparse keep the totals too.
				randomHistory(t, s, subs[0], "second", rng)
				checkAgainstOracle(t, s, queries)

				// Migration 9 sums the same totals from the rows.
				if _, err := s.migrations.DownTo(context.Background(), 8); err != nil {
					t.Fatalf("DownTo: %v", err)
				}
				if _, err := s.migrations.Up(context.Background()); err != nil {
					t.Fatalf("Up: %v", err)
				}
				checkAgainstOracle(t, s, queries)
			})
		}
	})
}

// TestTotalsFollowLinkedCompanion: a payment saved after midnight pairs
// with a bundle confirmation saved the day before in an earlier batch; the
// confirmation stops counting on its own day, which the second batch did
// not otherwise touch.
func TestTotalsFollowLinkedCompanion(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "a", "")
		save(t, s, sub, parsed("bun", bundleConfirmation("bun", 500, at("2024-02-29 23:58"))))
		save(t, s, sub, parsed("pay", money("pay", momo.KindPayment, momo.Out, 500, at("2024-03-01 00:01"))))
		if st := stored(t, s, sub, "bun"); st.Booked {
			t.Fatalf("the confirmation still counts: %+v", st)
		}
		queries := []momo.ReportQuery{{Subscriber: sub}, {Subscriber: sub, From: "2024-02-29", To: "2024-02-29"}}
		checkAgainstOracle(t, s, queries)
		rep, err := s.Report(context.Background(), queries[0])
		if err != nil {
			t.Fatal(err)
		}
		if rep.Transactions != 1 {
			t.Errorf("%d transactions counted, want 1", rep.Transactions)
		}
	})
}

func TestMonthSpan(t *testing.T) {
	tests := []struct {
		from, to string
		want     span
	}{
		{"", "", span{}},
		{"2024-02-01", "2024-03-31", span{first: "2024-02", last: "2024-03"}},
		{"2024-02-10", "", span{first: "2024-03", edges: [][2]string{{"2024-02-10", "2024-02-29"}}}},
		{"", "2024-03-15", span{last: "2024-02", edges: [][2]string{{"2024-03-01", "2024-03-15"}}}},
		{"2024-02-10", "2024-04-15", span{first: "2024-03", last: "2024-03",
			edges: [][2]string{{"2024-02-10", "2024-02-29"}, {"2024-04-01", "2024-04-15"}}}},
		{"2024-02-10", "2024-02-20", span{first: "2024-03", last: "2024-01",
			edges: [][2]string{{"2024-02-10", "2024-02-20"}}}},
		{"2024-02-01", "2024-02-20", span{first: "2024-02", last: "2024-01",
			edges: [][2]string{{"2024-02-01", "2024-02-20"}}}},
		{"2023-12-31", "2024-01-31", span{first: "2024-01", last: "2024-01",
			edges: [][2]string{{"2023-12-31", "2023-12-31"}}}},
	}
	for _, tt := range tests {
		if got := monthSpan(tt.from, tt.to); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("monthSpan(%q, %q) = %+v, want %+v", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestTotalsUnderConcurrentSaves saves the same records from four
// goroutines at once, each in its own order and batches: the messages and
// transactions of one subscriber overlap and race, and the totals must
// still match the rows.
func TestTotalsUnderConcurrentSaves(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "a", "")
		rng := rand.New(rand.NewPCG(7, 7))
		scratch := openOn(t, e) // randomHistory saves; only its records serve here
		recs := slices.Collect(maps.Values(randomHistory(t, scratch, subscriber(t, scratch, "a", ""), "c", rng)))
		slices.SortFunc(recs, func(a, b momo.MessageRecord) int { return strings.Compare(a.Hash, b.Hash) })

		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for g := range uint64(4) {
			mine := slices.Clone(recs)
			r := rand.New(rand.NewPCG(g, 1))
			r.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
			wg.Go(func() {
				for i := 0; i < len(mine); i += 40 {
					if _, err := s.Save(context.Background(), sub, mine[i:min(i+40, len(mine))]); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("Save: %v", err)
		}
		checkAgainstOracle(t, s, []momo.ReportQuery{{}, {Subscriber: sub, From: "2024-02-10", To: "2024-04-20"}})
	})
}
