// Package pgtest gives tests a PostgreSQL schema of their own on the server
// that TEST_DATABASE_URL names, dropped when the test ends, so that tests of
// the store run side by side on one database without seeing each other.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Var is the environment variable naming the test server.
const Var = "TEST_DATABASE_URL"

// Server returns TEST_DATABASE_URL. When it is unset, the test is skipped,
// or fails when the CI variable is set: CI must test PostgreSQL.
func Server(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv(Var)
	if raw != "" {
		return raw
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s is unset, and CI must run the PostgreSQL tests (.ci/run sets it and starts the server)", Var)
	}
	tb.Skipf("PostgreSQL variant skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run it", Var)
	return ""
}

// Schema creates a schema with a random name on the test server and
// returns the server's URL with search_path set to it, so that every
// connection opened from the URL works in the schema. The schema and all
// in it are dropped when the test ends.
func Schema(tb testing.TB) string {
	tb.Helper()
	server := Server(tb)
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("%s is not a URL", Var)
	}

	var b [8]byte
	rand.Read(b[:])
	name := "momo_test_" + hex.EncodeToString(b[:])
	exec(tb, server, "CREATE SCHEMA "+name)
	tb.Cleanup(func() { exec(tb, server, "DROP SCHEMA "+name+" CASCADE") })

	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on a connection of its own.
func exec(tb testing.TB, server, statement string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("connect to the %s server: %v", Var, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, statement); err != nil {
		tb.Fatalf("%s: %v", statement, err)
	}
}
