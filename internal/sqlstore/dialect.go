package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file holds what differs between the SQL databases the store runs on.
// Queries elsewhere are written once, in SQL that SQLite and PostgreSQL both
// accept: "?" placeholders that the dialect rebinds, INSERT … ON CONFLICT …
// DO NOTHING RETURNING, CTEs and window functions. SQLite's particulars are
// here, PostgreSQL's in postgres.go.

// dialect describes one database.
type dialect struct {
	name       string        // as backups record it
	driver     string        // database/sql driver name
	goose      goose.Dialect // for the migration runner
	migrations string        // folder under migrations/ with this dialect's files
	// rebind turns the "?" placeholders our queries are written with into
	// the database's own; nil leaves them as they are.
	rebind func(query string) string
	// busy reports whether err means that another connection holds the
	// lock we need, so that trying again later may work.
	busy func(err error) bool
	// unreachable reports whether err means that the database server could
	// not be reached or dropped the connection; nil for a database in a
	// file.
	unreachable func(err error) bool
	// retry reports whether a database transaction that failed with err
	// was undone whole for a conflict with another, so that running it
	// again is safe; nil for never.
	retry func(err error) bool
	// reportTx are the options of Report's read-only transaction.
	reportTx *sql.TxOptions
	// closing is a statement run before the store closes, if any.
	closing string
	// tableCount counts the tables of this schema named "?": 1 or 0.
	tableCount string
	// resetIdentity makes a table's generated ids continue after the ids
	// a restore wrote; nil when the database does that itself.
	resetIdentity func(ctx context.Context, tx *sql.Tx, table string) error
}

var sqliteDialect = &dialect{
	name:       "sqlite",
	driver:     "sqlite",
	goose:      goose.DialectSQLite3,
	migrations: "migrations/sqlite",
	busy:       sqliteBusy,
	// A read transaction in WAL mode reads one snapshot.
	reportTx: &sql.TxOptions{ReadOnly: true},
	// Refreshes the statistics the query planner uses, as SQLite advises
	// applications to do before closing.
	closing:    "PRAGMA optimize",
	tableCount: `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`,
	// SQLite takes the next rowid from the table itself.
}

func (d *dialect) q(query string) string {
	if d.rebind == nil {
		return query
	}
	return d.rebind(query)
}

// sqliteBusy checks the driver's result code, extended codes included
// (SQLITE_BUSY_SNAPSHOT is BUSY with more bits set).
func sqliteBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// isMemory reports whether path names an in-memory SQLite database.
func isMemory(path string) bool {
	return path == ":memory:" || path == "file::memory:"
}

// sqliteDSN prepares path for the driver: it creates the parent directory
// (0700) and the database file (0600) when they are missing, so that SQLite,
// which creates its -wal and -shm files with the database file's mode, never
// makes a file that others can read. It returns the driver's DSN.
//
// Every connection of the pool runs the pragmas: WAL lets readers work
// while one writer writes; busy_timeout makes a writer wait for the lock
// instead of failing at once; foreign_keys is off by default in SQLite;
// synchronous NORMAL is safe with WAL; an 8 MB page cache (the default is
// 2 MB) keeps the indexes of a large import in memory: about 40% more
// records per second in BenchmarkSave than the default. 16 MB was no
// faster once the reports read totals instead of wide indexes, and cost
// 15 MB more of an import's memory. _txlock=immediate makes every
// read-write transaction take the write lock when it begins, so two writers
// queue on busy_timeout instead of failing when a reader turns writer.
//
// Two pragmas serve Save's multi-row inserts. SQLite keeps a statement
// journal for each of them, a copy of every page the statement changes;
// temp_store MEMORY keeps it in memory instead of a temporary file, whose
// write calls took about a tenth of an import. A checkpoint every 4,000
// pages (16 MB of WAL) instead of 1,000 copies the pages that every batch
// dirties again, those of the unique indexes on random hashes, into the
// database a quarter as often: imports measured 15-20% faster; 8,000 or
// 16,000 pages measured no better.
func sqliteDSN(path string, busyTimeout time.Duration) (string, error) {
	params := url.Values{}
	params.Add("_pragma", "busy_timeout("+strconv.FormatInt(busyTimeout.Milliseconds(), 10)+")")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_txlock", "immediate")
	params.Add("_pragma", "temp_store(2)")
	if isMemory(path) {
		return "file::memory:?" + params.Encode(), nil
	}
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Add("_pragma", "cache_size(-8000)")
	params.Add("_pragma", "wal_autocheckpoint(4000)")

	if path == "" {
		return "", errors.New("empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return "", fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return "", err
		}
	case !errors.Is(err, os.ErrExist):
		return "", fmt.Errorf("create database file: %w", err)
	}

	// A URI keeps "?" or "#" in a file name from being read as its query.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: params.Encode()}
	if !strings.HasPrefix(u.Path, "/") { // a Windows drive letter
		u.Path = "/" + u.Path
	}
	return u.String(), nil
}

// timeLayout is how times are stored: UTC, milliseconds, fixed width, so
// that comparing the strings compares the times.
const timeLayout = "2006-01-02T15:04:05.000Z"

// dbTime converts a time to and from its stored form. The zero time is NULL.
type dbTime struct{ time.Time }

func (t dbTime) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return timeText(t.Time), nil
}

func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	case time.Time:
		t.Time = v.UTC()
		return nil
	}
	return fmt.Errorf("cannot read a time from %T", src)
}

func (t *dbTime) parse(s string) error {
	v, err := time.Parse(timeLayout, s)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", s, err)
	}
	t.Time = v
	return nil
}

func timeText(t time.Time) string { return t.UTC().Format(timeLayout) }

// timeArg is a time as a query argument in its stored form: NULL for the
// zero time. Unlike dbTime it hands the driver a plain string, which the
// bulk inserts' many arguments need no conversion for.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timeText(t)
}
