package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// scopeData is three subscribers with random histories: one in New York,
// whose local days are not its UTC dates, two owned by one account; a
// second account owns none.
type scopeData struct {
	s          *Store
	subs       []momo.SubscriberID // a, b (New York), c
	both, none momo.UserID         // owner of a and b; owner of nothing
}

func newScopeData(t *testing.T, e engine) scopeData {
	t.Helper()
	s := openOn(t, e)
	rng := rand.New(rand.NewPCG(3, 5))
	d := scopeData{s: s}
	for _, sub := range []struct{ ref, tz string }{{"a", ""}, {"b", "America/New_York"}, {"c", "Asia/Tokyo"}} {
		id := subscriber(t, s, sub.ref, sub.tz)
		randomHistory(t, s, id, "r", rng)
		d.subs = append(d.subs, id)
	}
	// At the edges of 5 March in New York and in Tokyo: the UTC dates are
	// the 6th and the 4th.
	edge := func(sub momo.SubscriberID, key string, when time.Time) {
		tx := money(key, momo.KindReceived, momo.In, 100, when)
		tx.LocalDay = ""
		msg := unrecognized(key+"-u", "MTN MoMo", when)
		save(t, s, sub, parsed(key, tx), msg)
	}
	edge(d.subs[1], "ny-late", at("2024-03-06 04:30"))
	edge(d.subs[2], "tokyo-early", at("2024-03-04 15:30"))

	d.both = createUser(t, s, "both", momo.AdminIfFirst).ID
	d.none = createUser(t, s, "none", momo.AdminNever).ID
	for _, sub := range d.subs[:2] {
		if err := s.LinkSubscriber(context.Background(), sub, d.both); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// scopes are the scopes every listing test asks for, and the subscribers
// each holds.
func (d scopeData) scopes() []struct {
	name  string
	owner momo.UserID
	sub   momo.SubscriberID
	holds []momo.SubscriberID
} {
	return []struct {
		name  string
		owner momo.UserID
		sub   momo.SubscriberID
		holds []momo.SubscriberID
	}{
		{"everyone", 0, 0, d.subs},
		{"one subscriber", 0, d.subs[1], d.subs[1:2]},
		{"an account of two", d.both, 0, d.subs[:2]},
		{"one of the account's", d.both, d.subs[0], d.subs[:1]},
		{"another's subscriber", d.both, d.subs[2], nil},
		{"an account of none", d.none, 0, nil},
	}
}

// inList is the SQL list of ids, or a condition nothing meets.
func inList(ids []momo.SubscriberID) string {
	if len(ids) == 0 {
		return "subscriber_id IS NULL"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "subscriber_id IN (" + strings.Join(parts, ", ") + ")"
}

// ids runs a query of ids.
func ids(t *testing.T, s *Store, query string, args ...any) []int64 {
	t.Helper()
	rows, err := s.db.Query(s.d.q(query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dayRange is the SQL condition on local_day of from..to, with its
// arguments.
func dayRange(from, to string) (string, []any) {
	cond, args := "1 = 1", []any{}
	if from != "" {
		cond, args = cond+" AND local_day >= ?", append(args, from)
	}
	if to != "" {
		cond, args = cond+" AND local_day <= ?", append(args, to)
	}
	return cond, args
}

var listRanges = [][2]string{{"", ""}, {"2024-02-10", "2024-03-20"}, {"2024-03-01", ""}, {"", "2024-02-15"}, {"2024-03-05", "2024-03-05"}, {"2024-05-01", "2024-04-01"}}

// TestTransactionsPages walks every page of every scope and range and
// holds the rows to a plain query over the transactions.
func TestTransactionsPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		d := newScopeData(t, e)
		for _, sc := range d.scopes() {
			for _, r := range listRanges {
				for _, limit := range []int{1, 7, 1000} {
					cond, args := dayRange(r[0], r[1])
					want := ids(t, d.s, `SELECT id FROM transactions WHERE booked = 1 AND `+inList(sc.holds)+` AND `+cond+`
						ORDER BY booked_at DESC, id DESC`, args...)
					q := momo.TransactionQuery{Owner: sc.owner, Subscriber: sc.sub, From: r[0], To: r[1], Limit: limit}
					got := walkPages(t, d.s, q)
					if !slices.Equal(got, want) {
						t.Errorf("%s %v limit %d: %d rows, want %d (first differ at %d)", sc.name, r, limit,
							len(got), len(want), firstDiff(got, want))
					}
				}
			}
		}
	})
}

// walkPages lists every page of q and returns the ids, checking More.
func walkPages(t *testing.T, s *Store, q momo.TransactionQuery) []int64 {
	t.Helper()
	var out []int64
	for pages := 0; ; pages++ {
		page, err := s.Transactions(context.Background(), q)
		if err != nil {
			t.Fatalf("Transactions(%+v): %v", q, err)
		}
		if len(page.Rows) > q.Limit || (page.More && len(page.Rows) != q.Limit) {
			t.Fatalf("page of %d rows, More %v, limit %d", len(page.Rows), page.More, q.Limit)
		}
		for _, r := range page.Rows {
			out = append(out, r.ID)
		}
		if !page.More {
			return out
		}
		if pages > 2000 {
			t.Fatal("endless pages")
		}
		q.After = page.Rows[len(page.Rows)-1].Cursor()
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestTransactionsManySubscribers lists more subscribers than are merged
// one by one: the single query must give the same order.
func TestTransactionsManySubscribers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		for i := range maxMerged + 2 {
			sub := subscriber(t, s, fmt.Sprint("s", i), "")
			when := at("2024-03-01 10:00").Add(time.Duration(i%5) * time.Minute) // ties across subscribers
			save(t, s, sub,
				parsed(fmt.Sprint("h", i), money(fmt.Sprint("k", i), momo.KindReceived, momo.In, 100, when)),
				parsed(fmt.Sprint("g", i), money(fmt.Sprint("j", i), momo.KindSent, momo.Out, 100, when.AddDate(0, 0, -i))))
		}
		want := ids(t, s, `SELECT id FROM transactions WHERE booked = 1 ORDER BY booked_at DESC, id DESC`)
		for _, limit := range []int{5, 1000} {
			if got := walkPages(t, s, momo.TransactionQuery{Limit: limit}); !slices.Equal(got, want) {
				t.Errorf("limit %d: %v, want %v", limit, got, want)
			}
		}
	})
}

// TestTransactionsReadsBackRecords: a page holds every field the store
// keeps of a transaction.
func TestTransactionsReadsBackRecords(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "Africa/Accra")
		full := money("full", momo.KindSent, momo.Out, 5000, at("2024-03-01 10:00"))
		full.OccurredAt = at("2024-03-01 09:59")
		full.Fee, full.Tax, full.Balance = momo.Some(50), momo.Some(0), momo.Some(12345)
		full.Counterparty, full.CounterpartyNumber, full.CounterpartyKey = "sealed:name", "sealed:number", "K1"
		full.OperatorTxID = "TX123"
		full.Companion = momo.Companion{Kinds: []momo.Kind{momo.KindBundle, momo.KindAirtime}, Window: 5 * time.Minute}
		full.Risk = &momo.Risk{Score: 70, Level: "HIGH", Reasons: []string{"new counterparty", "large amount"}, FakeSMS: true}
		bare := money("bare", momo.KindReceived, momo.In, 0, at("2024-03-01 11:00"))
		bare.Amount, bare.Operator, bare.Template = momo.Amount{}, "", ""
		save(t, s, sub, parsed("h1", full), parsed("h2", bare))

		page, err := s.Transactions(context.Background(), momo.TransactionQuery{Subscriber: sub, Limit: 10})
		if err != nil {
			t.Fatalf("Transactions: %v", err)
		}
		want := []momo.TransactionRecord{*bare, *full} // newest first
		if len(page.Rows) != 2 || page.More {
			t.Fatalf("page = %+v, want two rows", page)
		}
		for i, row := range page.Rows {
			if row.Subscriber != sub || row.ID == 0 {
				t.Errorf("row %d: subscriber %d, id %d", i, row.Subscriber, row.ID)
			}
			if !reflect.DeepEqual(row.TransactionRecord, want[i]) {
				t.Errorf("row %d:\n got %+v\nwant %+v", i, row.TransactionRecord, want[i])
			}
		}
	})
}

func TestTransactionsRefusesBadQueries(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		for _, q := range []momo.TransactionQuery{
			{Limit: 0}, {Limit: -1}, {Limit: momo.MaxTransactionPage + 1},
			{Limit: 10, From: "2024-1-1"}, {Limit: 10, To: "2024-02-30"},
		} {
			if _, err := s.Transactions(context.Background(), q); momo.ErrorCode(err) != momo.CodeInvalid {
				t.Errorf("Transactions(%+v): %v, want invalid", q, err)
			}
		}
		for _, limit := range []int{0, momo.MaxTransactionPage + 1} {
			if _, err := s.RecentUnrecognized(context.Background(), momo.ReportQuery{}, limit); momo.ErrorCode(err) != momo.CodeInvalid {
				t.Errorf("RecentUnrecognized(limit %d): %v, want invalid", limit, err)
			}
		}
		if _, err := s.RecentUnrecognized(context.Background(), momo.ReportQuery{From: "x"}, 5); momo.ErrorCode(err) != momo.CodeInvalid {
			t.Errorf("RecentUnrecognized(bad date): %v, want invalid", err)
		}
	})
}

func TestRecentUnrecognized(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		d := newScopeData(t, e)
		for _, sc := range d.scopes() {
			for _, r := range listRanges {
				for _, limit := range []int{1, 5, 1000} {
					cond, args := dayRange(r[0], r[1])
					want := ids(t, d.s, `SELECT id FROM messages WHERE outcome = 'unrecognized' AND `+inList(sc.holds)+` AND `+cond+`
						ORDER BY local_day DESC, id DESC LIMIT ?`, append(args, limit)...)
					got, err := d.s.RecentUnrecognized(context.Background(),
						momo.ReportQuery{Owner: sc.owner, Subscriber: sc.sub, From: r[0], To: r[1]}, limit)
					if err != nil {
						t.Fatalf("RecentUnrecognized: %v", err)
					}
					var gotIDs []int64
					for _, m := range got {
						if m.Outcome != momo.OutcomeUnrecognized || !strings.HasPrefix(string(m.Body), "sealed:") {
							t.Errorf("message %+v", m)
						}
						gotIDs = append(gotIDs, m.ID)
					}
					if !slices.Equal(gotIDs, want) {
						t.Errorf("%s %v limit %d: %v, want %v", sc.name, r, limit, gotIDs, want)
					}
				}
			}
		}
	})
}

func TestSubscribers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		d := newScopeData(t, e)
		ctx := context.Background()
		idle := subscriber(t, d.s, "idle", "")

		got, err := d.s.Subscribers(ctx, 10)
		if err != nil {
			t.Fatalf("Subscribers: %v", err)
		}
		if len(got) != 4 {
			t.Fatalf("%d subscribers, want 4", len(got))
		}
		for i, sum := range got {
			id := sum.Subscriber.ID
			wantTx := int64(count(t, d.s, `SELECT COUNT(*) FROM transactions WHERE booked = 1 AND subscriber_id = ?`, id))
			wantMsg := int64(count(t, d.s, `SELECT COUNT(*) FROM messages WHERE subscriber_id = ?`, id))
			if sum.Transactions != wantTx || sum.Messages != wantMsg {
				t.Errorf("subscriber %d: %d transactions, %d messages; want %d, %d", id, sum.Transactions, sum.Messages, wantTx, wantMsg)
			}
			if i > 0 && got[i-1].Transactions < sum.Transactions {
				t.Errorf("not most transactions first: %d before %d", got[i-1].Transactions, sum.Transactions)
			}
			owned := id == d.subs[0] || id == d.subs[1]
			if owned != (sum.Owner == d.both && sum.OwnerName == "both") || (!owned && (sum.Owner != 0 || sum.OwnerName != "")) {
				t.Errorf("subscriber %d: owner %d %q", id, sum.Owner, sum.OwnerName)
			}
		}
		if last := got[3]; last.Subscriber.ID != idle || last.Transactions != 0 || last.Messages != 0 {
			t.Errorf("last = %+v, want the idle subscriber with nothing stored", last)
		}

		if top, err := d.s.Subscribers(ctx, 1); err != nil || len(top) != 1 || top[0] != got[0] {
			t.Errorf("Subscribers(1) = %+v, %v; want %+v", top, err, got[0])
		}
		one, err := d.s.SubscriberSummary(ctx, got[1].Subscriber.ID)
		if err != nil || one != got[1] {
			t.Errorf("SubscriberSummary = %+v, %v; want %+v", one, err, got[1])
		}
		if _, err := d.s.SubscriberSummary(ctx, 9999); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("unknown subscriber: %v, want not found", err)
		}
		if _, err := d.s.Subscribers(ctx, 0); momo.ErrorCode(err) != momo.CodeInvalid {
			t.Errorf("Subscribers(0): %v, want invalid", err)
		}
	})
}

func TestUploadSubscriber(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		u := createUser(t, s, "ama", momo.AdminIfFirst)
		if err := s.SetPreferences(ctx, u.ID, momo.Preferences{Timezone: "Africa/Accra", Currency: "GHS"}, momo.Audit{Action: momo.AuditSettings}); err != nil {
			t.Fatal(err)
		}

		// Ten first uploads at once make one subscriber.
		var wg sync.WaitGroup
		got := make([]momo.Subscriber, 10)
		errs := make([]error, 10)
		for i := range got {
			wg.Go(func() { got[i], errs[i] = s.UploadSubscriber(ctx, u.ID) })
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("UploadSubscriber: %v", errs[i])
			}
			if got[i] != got[0] {
				t.Errorf("upload %d got %+v, upload 0 %+v", i, got[i], got[0])
			}
		}
		sub := got[0]
		want := momo.Subscriber{ID: sub.ID, Channel: momo.SourceUpload, Ref: fmt.Sprint("user:", u.ID),
			Timezone: "Africa/Accra", Currency: "GHS", CreatedAt: importTime}
		if sub != want {
			t.Errorf("subscriber = %+v, want %+v", sub, want)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE user_id = ?`, u.ID); n != 1 {
			t.Errorf("%d subscribers linked to the user, want 1", n)
		}

		if _, err := s.UploadSubscriber(ctx, 9999); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("unknown user: %v, want not found", err)
		}
		// The upload space of an account whose id came back after it was
		// deleted is not the new account's.
		other := createUser(t, s, "kofi", momo.AdminNever)
		if _, err := s.db.Exec(s.d.q(`INSERT INTO subscribers (channel, ref, created_at) VALUES ('upload', ?, '2024-01-01T00:00:00.000Z')`),
			fmt.Sprint("user:", other.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UploadSubscriber(ctx, other.ID); momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("unlinked upload space: %v, want conflict", err)
		}
	})
}

// TestTransactionsAcrossTimezones: a transaction of an earlier local day
// (Honolulu's evening) booked after one of a later day (UTC's morning)
// must still come first, whichever window of days a page is read from.
func TestTransactionsAcrossTimezones(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		owner := createUser(t, s, "ama", momo.AdminIfFirst)
		utc, honolulu := subscriber(t, s, "utc", ""), subscriber(t, s, "honolulu", "Pacific/Honolulu")
		for _, sub := range []momo.SubscriberID{utc, honolulu} {
			if err := s.LinkSubscriber(context.Background(), sub, owner.ID); err != nil {
				t.Fatal(err)
			}
		}
		for i, when := range []string{"2024-03-12 10:00", "2024-03-11 10:00", "2024-03-10 10:00", "2024-03-09 08:00", "2024-03-09 07:00"} {
			save(t, s, utc, parsed(fmt.Sprint("u", i), money(fmt.Sprint("u", i), momo.KindReceived, momo.In, 100, at(when))))
		}
		late := money("h", momo.KindSent, momo.Out, 100, at("2024-03-09 09:00")) // 23:00 on the 8th in Honolulu
		late.LocalDay = ""
		save(t, s, honolulu, parsed("h", late))

		want := ids(t, s, `SELECT id FROM transactions ORDER BY booked_at DESC, id DESC`)
		for _, limit := range []int{1, 2, 3, 4, 5, 10} {
			q := momo.TransactionQuery{Owner: owner.ID, Limit: limit}
			if got := walkPages(t, s, q); !slices.Equal(got, want) {
				t.Errorf("limit %d: %v, want %v", limit, got, want)
			}
		}
	})
}

// TestBookedSpan: the first and last day of an owner's booked money, over
// every subscriber linked to them, and nothing for an owner without data.
func TestBookedSpan(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		owner, other := createUser(t, s, "ama", momo.AdminIfFirst), createUser(t, s, "kofi", momo.AdminNever)
		a, b := subscriber(t, s, "a", ""), subscriber(t, s, "b", "")
		for _, sub := range []momo.SubscriberID{a, b} {
			if err := s.LinkSubscriber(ctx, sub, owner.ID); err != nil {
				t.Fatal(err)
			}
		}
		save(t, s, a, parsed("a1", money("ka1", momo.KindReceived, momo.In, 1000, at("2024-03-05 10:00"))))
		save(t, s, b, parsed("b1", money("kb1", momo.KindSent, momo.Out, 500, at("2023-11-30 10:00"))),
			parsed("b2", money("kb2", momo.KindSent, momo.Out, 700, at("2024-01-02 10:00"))))

		tests := []struct {
			name        string
			owner       momo.UserID
			first, last string
		}{
			{"two subscribers", owner.ID, "2023-11-30", "2024-03-05"},
			{"no data", other.ID, "", ""},
		}
		for _, tt := range tests {
			first, last, err := s.BookedSpan(ctx, tt.owner)
			if err != nil || first != tt.first || last != tt.last {
				t.Errorf("%s: BookedSpan = %q, %q, %v; want %q, %q", tt.name, first, last, err, tt.first, tt.last)
			}
		}
	})
}

// TestReportSections: SeriesOnly gives the day-by-day figures alone, the
// same as a whole report's, and a negative Top lists no counterparties.
func TestReportSections(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		sub := subscriber(t, s, "a", "")
		randomHistory(t, s, sub, "sections", rand.New(rand.NewPCG(3, 3)))

		whole, err := s.Report(ctx, momo.ReportQuery{Subscriber: sub, Series: true})
		if err != nil {
			t.Fatal(err)
		}
		only, err := s.Report(ctx, momo.ReportQuery{Subscriber: sub, SeriesOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(whole.Days) == 0 || !reflect.DeepEqual(only.Days, whole.Days) || !reflect.DeepEqual(only.BalanceHistory, whole.BalanceHistory) {
			t.Errorf("SeriesOnly: %d days and %d balances, want the whole report's %d and %d",
				len(only.Days), len(only.BalanceHistory), len(whole.Days), len(whole.BalanceHistory))
		}
		if only.Transactions != 0 || only.Months != nil || only.Counterparties != nil {
			t.Errorf("SeriesOnly computed more: %d transactions, %d months, %d counterparties",
				only.Transactions, len(only.Months), len(only.Counterparties))
		}

		none, err := s.Report(ctx, momo.ReportQuery{Subscriber: sub, Top: -1})
		if err != nil {
			t.Fatal(err)
		}
		if len(whole.Counterparties) == 0 || none.Counterparties != nil || none.Transactions != whole.Transactions {
			t.Errorf("Top -1: %d counterparties (whole report %d), %d transactions (want %d)",
				len(none.Counterparties), len(whole.Counterparties), none.Transactions, whole.Transactions)
		}
	})
}
