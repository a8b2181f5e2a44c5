package sqlstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// reportData stores a small history whose figures are worked out by hand
// in the tests below. It returns the subscriber it is about.
func reportData(t *testing.T, s *Store) momo.SubscriberID {
	t.Helper()
	sub := subscriber(t, s, "ama", "Africa/Kigali")
	with := func(tx *momo.TransactionRecord, edit func(*momo.TransactionRecord)) *momo.TransactionRecord {
		edit(tx)
		return tx
	}
	party := func(key string, name, number momo.Sealed) func(*momo.TransactionRecord) {
		return func(tx *momo.TransactionRecord) {
			tx.CounterpartyKey, tx.Counterparty, tx.CounterpartyNumber = key, name, number
		}
	}
	txs := []*momo.TransactionRecord{
		with(money("r1", momo.KindReceived, momo.In, 10000, at("2024-01-05 10:00")), func(tx *momo.TransactionRecord) {
			party("K1", "sealed:ama", "sealed:024")(tx)
			tx.Balance = momo.Some(50000)
		}),
		with(money("s1", momo.KindSent, momo.Out, 3000, at("2024-01-10 10:00")), func(tx *momo.TransactionRecord) {
			party("K2", "sealed:kofi-1", "")(tx)
			tx.Fee, tx.Tax, tx.Balance = momo.Some(50), momo.Some(30), momo.Some(46920)
		}),
		with(money("p1", momo.KindPayment, momo.Out, 2000, at("2024-01-20 10:00")), func(tx *momo.TransactionRecord) {
			party("K3", "sealed:shop", "")(tx)
			tx.Fee, tx.Tax = momo.Some(0), momo.Some(20)
		}),
		// The bundle confirmation repeats p1: its money and fee must not count.
		with(bundleConfirmation("bun", 2000, at("2024-01-20 10:01")), func(tx *momo.TransactionRecord) {
			tx.Fee = momo.Some(999)
		}),
		with(money("s2", momo.KindSent, momo.Out, 5000, at("2024-02-02 10:00")), func(tx *momo.TransactionRecord) {
			party("K2", "sealed:kofi-2", "sealed:020")(tx)
			tx.Fee, tx.Tax, tx.Balance = momo.Some(100), momo.Some(50), momo.Some(41770)
		}),
		// Failed: no money moved, but its balance is the operator's word.
		with(money("f1", momo.KindSent, momo.Out, 7000, at("2024-02-03 10:00")), func(tx *momo.TransactionRecord) {
			party("K2", "sealed:kofi-3", "")(tx)
			tx.Status, tx.Balance = momo.Failed, momo.Some(41770)
		}),
		with(money("r2", momo.KindReceived, momo.In, 1500, at("2024-02-10 10:00")), party("K1", "", "")),
		with(money("b1", momo.KindBalance, momo.None, 0, at("2024-02-11 10:00")), func(tx *momo.TransactionRecord) {
			tx.Amount, tx.Balance = momo.Amount{}, momo.Some(43270)
		}),
		with(money("rw1", momo.KindReceived, momo.In, 40000, at("2024-02-15 10:00")), func(tx *momo.TransactionRecord) {
			party("K4", "sealed:rw", "")(tx)
			tx.Operator, tx.Country, tx.Currency, tx.Balance = "MTN MoMo RW", "RW", "RWF", momo.Some(90000)
		}),
	}
	var recs []momo.MessageRecord
	for _, tx := range txs {
		recs = append(recs, parsed("h-"+tx.DedupKey, tx))
	}
	recs = append(recs,
		parsed("h-s2-again", txs[4]),                           // a duplicate, on s2's day
		unrecognized("u1", "MTN MoMo", at("2024-01-15 10:00")), //
		unrecognized("u2", "MTN MoMo", at("2024-01-31 23:30")), // 1 February in Kigali
		unrecognized("u3", "", at("2024-02-20 10:00")),         //
		momo.MessageRecord{Hash: "j1", Source: momo.SourceBackup, // rejected
			ReceivedAt: at("2024-01-25 10:00"), Outcome: momo.OutcomeRejected, Reason: "empty body"},
	)
	save(t, s, sub, recs...)
	if st := stored(t, s, sub, "bun"); st.Booked {
		t.Fatalf("the bundle confirmation is booked; the dataset is not what the tests expect")
	}

	// Someone else, who must not show in the first subscriber's reports.
	other := subscriber(t, s, "kwame", "")
	tx := money("o1", momo.KindReceived, momo.In, 99999, at("2024-01-07 10:00"))
	party("K1", "sealed:ama-o", "")(tx)
	tx.Balance = momo.Some(99999)
	save(t, s, other, parsed("o1", tx), unrecognized("o2", "AirtelTigo", at("2024-01-08 10:00")))
	return sub
}

func TestReport(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := reportData(t, s)

		tests := []struct {
			name string
			q    momo.ReportQuery
			want momo.Report
		}{
			{"whole history", momo.ReportQuery{Subscriber: sub, Top: 2}, momo.Report{
				Messages: 14, Transactions: 6, Unrecognized: 3, Rejected: 1,
				Months: []momo.MonthTotal{
					{Month: "2024-01", Currency: "GHS", In: 10000, Out: 5000, Fees: 50, Taxes: 50, Count: 3},
					{Month: "2024-02", Currency: "GHS", In: 1500, Out: 5000, Fees: 100, Taxes: 50, Count: 2},
					{Month: "2024-02", Currency: "RWF", In: 40000, Count: 1},
				},
				Kinds: []momo.KindTotal{
					{Kind: momo.KindReceived, Direction: momo.In, Currency: "GHS", Count: 2, Total: 11500},
					{Kind: momo.KindSent, Direction: momo.Out, Currency: "GHS", Count: 2, Total: 8000},
					{Kind: momo.KindPayment, Direction: momo.Out, Currency: "GHS", Count: 1, Total: 2000},
					{Kind: momo.KindReceived, Direction: momo.In, Currency: "RWF", Count: 1, Total: 40000},
				},
				Charges: []momo.ChargeTotal{{Currency: "GHS", Fees: 150, Taxes: 100}, {Currency: "RWF"}},
				// Top 2 per currency: K3 (2000) drops out. Names and numbers
				// come from the latest transaction that states them: K1's from
				// r1 (r2 names no one), K2's name from f1 (failed, but it names
				// K2 all the same) and its number from s2.
				Counterparties: []momo.CounterpartyTotal{
					{Key: "K1", Name: "sealed:ama", Number: "sealed:024", Currency: "GHS", Count: 2, In: 11500},
					{Key: "K2", Name: "sealed:kofi-3", Number: "sealed:020", Currency: "GHS", Count: 2, Out: 8000},
					{Key: "K4", Name: "sealed:rw", Currency: "RWF", Count: 1, In: 40000},
				},
				Balances: []momo.BalanceAt{
					{Operator: "MTN MoMo", Currency: "GHS", Balance: 43270, At: at("2024-02-11 10:00")},
					{Operator: "MTN MoMo RW", Currency: "RWF", Balance: 90000, At: at("2024-02-15 10:00")},
				},
				UnrecognizedBy: []momo.OperatorCount{{Operator: "MTN MoMo", Count: 2}, {Operator: "", Count: 1}},
			}},

			{"February", momo.ReportQuery{Subscriber: sub, From: "2024-02-01", To: "2024-02-29"}, momo.Report{
				// s2, f1, r2, b1, rw1, the repeat of s2, u2 (Kigali's 1 February), u3.
				Messages: 8, Transactions: 3, Unrecognized: 2,
				Months: []momo.MonthTotal{
					{Month: "2024-02", Currency: "GHS", In: 1500, Out: 5000, Fees: 100, Taxes: 50, Count: 2},
					{Month: "2024-02", Currency: "RWF", In: 40000, Count: 1},
				},
				Kinds: []momo.KindTotal{
					{Kind: momo.KindSent, Direction: momo.Out, Currency: "GHS", Count: 1, Total: 5000},
					{Kind: momo.KindReceived, Direction: momo.In, Currency: "GHS", Count: 1, Total: 1500},
					{Kind: momo.KindReceived, Direction: momo.In, Currency: "RWF", Count: 1, Total: 40000},
				},
				Charges: []momo.ChargeTotal{{Currency: "GHS", Fees: 100, Taxes: 50}, {Currency: "RWF"}},
				// Names come from outside the range too.
				Counterparties: []momo.CounterpartyTotal{
					{Key: "K2", Name: "sealed:kofi-3", Number: "sealed:020", Currency: "GHS", Count: 1, Out: 5000},
					{Key: "K1", Name: "sealed:ama", Number: "sealed:024", Currency: "GHS", Count: 1, In: 1500},
					{Key: "K4", Name: "sealed:rw", Currency: "RWF", Count: 1, In: 40000},
				},
				Balances: []momo.BalanceAt{
					{Operator: "MTN MoMo", Currency: "GHS", Balance: 43270, At: at("2024-02-11 10:00")},
					{Operator: "MTN MoMo RW", Currency: "RWF", Balance: 90000, At: at("2024-02-15 10:00")},
				},
				UnrecognizedBy: []momo.OperatorCount{{Operator: "", Count: 1}, {Operator: "MTN MoMo", Count: 1}},
			}},

			{"until the first days of February", momo.ReportQuery{Subscriber: sub, To: "2024-02-02"}, momo.Report{
				// r1, s1, p1, bun, s2, its repeat, u1, u2, j1.
				Messages: 9, Transactions: 4, Unrecognized: 2, Rejected: 1,
				Months: []momo.MonthTotal{
					{Month: "2024-01", Currency: "GHS", In: 10000, Out: 5000, Fees: 50, Taxes: 50, Count: 3},
					{Month: "2024-02", Currency: "GHS", Out: 5000, Fees: 100, Taxes: 50, Count: 1},
				},
				Kinds: []momo.KindTotal{
					{Kind: momo.KindReceived, Direction: momo.In, Currency: "GHS", Count: 1, Total: 10000},
					{Kind: momo.KindSent, Direction: momo.Out, Currency: "GHS", Count: 2, Total: 8000},
					{Kind: momo.KindPayment, Direction: momo.Out, Currency: "GHS", Count: 1, Total: 2000},
				},
				Charges: []momo.ChargeTotal{{Currency: "GHS", Fees: 150, Taxes: 100}},
				Counterparties: []momo.CounterpartyTotal{
					{Key: "K1", Name: "sealed:ama", Number: "sealed:024", Currency: "GHS", Count: 1, In: 10000},
					{Key: "K2", Name: "sealed:kofi-3", Number: "sealed:020", Currency: "GHS", Count: 2, Out: 8000},
					{Key: "K3", Name: "sealed:shop", Currency: "GHS", Count: 1, Out: 2000},
				},
				Balances: []momo.BalanceAt{
					{Operator: "MTN MoMo", Currency: "GHS", Balance: 41770, At: at("2024-02-02 10:00")},
				},
				UnrecognizedBy: []momo.OperatorCount{{Operator: "MTN MoMo", Count: 2}},
			}},

			{"a range with nothing in it", momo.ReportQuery{Subscriber: sub, From: "2023-01-01", To: "2023-12-31"},
				momo.Report{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.Report(context.Background(), tt.q)
				if err != nil {
					t.Fatalf("Report: %v", err)
				}
				compareReports(t, got, tt.want)
			})
		}
	})
}

func TestReportAllSubscribers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		reportData(t, s)
		got, err := s.Report(context.Background(), momo.ReportQuery{})
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		if got.Messages != 16 || got.Transactions != 7 || got.Unrecognized != 4 {
			t.Errorf("messages, transactions, unrecognized = %d, %d, %d; want 16, 7, 4",
				got.Messages, got.Transactions, got.Unrecognized)
		}
		// Each subscriber's last balance, added up.
		wantBalance := momo.BalanceAt{Operator: "MTN MoMo", Currency: "GHS", Balance: 43270 + 99999, At: at("2024-02-11 10:00")}
		if len(got.Balances) == 0 || got.Balances[0] != wantBalance {
			t.Errorf("Balances = %+v, want %+v first", got.Balances, wantBalance)
		}
		// K1 across both subscribers, named as the subscriber who dealt with
		// it last knows it (that one has no number for it).
		wantTop := momo.CounterpartyTotal{Key: "K1", Name: "sealed:ama-o", Currency: "GHS", Count: 3, In: 10000 + 1500 + 99999}
		if len(got.Counterparties) == 0 || got.Counterparties[0] != wantTop {
			t.Errorf("top counterparty = %+v, want %+v", got.Counterparties, wantTop)
		}
		wantBy := []momo.OperatorCount{{Operator: "MTN MoMo", Count: 2}, {Operator: "", Count: 1}, {Operator: "AirtelTigo", Count: 1}}
		if !reflect.DeepEqual(got.UnrecognizedBy, wantBy) {
			t.Errorf("UnrecognizedBy = %v, want %v", got.UnrecognizedBy, wantBy)
		}
	})
}

func TestReportRejectsBadDates(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		for _, q := range []momo.ReportQuery{{From: "2024-1-1"}, {To: "yesterday"}, {From: "2024-02-30"}} {
			if _, err := s.Report(context.Background(), q); momo.ErrorCode(err) != momo.CodeInvalid {
				t.Errorf("Report(%+v): error %v, want code invalid", q, err)
			}
		}
	})
}

func TestReportDefaultTop(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		var recs []momo.MessageRecord
		for i := range 12 {
			tx := money(string(rune('a'+i)), momo.KindSent, momo.Out, int64(100*(i+1)), at("2024-01-10 10:00").Add(time.Duration(i)*time.Hour))
			tx.CounterpartyKey = tx.DedupKey
			recs = append(recs, parsed("h"+tx.DedupKey, tx))
		}
		save(t, s, sub, recs...)
		got, err := s.Report(context.Background(), momo.ReportQuery{Subscriber: sub})
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		if len(got.Counterparties) != defaultTop || got.Counterparties[0].Out != 1200 || got.Counterparties[9].Out != 300 {
			t.Errorf("Counterparties = %+v, want the 10 largest, largest first", got.Counterparties)
		}
	})
}

// compareReports reports each differing section on its own, so that a
// failure says where to look.
func compareReports(t *testing.T, got, want momo.Report) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("%s:\n got %+v\nwant %+v", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}

func TestReportSeries(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := reportData(t, s)
		got, err := s.Report(context.Background(), momo.ReportQuery{Subscriber: sub, From: "2024-02-01", To: "2024-02-29", Series: true})
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		// f1 failed and b1 moves no money: neither counts on its day.
		wantDays := []momo.DayTotal{
			{Day: "2024-02-02", Currency: "GHS", Out: 5000, Fees: 100, Taxes: 50, Count: 1},
			{Day: "2024-02-10", Currency: "GHS", In: 1500, Count: 1},
			{Day: "2024-02-15", Currency: "RWF", In: 40000, Count: 1},
		}
		// Every transaction that states a balance counts, booked or not.
		wantHistory := []momo.BalanceAt{
			{Operator: "MTN MoMo", Currency: "GHS", Balance: 41770, At: at("2024-02-02 10:00")},
			{Operator: "MTN MoMo", Currency: "GHS", Balance: 41770, At: at("2024-02-03 10:00")},
			{Operator: "MTN MoMo", Currency: "GHS", Balance: 43270, At: at("2024-02-11 10:00")},
			{Operator: "MTN MoMo RW", Currency: "RWF", Balance: 90000, At: at("2024-02-15 10:00")},
		}
		if !reflect.DeepEqual(got.Days, wantDays) {
			t.Errorf("Days:\n got %+v\nwant %+v", got.Days, wantDays)
		}
		if !reflect.DeepEqual(got.BalanceHistory, wantHistory) {
			t.Errorf("BalanceHistory:\n got %+v\nwant %+v", got.BalanceHistory, wantHistory)
		}

		plain, err := s.Report(context.Background(), momo.ReportQuery{Subscriber: sub})
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		if plain.Days != nil || plain.BalanceHistory != nil {
			t.Errorf("series without asking: %+v, %+v", plain.Days, plain.BalanceHistory)
		}
	})
}

// TestReportSeriesAddsSubscribers: over two subscribers, each day's
// balance is the sum of each one's latest balance so far.
func TestReportSeriesAddsSubscribers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		owner := createUser(t, s, "ama", momo.AdminIfFirst)
		balanceOn := func(sub momo.SubscriberID, key string, when time.Time, balance int64) {
			tx := money(key, momo.KindReceived, momo.In, 100, when)
			tx.Balance = momo.Some(balance)
			save(t, s, sub, parsed("h-"+key, tx))
		}
		phone, tablet := subscriber(t, s, "phone", ""), subscriber(t, s, "tablet", "")
		for _, sub := range []momo.SubscriberID{phone, tablet} {
			if err := s.LinkSubscriber(context.Background(), sub, owner.ID); err != nil {
				t.Fatal(err)
			}
		}
		balanceOn(phone, "p1", at("2024-03-01 09:00"), 1000)
		balanceOn(tablet, "t1", at("2024-03-02 09:00"), 50)
		balanceOn(phone, "p2", at("2024-03-03 09:00"), 700)
		balanceOn(phone, "p3", at("2024-03-03 08:00"), 999) // earlier that day: not the day's last

		got, err := s.Report(context.Background(), momo.ReportQuery{Owner: owner.ID, Series: true})
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		want := []momo.BalanceAt{
			{Operator: "MTN MoMo", Currency: "GHS", Balance: 1000, At: at("2024-03-01 09:00")},
			{Operator: "MTN MoMo", Currency: "GHS", Balance: 1050, At: at("2024-03-02 09:00")},
			{Operator: "MTN MoMo", Currency: "GHS", Balance: 750, At: at("2024-03-03 09:00")},
		}
		if !reflect.DeepEqual(got.BalanceHistory, want) {
			t.Errorf("BalanceHistory:\n got %+v\nwant %+v", got.BalanceHistory, want)
		}
		if last := got.Balances; len(last) != 1 || last[0].Balance != 750 {
			t.Errorf("Balances = %+v, want the history's last point", last)
		}
	})
}

// TestReportOwnerScope: each account's report holds its own subscribers'
// data and nothing of anyone else's.
func TestReportOwnerScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		ama := reportData(t, s)
		kwame := subscriber(t, s, "kwame", "") // reportData's other subscriber
		userA := createUser(t, s, "a", momo.AdminIfFirst)
		userB := createUser(t, s, "b", momo.AdminNever)
		nobody := createUser(t, s, "c", momo.AdminNever)
		if err := s.LinkSubscriber(ctx, ama, userA.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.LinkSubscriber(ctx, kwame, userB.ID); err != nil {
			t.Fatal(err)
		}
		report := func(q momo.ReportQuery) momo.Report {
			t.Helper()
			q.Series, q.Top = true, 5
			r, err := s.Report(ctx, q)
			if err != nil {
				t.Fatalf("Report(%+v): %v", q, err)
			}
			return r
		}

		tests := []struct {
			name string
			q    momo.ReportQuery
			want momo.Report
		}{
			{"A's account is A's subscriber", momo.ReportQuery{Owner: userA.ID}, report(momo.ReportQuery{Subscriber: ama})},
			{"B's account is B's subscriber", momo.ReportQuery{Owner: userB.ID}, report(momo.ReportQuery{Subscriber: kwame})},
			{"A's subscriber within A's account", momo.ReportQuery{Owner: userA.ID, Subscriber: ama}, report(momo.ReportQuery{Subscriber: ama})},
			{"A's subscriber asked by B", momo.ReportQuery{Owner: userB.ID, Subscriber: ama}, momo.Report{}},
			{"an account with no subscriber", momo.ReportQuery{Owner: nobody.ID}, momo.Report{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				compareReports(t, report(tt.q), tt.want)
			})
		}

		// Nothing of A's in B's report: B holds one transaction, o1.
		b := report(momo.ReportQuery{Owner: userB.ID})
		if b.Transactions != 1 || b.Messages != 2 || len(b.Counterparties) != 1 || b.Counterparties[0].Name != "sealed:ama-o" ||
			len(b.Balances) != 1 || b.Balances[0].Balance != 99999 || len(b.Days) != 1 || b.Days[0].In != 99999 {
			t.Errorf("B's report holds more than B's data: %+v", b)
		}
	})
}
