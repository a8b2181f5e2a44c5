package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// TestDeletesFollowReferences: deleting a subscriber takes its messages
// and transactions along, and deleting transactions unlinks their
// messages, on SQLite by its foreign keys and on PostgreSQL by the
// triggers of migration 12.
func TestDeletesFollowReferences(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)
		gone, kept := subscriber(t, s, "gone", ""), subscriber(t, s, "kept", "")
		for _, sub := range []momo.SubscriberID{gone, kept} {
			save(t, s, sub, parsed("m1", money("k1", momo.KindReceived, momo.In, 1000, at("2024-01-05 10:00"))),
				parsed("m2", money("k2", momo.KindSent, momo.Out, 500, at("2024-01-06 10:00"))))
		}

		if _, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM transactions WHERE subscriber_id = ? AND dedup_key = 'k1'`), kept); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM messages WHERE subscriber_id = ? AND transaction_id IS NOT NULL`, kept); n != 1 {
			t.Errorf("%d messages still name a transaction after one of two was deleted, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM messages m WHERE m.transaction_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = m.transaction_id)`); n != 0 {
			t.Errorf("%d messages name a deleted transaction", n)
		}

		if _, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM subscribers WHERE id = ?`), gone); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"messages", "transactions"} {
			if n := count(t, s, `SELECT COUNT(*) FROM `+table+` WHERE subscriber_id = ?`, gone); n != 0 {
				t.Errorf("%d %s of the deleted subscriber remain", n, table)
			}
			if n := count(t, s, `SELECT COUNT(*) FROM `+table+` WHERE subscriber_id = ?`, kept); n == 0 {
				t.Errorf("the other subscriber's %s went too", table)
			}
		}
	})
}

// TestRestoreRefusesDanglingRows: a backup whose messages or transactions
// name a subscriber or transaction it does not hold is refused as a bad
// file, and the database is left as it was.
func TestRestoreRefusesDanglingRows(t *testing.T) {
	tests := []struct {
		table, column string
	}{
		{"messages", "subscriber_id"},
		{"messages", "transaction_id"},
		{"transactions", "subscriber_id"},
	}
	eachEngine(t, func(t *testing.T, e engine) {
		src := openOn(t, e)
		history(t, src)
		file := backupOf(t, src)
		text := header(t, file) + body(t, file)

		for _, tt := range tests {
			t.Run(tt.table+"."+tt.column, func(t *testing.T) {
				dst := openOn(t, e)
				_, err := dst.Restore(context.Background(), bytes.NewReader(gz(t, pointAway(t, text, tt.table, tt.column))), RestoreOptions{})
				if momo.ErrorCode(err) != momo.CodeInvalid {
					t.Fatalf("Restore = %v, want a bad-backup error", err)
				}
				if n := count(t, dst, `SELECT COUNT(*) FROM messages`); n != 0 {
					t.Errorf("%d messages kept from a refused backup", n)
				}
			})
		}
	})
}

// pointAway sets column of every row of table in a backup's text to an id
// that no row has.
func pointAway(t *testing.T, text, table, column string) string {
	t.Helper()
	var out []string
	at := -1
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, `{"table":`):
			var h tableHeader
			if err := json.Unmarshal([]byte(line), &h); err != nil {
				t.Fatal(err)
			}
			at = -1
			if h.Table == table {
				at = slices.Index(h.Columns, column)
			}
		case at >= 0 && strings.HasPrefix(line, "["):
			var row []any
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatal(err)
			}
			row[at] = 987654
			b, _ := json.Marshal(row)
			line = string(b)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
