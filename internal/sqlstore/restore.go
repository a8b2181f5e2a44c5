package sqlstore

import (
	"bufio"
	"bytes"
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
)

// A restore trusts nothing in the file: every line is bounded, every value
// checked against what its column holds, every row counted, and the gzip
// checksum verified to the last byte, all before the database transaction
// that loads it commits.

// maxBackupLine bounds one line of a backup: a row holds at most a few
// sealed values of at most 16 KiB of SMS each.
const maxBackupLine = 1 << 20

// RestoreOptions say how Restore treats the database it loads into.
type RestoreOptions struct {
	// Replace deletes what the database holds, in the transaction that
	// loads the file; without it Restore refuses a database that holds
	// anything besides the rows its migrations and opening wrote.
	Replace bool
	// CheckMeta, when set, sees the file's meta table (the proofs of the
	// keys its data was written with; empty when the file has none) before
	// anything is written, and refuses the file by returning an error.
	CheckMeta func(meta map[string]string) error
}

// Restore loads a backup written by Backup, from either engine, into this
// database in one database transaction. A file from an older schema is
// loaded into an empty database at its own version and then migrated; one
// from a newer schema than this program knows is refused, as is a damaged
// or truncated file.
func (s *Store) Restore(ctx context.Context, r io.Reader, o RestoreOptions) (BackupInfo, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return BackupInfo{}, badBackup("it is not a momo backup (not gzip)", err)
	}
	in := &backupReader{r: bufio.NewReaderSize(zr, 64<<10)}

	info, err := s.readHeader(in)
	if err != nil {
		return info, err
	}
	lowered, err := s.prepareRestore(ctx, info.Schema, o.Replace)
	if err != nil {
		return info, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if o.Replace {
			if err := s.wipe(ctx, tx); err != nil {
				return err
			}
		}
		if err := s.load(ctx, tx, in, &info, o.CheckMeta); err != nil {
			return err
		}
		return in.end()
	})
	if err != nil {
		if lowered {
			s.migrations.Up(ctx) // the schema prepareRestore lowered
		}
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

// backupReader reads a backup's lines, each at most maxBackupLine bytes.
type backupReader struct {
	r    *bufio.Reader
	line int
}

// next returns the next line, without its newline.
func (b *backupReader) next() ([]byte, error) {
	var line []byte
	for {
		part, err := b.r.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxBackupLine {
			return nil, badBackup(fmt.Sprintf("line %d is longer than any backup writes", b.line+1), nil)
		}
		if err == nil {
			b.line++
			return bytes.TrimSuffix(line, []byte("\n")), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, badBackup(fmt.Sprintf("it ends at line %d, before its closing line", b.line+1), nil)
		}
		return nil, badBackup("it is damaged (the compressed data does not read back)", err)
	}
}

// decode reads the next line as JSON into v, numbers kept as json.Number.
func (b *backupReader) decode(v any) error {
	line, err := b.next()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badBackup(fmt.Sprintf("line %d is not what a backup holds there", b.line), err)
	}
	if dec.More() {
		return badBackup(fmt.Sprintf("line %d holds more than one value", b.line), nil)
	}
	return nil
}

// end checks that nothing follows the closing line, and reads the gzip
// stream to its end, which is where its checksum is verified.
func (b *backupReader) end() error {
	const slack = 1 << 10 // white space a file may end with
	rest, err := io.ReadAll(io.LimitReader(b.r, slack+1))
	if err != nil {
		return badBackup("it is damaged (its checksum does not match)", err)
	}
	if len(rest) > slack || len(bytes.TrimSpace(rest)) > 0 {
		return badBackup("something follows its closing line", nil)
	}
	return nil
}

// readHeader reads and checks the file's first line.
func (s *Store) readHeader(in *backupReader) (BackupInfo, error) {
	var info BackupInfo
	if err := in.decode(&info); err != nil {
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
// schema down to the file's version when that is older; lowered says it
// did. Lowering a schema could fail on the rows a database holds and would
// commit apart from the load, so an older file goes only into an empty
// database.
func (s *Store) prepareRestore(ctx context.Context, schema int64, replace bool) (lowered bool, err error) {
	n, err := s.rowsHeld(ctx)
	if err != nil {
		return false, s.fail(ctx, "restore", err)
	}
	current, err := s.Version(ctx)
	if err != nil {
		return false, err
	}
	switch {
	case n > 0 && schema < current:
		return false, momo.E(momo.CodeConflict, fmt.Sprintf("the backup is from schema version %d, older than this database's %d: restore it into an empty database", schema, current), nil)
	case n > 0 && !replace:
		return false, momo.E(momo.CodeConflict, "the database is not empty; restore only into an empty database, or pass --replace to delete what it holds first", nil)
	case schema < current:
		if _, err := s.migrations.DownTo(ctx, schema); err != nil {
			s.migrations.Up(ctx)
			return false, s.fail(ctx, "restore: lower the schema to the file's version", err)
		}
		return true, nil
	}
	return false, nil
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

// wipe deletes every row, children first, of the tables the schema has.
func (s *Store) wipe(ctx context.Context, tx *sql.Tx) error {
	for i := len(backupTables) - 1; i >= 0; i-- {
		exists, err := s.tableExists(ctx, tx, backupTables[i])
		if err != nil {
			return err
		}
		if !exists {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+backupTables[i]); err != nil {
			return fmt.Errorf("delete %s: %w", backupTables[i], err)
		}
	}
	return nil
}

// load reads the tables of the file and inserts their rows. The file holds
// the tables that exist at its schema version, in backupTables' order; the
// database, brought to that version, must have exactly those.
func (s *Store) load(ctx context.Context, tx *sql.Tx, in *backupReader, info *BackupInfo, checkMeta func(map[string]string) error) error {
	// Between tables comes either the next table's header or the
	// closing line.
	var next tableHeader
	var end backupEnd
	read := func() error {
		var line struct {
			tableHeader
			backupEnd
		}
		if err := in.decode(&line); err != nil {
			return err
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
		if err := s.loadOne(ctx, tx, in, next, info, checkMeta); err != nil {
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
		return badBackup("its closing line does not match its tables", nil)
	}
	if _, ok := info.Rows["meta"]; !ok && checkMeta != nil {
		// A file without a meta table has no proof of its keys.
		if err := checkMeta(map[string]string{}); err != nil {
			return err
		}
	}
	if err := checkReferences(ctx, tx); err != nil {
		return err
	}
	return s.resetIdentities(ctx, tx)
}

// danglingSQL finds a loaded message or transaction that names a
// subscriber or transaction the file does not hold. PostgreSQL has no
// foreign keys on them (migration 12): the writer that stores them
// guarantees what the keys did, and a restore does not go through it.
const danglingSQL = `
	SELECT 'a message names a subscriber' FROM messages m
	WHERE NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.id = m.subscriber_id)
	UNION ALL
	SELECT 'a message names a transaction' FROM messages m
	WHERE m.transaction_id IS NOT NULL
	  AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.id = m.transaction_id)
	UNION ALL
	SELECT 'a transaction names a subscriber' FROM transactions t
	WHERE NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.id = t.subscriber_id)
	LIMIT 1`

func checkReferences(ctx context.Context, tx *sql.Tx) error {
	var what string
	err := tx.QueryRowContext(ctx, danglingSQL).Scan(&what)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check references: %w", err)
	}
	return badBackup(what+" that it does not hold", nil)
}

// loadOne loads one table whose header was just read.
func (s *Store) loadOne(ctx context.Context, tx *sql.Tx, in *backupReader, h tableHeader, info *BackupInfo, checkMeta func(map[string]string) error) error {
	if err := s.checkColumns(ctx, tx, h); err != nil {
		return err
	}
	if seeded[h.Table] {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+h.Table); err != nil {
			return fmt.Errorf("%s: %w", h.Table, err)
		}
	}
	var n int
	var err error
	if h.Table == "meta" {
		n, err = s.loadMeta(ctx, tx, in, h, checkMeta)
	} else {
		n, err = s.loadTable(ctx, tx, in, h)
	}
	info.Rows[h.Table] = n
	return err
}

// loadTable streams a table's rows into multi-row inserts, a chunk at a
// time, so that memory stays small whatever the table's size. A column
// that points into its own table is inserted empty and set afterwards.
func (s *Store) loadTable(ctx context.Context, tx *sql.Tx, in *backupReader, h tableHeader) (int, error) {
	id, self := columnIndex(h.Columns, "id"), columnIndex(h.Columns, selfReferences[h.Table])
	if self >= 0 && id < 0 {
		return 0, badBackup(fmt.Sprintf("table %s has no id column", h.Table), nil)
	}
	var later [][2]any // {id, value} of the self-references

	// SQLite takes at most 32,766 parameters in a statement.
	per := max(1, 30000/len(h.Columns))
	chunk := make([][]any, 0, per)
	done := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		query, args := multiInsert(h, chunk)
		if _, err := tx.ExecContext(ctx, s.d.q(query), args...); err != nil {
			return s.misfit(ctx, h.Table, done+1, done+len(chunk), err)
		}
		done += len(chunk)
		chunk = chunk[:0]
		return nil
	}

	n, err := readRows(in, h, func(row []any) error {
		if self >= 0 && row[self] != nil {
			later = append(later, [2]any{row[id], row[self]})
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
	for i, l := range later {
		query := "UPDATE " + h.Table + " SET " + h.Columns[self] + " = ? WHERE id = ?"
		if _, err := tx.ExecContext(ctx, s.d.q(query), l[1], l[0]); err != nil {
			return n, s.misfit(ctx, h.Table, i+1, i+1, err)
		}
	}
	return n, nil
}

// misfit explains a row the database refused: a value of the wrong type, a
// duplicate, or a reference to a row the file lacks. What the database
// said stays in the chain for the log, not in the message, which never
// quotes the file's values.
func (s *Store) misfit(ctx context.Context, table string, from, to int, err error) error {
	if classified := s.fail(ctx, "restore", err); momo.ErrorCode(classified) != momo.CodeInternal {
		return classified // the database is down or busy, not the file wrong
	}
	return badBackup(fmt.Sprintf("rows %d to %d of table %s do not fit this database (a value of the wrong type, a duplicate, or a reference to a missing row)", from, to, table), err)
}

func columnIndex(columns []string, name string) int {
	for i, c := range columns {
		if c == name && name != "" {
			return i
		}
	}
	return -1
}

// readRows hands each row of a table to use, up to the table's closing
// line, and returns how many there were.
func readRows(in *backupReader, h tableHeader, use func([]any) error) (int, error) {
	check := columnChecks(h.Columns)
	n := 0
	for {
		var line any
		if err := in.decode(&line); err != nil {
			return n, err
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
			if err := checkRow(v, check); err != nil {
				return n, badBackup(fmt.Sprintf("row %d of table %s: %v", n+1, h.Table, err), nil)
			}
			if err := use(v); err != nil {
				return n, err
			}
			n++
		default:
			return n, badBackup(fmt.Sprintf("row %d of table %s is not a list of values", n+1, h.Table), nil)
		}
	}
}

// columnCheck accepts or refuses one value of a column.
type columnCheck func(v any) error

// columnChecks gives each column the check its name calls for: times in
// the stored layout, local days and months in theirs, and for every column
// integers, strings and nulls only. A wrong type that these let through is
// refused by the database itself (SQLite's tables are STRICT).
func columnChecks(columns []string) []columnCheck {
	checks := make([]columnCheck, len(columns))
	for i, c := range columns {
		switch {
		case c == "at" || strings.HasSuffix(c, "_at") || c == "companion_from" || c == "companion_to":
			checks[i] = layoutCheck(timeLayout)
		case c == "local_day":
			checks[i] = layoutCheck(time.DateOnly)
		case c == "local_month":
			checks[i] = layoutCheck("2006-01")
		default:
			checks[i] = func(any) error { return nil }
		}
	}
	return checks
}

func layoutCheck(layout string) columnCheck {
	return func(v any) error {
		switch v := v.(type) {
		case nil:
			return nil
		case string:
			if _, err := time.Parse(layout, v); err != nil {
				return errors.New("a time is not in the stored layout")
			}
			return nil
		}
		return errors.New("a time is not text")
	}
}

// checkRow accepts integers, strings and nulls, each as its column's check
// allows.
func checkRow(row []any, checks []columnCheck) error {
	if len(row) != len(checks) {
		return fmt.Errorf("%d values for %d columns", len(row), len(checks))
	}
	for i, v := range row {
		switch v := v.(type) {
		case nil, string:
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return fmt.Errorf("value %d is not an integer", i+1)
			}
			row[i] = n
		default:
			return fmt.Errorf("value %d is a %T", i+1, v)
		}
		if err := checks[i](row[i]); err != nil {
			return fmt.Errorf("value %d: %w", i+1, err)
		}
	}
	return nil
}

// loadMeta loads the proofs of the keys the file's data was written with,
// once checkMeta has accepted them.
func (s *Store) loadMeta(ctx context.Context, tx *sql.Tx, in *backupReader, h tableHeader, checkMeta func(map[string]string) error) (int, error) {
	if len(h.Columns) != 2 || h.Columns[0] != "name" || h.Columns[1] != "value" {
		return 0, badBackup("its meta table has unexpected columns", nil)
	}
	var rows [][]any
	meta := map[string]string{}
	n, err := readRows(in, h, func(r []any) error {
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
		return n, s.misfit(ctx, "meta", 1, n, err)
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

// checkColumns refuses a table header whose columns the database does not
// have, names twice, or names none: the file and the database must be at
// the same schema version. The names go into SQL, so only names the
// database itself reports pass.
func (s *Store) checkColumns(ctx context.Context, tx *sql.Tx, h tableHeader) error {
	if len(h.Columns) == 0 {
		return badBackup(fmt.Sprintf("table %s has no columns", h.Table), nil)
	}
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
	seen := map[string]bool{}
	for _, c := range h.Columns {
		if !known[c] {
			return badBackup(fmt.Sprintf("table %s has a column this database does not", h.Table), nil)
		}
		if seen[c] {
			return badBackup(fmt.Sprintf("table %s names a column twice", h.Table), nil)
		}
		seen[c] = true
	}
	return nil
}
