package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
	"github.com/momoanalytics/momo/internal/synth"
)

// TestPostgresTwoImportsAtOnce runs two `momo import` processes on the same
// file into one PostgreSQL database at the same time. The unique
// constraints, not a read before each write, decide which process stores
// each message: between them they parse each message once, and the
// database holds exactly what a single import into an empty database
// holds.
func TestPostgresTwoImportsAtOnce(t *testing.T) {
	shared := pgtest.Schema(t)
	single := pgtest.Schema(t)
	bin := buildMomo(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "backup.xml")
	var buf bytes.Buffer
	if err := synth.WriteBackup(&buf, synth.RwandaBusy(5, time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC), 15_000)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	want := importProcess(t, startImport(t, bin, dir, single, file))
	if want.Parsed < 10_000 {
		t.Fatalf("a single import parsed %+v: the file is not what the test needs", want)
	}

	a, b := startImport(t, bin, dir, shared, file), startImport(t, bin, dir, shared, file)
	ca, cb := importProcess(t, a), importProcess(t, b)
	if ca.Parsed+cb.Parsed != want.Parsed || ca.Read != want.Read || cb.Read != want.Read {
		t.Errorf("two imports at once parsed %d + %d (read %d, %d); one import parses %d of %d",
			ca.Parsed, cb.Parsed, ca.Read, cb.Read, want.Parsed, want.Read)
	}
	// Often one process stores everything: the other's inserts wait on
	// the first's uncommitted rows of the same keys, then find them stored.
	for _, table := range []string{"messages", "transactions", "counterparties", "subscribers"} {
		if got, w := rows(t, shared, table), rows(t, single, table); got != w {
			t.Errorf("%s: %d rows after two imports at once, %d after one import", table, got, w)
		}
	}
}

// buildMomo builds the command into a temporary directory.
func buildMomo(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build momo: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "momo")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type importRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// startImport starts `momo import --json file` on the database at dbURL.
func startImport(t *testing.T, bin, dir, dbURL, file string) *importRun {
	t.Helper()
	r := &importRun{cmd: exec.Command(bin, "import", "--json", file)}
	r.cmd.Env = []string{
		"HOME=" + dir, "MOMO_DATA_DIR=" + dir, "LOG_FILE=-", "MOMO_ENV=development",
		"DATABASE_URL=" + dbURL,
		// Keys made for this test only.
		"SECRET_KEY=test-secret-test-secret-test-secret-0123",
		"ENCRYPTION_KEY=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
	}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

// importProcess waits for an import and returns its counts.
func importProcess(t *testing.T, r *importRun) momo.Counts {
	t.Helper()
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("momo import: %v\n%s", err, r.stderr.String())
	}
	var c momo.Counts
	if err := json.Unmarshal(r.stdout.Bytes(), &c); err != nil {
		t.Fatalf("momo import --json printed %q: %v", r.stdout.String(), err)
	}
	return c
}

// rows counts the rows of a table in the schema dbURL names.
func rows(t *testing.T, dbURL, table string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
