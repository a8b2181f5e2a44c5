package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	goflag "flag"
	"fmt"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

const benchBatch = 1000

// benchRecords is how many records the benchmarks store; the report's
// figure over 1,000,000 transactions comes from -records 1000000.
var benchRecords = 100_000

func init() {
	goflag.IntVar(&benchRecords, "records", benchRecords, "records the benchmarks store")
}

// generate makes n records of one subscriber's history, seven minutes
// apart (about sixteen months for 100,000): a mix of kinds over 500
// counterparties, a bundle confirmation after every 50th record (a payment),
// and, when unrecognizedEvery > 0, an unrecognized message that often.
// Sealed values have the length of real Fernet tokens; hashes and dedup
// keys look like the vault's, scattered over the unique indexes as real
// ones are (sequential keys would make those indexes look free).
func generate(n, unrecognizedEvery int) []momo.MessageRecord {
	kinds := []struct {
		kind momo.Kind
		dir  momo.Direction
	}{
		{momo.KindReceived, momo.In}, {momo.KindSent, momo.Out}, {momo.KindPayment, momo.Out},
		{momo.KindWithdrawal, momo.Out}, {momo.KindAirtime, momo.Out},
	}
	t0 := at("2024-01-01 06:00")
	balance := int64(1_000_000)
	recs := make([]momo.MessageRecord, 0, n)
	for i := range n {
		when := t0.Add(time.Duration(i) * 7 * time.Minute)
		hash := keyed("message", i)
		if unrecognizedEvery > 0 && i%unrecognizedEvery == unrecognizedEvery-1 {
			recs = append(recs, unrecognized(hash, "MTN MoMo", when))
			continue
		}
		var tx *momo.TransactionRecord
		switch {
		case i%50 == 49: // a minute after the payment it repeats
			tx = bundleConfirmation("id:"+keyed("txid", i), 2000, when.Add(-6*time.Minute))
		case i%50 == 48:
			tx = money("id:"+keyed("txid", i), momo.KindPayment, momo.Out, 2000, when)
		default:
			k := kinds[i%len(kinds)]
			amount := int64(100 * (1 + i%97))
			tx = money("id:"+keyed("txid", i), k.kind, k.dir, amount, when)
			if k.dir == momo.In {
				balance += amount
			} else {
				balance -= amount
				tx.Fee, tx.Tax = momo.Some(amount/100), momo.Some(amount/200)
			}
			tx.Balance = momo.Some(balance)
			cp := i % 500
			tx.CounterpartyKey = fmt.Sprintf("cp%03d", cp)
			tx.Counterparty = token(fmt.Sprintf("name-%03d", cp), 120)
			tx.CounterpartyNumber = token(fmt.Sprintf("number-%03d", cp), 120)
		}
		rec := parsed(hash, tx)
		rec.Body, rec.Sender = token(hash, 330), token("sender", 100)
		recs = append(recs, rec)
	}
	return recs
}

// keyed stands for the vault's keyed hash of the i-th value of a domain:
// 32 hex digits.
func keyed(domain string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", domain, i))
	return hex.EncodeToString(sum[:16])
}

// token stands for a Fernet token of the given length (a sealed name is
// about 120 characters, a sealed SMS about 330).
func token(seed string, n int) momo.Sealed {
	b := make([]byte, n)
	for i := range b {
		b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(i*7+len(seed)*13+int(seed[i%len(seed)]))%64]
	}
	return momo.Sealed(b)
}

// saveAll stores recs in batches.
func saveAll(tb testing.TB, s *Store, sub momo.SubscriberID, recs []momo.MessageRecord) {
	tb.Helper()
	for i := 0; i < len(recs); i += benchBatch {
		if _, err := s.Save(context.Background(), sub, recs[i:min(i+benchBatch, len(recs))]); err != nil {
			tb.Fatalf("Save: %v", err)
		}
	}
}

// eachEngineB runs fn as a sub-benchmark per engine.
func eachEngineB(b *testing.B, fn func(b *testing.B, e engine)) {
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) { fn(b, e) })
	}
}

// BenchmarkSave stores 100,000 records in batches of 1,000 into a new
// database, and reports records per second.
func BenchmarkSave(b *testing.B) {
	eachEngineB(b, benchmarkSave)
}

func benchmarkSave(b *testing.B, e engine) {
	recs := generate(benchRecords, 20)
	var elapsed time.Duration
	var saved int
	for range b.N {
		b.StopTimer()
		s := e.openAt(b, e.fresh(b))
		sub := subscriber(b, s, "bench", "")
		b.StartTimer()

		start := time.Now()
		saveAll(b, s, sub, recs)
		elapsed += time.Since(start)
		saved += len(recs)

		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(saved)/elapsed.Seconds(), "records/s")
}

// BenchmarkReport computes reports over 100,000 transactions (see
// -records).
func BenchmarkReport(b *testing.B) {
	eachEngineB(b, benchmarkReport)
}

func benchmarkReport(b *testing.B, e engine) {
	s := e.openAt(b, e.fresh(b))
	sub := subscriber(b, s, "bench", "")
	saveAll(b, s, sub, generate(benchRecords, 0))
	if e == postgresEngine {
		// What autovacuum does soon after a large import: planner
		// statistics, and the visibility map that index-only scans need.
		if _, err := s.db.Exec("VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}

	queries := []struct {
		name string
		q    momo.ReportQuery
	}{
		{"history", momo.ReportQuery{Subscriber: sub}},
		{"month", momo.ReportQuery{Subscriber: sub, From: "2024-06-01", To: "2024-06-30"}},
		{"all-subscribers", momo.ReportQuery{}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Report(context.Background(), q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDashboard answers the dashboard's questions over 100,000
// records (see -records) of one subscriber linked to an account: the
// first page of transactions, of a month, a page deep in the history, the
// latest unrecognized messages and the report with its day series.
func BenchmarkDashboard(b *testing.B) {
	eachEngineB(b, benchmarkDashboard)
}

func benchmarkDashboard(b *testing.B, e engine) {
	ctx := context.Background()
	s := e.openAt(b, e.fresh(b))
	sub := subscriber(b, s, "bench", "")
	saveAll(b, s, sub, generate(benchRecords, 20))
	owner := createUser(b, s, "bench", momo.AdminIfFirst)
	if err := s.LinkSubscriber(ctx, sub, owner.ID); err != nil {
		b.Fatal(err)
	}
	subscriber(b, s, "other", "") // the admin's view merges two
	if e == postgresEngine {
		if _, err := s.db.Exec("VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	middle := momo.TransactionCursor{BookedAt: at("2024-06-15 12:00"), ID: 1 << 40}

	queries := []struct {
		name string
		run  func() error
	}{
		{"first-page", func() error {
			_, err := s.Transactions(ctx, momo.TransactionQuery{Owner: owner.ID, Limit: 50})
			return err
		}},
		{"first-page-all-subscribers", func() error {
			_, err := s.Transactions(ctx, momo.TransactionQuery{Limit: 50})
			return err
		}},
		{"month-page", func() error {
			_, err := s.Transactions(ctx, momo.TransactionQuery{Owner: owner.ID, From: "2024-06-01", To: "2024-06-30", Limit: 50})
			return err
		}},
		{"deep-page", func() error {
			_, err := s.Transactions(ctx, momo.TransactionQuery{Owner: owner.ID, After: middle, Limit: 50})
			return err
		}},
		{"unrecognized", func() error {
			_, err := s.RecentUnrecognized(ctx, momo.ReportQuery{Owner: owner.ID, From: "2024-06-01"}, 20)
			return err
		}},
		{"report-subscriber", func() error {
			_, err := s.Report(ctx, momo.ReportQuery{Subscriber: sub})
			return err
		}},
		{"report", func() error {
			_, err := s.Report(ctx, momo.ReportQuery{Owner: owner.ID})
			return err
		}},
		{"report-series", func() error {
			_, err := s.Report(ctx, momo.ReportQuery{Owner: owner.ID, Series: true})
			return err
		}},
		{"subscribers", func() error {
			_, err := s.Subscribers(ctx, 100)
			return err
		}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if err := q.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
