package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/password"
	"github.com/momoanalytics/momo/internal/ratelimit"
	"github.com/momoanalytics/momo/internal/smsparse"
	"github.com/momoanalytics/momo/internal/sqlstore"
	"github.com/momoanalytics/momo/internal/sqlstore/pgtest"
	"github.com/momoanalytics/momo/internal/vault"
)

// testPassword passes the policy; test accounts all use it.
const testPassword = "correct horse battery"

// countingHasher is a cheap PBKDF2 that counts its verifications, so that
// tests can tell that an unknown username costs a full check too.
type countingHasher struct {
	password.Hasher
	verified atomic.Int64
}

func (c *countingHasher) Verify(stored, pw string) (bool, bool, error) {
	c.verified.Add(1)
	return c.Hasher.Verify(stored, pw)
}

// harness is a server on a fresh database with a clock the test moves.
type harness struct {
	t      *testing.T
	srv    *Server
	h      http.Handler
	store  *sqlstore.Store
	hasher *countingHasher
	cipher *vault.Vault
	book   *smsparse.Book
	clock  time.Time
	log    strings.Builder
}

// Test keys, made for these tests only.
const (
	testKey    = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	testSecret = "test-secret-test-secret-test-secret-0123"
)

func testCipher(t *testing.T) *vault.Vault {
	t.Helper()
	v, err := vault.New(testKey, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// builtinBook compiles the built-in template tables once for all tests.
var builtinBook = sync.OnceValues(smsparse.Builtin)

func testBook(t *testing.T) *smsparse.Book {
	t.Helper()
	b, err := builtinBook()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bookZone is where the operators of a currency are.
func bookZone(b *smsparse.Book) func(momo.Currency) *time.Location {
	return func(c momo.Currency) *time.Location {
		for _, op := range b.Operators() {
			if op.Currency == c {
				return op.Location
			}
		}
		return time.UTC
	}
}

type option func(*Config)

// The databases a harness runs on.
const (
	onSQLite   = "sqlite"
	onPostgres = "postgres"
)

// eachStore runs fn on SQLite and on PostgreSQL (which skips without
// TEST_DATABASE_URL, and fails without it in CI).
func eachStore(t *testing.T, fn func(t *testing.T, engine string)) {
	for _, e := range []string{onSQLite, onPostgres} {
		t.Run(e, func(t *testing.T) { fn(t, e) })
	}
}

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	return newHarnessOn(t, onSQLite, opts...)
}

func openStore(t *testing.T, engine string) *sqlstore.Store {
	t.Helper()
	var store *sqlstore.Store
	var err error
	if engine == onPostgres {
		store, err = sqlstore.OpenPostgres(context.Background(), pgtest.Schema(t), sqlstore.PostgresOptions{})
	} else {
		store, err = sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "momo.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	return store
}

func newHarnessOn(t *testing.T, engine string, opts ...option) *harness {
	t.Helper()
	store := openStore(t, engine)
	t.Cleanup(func() { store.Close() })

	cfg := Config{
		CookieSecure: true, SessionLifetime: 24 * time.Hour, SessionIdle: 30 * time.Minute,
		RegistrationOpen: true, FormKey: []byte(strings.Repeat("k", 32)), Limits: DefaultLimits(),
	}
	// Tests sign in many times from one address; the rate-limit tests put
	// the seed's numbers back.
	cfg.Limits.Login.N, cfg.Limits.Register.N, cfg.Limits.Hour.N, cfg.Limits.Day.N = 1000, 1000, 1000, 1000
	for _, o := range opts {
		o(&cfg)
	}

	hs := &harness{t: t, store: store, clock: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	hs.hasher = &countingHasher{Hasher: password.Hasher{Iterations: 1000, Min: 1000, Max: password.MaxIterations}}
	log := slog.New(slog.NewTextHandler(&hs.log, nil))
	hs.cipher, hs.book = testCipher(t), testBook(t)
	srv, err := New(cfg, Deps{
		Store: store, Hasher: hs.hasher, Limiter: ratelimit.NewMemory(func() time.Time { return hs.clock }),
		Cipher: hs.cipher, Importer: &ingest.Importer{Parser: hs.book, Cipher: hs.cipher, Store: store, Log: log},
		Zone: bookZone(hs.book), Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.now = func() time.Time { return hs.clock }
	hs.srv, hs.h = srv, srv.Handler()
	return hs
}

func (hs *harness) advance(d time.Duration) { hs.clock = hs.clock.Add(d) }

// account creates an account directly in the store.
func (hs *harness) account(name string, rule momo.AdminRule) momo.User {
	hs.t.Helper()
	hash, err := hs.hasher.Hash(testPassword)
	if err != nil {
		hs.t.Fatal(err)
	}
	u, err := hs.store.CreateUser(context.Background(), momo.User{Username: name, UsernameKey: strings.ToLower(name),
		Email: name + "@example.com", PasswordHash: hash}, rule, momo.Audit{Action: momo.AuditUserCreate})
	if err != nil {
		hs.t.Fatal(err)
	}
	return u
}

// agent is one browser: its cookies, user agent and address.
type agent struct {
	hs      *harness
	cookies map[string]*http.Cookie
	ua, ip  string
	header  http.Header // extra headers on every request
}

func (hs *harness) agent() *agent {
	return &agent{hs: hs, cookies: map[string]*http.Cookie{}, ua: "TestBrowser/1.0", ip: "192.0.2.10", header: http.Header{}}
}

func (a *agent) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	a.hs.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, "https://momo.test"+path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return a.serve(r)
}

// prepare makes r this browser's: its address, user agent, headers and
// cookies.
func (a *agent) prepare(r *http.Request) {
	r.RemoteAddr = net.JoinHostPort(a.ip, "40000")
	r.Header.Set("User-Agent", a.ua)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, vs := range a.header {
		r.Header[k] = vs
	}
	for _, c := range a.cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
}

// serve sends r as this browser; it keeps the cookies the answer sets.
func (a *agent) serve(r *http.Request) *httptest.ResponseRecorder {
	a.prepare(r)
	w := httptest.NewRecorder()
	a.hs.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(a.cookies, c.Name)
		} else {
			a.cookies[c.Name] = c
		}
	}
	return w
}

func (a *agent) get(path string) *httptest.ResponseRecorder { return a.do(http.MethodGet, path, nil) }

// post sends a form with this session's form token added.
func (a *agent) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", a.formToken())
	}
	return a.do(http.MethodPost, path, form)
}

func (a *agent) formToken() string {
	c := a.cookies["__Host-momo_session"]
	if c == nil {
		return ""
	}
	return a.hs.srv.formToken(hashToken(c.Value))
}

func (a *agent) login(name string, remember bool) *httptest.ResponseRecorder {
	a.hs.t.Helper()
	f := url.Values{"username": {name}, "password": {testPassword}}
	if remember {
		f.Set("remember", "1")
	}
	w := a.do(http.MethodPost, "/login", f)
	if w.Code != http.StatusSeeOther {
		a.hs.t.Fatalf("login %s: %d %s", name, w.Code, w.Body.String())
	}
	return w
}

// signedIn reports whether the home page opens.
func (a *agent) signedIn() bool {
	return a.get("/").Code == http.StatusOK
}

func (hs *harness) auditRows(action string) []momo.Audit {
	hs.t.Helper()
	rows, err := hs.store.AuditLog(context.Background(), momo.AuditFilter{Action: action})
	if err != nil {
		hs.t.Fatal(err)
	}
	return rows
}

func prefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
