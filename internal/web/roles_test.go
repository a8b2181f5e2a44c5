package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// roles a request is made as.
const (
	anonymous   = "anonymous"
	user        = "user"
	admin       = "admin"
	deactivated = "deactivated" // signed in, then deactivated by an admin
)

// TestWhoMayDoWhat is the access table: every route, every role, the
// status and where a redirect goes.
func TestWhoMayDoWhat(t *testing.T) {
	type want struct {
		status int
		to     string // Location prefix for redirects
	}
	toLogin := want{http.StatusSeeOther, "/login"}
	ok := want{http.StatusOK, ""}
	forbidden := want{http.StatusForbidden, ""}

	// {id} is replaced by the id of another, plain account.
	routes := []struct {
		method, path string
		form         url.Values
		roles        map[string]want
	}{
		{"GET", "/", nil, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		{"GET", "/login", nil, map[string]want{anonymous: ok, user: ok, admin: ok, deactivated: ok}},
		{"GET", "/register", nil, map[string]want{anonymous: ok, user: ok, admin: ok, deactivated: ok}},
		{"GET", "/health", nil, map[string]want{anonymous: ok, user: ok, admin: ok, deactivated: ok}},
		{"GET", "/static/app.css", nil, map[string]want{anonymous: ok, user: ok, admin: ok, deactivated: ok}},
		{"GET", "/no/such/page", nil, map[string]want{anonymous: {404, ""}, user: {404, ""}, admin: {404, ""}, deactivated: {404, ""}}},
		{"GET", "/logout", nil, map[string]want{anonymous: {405, ""}, user: {405, ""}, admin: {405, ""}, deactivated: {405, ""}}},
		{"POST", "/logout", url.Values{}, map[string]want{anonymous: toLogin, user: toLogin, admin: toLogin, deactivated: toLogin}},
		{"GET", "/settings", nil, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		{"POST", "/settings/password", url.Values{"current": {"wrong password"}, "password": {"another long one"}, "confirm": {"another long one"}},
			map[string]want{anonymous: toLogin, user: {400, ""}, admin: {400, ""}, deactivated: toLogin}},
		{"POST", "/settings/logout-all", url.Values{}, map[string]want{anonymous: toLogin, user: toLogin, admin: toLogin, deactivated: toLogin}},
		{"GET", "/admin/users", nil, map[string]want{anonymous: toLogin, user: forbidden, admin: ok, deactivated: toLogin}},
		{"GET", "/admin/audit", nil, map[string]want{anonymous: toLogin, user: forbidden, admin: ok, deactivated: toLogin}},
		{"GET", "/admin/users/{id}/promote", nil, map[string]want{anonymous: {405, ""}, user: {405, ""}, admin: {405, ""}, deactivated: {405, ""}}},
		{"GET", "/upload", nil, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		// A form that is not multipart is not an upload.
		{"POST", "/upload", url.Values{}, map[string]want{anonymous: toLogin, user: {415, ""}, admin: {415, ""}, deactivated: toLogin}},
		{"GET", "/link", nil, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		{"POST", "/link", url.Values{}, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		{"GET", "/export.csv", nil, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		{"GET", "/export.json", nil, map[string]want{anonymous: toLogin, user: ok, admin: ok, deactivated: toLogin}},
		{"POST", "/settings/preferences", url.Values{"timezone": {"Africa/Accra"}, "currency": {"GHS"}},
			map[string]want{anonymous: toLogin, user: {303, "/settings?changed=prefs"}, admin: {303, "/settings?changed=prefs"}, deactivated: toLogin}},
		{"GET", "/admin/overview", nil, map[string]want{anonymous: toLogin, user: forbidden, admin: ok, deactivated: toLogin}},
		{"GET", "/admin/subscribers/999999", nil, map[string]want{anonymous: toLogin, user: forbidden, admin: {404, ""}, deactivated: toLogin}},
	}
	for _, action := range []string{"promote", "demote", "deactivate", "reactivate", "logout"} {
		routes = append(routes, struct {
			method, path string
			form         url.Values
			roles        map[string]want
		}{"POST", "/admin/users/{id}/" + action, url.Values{}, map[string]want{
			anonymous: toLogin, user: forbidden, admin: {http.StatusSeeOther, "/admin/users?done=" + action}, deactivated: toLogin}})
	}

	for _, rt := range routes {
		for _, role := range []string{anonymous, user, admin, deactivated} {
			t.Run(fmt.Sprintf("%s %s as %s", rt.method, rt.path, role), func(t *testing.T) {
				hs := newHarness(t)
				a, target := signedInAs(t, hs, role)
				path := strings.Replace(rt.path, "{id}", fmt.Sprint(target.ID), 1)
				var w = a.do(rt.method, path, nil)
				if rt.form != nil {
					w = a.post(path, cloneForm(rt.form))
				}
				want := rt.roles[role]
				if w.Code != want.status {
					t.Fatalf("status %d, want %d; body %.300s", w.Code, want.status, w.Body.String())
				}
				if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, want.to) {
					t.Errorf("redirect to %q, want %q…", loc, want.to)
				}
				for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
					if w.Header().Get(h) == "" {
						t.Errorf("no %s header", h)
					}
				}
			})
		}
	}
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// signedInAs returns a browser signed in as role (or not at all), and a
// plain account for admin actions to act on.
func signedInAs(t *testing.T, hs *harness, role string) (*agent, momo.User) {
	t.Helper()
	hs.account("root", momo.AdminAlways)
	target := hs.account("target", momo.AdminNever)
	a := hs.agent()
	switch role {
	case user:
		hs.account("bob", momo.AdminNever)
		a.login("bob", false)
	case admin:
		hs.account("alice", momo.AdminAlways)
		a.login("alice", false)
	case deactivated:
		u := hs.account("carol", momo.AdminNever)
		a.login("carol", true)
		root := hs.agent()
		root.login("root", false)
		if w := root.post(fmt.Sprintf("/admin/users/%d/deactivate", u.ID), nil); w.Code != http.StatusSeeOther {
			t.Fatalf("deactivate: %d %s", w.Code, w.Body.String())
		}
	}
	return a, target
}
