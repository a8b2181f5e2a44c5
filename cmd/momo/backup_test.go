package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/corpus"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
	"github.com/momoanalytics/momo/internal/vault"
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
	// The refused restore bound the new database to nothing: with the
	// original keys copied over, the same restore works.
	keys, err := os.ReadFile(filepath.Join(dir, "momo-keys.env"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "momo-keys.env"), keys, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := momoRun(t, other, nil, "", "restore", file, "--replace"); r.code != 0 {
		t.Fatalf("restore with the original keys (flag after the file): exit %d: %s", r.code, r.stderr)
	}
	if r := momoRun(t, other, nil, "", "report"); !strings.Contains(r.stdout, "1691") {
		t.Errorf("report after the restore:\n%s", r.stdout)
	}

	// A backup is not written over an existing file unless forced.
	if r := momoRun(t, dir, nil, "", "backup", file); r.code != exitCodes[momo.CodeConflict] {
		t.Errorf("backup over an existing file: exit %d: %s", r.code, r.stderr)
	}
	if r := momoRun(t, dir, nil, "", "backup", file, "--force"); r.code != 0 {
		t.Errorf("backup --force: exit %d: %s", r.code, r.stderr)
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

// TestKeyProofsRequired refuses a backup that carries no proof of its keys:
// its data could not be checked before it is loaded.
func TestKeyProofsRequired(t *testing.T) {
	key, err := vault.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	c, err := vault.New(key, strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := c.Seal([]byte("momo key check"))
	good := map[string]string{"secret_key_check": c.Hash("key check", "momo"), "encryption_key_check": string(sealed)}
	tests := []struct {
		name string
		meta map[string]string
		ok   bool
	}{
		{"both proofs", good, true},
		{"none", map[string]string{}, false},
		{"no encryption proof", map[string]string{"secret_key_check": good["secret_key_check"]}, false},
		{"no secret proof", map[string]string{"encryption_key_check": good["encryption_key_check"]}, false},
		{"other secret", map[string]string{"secret_key_check": "x", "encryption_key_check": good["encryption_key_check"]}, false},
	}
	for _, tc := range tests {
		err := keyProofsFit(c, tc.meta, "this backup")
		if (err == nil) != tc.ok || (err != nil && momo.ErrorCode(err) != momo.CodeConfig) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
