package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/corpus"
	"github.com/momoanalytics/momo/internal/sqlstore"
)

// result is what one in-process run of the command printed.
type result struct {
	stdout, stderr string
	code           int
}

// momoRun runs the command in-process with the environment vars and the
// data directory dir, exactly as main does but for the streams.
func momoRun(t *testing.T, dir string, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		ctx: context.Background(), stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string {
			if v, ok := vars[k]; ok {
				return v
			}
			if k == "MOMO_DATA_DIR" {
				return dir
			}
			return ""
		},
		log: slog.New(slog.NewTextHandler(&errOut, nil)),
	}
	code := run(e, args)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

func importJSON(t *testing.T, dir string, path string) (momo.Counts, result) {
	t.Helper()
	r := momoRun(t, dir, nil, "", "import", "--json", path)
	var c momo.Counts
	if r.code == 0 {
		if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
			t.Fatalf("import --json printed %q: %v", r.stdout, err)
		}
	}
	return c, r
}

// TestImportRealExport is the "done when": the real Rwanda export
// imports with nothing unrecognized, and a second import adds nothing.
func TestImportRealExport(t *testing.T) {
	dir := t.TempDir()
	path := corpus.Path(t, "mtn-rwanda-sms-backup.xml")

	first, r := importJSON(t, dir, path)
	if r.code != 0 {
		t.Fatalf("import failed (%d): %s", r.code, r.stderr)
	}
	want := momo.Counts{Read: 1691, Parsed: 1691}
	if first != want {
		t.Fatalf("first import: got %+v, want %+v", first, want)
	}

	second, r := importJSON(t, dir, path)
	if r.code != 0 {
		t.Fatalf("second import failed: %s", r.stderr)
	}
	if second != (momo.Counts{Read: 1691, Duplicate: 1691}) {
		t.Fatalf("second import: got %+v, want everything duplicate", second)
	}
}

// TestImportJSONKeys pins the exact keys of import --json.
func TestImportJSONKeys(t *testing.T) {
	r := momoRun(t, t.TempDir(), nil, "", "import", "--json", filepath.Join("..", "..", "examples", "sms-backup.xml"))
	if r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"read", "parsed", "unrecognized", "duplicate", "skipped", "rejected"}
	if len(got) != len(want) {
		t.Fatalf("keys: %v", got)
	}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("missing key %q in %v", k, got)
		}
	}
}

// TestDatabaseHoldsNoSMSText greps the database file for text that is in
// the messages and must only be there encrypted.
func TestDatabaseHoldsNoSMSText(t *testing.T) {
	dir := t.TempDir()
	if _, r := importJSON(t, dir, corpus.Path(t, "mtn-rwanda-sms-backup.xml")); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	if r := momoRun(t, dir, nil, "", "report"); r.code != 0 {
		t.Fatalf("report: %s", r.stderr)
	}

	var raw []byte
	files, _ := filepath.Glob(filepath.Join(dir, "momo.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	for _, s := range []string{"Jane Smith", "Samuel Carter", "Agent Sophia", "ESICIA", "250790777777",
		"Kanda*182", "You have received", "Your payment of", "NEW BALANCE", "Umaze kugura", "one-time password"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the database holds %q in clear", s)
		}
	}
}

// TestImportDamagedExport imports the copy of the export that went through
// a PDF: every one of the 1,691 messages is recovered. The record whose
// parts were spliced from two messages is kept as rejected and reported by
// position; its message is read from the complete copy that the splice
// repeated.
func TestImportDamagedExport(t *testing.T) {
	got, r := importJSON(t, t.TempDir(), corpus.Path(t, "mtn-rwanda-sms-backup-wrapped.xml"))
	if r.code != 0 {
		t.Fatalf("import failed: %s", r.stderr)
	}
	want := momo.Counts{Read: 1699, Parsed: 1691, Duplicate: 7, Rejected: 1}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if !strings.Contains(r.stderr, "record 16 (line 115)") {
		t.Errorf("the damaged record is not reported by position: %s", r.stderr)
	}
}

// TestDamagedCopyFirst: a damaged copy imported before the complete one
// must not make the complete one's messages duplicates.
func TestDamagedCopyFirst(t *testing.T) {
	dir := t.TempDir()
	if _, r := importJSON(t, dir, corpus.Path(t, "mtn-rwanda-sms-backup-wrapped.xml")); r.code != 0 {
		t.Fatalf("import damaged copy: %s", r.stderr)
	}
	clean, r := importJSON(t, dir, corpus.Path(t, "mtn-rwanda-sms-backup.xml"))
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	if clean.Unrecognized != 0 || clean.Parsed+clean.Duplicate != 1691 {
		t.Fatalf("clean copy after the damaged one: %+v", clean)
	}
	rep := decodeReport(t, momoRun(t, dir, nil, "", "report", "--format", "json").stdout)
	if rep.Transactions != 1649 {
		t.Errorf("%d transactions booked, want 1649 as from the clean copy alone", rep.Transactions)
	}
}

// TestRiskStoredWithTransactions: every outgoing transaction of the real
// export is assessed, the verdicts are stored and reported, and ordinary
// payments are not mostly flagged.
func TestRiskStoredWithTransactions(t *testing.T) {
	dir := t.TempDir()
	if _, r := importJSON(t, dir, corpus.Path(t, "mtn-rwanda-sms-backup.xml")); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	rep := decodeReport(t, momoRun(t, dir, nil, "", "report", "--format", "json").stdout)

	out := 0
	for _, k := range rep.Kinds {
		if k.Direction == momo.Out {
			out += k.Count
		}
	}
	assessed, high := 0, 0
	for _, l := range rep.RiskLevels {
		assessed += l.Count
		if l.Level == "HIGH" || l.Level == "CRITICAL" {
			high += l.Count
		}
	}
	if assessed < out {
		t.Errorf("%d verdicts stored for %d booked outgoing transactions", assessed, out)
	}
	if high*2 >= out {
		t.Errorf("%d of %d outgoing transactions flagged HIGH or above", high, out)
	}
	if high > 0 && len(rep.Alerts) == 0 {
		t.Error("HIGH verdicts but no alerts listed")
	}
	for _, a := range rep.Alerts {
		if len(a.Reasons) == 0 {
			t.Errorf("an alert without reasons: %+v", a)
		}
	}
}

// TestAnswersChangeLaterScores: blocking a counterparty raises the scores
// of the transactions with it once the history is scored again.
func TestAnswersChangeLaterScores(t *testing.T) {
	dir := t.TempDir()
	if _, r := importJSON(t, dir, corpus.Path(t, "mtn-rwanda-sms-backup.xml")); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	highs := func() int {
		n := 0
		for _, l := range decodeReport(t, momoRun(t, dir, nil, "", "report", "--format", "json").stdout).RiskLevels {
			if l.Level == "HIGH" || l.Level == "CRITICAL" {
				n += l.Count
			}
		}
		return n
	}
	before := highs()

	r := momoRun(t, dir, nil, "", "risk", "answer", "--name", "Jane Smith", "--number", "250790777777", "block")
	if r.code != 0 {
		t.Fatalf("answer: exit %d %s", r.code, r.stderr)
	}
	if r := momoRun(t, dir, nil, "", "reparse"); r.code != 0 {
		t.Fatalf("reparse: %s", r.stderr)
	}
	// The export holds 43 transfers to that name and number.
	if after := highs(); after < before+43 {
		t.Errorf("HIGH or above: %d before blocking, %d after; want at least 43 more", before, after)
	}

	if r := momoRun(t, dir, nil, "", "risk", "answer", "--name", "Jane Smith", "perhaps"); r.code != 2 {
		t.Errorf("a bad answer: exit %d, want 2", r.code)
	}
}

// TestImportForUser: --user puts the messages in that account's upload
// subscriber, where the dashboard reads them, and not in the command
// line's own history.
func TestImportForUser(t *testing.T) {
	dir := t.TempDir()
	example := filepath.Join("..", "..", "examples", "sms-backup.xml")
	if r := momoRun(t, dir, nil, "correct horse battery\n", "user", "create", "-email", "a@example.com", "Ama"); r.code != 0 {
		t.Fatalf("user create (%d): %s", r.code, r.stderr)
	}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown account", []string{"import", "--user", "kofi", example}, 1, "no account is named kofi"},
		{"invalid name", []string{"import", "--user", "a", example}, 1, "no account is named a"},
		{"the account, named as typed", []string{"import", "--user", "AMA", example}, 0, "read 240"},
		{"again", []string{"import", "--user", "ama", example}, 0, "Nothing new"},
	}
	for _, tt := range tests {
		r := momoRun(t, dir, nil, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
			t.Errorf("%s: exit %d, output %q; want %d and %q", tt.name, r.code, r.stdout+r.stderr, tt.code, tt.want)
		}
	}

	if rep := decodeReport(t, momoRun(t, dir, nil, "", "report", "--format", "json").stdout); rep.Messages != 0 {
		t.Errorf("the command line's report holds %d messages of the account's import", rep.Messages)
	}
	s, err := sqlstore.Open(context.Background(), filepath.Join(dir, "momo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.UserByName(context.Background(), "ama")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Report(context.Background(), momo.ReportQuery{Owner: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages != 234 {
		t.Errorf("the account's report holds %d messages, want the example's 234", rep.Messages)
	}
}
