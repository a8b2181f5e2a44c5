// Package sqlstore keeps subscribers, messages and transactions in a SQL
// database through database/sql. It implements momo.Store on SQLite, with
// the pure-Go driver modernc.org/sqlite (Open), and on PostgreSQL, through
// pgx's connection pool (OpenPostgres). The queries are shared; the few
// places where the SQL dialects differ are in dialect.go and postgres.go,
// and each database has its own migrations, of the same versions.
//
// The store never sees plaintext: SMS bodies and counterparty names arrive
// sealed and leave sealed. Deduplication rests on unique constraints, not on
// reading before writing, so concurrent imports of the same messages store
// them once.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrationFiles embed.FS

// Store implements momo.Store. It is safe for concurrent use.
type Store struct {
	db         *sql.DB
	d          *dialect
	migrations *goose.Provider
	now        func() time.Time // the clock; tests replace it
	// migrateDB runs the migrations: db itself on SQLite; on PostgreSQL a
	// small pool of connections without a statement timeout.
	migrateDB *sql.DB
	closers   []func() // run after the databases close (PostgreSQL's pools)
	// server names the PostgreSQL server ("host:port") in messages about
	// reaching it; empty on SQLite.
	server string

	stmtMu sync.Mutex
	stmts  *statements // prepared on first use
}

var _ momo.Store = (*Store)(nil)

// options are the knobs tests turn; Open uses the defaults.
type options struct {
	busyTimeout time.Duration
}

// Open opens the SQLite database at path, creating it (mode 0600, in a
// directory created 0700) when it does not exist, and brings its schema up
// to date. A path of ":memory:" opens a private in-memory database that
// lives as long as the Store.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, options{busyTimeout: 5 * time.Second})
}

func open(ctx context.Context, path string, o options) (*Store, error) {
	d := sqliteDialect
	dsn, err := sqliteDSN(path, o.busyTimeout)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	db, err := sql.Open(d.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	if isMemory(path) {
		// Each connection to ":memory:" is a database of its own: keep
		// exactly one, for ever.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		// Writers queue on the database lock anyway; a few connections
		// let reports read while an import writes.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}

	s := &Store{db: db, d: d, now: time.Now}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.pingAtStart(ctx); err != nil {
		return s.fail(ctx, "open", err)
	}
	files, err := fs.Sub(migrationFiles, s.d.migrations)
	if err != nil {
		return fmt.Errorf("sqlstore: open: %w", err)
	}
	if s.migrateDB == nil {
		s.migrateDB = s.db
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	// Two instances starting together must not both migrate. PostgreSQL
	// holds an advisory lock across the migrations; SQLite, see
	// migrateAtStart.
	if s.d == postgresDialect {
		locker, err := postgresLocker(ctx, s.migrateDB)
		if err != nil {
			return s.fail(ctx, "open", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	s.migrations, err = goose.NewProvider(s.d.goose, s.migrateDB, files, opts...)
	if err != nil {
		return fmt.Errorf("sqlstore: open: migrations: %w", err)
	}
	return s.migrateAtStart(ctx)
}

// migrateAttempts bounds the attempts of pingAtStart and migrateAtStart
// on SQLite.
const migrateAttempts = 5

// pingAtStart opens the first connection. Its pragmas turn a new SQLite
// file to WAL, which needs the file to itself for a moment: a process
// opening the same new file at that moment is told "busy" at once, without
// busy_timeout's wait, so it tries again a little later.
func (s *Store) pingAtStart(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		err := s.db.PingContext(ctx)
		if err == nil || !s.d.busy(err) || attempt == migrateAttempts {
			return err
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}

// pause waits a little longer at each attempt, or until ctx ends.
func pause(ctx context.Context, attempt int) error {
	select {
	case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// migrateAtStart brings the schema up to date when the store opens. On
// SQLite, which has no lock to hold across migrations, two processes
// starting together may both find a version missing. Each migration runs
// in an IMMEDIATE transaction (see sqliteDSN) that records its version, so
// the second waits on busy_timeout for the first, then fails (its tables
// exist) and is rolled back whole; running the migrations again finds
// that version applied. Goose creating its version table races the same
// way. A migration that fails for any other reason fails every attempt.
func (s *Store) migrateAtStart(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		_, _, err := s.Migrate(ctx)
		if err == nil || s.d != sqliteDialect || attempt == migrateAttempts {
			return err
		}
		if pause(ctx, attempt) != nil {
			return err
		}
	}
}

// Migrate applies the migrations the database lacks and returns the schema
// version before and after. Open already does this; momo migrate calls it
// to report the versions.
func (s *Store) Migrate(ctx context.Context) (from, to int64, err error) {
	from, err = s.migrations.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, s.fail(ctx, "migrate", err)
	}
	if _, err := s.migrations.Up(ctx); err != nil {
		return from, from, s.fail(ctx, "migrate", err)
	}
	to, err = s.migrations.GetDBVersion(ctx)
	if err != nil {
		return from, from, s.fail(ctx, "migrate", err)
	}
	return from, to, nil
}

// Version returns the schema version of the database.
func (s *Store) Version(ctx context.Context) (int64, error) {
	v, err := s.migrations.GetDBVersion(ctx)
	if err != nil {
		return 0, s.fail(ctx, "version", err)
	}
	return v, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.d.closing != "" {
		// Housekeeping the database asks for; failing it loses nothing.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.db.ExecContext(ctx, s.d.closing)
		cancel()
	}
	s.stmtMu.Lock()
	if s.stmts != nil {
		s.stmts.close()
	}
	s.stmtMu.Unlock()
	err := s.db.Close()
	if s.migrateDB != nil && s.migrateDB != s.db {
		err = errors.Join(err, s.migrateDB.Close())
	}
	for _, c := range s.closers {
		c()
	}
	if err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// Subscriber returns the subscriber of channel and ref, creating it from
// defaults when there is none. Two callers racing to create the same
// subscriber get the same one.
func (s *Store) Subscriber(ctx context.Context, channel momo.Source, ref string, defaults momo.Subscriber) (momo.Subscriber, error) {
	sub, _, err := s.subscriberIn(ctx, s.db, channel, ref, defaults, 0)
	if err != nil {
		return momo.Subscriber{}, s.fail(ctx, "subscriber", err)
	}
	return sub, nil
}

// maxTxAttempts is how many times inTx runs a database transaction that
// the database undid for a conflict with another (a deadlock between two
// imports on PostgreSQL).
const maxTxAttempts = 3

// inTx runs fn in a read-write database transaction, committed when fn
// returns nil and rolled back otherwise. A transaction the database undid
// whole for a conflict runs again, from the start: nothing of it was kept,
// so fn must only be able to run twice (set, not add to, what it returns).
// Other failures, a lost connection included, are not retried here: the
// commit may have happened.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.inTxOnce(ctx, fn)
		if err == nil || s.d.retry == nil || !s.d.retry(err) || attempt == maxTxAttempts || ctx.Err() != nil {
			return err
		}
		// A short, growing pause lets the other transaction finish.
		select {
		case <-time.After(time.Duration(attempt*attempt) * 20 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

func (s *Store) inTxOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// fail wraps err with the operation that failed. A locked database, or a
// server that cannot be reached, becomes momo.CodeUnavailable; when ctx has ended, the context's error is put in
// the chain, whatever the driver made of the interruption.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	var known *momo.Error
	switch {
	case errors.As(err, &known):
	case s.d.busy(err):
		err = momo.E(momo.CodeUnavailable, "the database is busy; try again shortly", err)
	case s.d.unreachable != nil && s.d.unreachable(err):
		err = momo.E(momo.CodeUnavailable, "the database"+s.at()+" cannot be reached: check DATABASE_URL and that the server runs, then try again", err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// at is " at host:port" for messages, or nothing.
func (s *Store) at() string {
	if s.server == "" {
		return ""
	}
	return " at " + s.server
}

// amountArg is an amount as a query argument: NULL when unknown.
func amountArg(a momo.Amount) any {
	if !a.Known {
		return nil
	}
	return a.Minor
}

func amountOf(n sql.NullInt64) momo.Amount {
	if !n.Valid {
		return momo.Amount{}
	}
	return momo.Some(n.Int64)
}

// nullString stores an empty string as NULL.
func nullString[S ~string](v S) any {
	if v == "" {
		return nil
	}
	return string(v)
}
