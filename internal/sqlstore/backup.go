package sqlstore

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/pressly/goose/v3"
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
//	{"complete":true,"tables":11}
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
	"account_lock",
	"subscribers",
	"transactions",
	"messages",
	"counterparties",
	"answers",
	"sessions",
	"remember_tokens",
	"audit_log",
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
	info := BackupInfo{Format: backupFormat, Engine: s.engine(), CreatedAt: s.now().UTC(), Rows: map[string]int{}}

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
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+table+" ORDER BY 1")
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

// RestoreOptions say how Restore treats the database it loads into.
type RestoreOptions struct {
	// Replace deletes what the database holds first; without it Restore
	// refuses a database that holds anything besides its own key proofs.
	Replace bool
	// CheckMeta, when set, sees the file's meta table (the proofs of the
	// keys its data was written with) before anything is written, and
	// refuses the file by returning an error.
	CheckMeta func(meta map[string]string) error
}

// Restore loads a backup written by Backup, from either engine, into this
// database, in one database transaction. A file from an older schema is
// loaded at its own version and then migrated; one from a newer schema
// than this program knows is refused, as is a truncated file.
func (s *Store) Restore(ctx context.Context, r io.Reader, o RestoreOptions) (BackupInfo, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return BackupInfo{}, badBackup("it is not a momo backup (not gzip)", err)
	}
	dec := json.NewDecoder(zr)
	dec.UseNumber()

	info, err := s.readHeader(ctx, dec)
	if err != nil {
		return info, err
	}
	if err := s.prepareRestore(ctx, info.Schema, o.Replace); err != nil {
		return info, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if o.Replace {
			if err := s.wipe(ctx, tx); err != nil {
				return err
			}
		}
		return s.load(ctx, tx, dec, &info, o.CheckMeta)
	})
	if err != nil {
		s.migrations.Up(ctx) // put back the schema prepareRestore may have lowered
		return info, s.fail(ctx, "restore", err)
	}
	if _, _, err := s.Migrate(ctx); err != nil {
		return info, err
	}
	return info, nil
}

func badBackup(msg string, err error) error {
	return momo.E(momo.CodeInvalid, "the backup file cannot be restored: "+msg, err)
}

// readHeader reads and checks the file's first line.
func (s *Store) readHeader(ctx context.Context, dec *json.Decoder) (BackupInfo, error) {
	var info BackupInfo
	if err := dec.Decode(&info); err != nil {
		return info, badBackup("its first line is not a momo backup header", err)
	}
	if info.Format != backupFormat {
		return info, badBackup(fmt.Sprintf("format %d is not one this program reads (%d)", info.Format, backupFormat), nil)
	}
	latest, err := s.latestSchema()
	if err != nil {
		return info, err
	}
	if info.Schema > latest {
		return info, badBackup(fmt.Sprintf("it was written at schema version %d; this program knows versions up to %d: restore it with a newer momo", info.Schema, latest), nil)
	}
	if info.Schema < 1 {
		return info, badBackup("its schema version is missing", nil)
	}
	info.Rows = map[string]int{}
	return info, nil
}

// prepareRestore checks that the database may be loaded and brings its
// schema to the file's version.
func (s *Store) prepareRestore(ctx context.Context, schema int64, replace bool) error {
	if !replace {
		n, err := s.rowsHeld(ctx)
		if err != nil {
			return s.fail(ctx, "restore", err)
		}
		if n > 0 {
			return momo.E(momo.CodeConflict, "the database is not empty; restore only into an empty database, or pass --replace to delete what it holds first", nil)
		}
	}
	current, err := s.Version(ctx)
	if err != nil {
		return err
	}
	if schema < current && replace {
		// Lowering the schema of a database that holds data could fail
		// on it: empty it first. This makes a replacing restore across
		// schema versions two database transactions instead of one.
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.wipe(ctx, tx) }); err != nil {
			return s.fail(ctx, "restore", err)
		}
	}
	if schema < current {
		if _, err := s.migrations.DownTo(ctx, schema); err != nil {
			s.migrations.Up(ctx)
			return s.fail(ctx, "restore: lower the schema to the file's version", err)
		}
	}
	return nil
}

// rowsHeld counts the rows of every table but the seeded ones.
func (s *Store) rowsHeld(ctx context.Context) (int, error) {
	total := 0
	for _, table := range backupTables {
		if seeded[table] {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			return 0, fmt.Errorf("count %s: %w", table, err)
		}
		total += n
	}
	return total, nil
}

// wipe deletes every row, children first.
func (s *Store) wipe(ctx context.Context, tx *sql.Tx) error {
	for i := len(backupTables) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+backupTables[i]); err != nil {
			return fmt.Errorf("delete %s: %w", backupTables[i], err)
		}
	}
	return nil
}

// load reads the tables of the file and inserts their rows. The file holds
// the tables that exist at its schema version, in backupTables' order; the
// database, brought to that version, must have exactly those.
func (s *Store) load(ctx context.Context, tx *sql.Tx, dec *json.Decoder, info *BackupInfo, checkMeta func(map[string]string) error) error {
	// Between tables comes either the next table's header or the
	// closing line.
	var next tableHeader
	var end backupEnd
	read := func() error {
		var line struct {
			tableHeader
			backupEnd
		}
		if err := dec.Decode(&line); err != nil {
			return badBackup("it is incomplete (no closing line)", err)
		}
		next, end = line.tableHeader, line.backupEnd
		return nil
	}
	if err := read(); err != nil {
		return err
	}
	written := 0
	for _, table := range backupTables {
		exists, err := s.tableExists(ctx, tx, table)
		if err != nil {
			return err
		}
		if next.Table != table {
			if exists {
				return badBackup(fmt.Sprintf("table %s is missing or out of order", table), nil)
			}
			continue
		}
		if !exists {
			return badBackup(fmt.Sprintf("it holds a table %s that its schema version does not have", table), nil)
		}
		if err := s.loadOne(ctx, tx, dec, next, info, checkMeta); err != nil {
			return err
		}
		written++
		if err := read(); err != nil {
			return err
		}
	}
	if next.Table != "" {
		return badBackup(fmt.Sprintf("it holds an unknown table %s", next.Table), nil)
	}
	if !end.Complete || end.Tables != written {
		return badBackup("it is incomplete (no closing line)", nil)
	}
	return s.resetIdentities(ctx, tx)
}

// loadOne loads one table whose header was just read.
func (s *Store) loadOne(ctx context.Context, tx *sql.Tx, dec *json.Decoder, h tableHeader, info *BackupInfo, checkMeta func(map[string]string) error) error {
	if err := s.checkColumns(ctx, tx, h); err != nil {
		return err
	}
	if seeded[h.Table] {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+h.Table); err != nil {
			return fmt.Errorf("%s: %w", h.Table, err)
		}
	}
	if h.Table == "meta" {
		n, err := s.loadMeta(ctx, tx, dec, h, checkMeta)
		info.Rows[h.Table] = n
		return err
	}
	n, err := s.loadTable(ctx, tx, dec, h)
	if err != nil {
		return fmt.Errorf("%s: %w", h.Table, err)
	}
	info.Rows[h.Table] = n
	return nil
}

// loadTable streams a table's rows into multi-row inserts, a chunk at a
// time, so that memory stays small whatever the table's size. A column
// that points into its own table is inserted empty and set afterwards.
func (s *Store) loadTable(ctx context.Context, tx *sql.Tx, dec *json.Decoder, h tableHeader) (int, error) {
	self := -1
	for i, c := range h.Columns {
		if c == selfReferences[h.Table] && i > 0 {
			self = i
		}
	}
	var later [][2]any // {id, value} of the self-references

	// SQLite takes at most 32,766 parameters in a statement.
	per := max(1, 30000/len(h.Columns))
	chunk := make([][]any, 0, per)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		query, args := multiInsert(h, chunk)
		chunk = chunk[:0]
		_, err := tx.ExecContext(ctx, s.d.q(query), args...)
		return err
	}

	n, err := readRows(dec, h, func(row []any) error {
		if self >= 0 && row[self] != nil {
			later = append(later, [2]any{row[0], row[self]})
			row[self] = nil
		}
		chunk = append(chunk, row)
		if len(chunk) == per {
			return flush()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	for _, l := range later {
		query := "UPDATE " + h.Table + " SET " + h.Columns[self] + " = ? WHERE " + h.Columns[0] + " = ?"
		if _, err := tx.ExecContext(ctx, s.d.q(query), l[1], l[0]); err != nil {
			return n, err
		}
	}
	return n, nil
}

// readRows hands each row of a table to use, up to the table's closing
// line, and returns how many there were.
func readRows(dec *json.Decoder, h tableHeader, use func([]any) error) (int, error) {
	n := 0
	for {
		var line any
		if err := dec.Decode(&line); err != nil {
			return n, badBackup(fmt.Sprintf("table %s ends early", h.Table), err)
		}
		switch v := line.(type) {
		case map[string]any:
			end, _ := v["end"].(string)
			rows, _ := v["rows"].(json.Number)
			if end != h.Table || rows.String() != fmt.Sprint(n) {
				return n, badBackup(fmt.Sprintf("table %s does not close with its row count", h.Table), nil)
			}
			return n, nil
		case []any:
			row, err := checkRow(v, len(h.Columns))
			if err != nil {
				return n, badBackup(fmt.Sprintf("row %d of table %s: %v", n+1, h.Table, err), nil)
			}
			if err := use(row); err != nil {
				return n, err
			}
			n++
		default:
			return n, badBackup(fmt.Sprintf("row %d of table %s is not a list of values", n+1, h.Table), nil)
		}
	}
}

// checkRow accepts integers, strings and nulls only.
func checkRow(row []any, columns int) ([]any, error) {
	if len(row) != columns {
		return nil, fmt.Errorf("%d values for %d columns", len(row), columns)
	}
	for i, v := range row {
		switch v := v.(type) {
		case nil, string:
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return nil, fmt.Errorf("value %d is not an integer", i+1)
			}
			row[i] = n
		default:
			return nil, fmt.Errorf("value %d is a %T", i+1, v)
		}
	}
	return row, nil
}

// loadMeta loads the proofs of the keys the file's data was written with,
// once checkMeta has accepted them, in place of those that opening this
// database wrote.
func (s *Store) loadMeta(ctx context.Context, tx *sql.Tx, dec *json.Decoder, h tableHeader, checkMeta func(map[string]string) error) (int, error) {
	if len(h.Columns) != 2 || h.Columns[0] != "name" || h.Columns[1] != "value" {
		return 0, badBackup("its meta table has unexpected columns", nil)
	}
	var rows [][]any
	meta := map[string]string{}
	n, err := readRows(dec, h, func(r []any) error {
		name, _ := r[0].(string)
		value, _ := r[1].(string)
		meta[name] = value
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return n, err
	}
	if checkMeta != nil {
		if err := checkMeta(meta); err != nil {
			return n, err
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	query, args := multiInsert(h, rows)
	if _, err := tx.ExecContext(ctx, s.d.q(query), args...); err != nil {
		return n, fmt.Errorf("meta: %w", err)
	}
	return n, nil
}

func multiInsert(h tableHeader, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + h.Table + " (" + strings.Join(h.Columns, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(h.Columns)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(h.Columns))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	return b.String(), args
}

// checkColumns refuses a table whose columns the database does not have:
// the file and the database must be at the same schema version.
func (s *Store) checkColumns(ctx context.Context, tx *sql.Tx, h tableHeader) error {
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+h.Table+" WHERE 1 = 0")
	if err != nil {
		return err
	}
	have, err := rows.Columns()
	rows.Close()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range have {
		known[c] = true
	}
	for _, c := range h.Columns {
		if !known[c] {
			return badBackup(fmt.Sprintf("table %s has a column %s that this database does not", h.Table, c), nil)
		}
	}
	return nil
}

// resetIdentities makes PostgreSQL's id sequences continue after the ids
// restored; SQLite takes the next rowid from the table itself.
func (s *Store) resetIdentities(ctx context.Context, tx *sql.Tx) error {
	if s.d.goose != goose.DialectPostgres {
		return nil
	}
	for _, table := range backupTables {
		// Only tables with an id column have a sequence to reset.
		var seq sql.NullString
		err := tx.QueryRowContext(ctx, `
			SELECT pg_get_serial_sequence(quote_ident(table_name), 'id')
			FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`, table).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !seq.Valid) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
		_, err = tx.ExecContext(ctx, "SELECT setval($1, COALESCE((SELECT MAX(id) FROM "+table+"), 0) + 1, false)", seq.String)
		if err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
	}
	return nil
}

// engine names the database engine in backup headers.
func (s *Store) engine() string {
	if s.d.goose == goose.DialectPostgres {
		return "postgres"
	}
	return "sqlite"
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
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if s.d.goose == goose.DialectPostgres {
		query = `SELECT COUNT(*) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.d.q(query), table).Scan(&n); err != nil {
		return false, fmt.Errorf("look up table %s: %w", table, err)
	}
	return n > 0, nil
}
