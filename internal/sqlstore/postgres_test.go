package sqlstore

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
)

func TestDollarPlaceholders(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"x LIKE '%?%' AND y = ?", "x LIKE '%?%' AND y = $1"},
		{"'it''s' = ? OR ? = 'a?'", "'it''s' = $1 OR $2 = 'a?'"},
	}
	for _, tt := range tests {
		if got := dollarPlaceholders(tt.in); got != tt.want {
			t.Errorf("dollarPlaceholders(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPostgresConfig(t *testing.T) {
	tests := []struct {
		url       string
		conns     int32
		timeout   string
		appName   string
		wantError bool
	}{
		{"postgres://u@db.example.org/momo", defaultPoolSize, "30000", "momo", false},
		{"postgresql://u@db/momo?pool_max_conns=3&statement_timeout=5s&application_name=x", 3, "5s", "x", false},
		{"postgres://u@db/momo?statement_timeout=0", defaultPoolSize, "0", "momo", false},
		{"postgres://u@db/momo?pool_max_conns=many", 0, "", "", true},
		{"mysql://u@db/momo", 0, "", "", true},
	}
	for _, tt := range tests {
		cfg, err := postgresConfig(tt.url)
		if tt.wantError {
			if err == nil {
				t.Errorf("%s: no error", tt.url)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		p := cfg.ConnConfig.RuntimeParams
		if cfg.MaxConns != tt.conns || p["statement_timeout"] != tt.timeout || p["application_name"] != tt.appName {
			t.Errorf("%s: pool %d, statement_timeout %q, application_name %q; want %d, %q, %q", tt.url,
				cfg.MaxConns, p["statement_timeout"], p["application_name"], tt.conns, tt.timeout, tt.appName)
		}
	}
}

func TestPostgresURLErrorsHidePasswords(t *testing.T) {
	_, err := postgresConfig("postgres://u:s3cret-pw@db/momo?pool_max_conns=x")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v: want one that does not show the password", err)
	}
}

func TestWarnPlaintext(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	tests := []struct {
		url  string
		warn bool
	}{
		{"postgres://u@db.example.org/momo", true}, // pgx's default is prefer
		{"postgres://u@db.example.org/momo?sslmode=disable", true},
		{"postgres://u@db.example.org/momo?sslmode=allow", true},
		{"postgres://u@db.example.org/momo?sslmode=require", false},
		{"postgres://u@db.example.org/momo?sslmode=verify-full", false},
		{"postgres://u@127.0.0.1/momo?sslmode=disable", false},
		{"postgres://u@[::1]:5433/momo?sslmode=disable", false},
		{"postgres://u@localhost/momo", false},
		{"postgres://u@/momo?host=/run/postgresql", false},
		{"postgres://u@127.0.0.1,db.example.org/momo?sslmode=disable", true},
	}
	for _, tt := range tests {
		cfg, err := postgresConfig(tt.url)
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		var buf bytes.Buffer
		warnPlaintext(tt.url, cfg, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := strings.Contains(buf.String(), "level=WARN"); got != tt.warn {
			t.Errorf("%s: warned %v, want %v (%s)", tt.url, got, tt.warn, buf.String())
		}
	}
}

// TestPostgresSessionSettings checks what each pooled connection runs
// with: the statement timeout, default or from the URL, and none on the
// migration connections.
func TestPostgresSessionSettings(t *testing.T) {
	ctx := context.Background()
	where := pgtest.Schema(t)
	tests := []struct {
		query string
		want  string
	}{
		{"", "30s"},
		{"statement_timeout=5s", "5s"},
	}
	for _, tt := range tests {
		url := where
		if tt.query != "" {
			url += "&" + tt.query
		}
		s := postgresEngine.openAt(t, url)
		var got, migrating string
		if err := s.db.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if err := s.migrateDB.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&migrating); err != nil {
			t.Fatal(err)
		}
		if got != tt.want || migrating != "0" {
			t.Errorf("%q: statement_timeout %s, on migrations %s; want %s and 0", tt.query, got, migrating, tt.want)
		}
	}
}

// TestConcurrentMigrations starts several stores on one empty database
// at once: one migrates, the others wait for it and find the schema up to
// date.
func TestConcurrentMigrations(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		where := e.fresh(t)
		const n = 4
		stores := make([]*Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if e == postgresEngine {
					stores[i], errs[i] = OpenPostgres(context.Background(), where, PostgresOptions{})
				} else {
					stores[i], errs[i] = Open(context.Background(), where)
				}
			})
		}
		wg.Wait()
		for i, s := range stores {
			if errs[i] != nil {
				t.Fatalf("open %d: %v", i, errs[i])
			}
			defer s.Close()
		}
		v, err := stores[0].Version(context.Background())
		if err != nil || v < latestVersion {
			t.Fatalf("version %d, %v", v, err)
		}
		var applied int
		if err := stores[0].db.QueryRow(`SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		files, _ := migrationFiles.ReadDir(e.migrationDir())
		if applied != len(files) {
			t.Errorf("%d migrations recorded for %d files: some ran twice or not at all", applied, len(files))
		}
	})
}

// TestPostgresLockedIsUnavailable: a table another transaction holds
// locked, and a lock_timeout (a runtime parameter in the URL), make Save
// fail as unavailable, as a locked SQLite database does.
func TestPostgresLockedIsUnavailable(t *testing.T) {
	ctx := context.Background()
	where := pgtest.Schema(t)
	s := postgresEngine.openAt(t, where+"&lock_timeout=100")
	sub := subscriber(t, s, "local", "")

	other, err := pgx.Connect(ctx, where)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE messages IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	_, err = s.Save(ctx, sub, []momo.MessageRecord{unrecognized("h1", "", time.Time{})})
	if momo.ErrorCode(err) != momo.CodeUnavailable {
		t.Errorf("Save on a locked table: error %v, want code unavailable", err)
	}
}

// TestPostgresUnreachableIsUnavailable: no server listening.
func TestPostgresUnreachableIsUnavailable(t *testing.T) {
	// Port 1 on loopback: nothing listens there.
	_, err := OpenPostgres(context.Background(), "postgres://u@127.0.0.1:1/momo?connect_timeout=2", PostgresOptions{})
	if momo.ErrorCode(err) != momo.CodeUnavailable {
		t.Errorf("OpenPostgres: error %v, want code unavailable", err)
	}
	if msg := momo.ErrorMessage(err); !strings.Contains(msg, "127.0.0.1:1") {
		t.Errorf("message %q does not name the server", msg)
	}
}

// TestPostgresDeadlockIsRetried makes Save deadlock with another
// transaction: PostgreSQL undoes Save's transaction, Save runs it again
// once the other has committed, and finds both messages stored by it.
func TestPostgresDeadlockIsRetried(t *testing.T) {
	ctx := context.Background()
	where := pgtest.Schema(t)
	// Save's session looks for deadlocks first, so that it is the one
	// PostgreSQL undoes; the other waits its default second.
	s := postgresEngine.openAt(t, where+"&deadlock_timeout=50&application_name=momo_victim")
	sub := subscriber(t, s, "local", "")

	other, err := pgx.Connect(ctx, where)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	insert := `INSERT INTO messages (subscriber_id, hash, source, imported_at, local_day, outcome)
		VALUES ($1, $2, 'backup', '2024-03-01T12:00:00.000Z', '2024-03-01', 'unrecognized')`
	if _, err := tx.Exec(ctx, insert, sub, "h2"); err != nil {
		t.Fatal(err)
	}

	type result struct {
		out []momo.Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := s.Save(ctx, sub, []momo.MessageRecord{
			unrecognized("h1", "", time.Time{}), unrecognized("h2", "", time.Time{})})
		done <- result{out, err}
	}()
	waitForLock(t, other, "momo_victim")
	// Save holds h1 and waits for h2; this waits for h1: a deadlock.
	if _, err := tx.Exec(ctx, insert, sub, "h1"); err != nil {
		t.Fatalf("the other transaction was undone instead of Save's: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	r := <-done
	if r.err != nil {
		t.Fatalf("Save: %v; want the deadlocked transaction run again", r.err)
	}
	want := []momo.Outcome{momo.OutcomeDuplicate, momo.OutcomeDuplicate}
	if !slices.Equal(r.out, want) {
		t.Errorf("outcomes %v, want %v", r.out, want)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM messages"); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

// waitForLock waits until a session of the named application waits for a
// lock.
func waitForLock(t *testing.T, conn *pgx.Conn, app string) {
	t.Helper()
	for range 200 {
		var waiting bool
		err := conn.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event_type = 'Lock')`, app).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no session of %s waits for a lock", app)
}
