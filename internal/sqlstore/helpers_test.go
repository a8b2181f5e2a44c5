package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the tests name zones; do not depend on the machine's

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
)

// importTime is what the store's clock reads in tests.
var importTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// engine is a database the store runs on; every test of the store's
// behaviour runs on each (see eachEngine).
type engine string

const (
	sqliteEngine   engine = "sqlite"
	postgresEngine engine = "postgres"
)

var engines = []engine{sqliteEngine, postgresEngine}

// eachEngine runs fn as a subtest per engine, named after it. The
// PostgreSQL subtest skips (fails under CI) without TEST_DATABASE_URL.
func eachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	t.Helper()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// fresh returns where an empty database of the engine is: a file in a
// temporary directory, or a PostgreSQL URL whose search_path is a schema
// of the test's own, dropped when it ends.
func (e engine) fresh(t testing.TB) string {
	t.Helper()
	if e == postgresEngine {
		return pgtest.Schema(t)
	}
	return filepath.Join(t.TempDir(), "momo.db")
}

// migrationDir is the engine's folder of migrations.
func (e engine) migrationDir() string {
	if e == postgresEngine {
		return postgresDialect.migrations
	}
	return sqliteDialect.migrations
}

// openAt opens a store on the database at where, closed when the test ends.
func (e engine) openAt(t testing.TB, where string) *Store {
	t.Helper()
	ctx := context.Background()
	var s *Store
	var err error
	if e == postgresEngine {
		s, err = OpenPostgres(ctx, where, PostgresOptions{})
	} else {
		s, err = Open(ctx, where)
	}
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	s.now = func() time.Time { return importTime }
	t.Cleanup(func() { s.Close() })
	return s
}

// openOn opens a store on a fresh database of the engine.
func openOn(t testing.TB, e engine) *Store {
	t.Helper()
	return e.openAt(t, e.fresh(t))
}

// subscriber creates a subscriber with the given reference and timezone.
func subscriber(t testing.TB, s *Store, ref, tz string) momo.SubscriberID {
	t.Helper()
	sub, err := s.Subscriber(context.Background(), momo.SourceCLI, ref,
		momo.Subscriber{Timezone: tz, Currency: "GHS"})
	if err != nil {
		t.Fatalf("Subscriber: %v", err)
	}
	return sub.ID
}

// save stores recs and fails the test on error.
func save(t testing.TB, s *Store, sub momo.SubscriberID, recs ...momo.MessageRecord) []momo.Outcome {
	t.Helper()
	out, err := s.Save(context.Background(), sub, recs)
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	return out
}

// at parses a UTC time written as "2006-01-02 15:04".
func at(s string) time.Time {
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return v
}

// unrecognized is a message no template knew.
func unrecognized(hash, operator string, received time.Time) momo.MessageRecord {
	return momo.MessageRecord{
		Hash: hash, Source: momo.SourceBackup,
		Sender: "sealed:sender", Body: momo.Sealed("sealed:" + hash),
		ReceivedAt: received, Outcome: momo.OutcomeUnrecognized, Operator: operator,
	}
}

// parsed is a message describing tx, received when tx was booked.
func parsed(hash string, tx *momo.TransactionRecord) momo.MessageRecord {
	return momo.MessageRecord{
		Hash: hash, Source: momo.SourceBackup,
		Sender: "sealed:sender", Body: momo.Sealed("sealed:" + hash),
		ReceivedAt: tx.BookedAt, Outcome: momo.OutcomeParsed,
		Operator: tx.Operator, Template: tx.Template, Tx: tx,
	}
}

// money is a completed GHS transaction of MTN MoMo booked at when, whose
// local day is when's UTC date.
func money(key string, kind momo.Kind, dir momo.Direction, amount int64, when time.Time) *momo.TransactionRecord {
	return &momo.TransactionRecord{
		DedupKey: key, Operator: "MTN MoMo", Country: "GH", Currency: "GHS",
		Kind: kind, Direction: dir, Status: momo.Completed, Amount: momo.Some(amount),
		BookedAt: when, LocalDay: when.Format(time.DateOnly), Template: "mtn-gh-" + string(kind),
	}
}

// txState is what the tests inspect of a stored transaction.
type txState struct {
	ID          int64
	Booked      bool
	CompanionOf int64 // 0 when none
}

func stored(t testing.TB, s *Store, sub momo.SubscriberID, key string) txState {
	t.Helper()
	var st txState
	var of sql.NullInt64
	err := s.db.QueryRow(s.d.q(`SELECT id, booked, companion_of FROM transactions
		WHERE subscriber_id = ? AND dedup_key = ?`), sub, key).Scan(&st.ID, &st.Booked, &of)
	if err != nil {
		t.Fatalf("transaction %q: %v", key, err)
	}
	st.CompanionOf = of.Int64
	return st
}

// count runs a COUNT query.
func count(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(s.d.q(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// messageRow is what the tests inspect of a stored message.
type messageRow struct {
	Outcome       momo.Outcome
	TransactionID int64
	LocalDay      string
}

func storedMessage(t testing.TB, s *Store, sub momo.SubscriberID, hash string) messageRow {
	t.Helper()
	var m messageRow
	var tx sql.NullInt64
	err := s.db.QueryRow(s.d.q(`SELECT outcome, transaction_id, local_day FROM messages
		WHERE subscriber_id = ? AND hash = ?`), sub, hash).Scan(&m.Outcome, &tx, &m.LocalDay)
	if err != nil {
		t.Fatalf("message %q: %v", hash, err)
	}
	m.TransactionID = tx.Int64
	return m
}
