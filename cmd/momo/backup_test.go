package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/corpus"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
)

// TestMoveSQLiteToPostgres is the move: a laptop's SQLite database
// backed up and restored into PostgreSQL prints the same report.
func TestMoveSQLiteToPostgres(t *testing.T) {
	dir := t.TempDir()
	if r := momoRun(t, dir, nil, "", "import", corpus.Path(t, "mtn-rwanda-sms-backup.xml")); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	laptop := momoRun(t, dir, nil, "", "report")
	if laptop.code != 0 || !strings.Contains(laptop.stdout, "1691") {
		t.Fatalf("report on SQLite (%d): %s%s", laptop.code, laptop.stdout, laptop.stderr)
	}
	file := filepath.Join(dir, "move.momo")
	if r := momoRun(t, dir, nil, "", "backup", file); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v", err, st.Mode())
	}

	// The server: the same keys (the data directory's key file), another
	// database.
	server := map[string]string{"DATABASE_URL": pgtest.Schema(t)}
	r := momoRun(t, dir, server, "", "restore", file)
	if r.code != 0 {
		t.Fatalf("restore into PostgreSQL (%d): %s", r.code, r.stderr)
	}
	moved := momoRun(t, dir, server, "", "report")
	if moved.code != 0 {
		t.Fatalf("report on PostgreSQL: %s", moved.stderr)
	}
	if moved.stdout != laptop.stdout {
		t.Errorf("reports differ\nSQLite:\n%s\nPostgreSQL:\n%s", laptop.stdout, moved.stdout)
	}

	// A second restore over the data is refused, unless told to replace it.
	if r := momoRun(t, dir, server, "", "restore", file); r.code != exitCodes[momo.CodeConflict] {
		t.Errorf("restore over data: exit %d (%s)", r.code, r.stderr)
	}
	if r := momoRun(t, dir, server, "", "restore", "--replace", file); r.code != 0 {
		t.Errorf("restore --replace: exit %d (%s)", r.code, r.stderr)
	}
	if again := momoRun(t, dir, server, "", "report"); again.stdout != laptop.stdout {
		t.Errorf("report after --replace differs:\n%s", again.stdout)
	}
}

// TestRestoreNeedsTheKeys refuses a backup written under other keys before
// anything is loaded, and a file that is not a backup.
func TestRestoreNeedsTheKeys(t *testing.T) {
	dir := t.TempDir()
	if r := momoRun(t, dir, nil, "", "import", corpus.Path(t, "mtn-rwanda-sms-backup.xml")); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	file := filepath.Join(dir, "x.momo")
	if r := momoRun(t, dir, nil, "", "backup", file); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}

	other := t.TempDir() // new development keys are made there
	r := momoRun(t, other, nil, "", "restore", file)
	if r.code != exitCodes[momo.CodeConfig] || !strings.Contains(r.stderr, "SECRET_KEY") {
		t.Errorf("restore under other keys: exit %d: %s", r.code, r.stderr)
	}
	if r := momoRun(t, other, nil, "", "report"); strings.Contains(r.stdout, "1691") {
		t.Errorf("a refused restore loaded data:\n%s", r.stdout)
	}

	notBackup := filepath.Join(dir, "notes.txt")
	os.WriteFile(notBackup, []byte("hello"), 0o600)
	if r := momoRun(t, dir, nil, "", "restore", notBackup); r.code != exitCodes[momo.CodeInvalid] {
		t.Errorf("restore of a text file: exit %d: %s", r.code, r.stderr)
	}
	if r := momoRun(t, dir, nil, "", "backup"); r.code != 2 {
		t.Errorf("backup without a file: exit %d", r.code)
	}
}
