package sqlstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// history stores a small history with what a backup must carry: two
// subscribers, parsed and unrecognized messages, a transaction pointing to
// a later one (companion_of), an answer.
func history(t *testing.T, s *Store) []momo.SubscriberID {
	t.Helper()
	ctx := context.Background()
	a := subscriber(t, s, "alice", "Africa/Accra")
	b := subscriber(t, s, "bob", "")
	save(t, s, a,
		parsed("m1", money("k1", momo.KindReceived, momo.In, 120000, at("2024-01-05 10:00"))),
		parsed("m2", money("k2", momo.KindSent, momo.Out, 45050, at("2024-01-20 18:30"))),
		parsed("m3", money("k3", momo.KindAirtime, momo.Out, 500, at("2024-02-02 07:15"))),
		unrecognized("m4", "MTN MoMo", at("2024-02-03 09:00")),
	)
	save(t, s, b, parsed("m5", money("k5", momo.KindReceived, momo.In, 9900, at("2024-02-10 12:00"))))
	if _, err := s.db.ExecContext(ctx, s.d.q(`UPDATE transactions SET companion_of =
		(SELECT id FROM transactions WHERE dedup_key = 'k3') WHERE dedup_key = 'k1'`)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAnswer(ctx, a, momo.Answer{CounterpartyKey: "cp", Answer: "block"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Meta(ctx, "secret_key_check", "proof"); err != nil {
		t.Fatal(err)
	}
	return []momo.SubscriberID{a, b}
}

func backupOf(t *testing.T, s *Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := s.Backup(context.Background(), &buf); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	return buf.Bytes()
}

// body is a backup's content without its header, which names the engine
// and the time.
func body(t *testing.T, file []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(text), "\n")
	return rest
}

func reports(t *testing.T, s *Store, subs []momo.SubscriberID) []momo.Report {
	t.Helper()
	var out []momo.Report
	for _, sub := range subs {
		r, err := s.Report(context.Background(), momo.ReportQuery{Subscriber: sub, Top: 5})
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		out = append(out, r)
	}
	return out
}

// TestBackupRestore moves a history from each engine to each engine: the
// reports and a second backup of the copy are the same.
func TestBackupRestore(t *testing.T) {
	for _, from := range engines {
		for _, to := range engines {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				src := openOn(t, from)
				subs := history(t, src)
				file := backupOf(t, src)

				dst := openOn(t, to)
				info, err := dst.Restore(context.Background(), bytes.NewReader(file), RestoreOptions{})
				if err != nil {
					t.Fatalf("Restore: %v", err)
				}
				if info.Rows["transactions"] != 4 || info.Rows["messages"] != 5 || info.Rows["answers"] != 1 {
					t.Errorf("restored rows %v", info.Rows)
				}
				if got, want := reports(t, dst, subs), reports(t, src, subs); !reflect.DeepEqual(got, want) {
					t.Errorf("reports differ after the move:\n got %+v\nwant %+v", got, want)
				}
				if got, want := body(t, backupOf(t, dst)), body(t, file); got != want {
					t.Errorf("a backup of the copy differs from the original's")
				}

				// New rows get new ids after the restored ones.
				c := subscriber(t, dst, "carol", "")
				save(t, dst, c, parsed("m6", money("k6", momo.KindReceived, momo.In, 100, at("2024-03-01 08:00"))))
			})
		}
	}
}

// TestRestoreRefuses covers the files and databases a restore must refuse,
// and checks that a refused restore leaves the database as it was.
func TestRestoreRefuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		src := openOn(t, e)
		history(t, src)
		file := backupOf(t, src)
		ctx := context.Background()

		// Over a database that holds data, without Replace.
		_, err := src.Restore(ctx, bytes.NewReader(file), RestoreOptions{})
		if momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("restore over data: %v, want a conflict", err)
		}
		// With Replace it loads, and the data is the file's, once.
		if _, err := src.Restore(ctx, bytes.NewReader(file), RestoreOptions{Replace: true}); err != nil {
			t.Fatalf("restore with replace: %v", err)
		}
		if n := count(t, src, "SELECT COUNT(*) FROM messages"); n != 5 {
			t.Errorf("%d messages after replace, want 5", n)
		}

		text := body(t, file)
		tests := []struct {
			name string
			file []byte
			code momo.Code
		}{
			{"not gzip", []byte("hello"), momo.CodeInvalid},
			{"newer schema", gz(t, `{"momo_backup":1,"schema":999,"engine":"sqlite"}`+"\n"+text), momo.CodeInvalid},
			{"other format", gz(t, `{"momo_backup":2,"schema":1}`+"\n"+text), momo.CodeInvalid},
			{"truncated", truncated(t, file), momo.CodeInvalid},
			{"row count wrong", gz(t, header(t, file)+strings.Replace(text, `{"end":"messages","rows":5}`, `{"end":"messages","rows":4}`, 1)), momo.CodeInvalid},
			{"float in a row", gz(t, header(t, file)+strings.Replace(text, "120000", "1200.5", 1)), momo.CodeInvalid},
			{"last bytes cut", file[:len(file)-4], momo.CodeInvalid},
			{"a byte changed", flipped(file), momo.CodeInvalid},
			{"data after the end", gz(t, header(t, file)+text+`{"table":"meta","columns":["name","value"]}`+"\n"), momo.CodeInvalid},
			{"a huge line", gz(t, header(t, file)+strings.Repeat(" ", maxBackupLine+1)+"\n"+text), momo.CodeInvalid},
			{"no columns", gz(t, header(t, file)+strings.Replace(text, `{"table":"subscribers","columns":[`, `{"table":"subscribers","columns":[],"x":[`, 1)), momo.CodeInvalid},
			{"a column twice", gz(t, header(t, file)+strings.Replace(text, `{"table":"meta","columns":["name","value"]}`, `{"table":"meta","columns":["name","name"]}`, 1)), momo.CodeInvalid},
			{"a time that is not one", gz(t, header(t, file)+strings.Replace(text, `"2024-01-05T10:00:00.000Z"`, `"not a time"`, 1)), momo.CodeInvalid},
			{"a reference to a missing row", gz(t, header(t, file)+withoutSecondSubscriber(t, text)), momo.CodeInvalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				dst := openOn(t, e)
				_, err := dst.Restore(ctx, bytes.NewReader(tc.file), RestoreOptions{})
				if momo.ErrorCode(err) != tc.code {
					t.Fatalf("Restore: %v, want code %s", err, tc.code)
				}
				if n, err := dst.rowsHeld(ctx); err != nil || n != 0 {
					t.Errorf("a refused restore left %d rows (%v)", n, err)
				}
				if v, err := dst.Version(ctx); err != nil || v != latest(t, dst) {
					t.Errorf("schema at %d after a refused restore (%v)", v, err)
				}
			})
		}

		// A meta check that refuses the file's keys stops the restore.
		dst := openOn(t, e)
		_, err = dst.Restore(ctx, bytes.NewReader(file), RestoreOptions{CheckMeta: func(m map[string]string) error {
			if m["secret_key_check"] != "proof" {
				t.Errorf("meta seen: %v", m)
			}
			return momo.E(momo.CodeConfig, "other keys", nil)
		}})
		if momo.ErrorCode(err) != momo.CodeConfig {
			t.Errorf("refused keys: %v", err)
		}
	})
}

// TestRestoreOlderSchema loads a file written before the newest migration:
// it is loaded at its own version and migrated.
func TestRestoreOlderSchema(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		src := openOn(t, e)
		history(t, src) // Save writes the totals of migration 9
		if _, err := src.migrations.DownTo(ctx, 6); err != nil {
			t.Fatalf("DownTo: %v", err)
		}
		var buf bytes.Buffer
		info, err := src.Backup(ctx, &buf)
		if err != nil || info.Schema != 6 {
			t.Fatalf("Backup at version 6: %v, %+v", err, info)
		}

		dst := openOn(t, e)
		if _, err := dst.Restore(ctx, &buf, RestoreOptions{}); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if v, _ := dst.Version(ctx); v != latest(t, dst) {
			t.Errorf("schema at %d after restore, want %d", v, latest(t, dst))
		}
		if n := count(t, dst, "SELECT COUNT(*) FROM transactions"); n != 4 {
			t.Errorf("%d transactions", n)
		}
	})
}

// TestBackupTablesComplete keeps backupTables in step with the migrations.
func TestBackupTablesComplete(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		query := `SELECT name FROM sqlite_master WHERE type = 'table'
			AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`
		if e == postgresEngine {
			query = `SELECT table_name FROM information_schema.tables
				WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
		}
		rows, err := s.db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var have []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			have = append(have, name)
		}
		want := append([]string(nil), backupTables...)
		sort.Strings(have)
		sort.Strings(want)
		if !reflect.DeepEqual(have, want) {
			t.Errorf("tables %v, backupTables %v", have, want)
		}
	})
}

// TestRestoreOlderSchemaNeedsEmpty refuses an older file over data, with
// or without --replace, and leaves the data as it was.
func TestRestoreOlderSchemaNeedsEmpty(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		old := openOn(t, e)
		history(t, old) // Save writes the totals of migration 9
		if _, err := old.migrations.DownTo(ctx, 6); err != nil {
			t.Fatal(err)
		}
		file := backupOf(t, old)

		dst := openOn(t, e)
		history(t, dst)
		for _, replace := range []bool{false, true} {
			_, err := dst.Restore(ctx, bytes.NewReader(file), RestoreOptions{Replace: replace})
			if momo.ErrorCode(err) != momo.CodeConflict {
				t.Errorf("replace %v: %v, want a conflict", replace, err)
			}
		}
		if n := count(t, dst, "SELECT COUNT(*) FROM transactions"); n != 4 {
			t.Errorf("%d transactions left", n)
		}
	})
}

// TestRestoreReorderedColumns loads a file whose columns come in another
// order than the database's.
func TestRestoreReorderedColumns(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		src := openOn(t, e)
		subs := history(t, src)
		file := backupOf(t, src)
		text := header(t, file) + body(t, file)
		var out []string
		reverse := false
		for _, line := range strings.Split(text, "\n") {
			switch {
			case strings.HasPrefix(line, `{"table":"transactions"`):
				var h tableHeader
				json.Unmarshal([]byte(line), &h)
				slices.Reverse(h.Columns)
				b, _ := json.Marshal(h)
				line, reverse = string(b), true
			case strings.HasPrefix(line, "{"):
				reverse = false
			case reverse && strings.HasPrefix(line, "["):
				var row []any
				json.Unmarshal([]byte(line), &row)
				slices.Reverse(row)
				b, _ := json.Marshal(row)
				line = string(b)
			}
			out = append(out, line)
		}

		dst := openOn(t, e)
		if _, err := dst.Restore(context.Background(), bytes.NewReader(gz(t, strings.Join(out, "\n"))), RestoreOptions{}); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if got, want := reports(t, dst, subs), reports(t, src, subs); !reflect.DeepEqual(got, want) {
			t.Errorf("reports differ")
		}
	})
}

// flipped is file with one byte of its compressed data changed.
func flipped(file []byte) []byte {
	out := append([]byte(nil), file...)
	out[len(out)/2] ^= 0x10
	return out
}

// withoutSecondSubscriber drops bob from the subscribers table, leaving
// his message and transaction pointing at nobody.
func withoutSecondSubscriber(t *testing.T, text string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, `{"table":"subscribers"`) {
			lines = append(lines[:i+2], lines[i+3:]...)
			break
		}
	}
	return strings.Replace(strings.Join(lines, "\n"), `{"end":"subscribers","rows":2}`, `{"end":"subscribers","rows":1}`, 1)
}

func latest(t *testing.T, s *Store) int64 {
	t.Helper()
	v, err := s.latestSchema()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func gz(t *testing.T, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(text))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func header(t *testing.T, file []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	line, _, _ := strings.Cut(string(text), "\n")
	return line + "\n"
}

// truncated is the backup cut before its last table.
func truncated(t *testing.T, file []byte) []byte {
	t.Helper()
	text := header(t, file) + body(t, file)
	return gz(t, text[:strings.Index(text, `{"table":"audit_log"`)])
}
