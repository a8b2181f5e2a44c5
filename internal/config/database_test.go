package config

import (
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

func TestParseDatabase(t *testing.T) {
	tests := []struct {
		raw     string
		engine  string
		dsn     string
		problem string // substring of the error; empty when accepted
	}{
		{"", EngineSQLite, "/data/momo.db", ""},
		{"postgres://u:pw@db:5432/momo?sslmode=require", EnginePostgres, "postgres://u:pw@db:5432/momo?sslmode=require", ""},
		{"postgresql://db/momo", EnginePostgres, "postgresql://db/momo", ""},
		{"POSTGRES://db/momo", EnginePostgres, "POSTGRES://db/momo", ""},
		{"postgres:///momo?host=/run/postgresql", EnginePostgres, "postgres:///momo?host=/run/postgresql", ""},
		{"sqlite:/srv/momo/momo.db", EngineSQLite, "/srv/momo/momo.db", ""},
		{"sqlite:///srv/momo/momo.db", EngineSQLite, "/srv/momo/momo.db", ""},
		{"sqlite:////srv/momo/momo.db", EngineSQLite, "/srv/momo/momo.db", ""},
		{"sqlite:momo.db", EngineSQLite, "momo.db", ""},
		{"sqlite:./data/momo.db", EngineSQLite, "data/momo.db", ""},
		{"sqlite:/momo.db", EngineSQLite, "/momo.db", ""},
		{"/var/lib/momo/momo.db", EngineSQLite, "/var/lib/momo/momo.db", ""},
		{"momo.db", EngineSQLite, "momo.db", ""},
		{"./data//momo.db", EngineSQLite, "data/momo.db", ""},
		{`C:\momo\momo.db`, EngineSQLite, `C:\momo\momo.db`, ""},

		{"sqlite:///momo_analytics.db", "", "", "ambiguous"},
		{"sqlite://momo.db", "", "", "ambiguous"},
		{"sqlite://", "", "", "ambiguous"},
		{"sqlite:", "", "", "needs a file path"},
		{"sqlite:/srv/momo.db?_pragma=foreign_keys(1)", "", "", "no options"},
		{"mysql://u:secretpw@db/momo", "", "", `unsupported scheme "mysql"`},
		{"http://db/momo", "", "", `unsupported scheme "http"`},
		{"file:momo.db", "", "", `unsupported scheme "file"`},
		{"host=db dbname=momo password=secretpw", "", "", "key=value"},
		{"postgres://u:secretpw@db:port/momo", "", "", "not a valid PostgreSQL URL"},
		{"postgres://u:secretpw/x@db/momo", "", "", "not a valid PostgreSQL URL"},
		{"postgres:momo", "", "", "not a valid PostgreSQL URL"},
		{"/var/lib/momo/", "", "", "not a usable SQLite file path"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			db, err := ParseDatabase(tt.raw, "/data")
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("ParseDatabase: %v", err)
				}
				if db.Engine != tt.engine || db.DSN != tt.dsn {
					t.Errorf("got %s %q, want %s %q", db.Engine, db.DSN, tt.engine, tt.dsn)
				}
				return
			}

			if err == nil {
				t.Fatalf("accepted as %s %q", db.Engine, db.DSN)
			}
			msg := momo.ErrorMessage(err)
			if momo.ErrorCode(err) != momo.CodeConfig || !strings.Contains(msg, tt.problem) {
				t.Errorf("error %q (%s), want one about %q", msg, momo.ErrorCode(err), tt.problem)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error quotes the password: %v", err)
			}
		})
	}
}

func TestDatabaseString(t *testing.T) {
	db := Database{EnginePostgres, "postgres://momo:secretpw@db/momo"}

	if s := db.String(); strings.Contains(s, "secretpw") || !strings.Contains(s, "postgres") {
		t.Errorf("String = %q", s)
	}
}
