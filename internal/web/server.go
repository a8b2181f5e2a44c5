// Package web serves the signed-in part of MoMo Analytics: registration,
// sign-in with remember-me, server-side sessions, the dashboard, uploads
// of SMS backups, exports, link codes for the bots, account settings, the
// admin pages (overview, accounts, audit log) and /health.
//
// Every response carries the security headers; every state-changing
// request is refused when it comes from another origin (Go's
// CrossOriginProtection) and, once signed in, also needs the session's
// form token; clients are counted against the seed's rate limits by their
// real address, which forwarding headers give only from TRUSTED_PROXIES.
// Pages are html/template, work without JavaScript (one small script
// shows an upload's progress), and are embedded in the binary with their
// stylesheet and that script.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/ratelimit"
)

// Config is what the web service is told by the operator.
type Config struct {
	Production       bool
	CookieSecure     bool
	SessionLifetime  time.Duration // absolute
	SessionIdle      time.Duration
	RememberLifetime time.Duration // at most 30 days
	RegistrationOpen bool
	TrustedProxies   []netip.Prefix
	// ProxyHeader is the header the trusted proxies name the client in:
	// HeaderForwardedFor (the default) or HeaderRealIP.
	ProxyHeader string
	PublicURL   string // trusted as an origin when set
	HealthToken string // empty: only admins see /health's counts
	// Telegram tells admins on /health whether the bot is configured.
	Telegram bool
	// FormKey signs the per-session form tokens and the listing cursors
	// (derived from SECRET_KEY).
	FormKey []byte
	Limits  Limits
	// MaxUpload bounds an uploaded backup file, in bytes
	// (DefaultMaxUpload when 0).
	MaxUpload int64
}

// DefaultMaxUpload is UPLOAD_MAX_BYTES' default: a few years of SMS.
const DefaultMaxUpload = 50 << 20

// Limits are the rate limits per client: the seed's numbers by default.
type Limits struct {
	Off   bool // development only: benchmarks
	Day   ratelimit.Limit
	Hour  ratelimit.Limit
	Login ratelimit.Limit // POST /login
	// Account counts failed sign-ins per username, from every address.
	Account  ratelimit.Limit
	Register ratelimit.Limit // POST /register
	Health   ratelimit.Limit
}

// DefaultLimits are the seed's: 200 a day and 50 an hour over the whole
// site (webhooks and /health aside), 5 sign-in attempts a minute, 3
// registrations an hour, 30 health checks a minute; and 10 failed
// sign-ins per username in 15 minutes, against guessing spread over many
// addresses.
func DefaultLimits() Limits {
	return Limits{
		Day:      ratelimit.Limit{Name: "day", N: 200, Per: 24 * time.Hour},
		Hour:     ratelimit.Limit{Name: "hour", N: 50, Per: time.Hour},
		Login:    ratelimit.Limit{Name: "login", N: 5, Per: time.Minute},
		Account:  ratelimit.Limit{Name: "login-account", N: 10, Per: 15 * time.Minute},
		Register: ratelimit.Limit{Name: "register", N: 3, Per: time.Hour},
		Health:   ratelimit.Limit{Name: "health", N: 30, Per: time.Minute},
	}
}

// MaxRememberLifetime is the longest a remember-me token lives.
const MaxRememberLifetime = 30 * 24 * time.Hour

// Hasher hashes and checks passwords (internal/password in production).
type Hasher interface {
	Hash(password string) (string, error)
	Verify(stored, password string) (ok, upgrade bool, err error)
}

// Store is what the web service reads and writes: accounts and sessions,
// the dashboard's questions, link codes and preferences.
type Store interface {
	momo.AccountStore
	momo.DashboardStore
	momo.LinkStore
}

// Importer stores an uploaded stream of messages for a subscriber
// (*ingest.Importer in production).
type Importer interface {
	Import(ctx context.Context, sub momo.Subscriber, next func() (ingest.Item, bool, error)) (momo.Counts, error)
}

// Deps are the services the web service is built on.
type Deps struct {
	Store    Store
	Hasher   Hasher
	Limiter  ratelimit.Limiter
	Cipher   momo.Cipher // opens counterparty names and SMS bodies for display
	Importer Importer
	// Zone is where times of money in a currency are shown when the user
	// chose no timezone: the country of the operators that use it.
	Zone func(momo.Currency) *time.Location
	Log  *slog.Logger
}

// Server is the web service. Build it with New.
type Server struct {
	cfg      Config
	store    Store
	hasher   Hasher
	limiter  ratelimit.Limiter
	cipher   momo.Cipher
	importer Importer
	zone     func(momo.Currency) *time.Location
	log      *slog.Logger
	now      func() time.Time
	pages    pages
	// dummyHash is verified when the username is unknown, so that a wrong
	// username costs the same time as a wrong password.
	dummyHash string
	cookies   cookieNames
	// hashing holds a slot per password hash being computed: a flood of
	// sign-ins waits here instead of taking every core from /health and
	// the pages.
	hashing chan struct{}
	uploads *uploadGate
}

// New checks cfg and prepares the pages and the dummy hash.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.SessionLifetime <= 0 || cfg.SessionIdle <= 0 {
		return nil, fmt.Errorf("web: session lifetime and idle timeout must be positive")
	}
	if cfg.RememberLifetime <= 0 || cfg.RememberLifetime > MaxRememberLifetime {
		cfg.RememberLifetime = MaxRememberLifetime
	}
	if len(cfg.FormKey) < 32 {
		return nil, fmt.Errorf("web: the form key must have at least 32 bytes")
	}
	switch http.CanonicalHeaderKey(cfg.ProxyHeader) {
	case "", http.CanonicalHeaderKey(HeaderForwardedFor):
		cfg.ProxyHeader = HeaderForwardedFor
	case http.CanonicalHeaderKey(HeaderRealIP):
		cfg.ProxyHeader = HeaderRealIP
	default:
		return nil, fmt.Errorf("web: the proxy header must be %s or %s, not %q", HeaderForwardedFor, HeaderRealIP, cfg.ProxyHeader)
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if d.Zone == nil {
		d.Zone = func(momo.Currency) *time.Location { return time.UTC }
	}
	dummy, err := d.Hasher.Hash("no such user: a password nobody has")
	if err != nil {
		return nil, fmt.Errorf("web: dummy hash: %w", err)
	}
	return &Server{
		cfg: cfg, store: d.Store, hasher: d.Hasher, limiter: d.Limiter, cipher: d.Cipher, importer: d.Importer,
		zone: d.Zone, log: d.Log, now: time.Now, pages: p, dummyHash: dummy, cookies: names(cfg.CookieSecure),
		hashing: make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
		uploads: newUploadGate(2*runtime.GOMAXPROCS(0), uploadWait),
	}, nil
}

// Handler returns the service with every middleware in place, outermost
// first: headers on every answer, the client's real address and scheme,
// HTTPS in production, no cross-origin writes, rate limits, the session.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	if s.cfg.PublicURL != "" {
		if err := cop.AddTrustedOrigin(s.cfg.PublicURL); err != nil {
			s.log.Warn("PUBLIC_URL is not usable as an origin", "error", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(s.crossOrigin))

	var h http.Handler = s.routes()
	h = s.withSession(h)
	h = s.withLimits(h)
	h = cop.Handler(h)
	h = s.withHTTPS(h)
	h = s.withClient(h)
	h = s.withHeaders(h)
	return h
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Anonymous.
	mux.Handle("GET /login", s.handle(s.loginPage))
	mux.Handle("POST /login", s.handle(s.login))
	mux.Handle("GET /register", s.handle(s.registerPage))
	mux.Handle("POST /register", s.handle(s.register))
	mux.Handle("GET /health", s.handle(s.health))
	mux.Handle("GET /static/", staticFiles())

	// Signed in.
	mux.Handle("GET /{$}", s.handle(s.signedIn(s.dashboard)))
	mux.Handle("POST /logout", s.handle(s.logout))
	mux.Handle("GET /settings", s.handle(s.signedIn(s.settings)))
	mux.Handle("POST /settings/password", s.handle(s.signedIn(s.changePassword)))
	mux.Handle("POST /settings/logout-all", s.handle(s.signedIn(s.logoutEverywhere)))
	mux.Handle("POST /settings/preferences", s.handle(s.signedIn(s.savePreferences)))
	mux.Handle("GET /upload", s.handle(s.signedIn(s.uploadPage)))
	// The upload is multipart: it checks its form token itself, from the
	// first part, before it reads the file.
	mux.Handle("POST /upload", s.handle(s.signedInMultipart(s.upload)))
	mux.Handle("GET /link", s.handle(s.signedIn(s.linkPage)))
	mux.Handle("POST /link", s.handle(s.signedIn(s.newLinkCode)))
	mux.Handle("GET /export.csv", s.handle(s.signedIn(s.exportCSV)))
	mux.Handle("GET /export.json", s.handle(s.signedIn(s.exportJSON)))

	// Admins.
	mux.Handle("GET /admin/overview", s.handle(s.admin(s.overview)))
	mux.Handle("GET /admin/subscribers/{id}", s.handle(s.admin(s.subscriberView)))
	mux.Handle("GET /admin/users", s.handle(s.admin(s.users)))
	mux.Handle("POST /admin/users/{id}/{action}", s.handle(s.admin(s.userAction)))
	mux.Handle("GET /admin/audit", s.handle(s.admin(s.auditLog)))
	// Unknown paths get the mux's own 404, and known paths with another
	// method its 405: a catch-all page would hide the 405s.
	return mux
}

// Housekeep deletes expired sessions and remember tokens every interval
// until ctx ends.
func (s *Server) Housekeep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.store.DeleteExpired(ctx, s.now()); err != nil {
				s.log.Warn("Deleting expired sessions failed", "error", err)
			} else if n > 0 {
				s.log.Info("Deleted expired sessions", "count", n)
			}
		}
	}
}
