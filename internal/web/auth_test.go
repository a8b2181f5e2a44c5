package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/password"
)

// TestLoginFailuresLookAlike: an unknown username, a wrong password and a
// deactivated account get the same status and body, and each costs one
// full password verification.
func TestLoginFailuresLookAlike(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		hs.account("root", momo.AdminAlways)
		gone := hs.account("gone", momo.AdminNever)
		hs.account("bob", momo.AdminNever)
		if err := hs.store.SetActive(context.Background(), gone.ID, false, momo.Audit{Action: momo.AuditDeactivate}); err != nil {
			t.Fatal(err)
		}

		cases := []struct{ name, user, password, reason string }{
			{"unknown user", "nobody", testPassword, "unknown username"},
			{"not even a username", "<x>", testPassword, "unknown username"},
			{"wrong password", "bob", "wrong password!", "wrong password"},
			{"deactivated", "gone", testPassword, "account deactivated"},
		}
		var bodies []string
		for _, c := range cases {
			before := hs.hasher.verified.Load()
			w := hs.agent().do(http.MethodPost, "/login", url.Values{"username": {c.user}, "password": {c.password}})
			if n := hs.hasher.verified.Load() - before; n != 1 {
				t.Errorf("%s: %d password verifications, want 1", c.name, n)
			}
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s: status %d", c.name, w.Code)
			}
			if _, ok := w.Result().Header["Set-Cookie"]; ok {
				t.Errorf("%s: sets a cookie", c.name)
			}
			// The username typed is shown again; compare the rest.
			bodies = append(bodies, strings.ReplaceAll(w.Body.String(), `value="`+escape(c.user)+`"`, `value=""`))
		}
		for i := range bodies {
			if bodies[i] != bodies[0] {
				t.Errorf("body of %q differs from %q", cases[i].name, cases[0].name)
			}
			if !strings.Contains(bodies[i], loginFailed) {
				t.Errorf("%s: no %q", cases[i].name, loginFailed)
			}
		}

		rows := hs.auditRows(momo.AuditLoginFailed)
		if len(rows) != len(cases) {
			t.Fatalf("%d failed-login audit rows, want %d", len(rows), len(cases))
		}
		for i, r := range rows { // newest first
			if want := cases[len(cases)-1-i].reason; r.Detail != want {
				t.Errorf("audit detail %q, want %q", r.Detail, want)
			}
			if strings.Contains(r.Detail, testPassword) || strings.Contains(r.Detail, "wrong password!") || r.IP != "192.0.2.10" || r.UserAgent != "TestBrowser/1.0" {
				t.Errorf("audit row %+v", r)
			}
		}
		if strings.Contains(hs.log.String(), testPassword) || strings.Contains(hs.log.String(), "wrong password!") {
			t.Error("a password is in the log")
		}
	})
}

func escape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

func TestLoginSession(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	a := hs.agent()
	// A session id planted before sign-in (fixation) is not adopted.
	a.cookies["__Host-momo_session"] = &http.Cookie{Name: "__Host-momo_session", Value: "planted"}
	w := a.login("alice", false)
	if loc := w.Header().Get("Location"); loc != "/" {
		t.Errorf("redirect to %q", loc)
	}
	c := a.cookies["__Host-momo_session"]
	if c == nil || c.Value == "planted" || len(c.Value) < 43 {
		t.Fatalf("session cookie %+v", c)
	}
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge != 0 {
		t.Errorf("session cookie flags %+v", c)
	}
	if a.cookies["__Host-momo_remember"] != nil {
		t.Error("remember cookie without remember-me")
	}
	u, _ := hs.store.UserByName(context.Background(), "alice")
	if !u.LastLoginAt.Equal(hs.clock) {
		t.Errorf("last login %v", u.LastLoginAt)
	}
	if len(hs.auditRows(momo.AuditLogin)) != 1 {
		t.Error("no login audit row")
	}

	// Signing in again replaces the session: the old id is dead.
	old := *c
	a.login("alice", false)
	b := hs.agent()
	b.cookies[old.Name] = &old
	if b.signedIn() {
		t.Error("the replaced session still works")
	}
	if !a.signedIn() {
		t.Error("the new session does not work")
	}
}

func TestLogoutEndsSessionAndRememberToken(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	a := hs.agent()
	a.login("alice", true)
	saved := map[string]*http.Cookie{}
	for k, v := range a.cookies {
		saved[k] = v
	}
	w := a.post("/logout", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?signedout=1" {
		t.Fatalf("logout: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := a.get(w.Header().Get("Location")); !strings.Contains(w.Body.String(), `role="status">You are signed out.`) {
		t.Errorf("the sign-in page does not say that the sign-out worked:\n%.1500s", w.Body.String())
	}
	if len(a.cookies) != 0 {
		t.Errorf("cookies left after logout: %v", a.cookies)
	}
	// Replaying both old cookies signs nobody in.
	replay := hs.agent()
	replay.cookies = saved
	if replay.signedIn() {
		t.Error("old cookies still sign in after logout")
	}
	if len(hs.auditRows(momo.AuditLogout)) != 1 {
		t.Error("no logout audit row")
	}
}

func TestLogoutNeedsFormToken(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	a := hs.agent()
	a.login("alice", false)
	if w := a.post("/logout", url.Values{"csrf": {"forged"}}); w.Code != http.StatusForbidden {
		t.Errorf("logout with a forged token: %d", w.Code)
	}
	if !a.signedIn() {
		t.Error("signed out by a forged form")
	}
}

func TestRememberMe(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		hs.account("alice", momo.AdminIfFirst)
		a := hs.agent()
		a.login("alice", true)
		rc := a.cookies["__Host-momo_remember"]
		if rc == nil || !rc.Secure || !rc.HttpOnly || rc.SameSite != http.SameSiteLaxMode || rc.MaxAge <= 0 || rc.MaxAge > 30*24*3600 {
			t.Fatalf("remember cookie %+v", rc)
		}
		first := *rc

		// The browser closes: the session cookie goes, the remember one stays.
		delete(a.cookies, "__Host-momo_session")
		hs.advance(2 * time.Hour)
		if !a.signedIn() {
			t.Fatal("not signed in from the remember cookie")
		}
		if a.cookies["__Host-momo_session"] == nil {
			t.Error("no new session")
		}
		if a.cookies["__Host-momo_remember"].Value == first.Value {
			t.Error("remember token not rotated on use")
		}
		if len(hs.auditRows(momo.AuditLoginRemember)) != 1 {
			t.Error("no audit row for the remembered sign-in")
		}

		// A thief replays the first cookie after it was rotated: every session
		// and token of the account ends, and it is audited.
		hs.advance(time.Minute)
		thief := hs.agent()
		thief.ua = a.ua
		thief.cookies[first.Name] = &first
		if thief.signedIn() {
			t.Error("the replaced validator signed in")
		}
		if a.signedIn() {
			t.Error("the owner's session survived a detected theft")
		}
		if len(hs.auditRows(momo.AuditRememberTheft)) != 1 {
			t.Error("theft not audited")
		}
	})
}

// TestRememberRace: two requests of one browser send the same cookie at
// once; the second, a moment after the rotation, is not taken for theft.
func TestRememberRace(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	a := hs.agent()
	a.login("alice", true)
	delete(a.cookies, "__Host-momo_session")
	old := *a.cookies["__Host-momo_remember"]
	if !a.signedIn() {
		t.Fatal("not remembered")
	}
	twin := hs.agent()
	twin.cookies[old.Name] = &old
	hs.advance(5 * time.Second)
	if !twin.signedIn() {
		t.Error("the racing request was refused")
	}
	if len(hs.auditRows(momo.AuditRememberTheft)) != 0 {
		t.Error("a race was taken for theft")
	}
}

func TestSessionTimeouts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps []time.Duration
		in    bool
	}{
		{"active within idle timeout", []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, true},
		{"idle too long", []time.Duration{31 * time.Minute}, false},
		{"absolute lifetime", repeat(25*time.Minute, 58), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			hs.account("alice", momo.AdminIfFirst)
			a := hs.agent()
			a.login("alice", false)
			in := true
			for _, d := range tt.steps {
				hs.advance(d)
				in = a.signedIn()
			}
			if in != tt.in {
				t.Errorf("signed in = %v, want %v", in, tt.in)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestStrongProtection: another user agent loses the session (and cannot
// fall back on the remember cookie); another address is logged and needs
// a fresh sign-in before admin pages.
func TestStrongProtection(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	a := hs.agent()
	a.login("alice", true)

	a.ip = "198.51.100.7"
	if !a.signedIn() {
		t.Fatal("an address change signed the user out")
	}
	if len(hs.auditRows(momo.AuditSessionMoved)) != 1 {
		t.Error("address change not audited")
	}
	w := a.get("/admin/users")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?reauth=1") {
		t.Errorf("admin page after an address change: %d %s", w.Code, w.Header().Get("Location"))
	}
	a.login("alice", false)
	if w := a.get("/admin/users"); w.Code != http.StatusOK {
		t.Errorf("admin page after signing in again: %d", w.Code)
	}

	stolen := hs.agent()
	stolen.ua = "OtherBrowser/2.0"
	for k, v := range a.cookies {
		stolen.cookies[k] = v
	}
	if stolen.signedIn() {
		t.Error("a session presented by another user agent was accepted")
	}
	if len(hs.auditRows(momo.AuditSessionAgent)) != 1 {
		t.Error("user-agent change not audited")
	}
	if a.signedIn() {
		t.Error("the moved session still works")
	}
}

func TestRegister(t *testing.T) {
	hs := newHarness(t)
	reg := func(name, email, pw string) *httptest.ResponseRecorder {
		return hs.agent().do(http.MethodPost, "/register", url.Values{"username": {name}, "email": {email}, "password": {pw}, "confirm": {pw}})
	}
	if w := reg("Alice", "a@example.com", testPassword); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?registered=1" {
		t.Fatalf("first registration: %d %s", w.Code, w.Body.String())
	}
	first, err := hs.store.UserByName(context.Background(), "alice")
	if err != nil || !first.Admin || first.Username != "alice" {
		t.Fatalf("first account %+v, %v", first, err)
	}
	if !strings.HasPrefix(first.PasswordHash, "pbkdf2:sha256:1000$") {
		t.Errorf("hash %q", first.PasswordHash)
	}

	tests := []struct {
		name, user, email, pw string
		status                int
		says                  string
	}{
		{"second is a user", "bob", "a@example.com", testPassword, http.StatusSeeOther, ""}, // same email: nothing said
		{"taken, other case", "ALICE", "x@example.com", testPassword, http.StatusConflict, "That username is taken"},
		{"taken, full-width look-alike", "Ａｌｉｃｅ", "x@example.com", testPassword, http.StatusConflict, "That username is taken"},
		{"cyrillic look-alike", "аlice", "x@example.com", testPassword, http.StatusBadRequest, "only letters a to z"},
		{"markup", "<script>", "x@example.com", testPassword, http.StatusBadRequest, "only letters a to z"},
		{"short name", "al", "x@example.com", testPassword, http.StatusBadRequest, "3 to 32"},
		{"bad email", "carol", "not an email", testPassword, http.StatusBadRequest, "valid email"},
		{"email with name", "carol", "Carol <c@example.com>", testPassword, http.StatusBadRequest, "valid email"},
		{"short password", "carol", "c@example.com", "short", http.StatusBadRequest, "at least 8"},
		{"long password", "carol", "c@example.com", strings.Repeat("p", 129), http.StatusBadRequest, "at most 128"},
		{"common password", "carol", "c@example.com", "password123", http.StatusBadRequest, "most common"},
		// Shown as typed, a capital i would pass for an l: names are
		// stored and shown in lower case, so "aIice" is plainly "aiice".
		{"capital i look-alike", "aIice", "x@example.com", testPassword, http.StatusSeeOther, ""},
		{"trailing dot", "carol.", "c@example.com", testPassword, http.StatusBadRequest, "starts and ends with a letter or a digit"},
		{"leading dash", "-carol", "c@example.com", testPassword, http.StatusBadRequest, "starts and ends"},
		{"dots only", "...", "c@example.com", testPassword, http.StatusBadRequest, "starts and ends"},
		{"punctuation only", "-._", "c@example.com", testPassword, http.StatusBadRequest, "starts and ends"},
		{"email right-to-left override", "carol", "c\u202e@example.com", testPassword, http.StatusBadRequest, "valid email"},
		{"email C1 control", "carol", "c\u009b@example.com", testPassword, http.StatusBadRequest, "valid email"},
		{"email zero-width space", "carol", "c\u200b@example.com", testPassword, http.StatusBadRequest, "valid email"},
		{"email line separator", "carol", "c@exa\u2028mple.com", testPassword, http.StatusBadRequest, "valid email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := reg(tt.user, tt.email, tt.pw)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.says) {
				t.Errorf("%d, want %d with %q; body %.500s", w.Code, tt.status, tt.says, w.Body.String())
			}
			if strings.Contains(strings.ToLower(w.Body.String()), "email is") || strings.Contains(w.Body.String(), "already registered") {
				t.Error("the answer says something about the email address")
			}
		})
	}
	w := hs.agent().do(http.MethodPost, "/register", url.Values{"username": {"dave"}, "email": {"d@example.com"},
		"password": {testPassword}, "confirm": {testPassword + "x"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "differ") {
		t.Errorf("confirmation mismatch: %d", w.Code)
	}
	if n := len(hs.auditRows(momo.AuditRegister)); n != 3 {
		t.Errorf("%d registration audit rows, want 3", n)
	}
	if u, err := hs.store.UserByName(context.Background(), "aiice"); err != nil || u.Username != "aiice" {
		t.Errorf("aIice stored as %+v, %v; want shown as aiice", u, err)
	}
}

func TestRegistrationClosed(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.RegistrationOpen = false })
	a := hs.agent()
	if w := a.get("/register"); w.Code != http.StatusForbidden {
		t.Errorf("GET: %d", w.Code)
	}
	w := a.do(http.MethodPost, "/register", url.Values{"username": {"alice"}, "email": {"a@example.com"}, "password": {testPassword}, "confirm": {testPassword}})
	if w.Code != http.StatusForbidden {
		t.Errorf("POST: %d", w.Code)
	}
	if _, err := hs.store.UserByName(context.Background(), "alice"); momo.ErrorCode(err) != momo.CodeNotFound {
		t.Error("an account was made with registration closed")
	}
}

// TestOldHashUpgraded: a hash with fewer iterations (as the Flask app
// wrote them) signs in and is rehashed at today's count.
func TestOldHashUpgraded(t *testing.T) {
	hs := newHarness(t)
	old := password.Hasher{Iterations: 500, Min: 500, Max: password.MaxIterations}
	hs.hasher.Min = 500
	hash, _ := old.Hash(testPassword)
	if _, err := hs.store.CreateUser(context.Background(), momo.User{Username: "flask", UsernameKey: "flask", Email: "f@example.com",
		PasswordHash: hash}, momo.AdminIfFirst, momo.Audit{Action: momo.AuditUserCreate}); err != nil {
		t.Fatal(err)
	}
	hs.agent().login("flask", false)
	u, _ := hs.store.UserByName(context.Background(), "flask")
	if !strings.HasPrefix(u.PasswordHash, "pbkdf2:sha256:1000$") {
		t.Errorf("hash not upgraded: %q", u.PasswordHash)
	}
	hs.agent().login("flask", false)
}

func TestOpenRedirect(t *testing.T) {
	tests := map[string]string{
		"":                          "/",
		"/settings":                 "/settings",
		"/admin/audit?action=login": "/admin/audit?action=login",
		"https://evil.example":      "/",
		"//evil.example":            "/",
		"/\\evil.example":           "/",
		"\\\\evil.example":          "/",
		"javascript:alert(1)":       "/",
		"/%0d%0aLocation:x":         "/%0d%0aLocation:x",
		"/\r\nx":                    "/",
		"http:/evil.example":        "/",
		"evil.example":              "/",
	}
	for next, want := range tests {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}

	hs := newHarness(t)
	hs.account("alice", momo.AdminIfFirst)
	w := hs.agent().do(http.MethodPost, "/login", url.Values{"username": {"alice"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if loc := w.Header().Get("Location"); loc != "/" {
		t.Errorf("login followed next to %q", loc)
	}
	w = hs.agent().do(http.MethodPost, "/login", url.Values{"username": {"alice"}, "password": {testPassword}, "next": {"/settings"}})
	if loc := w.Header().Get("Location"); loc != "/settings" {
		t.Errorf("login did not follow a local next: %q", loc)
	}
}

func TestPasswordChange(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		hs.account("alice", momo.AdminIfFirst)
		a, other := hs.agent(), hs.agent()
		a.login("alice", true)
		other.login("alice", true)

		w := a.post("/settings/password", url.Values{"current": {testPassword}, "password": {"a brand new secret"}, "confirm": {"a brand new secret"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("change: %d %s", w.Code, w.Body.String())
		}
		if !a.signedIn() {
			t.Error("the session that changed the password was ended")
		}
		if a.cookies["__Host-momo_remember"] != nil {
			t.Error("remember cookie kept after a password change")
		}
		delete(other.cookies, "__Host-momo_session")
		if other.signedIn() {
			t.Error("another device is still signed in (session or remember token)")
		}
		if w := hs.agent().do(http.MethodPost, "/login", url.Values{"username": {"alice"}, "password": {testPassword}}); w.Code != http.StatusUnauthorized {
			t.Error("the old password still works")
		}
		if len(hs.auditRows(momo.AuditPasswordChange)) != 1 {
			t.Error("no audit row")
		}

		if w := a.post("/settings/logout-all", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("logout-all: %d", w.Code)
		}
		if a.signedIn() {
			t.Error("still signed in after signing out everywhere")
		}
	})
}

func TestAdminActions(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		root := hs.account("root", momo.AdminAlways)
		bob := hs.account("bob", momo.AdminNever)
		a, b := hs.agent(), hs.agent()
		a.login("root", false)
		b.login("bob", true)

		if w := a.post(fmt.Sprintf("/admin/users/%d/demote", root.ID), nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "last active admin") {
			t.Errorf("demote the last admin: %d", w.Code)
		}
		if w := a.post(fmt.Sprintf("/admin/users/%d/deactivate", bob.ID), nil); w.Code != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", w.Code)
		}
		if b.signedIn() {
			t.Error("a deactivated account is still signed in")
		}
		if w := b.do(http.MethodPost, "/login", url.Values{"username": {"bob"}, "password": {testPassword}}); w.Code != http.StatusUnauthorized {
			t.Errorf("a deactivated account signed in: %d", w.Code)
		}
		if w := a.post("/admin/users/999/promote", nil); w.Code != http.StatusNotFound {
			t.Errorf("unknown account: %d", w.Code)
		}
		if w := a.post(fmt.Sprintf("/admin/users/%d/explode", bob.ID), nil); w.Code != http.StatusNotFound {
			t.Errorf("unknown action: %d", w.Code)
		}
		rows := hs.auditRows(momo.AuditDeactivate)
		if len(rows) != 1 || rows[0].ActorID != root.ID || rows[0].TargetID != bob.ID {
			t.Errorf("deactivation audit %+v", rows)
		}
	})
}

// TestAuditPageEscapes: what a client sent (its user agent, the username
// it tried) is shown escaped.
func TestAuditPageEscapes(t *testing.T) {
	hs := newHarness(t)
	hs.account("root", momo.AdminAlways)
	evil := hs.agent()
	evil.ua = `<script>alert(1)</script>`
	evil.do(http.MethodPost, "/login", url.Values{"username": {`"><img src=x onerror=alert(2)>`}, "password": {"whatever1"}})

	a := hs.agent()
	a.login("root", false)
	w := a.get("/admin/audit?action=login.failed&from=2024-03-01&to=2024-03-01")
	body := w.Body.String()
	if w.Code != http.StatusOK || strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Errorf("audit page %d, unescaped input:\n%s", w.Code, body)
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the user agent is not shown")
	}
	if w := a.get("/admin/audit?from=yesterday"); w.Code != http.StatusBadRequest {
		t.Errorf("bad date: %d", w.Code)
	}
	if w := a.get("/admin/audit?action=login&to=2024-02-28"); !strings.Contains(w.Body.String(), "No rows match") {
		t.Error("date filter ignored")
	}
}

// TestUsersSeeOnlyTheirData: user B cannot see user A's data.
func TestUsersSeeOnlyTheirData(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		alice := hs.account("alice", momo.AdminNever)
		hs.account("bob", momo.AdminNever)
		sub, err := hs.store.Subscriber(context.Background(), momo.SourceTelegram, "chat-of-alice", momo.Subscriber{})
		if err != nil {
			t.Fatal(err)
		}
		if err := hs.store.LinkSubscriber(context.Background(), sub.ID, alice.ID); err != nil {
			t.Fatal(err)
		}
		a, b := hs.agent(), hs.agent()
		a.login("alice", false)
		b.login("bob", false)
		if body := a.get("/link").Body.String(); !strings.Contains(body, "<td>Telegram chat</td>") {
			t.Errorf("alice does not see her data:\n%s", body)
		}
		if body := b.get("/link").Body.String(); strings.Contains(body, "<td>Telegram chat</td>") || !strings.Contains(body, "Nothing is linked") {
			t.Errorf("bob sees alice's data:\n%s", body)
		}
	})
}
