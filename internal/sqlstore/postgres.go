package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// PostgreSQL. The store reaches it through pgx's connection pool, wrapped
// as a *sql.DB so that the queries, written once for both databases, run
// unchanged; only the placeholders are rebound ("?" becomes "$1").

var postgresDialect = &dialect{
	name:        "postgres",
	driver:      "pgx",
	goose:       goose.DialectPostgres,
	migrations:  "migrations/postgres",
	rebind:      dollarPlaceholders,
	busy:        postgresBusy,
	unreachable: postgresUnreachable,
	retry:       postgresRetry,
	// Report's queries must read one snapshot; PostgreSQL's default, READ
	// COMMITTED, gives each statement its own.
	reportTx: &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
	tableCount: `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name = ?`,
	resetIdentity: resetSequence,
}

// resetSequence makes the id sequence of table, if it has one, continue
// after the largest id in it.
func resetSequence(ctx context.Context, tx *sql.Tx, table string) error {
	var seq sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT pg_get_serial_sequence(quote_ident(table_name), 'id')
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`, table).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !seq.Valid) {
		return nil // no id column, or no sequence behind it
	}
	if err != nil {
		return fmt.Errorf("sequence of %s: %w", table, err)
	}
	_, err = tx.ExecContext(ctx, "SELECT setval($1, COALESCE((SELECT MAX(id) FROM "+table+"), 0) + 1, false)", seq.String)
	if err != nil {
		return fmt.Errorf("sequence of %s: %w", table, err)
	}
	return nil
}

// Defaults for what DATABASE_URL does not set.
const (
	defaultPoolSize         = 10
	defaultStatementTimeout = 30 * time.Second
	// migrationPoolSize: goose migrates on the connection that holds the
	// advisory lock; Version and Migrate's reads may want a second.
	migrationPoolSize = 2
)

// PostgresOptions are what OpenPostgres needs besides the URL.
type PostgresOptions struct {
	// Production makes OpenPostgres warn when the connection to a database
	// on another machine may travel unencrypted.
	Production bool
	// Log receives that warning; nil discards it.
	Log *slog.Logger
}

// OpenPostgres opens the PostgreSQL database that rawURL (postgres:// or
// postgresql://) names and brings its schema up to date, under an advisory
// lock so that two instances starting together migrate once.
//
// Besides libpq's parameters (sslmode, connect_timeout…), the URL's query
// may set pool_max_conns (default 10) and statement_timeout, a PostgreSQL
// duration such as 30s or 0 for none (default 30s). Migrations run on
// connections of their own without the statement timeout, since building
// an index over a large table may take longer.
func OpenPostgres(ctx context.Context, rawURL string, o PostgresOptions) (*Store, error) {
	cfg, err := postgresConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	if o.Production {
		warnPlaintext(rawURL, cfg, o.Log)
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	migCfg := cfg.Copy()
	migCfg.MaxConns = migrationPoolSize
	migCfg.MinConns = 0
	migCfg.ConnConfig.RuntimeParams["statement_timeout"] = "0"
	migPool, err := pgxpool.NewWithConfig(ctx, migCfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}

	s := &Store{
		db: poolDB(pool), migrateDB: poolDB(migPool), d: postgresDialect, now: time.Now,
		closers: []func(){pool.Close, migPool.Close},
		server:  net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))),
	}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// poolDB wraps a pool as a *sql.DB that keeps its connections: with idle
// connections dropped (stdlib's choice), every database transaction would
// prepare the statements of Save again and deallocate them at its end.
func poolDB(pool *pgxpool.Pool) *sql.DB {
	db := stdlib.OpenDBFromPool(pool)
	n := int(pool.Config().MaxConns)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return db
}

// postgresConfig parses the URL and applies our defaults.
func postgresConfig(rawURL string) (*pgxpool.Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The parser's message may quote the password.
		return nil, errors.New("not a postgres:// or postgresql:// URL")
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			// Its message is safe (the URL is redacted); its cause may not be.
			return nil, errors.New("invalid PostgreSQL URL: check its parameters")
		}
		return nil, fmt.Errorf("invalid PostgreSQL URL: %w", err)
	}
	q := u.Query()
	if !q.Has("pool_max_conns") {
		cfg.MaxConns = defaultPoolSize
	}
	params := cfg.ConnConfig.RuntimeParams
	if _, ok := params["statement_timeout"]; !ok {
		params["statement_timeout"] = strconv.FormatInt(defaultStatementTimeout.Milliseconds(), 10)
	}
	if _, ok := params["application_name"]; !ok {
		params["application_name"] = "momo"
	}
	return cfg, nil
}

// warnPlaintext logs a warning when the connection may run without TLS to
// a database that is not on this machine: sslmode disable, allow or prefer
// (pgx's default) lets a network attacker read or change the traffic.
func warnPlaintext(rawURL string, cfg *pgxpool.Config, log *slog.Logger) {
	if log == nil {
		return
	}
	mode := sslMode(rawURL)
	switch mode {
	case "disable", "allow", "prefer":
	default:
		return
	}
	hosts := []string{cfg.ConnConfig.Host}
	for _, f := range cfg.ConnConfig.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if !isLocalHost(h) {
			log.Warn("the connection to PostgreSQL on another machine may be unencrypted: set sslmode=verify-full (or require) in DATABASE_URL",
				"host", h, "sslmode", mode)
			return
		}
	}
}

// sslMode is the sslmode the connection uses: the URL's, else PGSSLMODE
// (which pgx reads too), else pgx's default.
func sslMode(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		if m := u.Query().Get("sslmode"); m != "" {
			return m
		}
	}
	if m := os.Getenv("PGSSLMODE"); m != "" {
		return m
	}
	return "prefer"
}

// isLocalHost says whether host is this machine: a Unix socket directory,
// localhost or a loopback address.
func isLocalHost(host string) bool {
	if strings.HasPrefix(host, "/") || strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && addr.IsLoopback()
}

// dollarPlaceholders rewrites "?" placeholders as $1, $2… in order. A "?"
// inside a quoted string literal stays; our queries have none in comments
// or identifiers.
func dollarPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + len(query)/8)
	n := 0
	quoted := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// SQLSTATE codes that mean another transaction was in the way.
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
)

// postgresBusy says whether err means that another transaction holds what
// we need: trying again later may work.
func postgresBusy(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case pgSerializationFailure, pgDeadlockDetected, pgLockNotAvailable:
		return true
	}
	return false
}

// postgresUnreachable says whether err means that the server could not be
// reached or dropped the connection: trying again later may work.
func postgresUnreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08 is connection exceptions; 57P01-57P03 a server that is
		// shutting down, or starting, or an administrator ending our
		// session.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF)
}

// postgresRetry says whether a database transaction that failed with err
// was rolled back by the server for a conflict with another one, so that
// running it again from the start is safe and may succeed.
func postgresRetry(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == pgSerializationFailure || pe.Code == pgDeadlockDetected)
}

// postgresLocker is the advisory lock that migrations run under. Its id is
// derived from the database and schema, so that instances migrating the
// same schema wait for each other and other schemas (the tests') do not.
func postgresLocker(ctx context.Context, db *sql.DB) (lock.SessionLocker, error) {
	var database, schema string
	if err := db.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&database, &schema); err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("momo migrations\x00" + database + "\x00" + schema))
	// Checked every second, for up to five minutes.
	return lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
}
