package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/momoanalytics/momo"
)

// The two database engines.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// defaultDatabaseFile is the SQLite file used when DATABASE_URL is unset.
const defaultDatabaseFile = "momo.db"

// Database says which engine to open and where.
type Database struct {
	Engine string // EngineSQLite or EnginePostgres
	// DSN is the PostgreSQL URL as given, or the SQLite file path (relative
	// paths are relative to the working directory).
	DSN string
}

// String shows the database with any password hidden.
func (d Database) String() string { return d.Engine + " " + RedactURL(d.DSN) }

// LogValue shows the database with any password hidden.
func (d Database) LogValue() slog.Value {
	return slog.GroupValue(slog.String("engine", d.Engine), slog.String("dsn", RedactURL(d.DSN)))
}

// MarshalJSON writes the database with any password hidden.
func (d Database) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"engine": d.Engine, "dsn": RedactURL(d.DSN)})
}

// schemeRE matches a URL scheme of two or more characters, so that a
// Windows drive letter ("C:\…") is not taken for one.
var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]+):`)

// ParseDatabase reads a DATABASE_URL value. The accepted forms:
//
//   - empty: SQLite file momo.db in dataDir;
//   - postgres://… and postgresql://…: PostgreSQL, the URL kept as given;
//   - sqlite:/abs/path.db and sqlite:///abs/path.db: SQLite, absolute path;
//   - sqlite:relative.db: SQLite, path relative to the working directory;
//   - any other text without a scheme: a SQLite file path.
//
// Refused, with a momo.CodeConfig error: other schemes (mysql:, http:,
// file:), sqlite://name (the name would read as a host), sqlite:///name.db
// with the file directly under / (SQLAlchemy, and so the seed's default
// sqlite:///momo_analytics.db, reads that as a relative path, so it is
// ambiguous), sqlite: URLs with ?options, and libpq key=value strings.
func ParseDatabase(raw, dataDir string) (Database, error) {
	db, err := parseDatabase(raw, dataDir)
	if err != nil {
		return Database{}, momo.E(momo.CodeConfig, "DATABASE_URL "+err.Error(), nil)
	}
	return db, nil
}

func parseDatabase(raw, dataDir string) (Database, error) {
	if raw == "" {
		if dataDir == "" {
			return Database{}, errors.New("is unset and there is no data directory for the default SQLite file: set MOMO_DATA_DIR or HOME")
		}
		return Database{EngineSQLite, filepath.Join(dataDir, defaultDatabaseFile)}, nil
	}

	m := schemeRE.FindStringSubmatch(raw)
	if m == nil {
		return sqlitePath(raw)
	}

	switch scheme := strings.ToLower(m[1]); scheme {
	case "postgres", "postgresql":
		return postgresURL(raw)
	case "sqlite":
		return sqliteURL(raw[len(m[0]):])
	default:
		// The value may hold a password: name only the scheme.
		return Database{}, fmt.Errorf("has the unsupported scheme %q: use postgres://, postgresql://, sqlite: or a file path", scheme)
	}
}

func postgresURL(raw string) (Database, error) {
	// url.Parse's errors quote pieces of the URL, which can be pieces of the
	// password (one holding '/' reads as a bad port): say what to do instead.
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return Database{}, errors.New("is not a valid PostgreSQL URL: write postgres://user:password@host:port/database, with special characters in the password percent-encoded")
	}
	return Database{EnginePostgres, raw}, nil
}

// sqliteURL reads what follows "sqlite:".
func sqliteURL(rest string) (Database, error) {
	if strings.ContainsAny(rest, "?#") {
		return Database{}, errors.New("sqlite: URLs take no options (momo sets them itself)")
	}

	switch {
	case strings.HasPrefix(rest, "///"):
		path := rest[2:]
		if filepath.Dir(filepath.Clean(path)) == "/" {
			return Database{}, fmt.Errorf("sqlite://%s is ambiguous: SQLAlchemy reads it as the relative path %s, we would read /%s; write sqlite:%s or sqlite:/%s", path, path[1:], path[1:], path[1:], path[1:])
		}
		return sqlitePath(path)
	case strings.HasPrefix(rest, "//"):
		return Database{}, errors.New("sqlite://NAME is ambiguous (NAME reads as a host): write sqlite:relative.db or sqlite:///absolute/path.db")
	case rest == "":
		return Database{}, errors.New("sqlite: needs a file path, e.g. sqlite:momo.db")
	}
	return sqlitePath(rest)
}

// kvDSN spots a libpq "host=… dbname=…" string, which would otherwise be
// taken for a strangely named SQLite file.
var kvDSN = regexp.MustCompile(`^\s*\w+\s*=.*\s\w+\s*=`)

func sqlitePath(path string) (Database, error) {
	if kvDSN.MatchString(path) {
		return Database{}, errors.New("looks like a key=value PostgreSQL string: write it as a postgres:// URL")
	}
	if strings.ContainsRune(path, 0) || strings.HasSuffix(path, "/") {
		return Database{}, errors.New("is not a usable SQLite file path")
	}
	return Database{EngineSQLite, filepath.Clean(path)}, nil
}
