package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// TestRememberedSessionNeedsPassword: a session a remember cookie started
// proves the browser, not the person: admin pages and admin POSTs ask for
// the password, as after an address change.
func TestRememberedSessionNeedsPassword(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		hs.account("root", momo.AdminAlways)
		bob := hs.account("bob", momo.AdminNever)
		a := hs.agent()
		a.login("root", true)
		if w := a.get("/admin/users"); w.Code != http.StatusOK {
			t.Fatalf("admin page after a password sign-in: %d", w.Code)
		}

		delete(a.cookies, "__Host-momo_session") // the browser restarts
		hs.advance(time.Hour)
		if !a.signedIn() {
			t.Fatal("not signed in from the remember cookie")
		}
		for _, tt := range []struct {
			name string
			do   func() *httptest.ResponseRecorder
		}{
			{"admin page", func() *httptest.ResponseRecorder { return a.get("/admin/audit") }},
			{"admin action", func() *httptest.ResponseRecorder {
				return a.post(fmt.Sprintf("/admin/users/%d/promote", bob.ID), nil)
			}},
		} {
			w := tt.do()
			if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?reauth=1") {
				t.Errorf("%s from a remembered session: %d %q", tt.name, w.Code, w.Header().Get("Location"))
			}
		}
		if u, _ := hs.store.UserByName(context.Background(), "bob"); u.Admin {
			t.Error("a remembered session promoted an account")
		}
		if w := a.get("/settings"); w.Code != http.StatusOK {
			t.Errorf("plain page from a remembered session: %d", w.Code)
		}

		a.login("root", false)
		if w := a.get("/admin/audit"); w.Code != http.StatusOK {
			t.Errorf("admin page after the password: %d", w.Code)
		}
	})
}

// TestRememberGrace: the replaced validator gets through once, within the
// grace, from the browser that had it replaced; anything else is theft.
func TestRememberGrace(t *testing.T) {
	for _, tt := range []struct {
		name   string
		uas    []string // user agents presenting the old cookie, in turn
		after  time.Duration
		theft  bool
		signed []bool
	}{
		{"same browser once", []string{"TestBrowser/1.0"}, 5 * time.Second, false, []bool{true}},
		{"same browser twice", []string{"TestBrowser/1.0", "TestBrowser/1.0"}, 5 * time.Second, true, []bool{true, false}},
		{"other user agent", []string{"Thief/1.0"}, 5 * time.Second, true, []bool{false}},
		{"after the grace", []string{"TestBrowser/1.0"}, 31 * time.Second, true, []bool{false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			hs.account("alice", momo.AdminIfFirst)
			a := hs.agent()
			a.login("alice", true)
			delete(a.cookies, "__Host-momo_session")
			old := *a.cookies["__Host-momo_remember"]
			if !a.signedIn() {
				t.Fatal("not remembered")
			}
			hs.advance(tt.after)
			for i, ua := range tt.uas {
				twin := hs.agent()
				twin.ua = ua
				twin.cookies[old.Name] = &old
				if got := twin.signedIn(); got != tt.signed[i] {
					t.Errorf("request %d from %s: signed in %v, want %v", i+1, ua, got, tt.signed[i])
				}
			}
			if got := len(hs.auditRows(momo.AuditRememberTheft)) == 1; got != tt.theft {
				t.Errorf("theft detected %v, want %v", got, tt.theft)
			}
		})
	}
}

// TestIPv6CountedByPrefix: the addresses of one /64 share one budget.
func TestIPv6CountedByPrefix(t *testing.T) {
	for _, tt := range []struct{ ip, want string }{
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"203.0.113.5", "203.0.113.5"},
		{"not an address", "not an address"},
	} {
		if got := limitKey(tt.ip); got != tt.want {
			t.Errorf("limitKey(%q) = %q, want %q", tt.ip, got, tt.want)
		}
	}

	hs := newHarness(t, func(c *Config) { c.Limits = DefaultLimits() })
	form := url.Values{"username": {"x"}, "password": {"y"}}
	for i := range 5 {
		a := hs.agent()
		a.ip = fmt.Sprintf("2001:db8:1:2::%x", i+1)
		if w := a.do(http.MethodPost, "/login", form); w.Code == http.StatusTooManyRequests {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	a := hs.agent()
	a.ip = "2001:db8:1:2:dead:beef::9"
	if w := a.do(http.MethodPost, "/login", form); w.Code != http.StatusTooManyRequests {
		t.Errorf("a new address in the same /64: %d, want 429", w.Code)
	}
	other := hs.agent()
	other.ip = "2001:db8:1:3::1"
	if w := other.do(http.MethodPost, "/login", form); w.Code == http.StatusTooManyRequests {
		t.Error("another /64 was refused")
	}
}

// TestAccountSignInLimit: failed sign-ins count per username across
// addresses; the right password is refused too once the limit is hit,
// with the same 429, and other accounts are not affected.
func TestAccountSignInLimit(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.Limits.Account = DefaultLimits().Account })
	hs.account("alice", momo.AdminIfFirst)
	hs.account("bob", momo.AdminIfFirst)
	attempt := func(i int, name, pw string) *httptest.ResponseRecorder {
		a := hs.agent()
		a.ip = fmt.Sprintf("198.51.100.%d", i)
		return a.do(http.MethodPost, "/login", url.Values{"username": {name}, "password": {pw}})
	}
	for i := range 10 {
		name := "alice"
		if i%2 == 1 {
			name = "ALICE" // the same account, however typed
		}
		if w := attempt(i, name, "wrong password"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, w.Code)
		}
	}
	w := attempt(50, "alice", testPassword)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("after 10 failures: %d, want 429 with Retry-After", w.Code)
	}
	if w := attempt(51, "bob", testPassword); w.Code != http.StatusSeeOther {
		t.Errorf("another account: %d, want signed in", w.Code)
	}
	hs.advance(15*time.Minute + time.Second)
	if w := attempt(52, "alice", testPassword); w.Code != http.StatusSeeOther {
		t.Errorf("after the window: %d, want signed in", w.Code)
	}
}

// TestHashingBounded: with every hashing slot taken, a sign-in waits and
// gives up when its request ends, while /health still answers.
func TestHashingBounded(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	if cap(hs.srv.hashing) < 2 {
		t.Fatalf("%d hashing slots", cap(hs.srv.hashing))
	}
	for range cap(hs.srv.hashing) {
		hs.srv.hashing <- struct{}{}
	}
	before := hs.hasher.verified.Load()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://momo.test/login",
		strings.NewReader(url.Values{"username": {"alice"}, "password": {testPassword}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.RemoteAddr = "192.0.2.10:1"
	w := httptest.NewRecorder()
	start := time.Now()
	hs.h.ServeHTTP(w, r)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the waiting sign-in took %v", took)
	}
	if w.Code != http.StatusServiceUnavailable || len(w.Result().Cookies()) != 0 {
		t.Errorf("sign-in with no hashing slot: %d, cookies %v", w.Code, w.Result().Cookies())
	}
	if n := hs.hasher.verified.Load() - before; n != 0 {
		t.Errorf("%d hashes computed beyond the slots", n)
	}
	if w := hs.agent().get("/health"); w.Code != http.StatusOK {
		t.Errorf("/health while hashing is saturated: %d", w.Code)
	}

	for range cap(hs.srv.hashing) {
		<-hs.srv.hashing
	}
	hs.agent().login("alice", false)
}

// TestAuditFilterRefusesBadText: PostgreSQL refuses NUL and invalid UTF-8
// as parameters; the page answers 400 instead of 500.
func TestAuditFilterRefusesBadText(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		hs.account("root", momo.AdminAlways)
		a := hs.agent()
		a.login("root", false)
		for _, tt := range []struct {
			query  string
			status int
		}{
			{"user=%00", http.StatusBadRequest},
			{"user=%ff", http.StatusBadRequest},
			{"action=%00", http.StatusBadRequest},
			{"action=%c3%28", http.StatusBadRequest},
			{"user=%e2%80%ae", http.StatusBadRequest},
			{"user=root&action=login", http.StatusOK},
			{"user=%C3%A9l%C3%A8ve", http.StatusOK}, // accented, valid: no match
		} {
			if w := a.get("/admin/audit?" + tt.query); w.Code != tt.status {
				t.Errorf("%s: %d, want %d", tt.query, w.Code, tt.status)
			}
		}
	})
}

// TestAuditFilterActions: the action filter offers the dashboard's
// actions too, and keeps the chosen one selected.
func TestAuditFilterActions(t *testing.T) {
	hs := newHarness(t)
	hs.account("root", momo.AdminAlways)
	a := hs.agent()
	a.login("root", false)
	for _, action := range []string{momo.AuditUpload, momo.AuditExport, momo.AuditLinkCode, momo.AuditLink,
		momo.AuditSettings, momo.AuditAdminView, momo.AuditLogin} {
		w := a.get("/admin/audit?action=" + url.QueryEscape(action))
		if want := `<option value="` + action + `" selected>`; w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("?action=%s: %d, no %s", action, w.Code, want)
		}
	}
}

// TestFormTooLarge: a body over the bound, or with too many fields, is
// 413, never read as an empty form.
func TestFormTooLarge(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	a := hs.agent()
	a.login("alice", false)
	big := url.Values{"username": {"x"}, "password": {strings.Repeat("p", maxForm)}}
	fields := url.Values{"username": {"x"}, "password": {"y"}}
	for i := range maxFields {
		fields.Set(fmt.Sprintf("f%d", i), "1")
	}
	for _, tt := range []struct {
		name, path string
		body       string
		status     int
	}{
		{"login too large", "/login", big.Encode(), http.StatusRequestEntityTooLarge},
		{"login too many fields", "/login", fields.Encode(), http.StatusRequestEntityTooLarge},
		{"login ten thousand separators", "/login", "username=x&password=y" + strings.Repeat("&", 10_001), http.StatusRequestEntityTooLarge},
		{"register too large", "/register", big.Encode(), http.StatusRequestEntityTooLarge},
		{"settings too large", "/settings/password", big.Encode(), http.StatusRequestEntityTooLarge},
		{"logout too many fields", "/logout", fields.Encode(), http.StatusRequestEntityTooLarge},
		{"login bad escape", "/login", "username=%zz&password=y", http.StatusBadRequest},
		{"login ordinary", "/login", "username=x&password=y", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://momo.test"+tt.path, strings.NewReader(tt.body))
			r.RemoteAddr = a.ip + ":1"
			r.Header.Set("User-Agent", a.ua)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range a.cookies {
				r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
			w := httptest.NewRecorder()
			hs.h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Errorf("%d, want %d", w.Code, tt.status)
			}
		})
	}
	if !a.signedIn() {
		t.Error("an oversized logout form signed the user out")
	}
}

// TestLogLinesClipped: what a client wrote reaches the log clipped and
// cleaned, as in the audit rows.
func TestLogLinesClipped(t *testing.T) {
	hs := newHarness(t)
	evil := hs.agent()
	evil.ua = strings.Repeat("A", 5000) + "\u202e\u2028\x1b[31m"
	name := "mallory\u2028forged=1" + strings.Repeat("n", 1000)
	evil.do(http.MethodPost, "/login", url.Values{"username": {name}, "password": {"whatever1"}})
	log := hs.log.String()
	if !strings.Contains(log, "login.failed") {
		t.Fatalf("no audit line: %s", log)
	}
	if strings.Contains(log, strings.Repeat("A", maxLogText+1)) || strings.Contains(log, strings.Repeat("n", maxLogText)) {
		t.Error("client text not clipped in the log")
	}
	for _, bad := range []string{"\u202e", "\u2028", "\x1b"} {
		if strings.Contains(log, bad) {
			t.Errorf("log line holds %q", bad)
		}
	}

	for _, tt := range []struct{ in, want string }{
		{"Mozilla/5.0", "Mozilla/5.0"},
		{"a\x00b\nc\u0085d\u200be", "a?b?c?d?e"},
		{"\xff", "\uFFFD"},
		{strings.Repeat("é", 200), strings.Repeat("é", 128)},
	} {
		if got := logText(tt.in); got != tt.want {
			t.Errorf("logText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestStaticNoListing: files are served, directories are not listed.
func TestStaticNoListing(t *testing.T) {
	hs := newHarness(t)
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/static/app.css", http.StatusOK},
		{"/static/", http.StatusNotFound},
		{"/static/nope.css", http.StatusNotFound},
	} {
		w := hs.agent().get(tt.path)
		if w.Code != tt.status || (tt.status != http.StatusOK && strings.Contains(w.Body.String(), "app.css")) {
			t.Errorf("%s: %d, want %d; body %.200s", tt.path, w.Code, tt.status, w.Body.String())
		}
	}
}

// TestRegistrationLink: the sign-in page links to /register only while
// registration is open.
func TestRegistrationLink(t *testing.T) {
	for _, open := range []bool{true, false} {
		hs := newHarness(t, func(c *Config) { c.RegistrationOpen = open })
		body := hs.agent().get("/login").Body.String()
		if got := strings.Contains(body, `href="/register"`); got != open {
			t.Errorf("registration open %v: link shown %v", open, got)
		}
	}
}

// TestHealthMonitor: the bearer scheme in any case; the monitor's token
// is not rate-limited, a wrong token is.
func TestHealthMonitor(t *testing.T) {
	token := strings.Repeat("t", 40)
	hs := newHarness(t, func(c *Config) {
		c.HealthToken = token
		c.Limits = DefaultLimits()
	})
	for _, tt := range []struct {
		auth       string
		privileged bool
	}{
		{"Bearer " + token, true},
		{"bearer " + token, true},
		{"BEARER  " + token, true},
		{"Basic " + token, false},
		{"Bearer" + token, false},
		{token, false},
	} {
		a := hs.agent()
		a.ip = "192.0.2.200"
		a.header.Set("Authorization", tt.auth)
		if got := strings.Contains(a.get("/health").Body.String(), `"users"`); got != tt.privileged {
			t.Errorf("%q: privileged %v, want %v", tt.auth, got, tt.privileged)
		}
	}

	monitor := hs.agent()
	monitor.header.Set("Authorization", "Bearer "+token)
	for i := range 100 {
		if w := monitor.get("/health"); w.Code != http.StatusOK {
			t.Fatalf("monitor poll %d: %d", i+1, w.Code)
		}
	}
	anon := hs.agent()
	anon.header.Set("Authorization", "Bearer wrong")
	codes := map[int]int{}
	for range 31 {
		codes[anon.get("/health").Code]++
	}
	if codes[http.StatusTooManyRequests] != 1 {
		t.Errorf("31 polls without the token: %v, want one 429", codes)
	}
}

// TestHTTPSRedirectNeedsPublicURL: the redirect never follows the Host
// header; without PUBLIC_URL plain HTTP is refused.
func TestHTTPSRedirectNeedsPublicURL(t *testing.T) {
	for _, tt := range []struct {
		name, public, host string
		status             int
		location           string
	}{
		{"forged host", "https://momo.example.org", "evil.example", http.StatusPermanentRedirect, "https://momo.example.org/login?x=1"},
		{"public url with a port and path", "https://momo.example.org:8443/app", "evil.example", http.StatusPermanentRedirect,
			"https://momo.example.org:8443/login?x=1"},
		{"no public url", "", "evil.example", http.StatusBadRequest, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *Config) {
				c.Production = true
				c.TrustedProxies = []netip.Prefix{prefix("10.0.0.0/8")}
				c.PublicURL = tt.public
			})
			r := httptest.NewRequest(http.MethodGet, "http://"+tt.host+"/login?x=1", nil)
			r.RemoteAddr = "10.0.0.2:1234"
			r.Header.Set("X-Forwarded-Proto", "http")
			w := httptest.NewRecorder()
			hs.h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Header().Get("Location") != tt.location {
				t.Errorf("%d %q, want %d %q", w.Code, w.Header().Get("Location"), tt.status, tt.location)
			}
		})
	}
}
