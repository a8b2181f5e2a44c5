package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

const latestVersion = 12

func TestOpenCreatesPrivateDatabase(t *testing.T) {
	ctx := context.Background()
	// A space and a "?" in the name check that the path reaches SQLite
	// whole, not cut into a query.
	dir := filepath.Join(t.TempDir(), "new dir")
	path := filepath.Join(dir, "momo?.db")

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	subscriber(t, s, "local", "") // a write, so that the WAL files exist

	if v, err := s.Version(ctx); err != nil || v != latestVersion {
		t.Errorf("Version = %d, %v; want %d", v, err, latestVersion)
	}
	wantMode := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for name, want := range wantMode {
		fi, err := os.Stat(name)
		if err != nil {
			t.Errorf("stat: %v", err)
			continue
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", filepath.Base(name), got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("directory holds %d files, want the database, -wal and -shm", len(entries))
	}

	// Every pooled connection must run with the pragmas.
	pragmas := []struct {
		name string
		want string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
		{"temp_store", "2"},  // MEMORY
		{"wal_autocheckpoint", "4000"},
	}
	for _, p := range pragmas {
		var got string
		if err := s.db.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", p.name, err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %s, want %s", p.name, got, p.want)
		}
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		reopen(t, e)
	})
}

func reopen(t *testing.T, e engine) {
	ctx := context.Background()
	where := e.fresh(t)
	s := e.openAt(t, where)
	sub := subscriber(t, s, "local", "")
	save(t, s, sub, unrecognized("h1", "", at("2024-01-01 10:00")))
	s.Close()

	s = e.openAt(t, where)
	from, to, err := s.Migrate(ctx)
	if err != nil || from != latestVersion || to != latestVersion {
		t.Errorf("Migrate = %d, %d, %v; want %d, %d, nil", from, to, err, latestVersion, latestVersion)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM messages"); n != 1 {
		t.Errorf("%d messages after reopening, want 1", n)
	}
}

func TestMigrationsDownAndUp(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		if _, err := s.migrations.DownTo(ctx, 0); err != nil {
			t.Fatalf("DownTo(0): %v", err)
		}
		if v, _ := s.Version(ctx); v != 0 {
			t.Fatalf("Version after down = %d, want 0", v)
		}
		from, to, err := s.Migrate(ctx)
		if err != nil || from != 0 || to != latestVersion {
			t.Fatalf("Migrate from empty = %d, %d, %v; want 0, %d, nil", from, to, err, latestVersion)
		}
		subscriber(t, s, "local", "")
	})
}

// Before version 4 the report read counterparties' names from their
// transactions; the migration must carry the latest ones over.
func TestMigrationNamesCounterparties(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		if _, err := s.migrations.DownTo(ctx, 3); err != nil {
			t.Fatalf("DownTo(3): %v", err)
		}
		sub := subscriber(t, s, "local", "")
		rows := []struct {
			key, currency string
			name, number  any
		}{
			{"K1", "GHS", "sealed:old", "sealed:024"},
			{"K1", "GHS", "sealed:new", nil}, // the latest name; the number stays
			{"K1", "RWF", nil, "sealed:rw"},
			{"K2", "GHS", nil, nil},
		}
		for i, r := range rows {
			_, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO transactions (subscriber_id, dedup_key, kind,
				direction, booked_at, local_day, local_month, booked, created_at,
				counterparty_key, currency, counterparty_enc, counterparty_number_enc)
				VALUES (?, ?, 'sent', 'out', '2024-01-01T00:00:00.000Z', '2024-01-01', '2024-01', 1,
				'2024-01-01T00:00:00.000Z', ?, ?, ?, ?)`), sub, fmt.Sprint("k", i), r.key, r.currency, r.name, r.number)
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}

		want := []string{"K1 GHS sealed:new sealed:024", "K1 RWF  sealed:rw", "K2 GHS  "}
		var got []string
		q, err := s.db.QueryContext(ctx, s.d.q(`SELECT counterparty_key, currency,
			COALESCE(name_enc, ''), COALESCE(number_enc, '')
			FROM counterparties WHERE subscriber_id = ? ORDER BY 1, 2`), sub)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		for q.Next() {
			var key, cur, name, number string
			if err := q.Scan(&key, &cur, &name, &number); err != nil {
				t.Fatal(err)
			}
			got = append(got, key+" "+cur+" "+name+" "+number)
		}
		if !slices.Equal(got, want) {
			t.Errorf("counterparties = %q, want %q", got, want)
		}
	})
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer a.Close()
	b, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()

	sub := subscriber(t, a, "local", "")
	out := save(t, a, sub, parsed("h1", money("k1", momo.KindReceived, momo.In, 100, at("2024-01-01 10:00"))))
	if out[0] != momo.OutcomeParsed {
		t.Errorf("Save = %v, want parsed", out)
	}
	rep, err := a.Report(ctx, momo.ReportQuery{Subscriber: sub})
	if err != nil || rep.Transactions != 1 {
		t.Errorf("Report = %d transactions, %v; want 1", rep.Transactions, err)
	}
	if n := count(t, b, "SELECT COUNT(*) FROM subscribers"); n != 0 {
		t.Errorf("a second in-memory store sees %d subscribers, want its own empty database", n)
	}
}

func TestSubscriberGetOrCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		defaults := momo.Subscriber{Timezone: "Africa/Accra", Currency: "GHS", DailyBudget: momo.Some(5000)}
		first, err := s.Subscriber(ctx, momo.SourceTelegram, "chat-1", defaults)
		if err != nil {
			t.Fatalf("Subscriber: %v", err)
		}
		want := momo.Subscriber{ID: first.ID, Channel: momo.SourceTelegram, Ref: "chat-1",
			Timezone: "Africa/Accra", Currency: "GHS", DailyBudget: momo.Some(5000), CreatedAt: importTime}
		if first != want {
			t.Errorf("created %+v, want %+v", first, want)
		}

		// Later defaults change nothing.
		again, err := s.Subscriber(ctx, momo.SourceTelegram, "chat-1", momo.Subscriber{Timezone: "Africa/Kigali"})
		if err != nil || again != first {
			t.Errorf("second call = %+v, %v; want %+v", again, err, first)
		}
		// Same ref on another channel is someone else; no budget stays unknown.
		other, err := s.Subscriber(ctx, momo.SourceWhatsApp, "chat-1", momo.Subscriber{})
		if err != nil || other.ID == first.ID || other.DailyBudget.Known {
			t.Errorf("other channel = %+v, %v; want a new subscriber without budget", other, err)
		}

		if _, err := s.Subscriber(ctx, momo.SourceCLI, "", defaults); momo.ErrorCode(err) != momo.CodeInvalid {
			t.Errorf("empty ref: error %v, want code invalid", err)
		}
	})
}

func TestSubscriberConcurrentCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		const n = 8
		ids := make([]momo.SubscriberID, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				sub, err := s.Subscriber(context.Background(), momo.SourceDevice, "phone", momo.Subscriber{})
				if err != nil {
					t.Errorf("Subscriber: %v", err)
				}
				ids[i] = sub.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("racing callers got subscribers %v, want one", ids)
			}
		}
	})
}

func TestLockedDatabaseIsUnavailable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "momo.db")
	s, err := open(ctx, path, options{busyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	sub := subscriber(t, s, "local", "")

	// Another process holds the write lock.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	_, err = s.Save(ctx, sub, []momo.MessageRecord{unrecognized("h1", "", time.Time{})})
	if momo.ErrorCode(err) != momo.CodeUnavailable {
		t.Errorf("Save on a locked database: error %v, want code unavailable", err)
	}
}

func TestCanceledContext(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		sub := subscriber(t, s, "local", "")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		_, err := s.Save(ctx, sub, []momo.MessageRecord{unrecognized("h1", "", time.Time{})})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Save: error %v, want context.Canceled in the chain", err)
		}
		_, err = s.Report(ctx, momo.ReportQuery{Subscriber: sub})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Report: error %v, want context.Canceled in the chain", err)
		}
	})
}
