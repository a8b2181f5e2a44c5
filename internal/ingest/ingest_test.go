package ingest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/smsbackup"
	"github.com/momoanalytics/momo/internal/smsparse"
	"github.com/momoanalytics/momo/internal/sqlstore"
	"github.com/momoanalytics/momo/internal/synth"
	"github.com/momoanalytics/momo/internal/vault"
)

// Test keys, made for these tests only.
const (
	testKey    = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	testSecret = "test-secret-test-secret-test-secret-0123"
)

type fixture struct {
	im    *ingest.Importer
	store *sqlstore.Store
	sub   momo.Subscriber
}

func newFixture(tb testing.TB) fixture {
	tb.Helper()
	store, err := sqlstore.Open(context.Background(), filepath.Join(tb.TempDir(), "momo.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return fixtureOn(tb, store)
}

// fixtureOn builds an importer around store, closed when the test ends.
func fixtureOn(tb testing.TB, store *sqlstore.Store) fixture {
	tb.Helper()
	tb.Cleanup(func() { store.Close() })
	ctx := context.Background()
	book, err := smsparse.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := vault.New(testKey, testSecret)
	if err != nil {
		tb.Fatal(err)
	}
	sub, err := store.Subscriber(ctx, momo.SourceCLI, "local", momo.Subscriber{})
	if err != nil {
		tb.Fatal(err)
	}
	im := &ingest.Importer{Parser: book, Cipher: v, Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return fixture{im: im, store: store, sub: sub}
}

func (f fixture) importXML(tb testing.TB, data []byte) momo.Counts {
	tb.Helper()
	return f.importFrom(tb, bytes.NewReader(data))
}

func (f fixture) importFrom(tb testing.TB, in io.Reader) momo.Counts {
	tb.Helper()
	r := smsbackup.NewReader(in, smsbackup.Options{})
	counts, err := f.im.Import(context.Background(), f.sub, ingest.BackupItems(r, momo.SourceBackup))
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return counts
}

func generated(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := synth.WriteBackup(&buf, synth.RwandaBusy(11, time.Date(2003, 1, 1, 0, 0, 0, 0, time.UTC), n)); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompanionsBookOnce: a bundle payment and its Kinyarwanda
// confirmation are two messages and one transaction.
func TestCompanionsBookOnce(t *testing.T) {
	f := newFixture(t)
	data := generated(t, 600)
	counts := f.importXML(t, data)

	rep, err := f.store.Report(context.Background(), momo.ReportQuery{Subscriber: f.sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	book, _ := smsparse.Builtin()
	var bundlesPaid, confirmations int
	r := smsbackup.NewReader(bytes.NewReader(data), smsbackup.Options{})
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		switch book.Parse(momo.Message{Body: rec.Body, Sender: rec.Address}).Transaction.Template {
		case "utility_162_bundles":
			bundlesPaid++
		case "bundle_yello_kinyarwanda":
			confirmations++
		}
	}
	if bundlesPaid == 0 || confirmations != bundlesPaid {
		t.Fatalf("generator made %d bundle payments and %d confirmations", bundlesPaid, confirmations)
	}
	for _, k := range rep.Kinds {
		if k.Kind == momo.KindBundle && k.Count != bundlesPaid {
			t.Errorf("bundles booked %d times, want %d (one per payment): %+v", k.Count, bundlesPaid, counts)
		}
	}
}

// BenchmarkImport100k imports a file of 100,000 generated messages into a
// fresh SQLite file per iteration: reading, parsing, judging risk,
// sealing, deduplicating and storing, as `momo import` does. It reports
// messages per second and the peak heap.
func BenchmarkImport100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "backup.xml")
	data := generated(b, 100_000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	data = nil
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b)
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := watchHeap(&peak)
		b.StartTimer()

		counts := f.importFrom(b, in)

		b.StopTimer()
		stop()
		in.Close()
		if counts.Parsed+counts.Skipped+counts.Duplicate != 100_000 {
			b.Fatalf("counts %+v", counts)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*100_000)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// watchHeap samples the heap in use until stopped, keeping the peak.
func watchHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > *peak {
				*peak = ms.HeapInuse
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}
