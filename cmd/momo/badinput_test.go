package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/momoanalytics/momo/internal/report"
)

const exampleExport = "../../examples/sms-backup.xml"

// TestBadFiles feeds files that are not usable SMS backups after a good
// import: each gets a one-line error naming the file, a non-zero exit, and
// the stored data stays exactly as it was.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	if r := momoRun(t, dir, nil, "", "import", exampleExport); r.code != 0 {
		t.Fatalf("import example: %s", r.stderr)
	}
	before := momoRun(t, dir, nil, "", "report", "--format", "json").stdout

	example, err := os.ReadFile(exampleExport)
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	subdir := filepath.Join(files, "a-directory.xml")
	if err := os.Mkdir(subdir, 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path string
		want string // a word the error must contain
	}{
		{"not xml", write("notes.xml", []byte("Dear diary, today I paid 2000 RWF.\n")), "not XML"},
		{"empty", write("empty.xml", nil), "empty"},
		{"entities", write("bomb.xml", []byte(`<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><smses count="1"><sms address="M-Money" body="&b;" type="1" date="1" /></smses>`)), "DTD"},
		{"other encoding", write("latin1.xml", []byte("<?xml version='1.0' encoding='ISO-8859-1'?>\n<smses count=\"0\"></smses>\n")), "ISO-8859-1"},
		{"utf-16", write("utf16.xml", []byte{0xFF, 0xFE, '<', 0, '?', 0}), "UTF-16"},
		{"truncated", write("cut.xml", example[:len(example)/2]), "truncated"},
		{"directory", subdir, "directory"},
		{"missing", filepath.Join(files, "nope.xml"), "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := momoRun(t, dir, nil, "", "import", tc.path)
			if r.code == 0 {
				t.Fatalf("exit 0 for a bad file; stdout %q", r.stdout)
			}
			last := lastLine(r.stderr)
			if !strings.Contains(last, tc.path) || !strings.Contains(strings.ToLower(last), strings.ToLower(tc.want)) {
				t.Errorf("error line %q should name the file and say %q", last, tc.want)
			}
		})
	}

	// The truncated file's cut-off last record is kept as rejected, as
	// every message that enters is; nothing else may change.
	after := momoRun(t, dir, nil, "", "report", "--format", "json").stdout
	b, a := decodeReport(t, before), decodeReport(t, after)
	if a.Rejected-b.Rejected > 1 || a.Messages-b.Messages != a.Rejected-b.Rejected {
		t.Errorf("bad files added messages other than one rejected record: before %d/%d, after %d/%d",
			b.Messages, b.Rejected, a.Messages, a.Rejected)
	}
	a.Messages, a.Rejected = b.Messages, b.Rejected
	if !reflect.DeepEqual(a, b) {
		t.Errorf("bad files changed the stored transactions:\nbefore %+v\nafter %+v", b, a)
	}
	again, r := importJSON(t, dir, exampleExport)
	if r.code != 0 || again.Parsed != 0 || again.Duplicate != again.Read-again.Skipped {
		t.Errorf("re-import after bad files: %+v (%s)", again, r.stderr)
	}
}

// TestOddMessagesAreRejectedNotFatal stores a 100 KB body and a body that
// is not UTF-8 as rejected, and imports the good record beside them.
func TestOddMessagesAreRejectedNotFatal(t *testing.T) {
	huge := strings.Repeat("You have received 1000 RWF. ", 100*1024/28+1)
	body := `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="3">
  <sms protocol="0" address="M-Money" date="1715351458724" type="1" body="` + huge + `" read="1" />
  <sms protocol="0" address="M-Money" date="1715351458725" type="1" body="bad ` + "\xff\xfe" + ` bytes" read="1" />
  <sms protocol="0" address="M-Money" date="1715351506754" type="1" body="TxId: 70000000001. Your payment of 1,000 RWF to Example Shop 12345 has been completed at 2024-05-10 16:31:39. Your new balance: 1,000 RWF. Fee was 0 RWF." read="1" />
</smses>
`
	path := filepath.Join(t.TempDir(), "odd.xml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	counts, r := importJSON(t, dir, path)
	if r.code != 0 {
		t.Fatalf("import failed: %s", r.stderr)
	}
	if counts.Read != 3 || counts.Rejected != 2 || counts.Parsed != 1 {
		t.Fatalf("counts %+v, want 3 read, 2 rejected, 1 parsed", counts)
	}
	rep := momoRun(t, dir, nil, "", "report", "--format", "json")
	if !strings.Contains(rep.stdout, `"rejected": 2`) {
		t.Errorf("report does not count the rejected messages: %s", rep.stdout)
	}
	if strings.Contains(r.stderr, "You have received") || strings.Contains(r.stderr, "Example Shop") {
		t.Errorf("SMS text leaked into the log: %s", r.stderr)
	}
}

func decodeReport(t *testing.T, s string) report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("report json %q: %v", s, err)
	}
	return r
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestImpossibleDates: a receipt time in year 10000 or in 1990 rejects
// that record alone, and the rest of the file imports; reparse still works.
func TestImpossibleDates(t *testing.T) {
	body := `<smses count="3">
  <sms address="M-Money" date="253402300800000" type="1" body="A reversal has been initiated for your transaction to Eric Sample (250788000011) with 500 RWF." />
  <sms address="M-Money" date="631152000000" type="1" body="A reversal has been initiated for your transaction to Eric Sample (250788000011) with 700 RWF." />
  <sms address="M-Money" date="1740901970000" type="1" body="A reversal has been initiated for your transaction to Eric Sample (250788000011) with 900 RWF." />
</smses>
`
	path := filepath.Join(t.TempDir(), "dates.xml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	counts, r := importJSON(t, dir, path)
	if r.code != 0 || counts.Rejected != 2 || counts.Parsed != 1 {
		t.Fatalf("counts %+v, exit %d: %s", counts, r.code, r.stderr)
	}
	if r := momoRun(t, dir, nil, "", "reparse"); r.code != 0 {
		t.Fatalf("reparse after impossible dates: exit %d %s", r.code, r.stderr)
	}
}

// TestManyDamagedRecords: a file of nothing but broken records lists a
// screenful of them, and fails because nothing in it could be read.
func TestManyDamagedRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.xml")
	if err := os.WriteFile(path, []byte("<smses>"+strings.Repeat("<sms/>", 5000)+"</smses>"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := momoRun(t, t.TempDir(), nil, "", "import", path)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if lines := strings.Count(r.stderr, "\n"); lines > maxShownProblems+5 {
		t.Errorf("%d lines on standard error for 5000 broken records", lines)
	}
	if !strings.Contains(r.stderr, "no record could be read") {
		t.Errorf("stderr: %s", lastLine(r.stderr))
	}
}

// TestChangedKeys: a database written with one set of keys refuses another
// before anything is stored under it, naming the variable to fix.
func TestChangedKeys(t *testing.T) {
	dir := t.TempDir()
	if r := momoRun(t, dir, nil, "", "import", exampleExport); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	otherKey := "YXNkZmFzZGZhc2RmYXNkZmFzZGZhc2RmYXNkZmFzZGY="
	otherSecret := "another-secret-another-secret-another-secret"

	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"another secret", map[string]string{"SECRET_KEY": otherSecret}, "SECRET_KEY"},
		{"another encryption key", map[string]string{"ENCRYPTION_KEY": otherKey}, "ENCRYPTION_KEY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := momoRun(t, dir, tc.vars, "", "import", exampleExport)
			if r.code != 3 || !strings.Contains(lastLine(r.stderr), tc.want) {
				t.Fatalf("exit %d, %q; want 3 naming %s", r.code, lastLine(r.stderr), tc.want)
			}
			if strings.Contains(r.stderr, otherKey) || strings.Contains(r.stderr, otherSecret) {
				t.Error("a key was printed")
			}
		})
	}

	t.Run("lost key file", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "momo-keys.env")); err != nil {
			t.Fatal(err)
		}
		r := momoRun(t, dir, nil, "", "report")
		if r.code != 3 {
			t.Fatalf("exit %d after the key file was lost: %s", r.code, r.stderr)
		}
	})
}
