package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

func TestSaveOutcomes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		other := subscriber(t, s, "other", "")
		t0 := at("2024-01-10 09:00")

		batches := []struct {
			name string
			sub  momo.SubscriberID
			recs []momo.MessageRecord
			want []momo.Outcome
		}{
			{"new messages keep their outcome", sub, []momo.MessageRecord{
				parsed("h1", money("k1", momo.KindReceived, momo.In, 10000, t0)),
				unrecognized("h2", "MTN MoMo", t0),
				{Hash: "h3", Source: momo.SourceCLI, Outcome: momo.OutcomeRejected, Reason: "not UTF-8"},
			}, []momo.Outcome{momo.OutcomeParsed, momo.OutcomeUnrecognized, momo.OutcomeRejected}},

			{"the same messages again are duplicates", sub, []momo.MessageRecord{
				parsed("h1", money("k1", momo.KindReceived, momo.In, 10000, t0)),
				unrecognized("h2", "MTN MoMo", t0),
			}, []momo.Outcome{momo.OutcomeDuplicate, momo.OutcomeDuplicate}},

			{"a repeat within one batch is a duplicate", sub, []momo.MessageRecord{
				unrecognized("h4", "", t0),
				unrecognized("h4", "", t0),
			}, []momo.Outcome{momo.OutcomeUnrecognized, momo.OutcomeDuplicate}},

			{"another message of a stored transaction is a duplicate", sub, []momo.MessageRecord{
				parsed("h5", money("k1", momo.KindReceived, momo.In, 10000, t0)),
			}, []momo.Outcome{momo.OutcomeDuplicate}},

			{"hashes and dedup keys are per subscriber", other, []momo.MessageRecord{
				parsed("h1", money("k1", momo.KindReceived, momo.In, 10000, t0)),
			}, []momo.Outcome{momo.OutcomeParsed}},
		}
		for _, b := range batches {
			got := save(t, s, b.sub, b.recs...)
			if !slices.Equal(got, b.want) {
				t.Errorf("%s: Save = %v, want %v", b.name, got, b.want)
			}
		}

		// h5 is kept, marked duplicate, pointing at k1's transaction.
		k1 := stored(t, s, sub, "k1")
		if m := storedMessage(t, s, sub, "h5"); m.Outcome != momo.OutcomeDuplicate || m.TransactionID != k1.ID {
			t.Errorf("message h5 = %+v, want duplicate of transaction %d", m, k1.ID)
		}
		if m := storedMessage(t, s, sub, "h1"); m.Outcome != momo.OutcomeParsed || m.TransactionID != k1.ID {
			t.Errorf("message h1 = %+v, want parsed, transaction %d", m, k1.ID)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM messages WHERE subscriber_id = ?", sub); n != 5 {
			t.Errorf("%d messages stored, want 5 (h1-h5)", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM transactions WHERE subscriber_id = ?", sub); n != 1 {
			t.Errorf("%d transactions stored, want 1", n)
		}
	})
}

func TestSaveDuplicatesWithinABatch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		t0 := at("2024-01-10 09:00")
		pay := func(key string) *momo.TransactionRecord {
			return money(key, momo.KindSent, momo.Out, 500, t0)
		}
		type message struct {
			hash    string
			outcome momo.Outcome
			tx      string // dedup key of its transaction, "" for none
		}
		tests := []struct {
			name     string
			before   []momo.MessageRecord // saved first, in a batch of their own
			batch    []momo.MessageRecord
			want     []momo.Outcome
			messages []message
			txs      int
		}{
			{"the same message twice",
				nil,
				[]momo.MessageRecord{parsed("h1", pay("K1")), parsed("h1", pay("K1"))},
				[]momo.Outcome{momo.OutcomeParsed, momo.OutcomeDuplicate},
				[]message{{"h1", momo.OutcomeParsed, "K1"}}, 1},
			{"the same hash read as another transaction",
				nil,
				[]momo.MessageRecord{parsed("h1", pay("K1")), parsed("h1", pay("K2"))},
				[]momo.Outcome{momo.OutcomeParsed, momo.OutcomeDuplicate},
				[]message{{"h1", momo.OutcomeParsed, "K1"}}, 1},
			{"two messages of one transaction",
				nil,
				[]momo.MessageRecord{parsed("h1", pay("K1")), parsed("h2", pay("K1"))},
				[]momo.Outcome{momo.OutcomeParsed, momo.OutcomeDuplicate},
				[]message{{"h1", momo.OutcomeParsed, "K1"}, {"h2", momo.OutcomeDuplicate, "K1"}}, 1},
			// The message was stored when no template knew it; its
			// transaction must not be stored without it.
			{"a stored message whose transaction is new",
				[]momo.MessageRecord{unrecognized("h1", "", t0)},
				[]momo.MessageRecord{parsed("h1", pay("K1"))},
				[]momo.Outcome{momo.OutcomeDuplicate},
				[]message{{"h1", momo.OutcomeUnrecognized, ""}}, 0},
			{"a stored message, then a new message of the same transaction",
				[]momo.MessageRecord{unrecognized("h1", "", t0)},
				[]momo.MessageRecord{parsed("h1", pay("K1")), parsed("h2", pay("K1")), parsed("h3", pay("K1"))},
				[]momo.Outcome{momo.OutcomeDuplicate, momo.OutcomeParsed, momo.OutcomeDuplicate},
				[]message{{"h1", momo.OutcomeUnrecognized, ""}, {"h2", momo.OutcomeParsed, "K1"},
					{"h3", momo.OutcomeDuplicate, "K1"}}, 1},
			{"a stored transaction, then the same message twice",
				[]momo.MessageRecord{parsed("h1", pay("K1"))},
				[]momo.MessageRecord{parsed("h2", pay("K1")), parsed("h2", pay("K1"))},
				[]momo.Outcome{momo.OutcomeDuplicate, momo.OutcomeDuplicate},
				[]message{{"h1", momo.OutcomeParsed, "K1"}, {"h2", momo.OutcomeDuplicate, "K1"}}, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := openOn(t, e)
				sub := subscriber(t, s, "local", "")
				if tt.before != nil {
					save(t, s, sub, tt.before...)
				}
				if got := save(t, s, sub, tt.batch...); !slices.Equal(got, tt.want) {
					t.Errorf("Save = %v, want %v", got, tt.want)
				}
				for _, m := range tt.messages {
					var txID int64
					if m.tx != "" {
						txID = stored(t, s, sub, m.tx).ID
					}
					got := storedMessage(t, s, sub, m.hash)
					if got.Outcome != m.outcome || got.TransactionID != txID {
						t.Errorf("message %s = %+v, want %s of transaction %d", m.hash, got, m.outcome, txID)
					}
				}
				if n := count(t, s, "SELECT COUNT(*) FROM transactions"); n != tt.txs {
					t.Errorf("%d transactions stored, want %d", n, tt.txs)
				}
				if n := count(t, s, `SELECT COUNT(*) FROM transactions t
					WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.transaction_id = t.id)`); n != 0 {
					t.Errorf("%d transactions without a message", n)
				}
			})
		}
	})
}

func TestSaveStoresFields(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "Africa/Kigali")
		tx := &momo.TransactionRecord{
			DedupKey: "MP123", Operator: "MTN MoMo", Country: "RW", Currency: "RWF",
			Kind: momo.KindSent, Direction: momo.Out, Status: momo.Completed,
			Amount: momo.Some(10000), Fee: momo.Some(100), Balance: momo.Some(55000), // tax unknown
			Counterparty: "sealed:name", CounterpartyKey: "cp1", OperatorTxID: "123",
			OccurredAt: at("2024-01-31 22:30"), BookedAt: at("2024-01-31 22:30"),
			LocalDay: "2024-02-01", Template: "mtn-rw-sent",
		}
		rec := parsed("h1", tx)
		rec.ReceivedAt = time.Time{} // pasted: no SMS time
		dated := unrecognized("h3", "", at("2024-01-31 22:30"))
		dated.LocalDay = "2024-01-31" // the caller's day wins over the store's reckoning
		save(t, s, sub, rec, unrecognized("h2", "", at("2024-01-31 22:30")), dated)

		var (
			fee, tax, balance                 *int64
			occurred, booked, day, month, imp string
			numberNull, receivedNull          bool
		)
		err := s.db.QueryRow(`
			SELECT t.fee, t.tax, t.balance, t.counterparty_number_enc IS NULL, t.occurred_at,
			       t.booked_at, t.local_day, t.local_month, m.received_at IS NULL, m.imported_at
			FROM transactions t JOIN messages m ON m.transaction_id = t.id
			WHERE t.dedup_key = 'MP123'`).Scan(&fee, &tax, &balance, &numberNull, &occurred,
			&booked, &day, &month, &receivedNull, &imp)
		if err != nil {
			t.Fatal(err)
		}
		if fee == nil || *fee != 100 || tax != nil || balance == nil || *balance != 55000 {
			t.Errorf("fee, tax, balance = %v, %v, %v; want 100, NULL, 55000", fee, tax, balance)
		}
		if !numberNull || !receivedNull {
			t.Errorf("empty number and unknown receipt time must be NULL")
		}
		if occurred != "2024-01-31T22:30:00.000Z" || booked != occurred || imp != "2024-03-01T12:00:00.000Z" {
			t.Errorf("times = %q, %q, %q; want fixed-width UTC text", occurred, booked, imp)
		}
		if day != "2024-02-01" || month != "2024-02" {
			t.Errorf("local day, month = %q, %q", day, month)
		}
		// A message without a transaction counts on its receipt day in the
		// subscriber's timezone (Kigali is UTC+2).
		if m := storedMessage(t, s, sub, "h2"); m.LocalDay != "2024-02-01" {
			t.Errorf("unrecognized message's local day = %q, want 2024-02-01", m.LocalDay)
		}
		if m := storedMessage(t, s, sub, "h3"); m.LocalDay != "2024-01-31" {
			t.Errorf("local day of a message that states one = %q, want 2024-01-31", m.LocalDay)
		}
	})
}

func TestBooked(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		tests := []struct {
			kind   momo.Kind
			status momo.Status
			want   bool
		}{
			{momo.KindSent, momo.Completed, true},
			{momo.KindReceived, "", true}, // the SMS states no status
			{momo.KindReversal, momo.Completed, true},
			{momo.KindReversal, momo.Pending, false},
			{momo.KindPayment, momo.Pending, false},
			{momo.KindSent, momo.Failed, false},
			{momo.KindFailed, "", false},
			{momo.KindBalance, momo.Completed, false},
			{momo.KindStatement, "", false},
			{momo.KindNotTransaction, "", false},
			{momo.KindFeeOnly, momo.Completed, true},
		}
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		for i, tt := range tests {
			key := fmt.Sprintf("k%d", i)
			tx := money(key, tt.kind, momo.Out, 100, at("2024-01-10 09:00"))
			tx.Status = tt.status
			save(t, s, sub, parsed("h"+key, tx))
			if got := stored(t, s, sub, key).Booked; got != tt.want {
				t.Errorf("%s %q: booked = %v, want %v", tt.kind, tt.status, got, tt.want)
			}
		}
	})
}

// bundleConfirmation is the SMS that follows a bundle payment: it repeats
// a payment of the same amount within five minutes.
func bundleConfirmation(key string, amount int64, when time.Time) *momo.TransactionRecord {
	tx := money(key, momo.KindBundle, momo.Out, amount, when)
	tx.Companion = momo.Companion{Kinds: []momo.Kind{momo.KindPayment, momo.KindAirtime}, Window: 5 * time.Minute}
	return tx
}

func TestCompanions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		t0 := at("2024-01-10 09:00")
		payment := func(key string, amount int64, when time.Time) *momo.TransactionRecord {
			return money(key, momo.KindPayment, momo.Out, amount, when)
		}
		type want = companionWant
		tests := []struct {
			name string
			txs  []*momo.TransactionRecord // saved in this order
			want []want
		}{
			{"companion after its primary",
				[]*momo.TransactionRecord{payment("pay", 500, t0), bundleConfirmation("bun", 500, t0.Add(time.Minute))},
				[]want{{"pay", true, ""}, {"bun", false, "pay"}}},
			{"companion before its primary",
				[]*momo.TransactionRecord{bundleConfirmation("bun", 500, t0), payment("pay", 500, t0.Add(time.Minute))},
				[]want{{"pay", true, ""}, {"bun", false, "pay"}}},
			{"a primary takes one companion",
				[]*momo.TransactionRecord{payment("pay", 500, t0),
					bundleConfirmation("bun1", 500, t0.Add(time.Minute)), bundleConfirmation("bun2", 500, t0.Add(2*time.Minute))},
				[]want{{"pay", true, ""}, {"bun1", false, "pay"}, {"bun2", true, ""}}},
			{"a companion takes one primary",
				[]*momo.TransactionRecord{bundleConfirmation("bun", 500, t0),
					payment("pay1", 500, t0.Add(time.Minute)), payment("pay2", 500, t0.Add(2*time.Minute))},
				[]want{{"bun", false, "pay1"}, {"pay1", true, ""}, {"pay2", true, ""}}},
			// pay2 arrives before pay1: it finds the confirmation first, though
			// pay1 is nearer in time.
			{"the first primary to arrive takes the companion",
				[]*momo.TransactionRecord{bundleConfirmation("bun", 500, t0),
					payment("pay2", 500, t0.Add(2*time.Minute)), payment("pay1", 500, t0.Add(time.Minute))},
				[]want{{"bun", false, "pay2"}, {"pay1", true, ""}, {"pay2", true, ""}}},
			{"two payments, two confirmations",
				[]*momo.TransactionRecord{payment("pay1", 500, t0), payment("pay2", 500, t0.Add(3*time.Minute)),
					bundleConfirmation("bun2", 500, t0.Add(3*time.Minute)), bundleConfirmation("bun1", 500, t0.Add(time.Minute))},
				[]want{{"bun1", false, "pay1"}, {"bun2", false, "pay2"}}},
			{"outside the window",
				[]*momo.TransactionRecord{payment("pay", 500, t0), bundleConfirmation("bun", 500, t0.Add(6*time.Minute))},
				[]want{{"pay", true, ""}, {"bun", true, ""}}},
			{"outside the window, companion first",
				[]*momo.TransactionRecord{bundleConfirmation("bun", 500, t0), payment("pay", 500, t0.Add(-6*time.Minute))},
				[]want{{"pay", true, ""}, {"bun", true, ""}}},
			{"another amount",
				[]*momo.TransactionRecord{payment("pay", 500, t0), bundleConfirmation("bun", 501, t0)},
				[]want{{"pay", true, ""}, {"bun", true, ""}}},
			{"a kind the rule does not name",
				[]*momo.TransactionRecord{money("sent", momo.KindSent, momo.Out, 500, t0), bundleConfirmation("bun", 500, t0)},
				[]want{{"sent", true, ""}, {"bun", true, ""}}},
			{"a primary that did not go through",
				[]*momo.TransactionRecord{func() *momo.TransactionRecord {
					tx := payment("pay", 500, t0)
					tx.Status = momo.Failed
					return tx
				}(), bundleConfirmation("bun", 500, t0)},
				[]want{{"pay", false, ""}, {"bun", true, ""}}},
			{"two companions do not pair with each other",
				[]*momo.TransactionRecord{bundleConfirmation("bun1", 500, t0), func() *momo.TransactionRecord {
					tx := bundleConfirmation("bun2", 500, t0)
					tx.Kind = momo.KindPayment
					return tx
				}()},
				[]want{{"bun1", true, ""}, {"bun2", true, ""}}},
		}
		// Pairing follows record order, so one batch must pair as one batch
		// per record does.
		saves := []struct {
			name string
			save func(t *testing.T, s *Store, sub momo.SubscriberID, recs []momo.MessageRecord)
		}{
			{"a batch each", func(t *testing.T, s *Store, sub momo.SubscriberID, recs []momo.MessageRecord) {
				for _, r := range recs {
					save(t, s, sub, r)
				}
			}},
			{"one batch", func(t *testing.T, s *Store, sub momo.SubscriberID, recs []momo.MessageRecord) {
				save(t, s, sub, recs...)
			}},
		}
		for _, tt := range tests {
			for _, how := range saves {
				t.Run(tt.name+", "+how.name, func(t *testing.T) {
					s := openOn(t, e)
					sub := subscriber(t, s, "local", "")
					var recs []momo.MessageRecord
					for _, tx := range tt.txs {
						recs = append(recs, parsed("h-"+tx.DedupKey, tx))
					}
					how.save(t, s, sub, recs)
					checkCompanions(t, s, sub, tt.want)
				})
			}
		}
	})
}

// companionWant is a transaction's expected pairing.
type companionWant struct {
	key         string
	booked      bool
	companionOf string // key of the primary, "" for none
}

func checkCompanions(t *testing.T, s *Store, sub momo.SubscriberID, want []companionWant) {
	t.Helper()
	for _, w := range want {
		got := stored(t, s, sub, w.key)
		var of int64
		if w.companionOf != "" {
			of = stored(t, s, sub, w.companionOf).ID
		}
		if got.Booked != w.booked || got.CompanionOf != of {
			t.Errorf("%s: booked %v, companion of %d; want booked %v, companion of %q (%d)",
				w.key, got.Booked, got.CompanionOf, w.booked, w.companionOf, of)
		}
	}
}

func TestSaveRejectsBadInput(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		good := unrecognized("h1", "", time.Time{})
		bad := func(edit func(*momo.MessageRecord)) []momo.MessageRecord {
			rec := parsed("h2", money("k", momo.KindSent, momo.Out, 1, at("2024-01-01 00:00")))
			edit(&rec)
			return []momo.MessageRecord{good, rec}
		}
		tests := []struct {
			name string
			sub  momo.SubscriberID
			recs []momo.MessageRecord
			code momo.Code
		}{
			{"unknown subscriber", sub + 100, []momo.MessageRecord{good}, momo.CodeNotFound},
			{"no hash", sub, bad(func(r *momo.MessageRecord) { r.Hash = "" }), momo.CodeInvalid},
			{"skipped", sub, bad(func(r *momo.MessageRecord) { r.Outcome = momo.OutcomeSkipped }), momo.CodeInvalid},
			{"no dedup key", sub, bad(func(r *momo.MessageRecord) { r.Tx.DedupKey = "" }), momo.CodeInvalid},
			{"unknown kind", sub, bad(func(r *momo.MessageRecord) { r.Tx.Kind = "gift" }), momo.CodeInvalid},
			{"bad day", sub, bad(func(r *momo.MessageRecord) { r.Tx.LocalDay = "2024-1-1" }), momo.CodeInvalid},
			{"bad message day", sub, bad(func(r *momo.MessageRecord) { r.LocalDay = "2024-13-01" }), momo.CodeInvalid},
		}
		for _, tt := range tests {
			_, err := s.Save(context.Background(), tt.sub, tt.recs)
			if momo.ErrorCode(err) != tt.code {
				t.Errorf("%s: error %v, want code %s", tt.name, err, tt.code)
			}
		}
		if n := count(t, s, "SELECT COUNT(*) FROM messages"); n != 0 {
			t.Errorf("%d messages stored from refused batches, want 0", n)
		}
	})
}

func TestConcurrentSaveStoresOnce(t *testing.T) {
	tests := []struct {
		name    string
		stores  int // each its own pool, as two processes would have
		callers int
	}{
		{"two goroutines, one store", 1, 2},
		{"four goroutines, two stores", 2, 4},
	}
	eachEngine(t, func(t *testing.T, e engine) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				concurrentSaves(t, e, tt.stores, tt.callers)
			})
		}
	})
}

// concurrentSaves saves the same batch from callers goroutines at once.
func concurrentSaves(t *testing.T, e engine, nstores, callers int) {
	ctx := context.Background()
	where := e.fresh(t)
	stores := make([]*Store, nstores)
	for i := range stores {
		stores[i] = e.openAt(t, where)
	}
	sub := subscriber(t, stores[0], "local", "")

	// More records than one multi-row statement holds, and companions.
	var batch []momo.MessageRecord
	t0 := at("2024-01-10 09:00")
	for i := range 200 {
		when := t0.Add(time.Duration(i) * time.Minute)
		tx := money(fmt.Sprintf("k%d", i), momo.KindPayment, momo.Out, int64(100+i/2), when)
		if i%2 == 1 {
			tx = bundleConfirmation(fmt.Sprintf("k%d", i), int64(100+i/2), when)
		}
		batch = append(batch, parsed(fmt.Sprintf("h%d", i), tx))
	}

	var wg sync.WaitGroup
	results := make([][]momo.Outcome, callers)
	for i := range results {
		wg.Go(func() {
			out, err := stores[i%nstores].Save(ctx, sub, batch)
			if err != nil {
				t.Errorf("Save: %v", err)
			}
			results[i] = out
		})
	}
	wg.Wait()

	// Exactly one Save stored everything; the others found it all stored.
	fresh := 0
	for _, out := range results {
		dup := 0
		for _, o := range out {
			if o == momo.OutcomeDuplicate {
				dup++
			}
		}
		switch dup {
		case 0:
			fresh++
		case len(batch):
		default:
			t.Errorf("a Save saw %d of %d records as duplicates: batches interleaved", dup, len(batch))
		}
	}
	if fresh != 1 {
		t.Errorf("%d Saves stored the batch, want 1", fresh)
	}
	if n := count(t, stores[0], "SELECT COUNT(*) FROM messages"); n != len(batch) {
		t.Errorf("%d messages, want %d", n, len(batch))
	}
	if n := count(t, stores[nstores-1], "SELECT COUNT(*) FROM transactions"); n != len(batch) {
		t.Errorf("%d transactions, want %d", n, len(batch))
	}
	if n := count(t, stores[0], "SELECT COUNT(*) FROM transactions WHERE companion_of IS NOT NULL"); n != len(batch)/2 {
		t.Errorf("%d companions linked, want %d", n, len(batch)/2)
	}
}

func TestReparse(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		t0 := at("2024-01-10 09:00")

		// m3 arrives first in the batch but was received last; m0 has no
		// receipt time, so it sorts at its import time, after all of them.
		m0 := unrecognized("m0", "", time.Time{})
		m1 := unrecognized("m1", "Telecel Cash", t0)
		m2 := parsed("m2", money("A", momo.KindReceived, momo.In, 500, t0.Add(time.Minute)))
		m3 := parsed("m3", money("A", momo.KindReceived, momo.In, 500, t0.Add(2*time.Minute)))
		m4 := momo.MessageRecord{Hash: "m4", Source: momo.SourceCLI, ReceivedAt: t0.Add(3 * time.Minute),
			Outcome: momo.OutcomeRejected, Reason: "too long"}
		save(t, s, sub, m3, m0, m1, m2, m4)
		other := subscriber(t, s, "other", "")
		save(t, s, other, parsed("x", money("A", momo.KindSent, momo.Out, 1, t0)))

		// The improved parser now knows m1's format.
		var seen []string
		build := func(m momo.StoredMessage) (momo.MessageRecord, error) {
			seen = append(seen, m.Hash)
			rec := momo.MessageRecord{Hash: m.Hash, Source: m.Source, Sender: m.Sender, Body: m.Body,
				ReceivedAt: m.ReceivedAt, Outcome: m.Outcome, Reason: m.Reason}
			switch m.Hash {
			case "m1":
				rec.Outcome = momo.OutcomeParsed
				rec.Tx = money("B", momo.KindPayment, momo.Out, 700, m.ReceivedAt)
			case "m2", "m3":
				rec.Outcome = momo.OutcomeParsed
				rec.Tx = money("A", momo.KindReceived, momo.In, 500, m.ReceivedAt)
			}
			return rec, nil
		}
		counts, err := s.Reparse(ctx, sub, build)
		if err != nil {
			t.Fatalf("Reparse: %v", err)
		}
		if want := []string{"m1", "m2", "m3", "m4", "m0"}; !slices.Equal(seen, want) {
			t.Errorf("walked %v, want %v", seen, want)
		}
		want := momo.Counts{Read: 5, Parsed: 2, Unrecognized: 1, Duplicate: 1, Rejected: 1}
		if counts != want {
			t.Errorf("Counts = %+v, want %+v", counts, want)
		}
		a, b := stored(t, s, sub, "A"), stored(t, s, sub, "B")
		checks := []struct {
			hash string
			want messageRow
		}{
			{"m1", messageRow{momo.OutcomeParsed, b.ID, "2024-01-10"}},
			{"m2", messageRow{momo.OutcomeParsed, a.ID, "2024-01-10"}},
			{"m3", messageRow{momo.OutcomeDuplicate, a.ID, "2024-01-10"}},
			{"m0", messageRow{momo.OutcomeUnrecognized, 0, "2024-03-01"}},
		}
		for _, c := range checks {
			if got := storedMessage(t, s, sub, c.hash); got != c.want {
				t.Errorf("message %s = %+v, want %+v", c.hash, got, c.want)
			}
		}
		if n := count(t, s, "SELECT COUNT(*) FROM transactions WHERE subscriber_id = ?", other); n != 1 {
			t.Errorf("the other subscriber has %d transactions after reparse, want 1", n)
		}

		// An error from build undoes everything.
		boom := errors.New("template table broken")
		_, err = s.Reparse(ctx, sub, func(m momo.StoredMessage) (momo.MessageRecord, error) {
			if m.Hash == "m3" {
				return momo.MessageRecord{}, boom
			}
			return build(m)
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Reparse: error %v, want the build error", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM transactions WHERE subscriber_id = ?", sub); n != 2 {
			t.Errorf("%d transactions after a failed reparse, want the 2 from before", n)
		}
		if got := storedMessage(t, s, sub, "m1"); got.TransactionID != b.ID {
			t.Errorf("a failed reparse changed message m1: %+v", got)
		}
	})
}

// Reparse rebuilds what is derived from the transactions: here, the
// counterparty names the report shows, which the new parse reads otherwise.
func TestReparseRenamesCounterparties(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		t0 := at("2024-01-10 09:00")
		named := func(key, name string, when time.Time) momo.MessageRecord {
			tx := money(key, momo.KindSent, momo.Out, 500, when)
			tx.CounterpartyKey, tx.Counterparty = "K", momo.Sealed(name)
			return parsed("h"+key, tx)
		}
		save(t, s, sub, named("a", "sealed:first", t0), named("b", "sealed:second", t0.Add(time.Minute)))
		counterpartyName(t, s, sub, "sealed:second")

		_, err := s.Reparse(ctx, sub, func(m momo.StoredMessage) (momo.MessageRecord, error) {
			name := map[string]string{"ha": "sealed:second", "hb": "sealed:first"}[m.Hash]
			rec := named(m.Hash[1:], name, m.ReceivedAt)
			return rec, nil
		})
		if err != nil {
			t.Fatalf("Reparse: %v", err)
		}
		counterpartyName(t, s, sub, "sealed:first")
		if n := count(t, s, "SELECT COUNT(*) FROM counterparties"); n != 1 {
			t.Errorf("%d counterparty rows after reparse, want 1", n)
		}
	})
}

// counterpartyName checks the name of the subscriber's top counterparty.
func counterpartyName(t *testing.T, s *Store, sub momo.SubscriberID, want momo.Sealed) {
	t.Helper()
	rep, err := s.Report(context.Background(), momo.ReportQuery{Subscriber: sub})
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if len(rep.Counterparties) != 1 || rep.Counterparties[0].Name != want {
		t.Errorf("counterparties = %+v, want one named %q", rep.Counterparties, want)
	}
}

func TestReparseWalksPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		// More than two pages, many sharing one receipt time, so that a page
		// boundary falls between equal times.
		n := 2*reparsePage + 37
		recs := make([]momo.MessageRecord, n)
		t0 := at("2024-01-10 09:00")
		for i := range recs {
			recs[n-1-i] = unrecognized(fmt.Sprintf("h%04d", i), "", t0.Add(time.Duration(i/100)*time.Minute))
		}
		save(t, s, sub, recs...)

		var last momo.StoredMessage
		ids := map[int64]bool{}
		counts, err := s.Reparse(context.Background(), sub, func(m momo.StoredMessage) (momo.MessageRecord, error) {
			if m.ReceivedAt.Before(last.ReceivedAt) || m.ReceivedAt.Equal(last.ReceivedAt) && m.ID < last.ID {
				t.Errorf("message %d came after %d", m.ID, last.ID)
			}
			ids[m.ID] = true
			last = m
			return momo.MessageRecord{Hash: m.Hash, Outcome: momo.OutcomeUnrecognized}, nil
		})
		if err != nil {
			t.Fatalf("Reparse: %v", err)
		}
		if counts.Read != n || len(ids) != n {
			t.Errorf("read %d messages, %d distinct; want %d", counts.Read, len(ids), n)
		}
	})
}
