package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/config"
	"github.com/momoanalytics/momo/internal/password"
	"github.com/momoanalytics/momo/internal/ratelimit"
	"github.com/momoanalytics/momo/internal/web"
)

const serveUsage = `usage: momo serve [-addr HOST:PORT]

Serves the web application: registration (the first account becomes
admin), sign-in, the dashboard, uploads of SMS backups, exports, account
settings, the admin pages, and /health.
It listens on 127.0.0.1:PORT in development and on every interface in
production, unless -addr says otherwise. SIGINT or SIGTERM stop it after
the requests in flight have been answered.

  -addr HOST:PORT   listen address`

// shutdownGrace is how long requests in flight may take to finish.
const shutdownGrace = 15 * time.Second

func runServe(e *env, args []string) error {
	fs := e.flags("serve", serveUsage)
	addr := fs.String("addr", "", "listen address")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}

	app, err := e.open()
	if err != nil {
		return err
	}
	listen := listenAddr(*addr, app.cfg)
	if err := checkListen(listen, app.cfg); err != nil {
		return err
	}
	srv, err := e.webServer(app)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return momo.E(momo.CodeConfig, "cannot listen on "+listen+": "+err.Error()+" (choose another port with PORT or -addr)", err)
	}
	return e.serve(ln, srv)
}

// serve answers on ln until the command's context ends (a signal), then
// shuts down gracefully.
func (e *env) serve(ln net.Listener, srv *web.Server) error {
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go srv.Housekeep(ctx, time.Hour)

	fmt.Fprintf(e.stderr, "momo: serving on http://%s\n", ln.Addr())
	e.log.Info("Serving", "address", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-e.ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(e.stderr, "momo: stopped")
	return nil
}

// listenAddr is -addr, or PORT on loopback in development (nobody else on
// the network reaches a development server) and on every interface in
// production.
func listenAddr(flag string, cfg config.Config) string {
	if flag != "" {
		return flag
	}
	port := strconv.Itoa(cfg.Port)
	if cfg.Production() {
		return ":" + port
	}
	return "127.0.0.1:" + port
}

// checkListen allows cookies without Secure only on loopback: plain HTTP
// on a network would hand sessions to anyone listening.
func checkListen(listen string, cfg config.Config) error {
	if cfg.CookieSecure {
		return nil
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return usageError(fmt.Errorf("-addr %q: %w", listen, err))
	}
	a, err := netip.ParseAddr(host)
	if host != "localhost" && (err != nil || !a.IsLoopback()) {
		return momo.E(momo.CodeConfig, "cookies over plain HTTP (COOKIE_SECURE=false, the development default) are allowed only when listening on 127.0.0.1, ::1 or localhost; serve behind HTTPS with COOKIE_SECURE=true to listen on "+listen, nil)
	}
	return nil
}

// webServer wires the web service: the store, the password hasher, the
// rate limiter (Redis when REDIS_URL is set) and the configuration.
func (e *env) webServer(app *app) (*web.Server, error) {
	limiter, err := e.limiter(app.cfg)
	if err != nil {
		return nil, err
	}
	limits := web.DefaultLimits()
	limits.Off = !app.cfg.RateLimits
	cfg := web.Config{
		Production:       app.cfg.Production(),
		CookieSecure:     app.cfg.CookieSecure,
		SessionLifetime:  app.cfg.SessionLifetime,
		SessionIdle:      app.cfg.SessionIdle,
		RememberLifetime: web.MaxRememberLifetime,
		RegistrationOpen: app.cfg.RegistrationOpen,
		TrustedProxies:   app.cfg.TrustedProxies,
		ProxyHeader:      app.cfg.ProxyHeader,
		PublicURL:        app.cfg.PublicURL,
		HealthToken:      app.cfg.HealthToken.Reveal(),
		Telegram:         app.cfg.TelegramBotToken != "",
		FormKey:          formKey(app.cfg.SecretKey.Reveal()),
		Limits:           limits,
		MaxUpload:        app.cfg.UploadMaxBytes,
	}
	// The upload imports with the command line's importer: the same
	// parser, cipher, store and risk rules as momo import.
	return web.New(cfg, web.Deps{
		Store: app.store, Hasher: password.Default, Limiter: limiter, Cipher: app.cipher,
		// MOMO_TIMEZONE is the command line's subscriber's zone, not the
		// web users': they choose their own, else see the operators'.
		Importer: app.importer, Zone: operatorZone(app.book), Log: e.log,
	})
}

func (e *env) limiter(cfg config.Config) (ratelimit.Limiter, error) {
	if cfg.RedisURL == "" {
		return ratelimit.NewMemory(nil), nil
	}
	r, err := ratelimit.Open(e.ctx, cfg.RedisURL, "momo:ratelimit:", e.log)
	if err != nil {
		return nil, momo.E(momo.CodeUnavailable, "REDIS_URL: the rate-limit store does not answer", err)
	}
	e.closers = append(e.closers, r.Close)
	return r, nil
}

// formKey derives the key of the form tokens from SECRET_KEY, so that the
// secret itself signs nothing the browser sees.
func formKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("momo web form tokens v1"))
	return m.Sum(nil)
}
