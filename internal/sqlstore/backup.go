package sqlstore

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// A backup is every row of every table of ours, as gzip-compressed JSON
// lines, written from one snapshot of the database:
//
//	{"momo_backup":1,"schema":10,"engine":"sqlite","created_at":"…"}
//	{"table":"meta","columns":["name","value"]}
//	["secret_key_check","…"]
//	…
//	{"end":"meta","rows":2}
//	… every table in backupTables' order …
//	{"complete":true,"tables":17}
//
// Values are JSON numbers (integers), strings and nulls, which both engines
// store alike: the file written by one restores into the other. Encrypted
// columns are copied as they are, so the file is no more readable than the
// database. The closing line tells a complete file from a truncated one.

// backupFormat is the version of the layout above.
const backupFormat = 1

// backupTables lists every table of ours in an order that restores: each
// after the tables its foreign keys point to. A test checks it against the
// migrations, so a new table cannot be left out.
var backupTables = []string{
	"meta",
	"users",
	"link_codes",
	"account_lock",
	"subscribers",
	"transactions",
	"messages",
	"counterparties",
	"money_days",
	"money_months",
	"message_days",
	"message_months",
	"risk_days",
	"risk_months",
	"balance_days",
	"balance_months",
	"counterparty_months",
	"answers",
	"sessions",
	"remember_tokens",
	"audit_log",
}

// backupKeys are the columns, by position, that order the rows of tables
// whose first column does not: the totals of migrations 9 and 11, keyed by
// subscriber and day (or month), so that every engine writes them alike.
var backupKeys = map[string]string{
	"money_days":          "1, 2, 3, 4, 5",
	"money_months":        "1, 2, 3, 4, 5",
	"message_days":        "1, 2, 3, 4",
	"message_months":      "1, 2, 3, 4",
	"risk_days":           "1, 2, 3",
	"risk_months":         "1, 2, 3",
	"balance_days":        "1, 2, 3, 4",
	"balance_months":      "1, 2, 3, 4",
	"counterparty_months": "1, 2, 3, 4",
}

// seeded are the tables whose rows the migrations or the opening of a
// database write: they do not make a database non-empty, and a restore
// replaces their rows with the file's.
var seeded = map[string]bool{"meta": true, "account_lock": true}

// selfReferences are the columns that point into their own table, in an
// order the ids do not promise (a companion may be stored before the
// transaction it repeats): restore fills them once the table is loaded.
var selfReferences = map[string]string{
	"transactions": "companion_of",
}

// BackupInfo describes a backup file.
type BackupInfo struct {
	Format    int       `json:"momo_backup"`
	Schema    int64     `json:"schema"`
	Engine    string    `json:"engine"`
	CreatedAt time.Time `json:"created_at"`
	// Rows counts each table's rows; filled as the file is written or read.
	Rows map[string]int `json:"-"`
}

type tableHeader struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

type tableEnd struct {
	End  string `json:"end"`
	Rows int    `json:"rows"`
}

type backupEnd struct {
	Complete bool `json:"complete"`
	Tables   int  `json:"tables"`
}

// Backup writes a snapshot of the whole database to w while others keep
// reading and writing: the rows are read in one read-only transaction.
func (s *Store) Backup(ctx context.Context, w io.Writer) (BackupInfo, error) {
	info := BackupInfo{Format: backupFormat, Engine: s.d.name, CreatedAt: s.now().UTC(), Rows: map[string]int{}}

	tx, err := s.db.BeginTx(ctx, s.d.reportTx)
	if err != nil {
		return info, s.fail(ctx, "backup", err)
	}
	defer tx.Rollback()
	if info.Schema, err = schemaVersion(ctx, tx); err != nil {
		return info, s.fail(ctx, "backup", err)
	}

	zw := gzip.NewWriter(w)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(info); err != nil {
		return info, fmt.Errorf("sqlstore: backup: %w", err)
	}
	written := 0
	for _, table := range backupTables {
		exists, err := s.tableExists(ctx, tx, table)
		if err != nil {
			return info, s.fail(ctx, "backup", err)
		}
		if !exists { // a table of a later schema version
			continue
		}
		n, err := s.dumpTable(ctx, tx, enc, table)
		if err != nil {
			return info, s.fail(ctx, "backup "+table, err)
		}
		info.Rows[table] = n
		written++
	}
	if err := enc.Encode(backupEnd{Complete: true, Tables: written}); err != nil {
		return info, fmt.Errorf("sqlstore: backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return info, fmt.Errorf("sqlstore: backup: %w", err)
	}
	return info, nil
}

// dumpTable writes one table: its header, its rows in id order where it
// has ids, and its closing line.
func (s *Store) dumpTable(ctx context.Context, tx *sql.Tx, enc *json.Encoder, table string) (int, error) {
	order := "1"
	if key, ok := backupKeys[table]; ok {
		order = key
	}
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+table+" ORDER BY "+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if err := enc.Encode(tableHeader{Table: table, Columns: columns}); err != nil {
		return 0, err
	}

	values := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range values {
		ptrs[i] = &values[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range values {
			if values[i], err = portable(v); err != nil {
				return n, fmt.Errorf("column %s: %w", columns[i], err)
			}
		}
		if err := enc.Encode(values); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, enc.Encode(tableEnd{End: table, Rows: n})
}

// portable converts what a driver returns into a value both engines store
// the same way. Our schemas hold only integers, text and NULL.
func portable(v any) (any, error) {
	switch v := v.(type) {
	case nil, int64, string:
		return v, nil
	case []byte:
		return string(v), nil
	case bool: // not in our schemas, but lossless as 0 or 1
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("unexpected value of type %T", v)
}

// resetIdentities makes every table's generated ids continue after the
// ids restored, where the database does not do that itself.
func (s *Store) resetIdentities(ctx context.Context, tx *sql.Tx) error {
	if s.d.resetIdentity == nil {
		return nil
	}
	for _, table := range backupTables {
		if err := s.d.resetIdentity(ctx, tx, table); err != nil {
			return err
		}
	}
	return nil
}

// schemaVersion reads the newest applied migration inside tx, so that the
// version in a backup is that of the snapshot.
func schemaVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v.Int64, nil
}

// latestSchema is the newest migration this program has.
func (s *Store) latestSchema() (int64, error) {
	sources := s.migrations.ListSources()
	if len(sources) == 0 {
		return 0, errors.New("sqlstore: no migrations")
	}
	return sources[len(sources)-1].Version, nil
}

// tableExists reports whether the database has table at its current
// schema version.
func (s *Store) tableExists(ctx context.Context, tx *sql.Tx, table string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, s.d.q(s.d.tableCount), table).Scan(&n); err != nil {
		return false, fmt.Errorf("look up table %s: %w", table, err)
	}
	return n > 0, nil
}
