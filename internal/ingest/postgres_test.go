package ingest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/smsbackup"
	"github.com/momoanalytics/momo/internal/sqlstore"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
)

// pgFixture is newFixture on PostgreSQL, in a schema of the test's own
// that dbURL names.
func pgFixture(tb testing.TB, dbURL string) fixture {
	tb.Helper()
	store, err := sqlstore.OpenPostgres(context.Background(), dbURL, sqlstore.PostgresOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return fixtureOn(tb, store)
}

// tryImport imports data and returns the error instead of failing.
func (f fixture) tryImport(data []byte) (momo.Counts, error) {
	return f.im.Import(context.Background(), f.sub, backupItems(data))
}

// stored is what a database holds after imports: the totals a report
// shows for the whole history.
func (f fixture) stored(tb testing.TB) momo.Report {
	tb.Helper()
	rep, err := f.store.Report(context.Background(), momo.ReportQuery{Subscriber: f.sub.ID})
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// TestPostgresConnectionCut cuts the importer's connections to PostgreSQL
// again and again until the import fails, then runs the same import again
// on the same store, whose pool reconnects: the database must end up with
// exactly what one uninterrupted import stores.
func TestPostgresConnectionCut(t *testing.T) {
	data := generated(t, 12_000)

	clean := pgFixture(t, pgtest.Schema(t))
	want := clean.importXML(t, data)
	wantRep := clean.stored(t)

	// The importer's connections carry a name of their own, so that the
	// cutter terminates those and no other.
	name := "momo_cut_" + randomHex(t)
	where := withParam(t, pgtest.Schema(t), "application_name", name)
	f := pgFixture(t, where)

	stop := cutWhenStoring(t, where, name)
	counts, err := f.tryImport(data)
	stop()
	if err == nil {
		t.Fatalf("the import survived every cut (%+v): the test cut nothing", counts)
	}
	if momo.ErrorCode(err) != momo.CodeUnavailable {
		t.Errorf("import error %v: want code unavailable", err)
	}
	if counts.Parsed+counts.Duplicate >= want.Parsed+want.Duplicate {
		t.Fatalf("the cut came after the import was done (%+v)", counts)
	}

	again, err := f.tryImport(data)
	if err != nil {
		t.Fatalf("import after the cut: %v", err)
	}
	if again.Read != want.Read {
		t.Errorf("second import read %d, want %d", again.Read, want.Read)
	}
	if got := f.stored(t); got.Messages != wantRep.Messages || got.Transactions != wantRep.Transactions ||
		got.Unrecognized != wantRep.Unrecognized || !sameMonths(got.Months, wantRep.Months) {
		t.Errorf("after a cut and a second import: %d messages, %d transactions, %d unrecognized, months %v; one clean import: %d, %d, %d, %v",
			got.Messages, got.Transactions, got.Unrecognized, got.Months,
			wantRep.Messages, wantRep.Transactions, wantRep.Unrecognized, wantRep.Months)
	}
}

// cutWhenStoring terminates, from a connection of its own, every backend
// named name, every 30 ms once the first messages are stored, until stop
// is called.
func cutWhenStoring(t *testing.T, where, name string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, withParam(t, where, "application_name", "momo_cutter"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer conn.Close(context.Background())
		started := false
		for ctx.Err() == nil {
			time.Sleep(30 * time.Millisecond)
			if !started {
				var n int
				// A failed query is ctx ending: the loop stops.
				conn.QueryRow(ctx, "SELECT COUNT(*) FROM messages").Scan(&n)
				started = n > 0
				continue
			}
			conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", name)
		}
	}()
	return func() { cancel(); <-done }
}

func sameMonths(a, b []momo.MonthTotal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func withParam(tb testing.TB, raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(tb testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// BenchmarkPostgresImport100k is BenchmarkImport100k on PostgreSQL.
func BenchmarkPostgresImport100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "backup.xml")
	data := generated(b, 100_000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	data = nil
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := pgFixture(b, pgtest.Schema(b))
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()

		counts := f.importFrom(b, in)

		b.StopTimer()
		in.Close()
		if counts.Parsed+counts.Skipped+counts.Duplicate != 100_000 {
			b.Fatalf("counts %+v", counts)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*100_000)/b.Elapsed().Seconds(), "msgs/s")
}

func backupItems(data []byte) func() (ingest.Item, bool, error) {
	return ingest.BackupItems(smsbackup.NewReader(bytes.NewReader(data), smsbackup.Options{}), momo.SourceBackup)
}
