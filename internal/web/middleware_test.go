package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

func TestSecurityHeaders(t *testing.T) {
	for _, production := range []bool{false, true} {
		hs := newHarness(t, func(c *Config) { c.Production = production })
		for _, path := range []string{"/login", "/health", "/nope", "/static/app.css"} {
			w := hs.agent().get(path)
			h := w.Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, want)
				}
			}
			// Scripts only as files of this origin: the upload's progress.
			if strings.Contains(csp, "unsafe-") || strings.Contains(csp, "data:") || !strings.Contains(csp, "script-src 'self';") {
				t.Errorf("%s: CSP allows more script than our own files: %q", path, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers %v", path, h)
			}
			hsts := h.Get("Strict-Transport-Security")
			if production != (hsts == "max-age=31536000; includeSubDomains") {
				t.Errorf("%s (production %v): HSTS %q", path, production, hsts)
			}
		}
	}
	// Pages hold no inline script or style at all.
	hs := newHarness(t)
	body := hs.agent().get("/login").Body.String()
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
		t.Error("inline script or style in a page")
	}
}

// TestCrossOriginRefused: a form posted from another site is refused,
// whether the browser says so with Sec-Fetch-Site or with Origin.
func TestCrossOriginRefused(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	for _, tt := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site other origin", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"own origin header", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://momo.test"}, http.StatusSeeOther},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://momo.test/login",
				strings.NewReader(url.Values{"username": {"alice"}, "password": {testPassword}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				if v == "" {
					r.Header.Del(k)
				} else {
					r.Header.Set(k, v)
				}
			}
			w := httptest.NewRecorder()
			hs.h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status == http.StatusForbidden && len(w.Result().Cookies()) > 0 {
				t.Error("a refused sign-in set a cookie")
			}
		})
	}
}

func TestClientAddress(t *testing.T) {
	xff := newHarness(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{prefix("10.0.0.0/8")} })
	realIP := newHarness(t, func(c *Config) {
		c.TrustedProxies = []netip.Prefix{prefix("10.0.0.0/8")}
		c.ProxyHeader = "x-real-ip"
	})
	for _, tt := range []struct {
		name                    string
		hs                      *harness
		peer, xff, realIP, want string
	}{
		{"direct", xff, "203.0.113.5", "", "", "203.0.113.5"},
		{"spoofed by a client", xff, "203.0.113.5", "1.2.3.4", "5.6.7.8", "203.0.113.5"},
		{"through the proxy", xff, "10.1.1.1", "198.51.100.9", "", "198.51.100.9"},
		{"client-written entry ignored", xff, "10.1.1.1", "1.2.3.4, 198.51.100.9", "", "198.51.100.9"},
		{"two proxies", xff, "10.1.1.1", "198.51.100.9, 10.2.2.2", "", "198.51.100.9"},
		{"garbage from the proxy", xff, "10.1.1.1", "not-an-ip", "", "10.1.1.1"},
		{"ipv6 mapped peer", xff, "::ffff:203.0.113.5", "", "", "203.0.113.5"},
		// The proxy sets X-Forwarded-For: an X-Real-IP the client sent
		// does not count, with or without X-Forwarded-For.
		{"client's X-Real-IP ignored", xff, "10.1.1.1", "198.51.100.9", "6.6.6.6", "198.51.100.9"},
		{"client's X-Real-IP alone ignored", xff, "10.1.1.1", "", "6.6.6.6", "10.1.1.1"},
		{"entry with a port", xff, "10.1.1.1", "203.0.113.12:5555", "", "203.0.113.12"},
		{"ipv6 entry with a port", xff, "10.1.1.1", "[2001:db8::1]:443", "", "2001:db8::1"},
		{"ipv6 entry in brackets", xff, "10.1.1.1", "1.2.3.4, [2001:db8::1]", "", "2001:db8::1"},
		{"half a bracket", xff, "10.1.1.1", "[2001:db8::1", "", "10.1.1.1"},
		{"zone", xff, "10.1.1.1", "fe80::1%eth0", "", "10.1.1.1"},
		// The proxy sets X-Real-IP: a client-written X-Forwarded-For does
		// not win over it.
		{"real ip from the proxy", realIP, "10.1.1.1", "", "198.51.100.10", "198.51.100.10"},
		{"client's X-Forwarded-For ignored", realIP, "10.1.1.1", "6.6.6.6", "198.51.100.10", "198.51.100.10"},
		{"real ip with a port", realIP, "10.1.1.1", "", "[2001:db8::2]:8080", "2001:db8::2"},
		{"real ip spoofed by a client", realIP, "203.0.113.5", "", "198.51.100.10", "203.0.113.5"},
		{"no real ip", realIP, "10.1.1.1", "6.6.6.6", "", "10.1.1.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := tt.hs
			r := httptest.NewRequest(http.MethodGet, "/login", nil)
			r.RemoteAddr = hostPort(tt.peer)
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.realIP != "" {
				r.Header.Set("X-Real-IP", tt.realIP)
			}
			if got := hs.srv.clientFor(r).IP; got != tt.want {
				t.Errorf("client %q, want %q", got, tt.want)
			}
		})
	}

	if _, err := New(Config{SessionLifetime: time.Hour, SessionIdle: time.Hour, FormKey: make([]byte, 32),
		ProxyHeader: "Forwarded"}, Deps{Store: xff.store, Hasher: xff.hasher}); err == nil {
		t.Error("an unknown proxy header was accepted")
	}

	// The audit log records the same address.
	hs := xff
	a := hs.agent()
	a.ip = "203.0.113.5"
	a.header.Set("X-Forwarded-For", "1.2.3.4")
	a.do(http.MethodPost, "/login", url.Values{"username": {"x"}, "password": {"y"}})
	if rows := hs.auditRows(momo.AuditLoginFailed); len(rows) != 1 || rows[0].IP != "203.0.113.5" {
		t.Errorf("audit rows %+v", rows)
	}
}

func hostPort(ip string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:1234"
	}
	return ip + ":1234"
}

func TestHTTPSRedirect(t *testing.T) {
	hs := newHarness(t, func(c *Config) {
		c.Production = true
		c.TrustedProxies = []netip.Prefix{prefix("10.0.0.0/8")}
		c.PublicURL = "https://momo.example.org"
	})
	for _, tt := range []struct {
		name, peer, proto string
		redirect          bool
	}{
		{"proxy says http", "10.0.0.2", "http", true},
		{"proxy says https", "10.0.0.2", "https", false},
		{"spoofed by a client", "203.0.113.5", "http", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://momo.example.org/login?next=%2Fsettings", nil)
			r.RemoteAddr = tt.peer + ":1234"
			r.Header.Set("X-Forwarded-Proto", tt.proto)
			w := httptest.NewRecorder()
			hs.h.ServeHTTP(w, r)
			if tt.redirect {
				if w.Code != http.StatusPermanentRedirect || w.Header().Get("Location") != "https://momo.example.org/login?next=%2Fsettings" {
					t.Errorf("%d %q", w.Code, w.Header().Get("Location"))
				}
			} else if w.Code != http.StatusOK {
				t.Errorf("status %d, want 200", w.Code)
			}
		})
	}
}

// TestRateLimits: the seed's numbers, 429 with Retry-After at N+1, per
// client, and a spoofed forwarding header does not open a new bucket.
func TestRateLimits(t *testing.T) {
	for _, tt := range []struct {
		name   string
		n      int
		method string
		path   string
	}{
		{"login 5 a minute", 5, http.MethodPost, "/login"},
		{"register 3 an hour", 3, http.MethodPost, "/register"},
		{"health 30 a minute", 30, http.MethodGet, "/health"},
		{"overall 50 an hour", 50, http.MethodGet, "/login"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *Config) { c.Limits = DefaultLimits() })
			a := hs.agent()
			form := url.Values{"username": {"x"}, "password": {"y"}}
			if tt.method == http.MethodGet {
				form = nil
			}
			for i := range tt.n {
				a.header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i))
				if w := a.do(tt.method, tt.path, form); w.Code == http.StatusTooManyRequests {
					t.Fatalf("request %d refused", i+1)
				}
			}
			w := a.do(tt.method, tt.path, form)
			if w.Code != http.StatusTooManyRequests {
				t.Fatalf("request %d: %d, want 429", tt.n+1, w.Code)
			}
			if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 {
				t.Errorf("Retry-After %q", w.Header().Get("Retry-After"))
			}
			if w.Header().Get("Content-Security-Policy") == "" {
				t.Error("429 without security headers")
			}
			other := hs.agent()
			other.ip = "192.0.2.99"
			if w := other.do(tt.method, tt.path, form); w.Code == http.StatusTooManyRequests {
				t.Error("another client was refused")
			}
			if !strings.Contains(hs.log.String(), "ratelimit.hit") {
				t.Error("limit hit not logged")
			}
		})
	}
}

func TestHealth(t *testing.T) {
	token := strings.Repeat("t", 40)
	hs := newHarness(t, func(c *Config) { c.HealthToken = token; c.Telegram = true })
	hs.account("root", momo.AdminAlways)
	hs.account("bob", momo.AdminNever)

	decode := func(w *httptest.ResponseRecorder) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, w.Body.String())
		}
		return m
	}
	anon := decode(hs.agent().get("/health"))
	if len(anon) != 2 || anon["status"] != "healthy" || anon["database"] != "healthy" {
		t.Errorf("anonymous: %v", anon)
	}
	user := hs.agent()
	user.login("bob", false)
	if m := decode(user.get("/health")); len(m) != 2 {
		t.Errorf("plain user: %v", m)
	}
	monitor := hs.agent()
	monitor.header.Set("Authorization", "Bearer "+token)
	want := map[string]any{"status": "healthy", "database": "healthy", "telegram": "configured", "users": 2.0, "transactions": 0.0}
	if m := decode(monitor.get("/health")); !equalMaps(m, want) {
		t.Errorf("monitor: %v", m)
	}
	wrong := hs.agent()
	wrong.header.Set("Authorization", "Bearer "+strings.Repeat("x", 40))
	if m := decode(wrong.get("/health")); len(m) != 2 {
		t.Errorf("wrong token: %v", m)
	}
	admin := hs.agent()
	admin.login("root", false)
	if m := decode(admin.get("/health")); !equalMaps(m, want) {
		t.Errorf("admin: %v", m)
	}

	hs.store.Close()
	w := admin.get("/health")
	if w.Code != http.StatusServiceUnavailable || decode(w)["status"] != "unhealthy" {
		t.Errorf("database down: %d %s", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
}

func equalMaps(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
