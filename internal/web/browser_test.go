package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/momoanalytics/momo"
)

// chromium finds Debian's chromium; outside CI a machine without it skips
// the browser tests, in CI it fails them.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; CI must run the browser tests (.ci/run installs it)")
		}
		t.Skip("chromium is not installed")
	}
	return path
}

// browser is one headless Chromium on a profile directory that outlives
// it, so that a second start is the same browser reopened.
type browser struct {
	t           *testing.T
	ctx         context.Context
	cancelCtx   context.CancelFunc
	cancelAlloc context.CancelFunc
	base        string
}

func startBrowser(t *testing.T, exe, profile, base string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.IgnoreCertErrors, // the test server's own certificate
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	b := &browser{t: t, ctx: ctx, cancelCtx: cancelCtx, cancelAlloc: cancelAlloc, base: base}
	if err := chromedp.Do(ctx); err != nil {
		b.close()
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// close shuts the browser down gracefully, so that it writes its cookies
// to the profile, and waits for it to exit.
func (b *browser) close() {
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Cancel(ctx); err != nil {
		b.t.Logf("closing chromium: %v", err)
	}
	b.cancelCtx()
	b.cancelAlloc()
}

// do runs steps with a deadline, so that a page that never shows an
// element fails the test instead of hanging it.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func (b *browser) location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	return s
}

func (b *browser) cookies() map[string]*network.Cookie {
	b.t.Helper()
	out := map[string]*network.Cookie{}
	b.do("cookies", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
		for _, c := range res.Cookies {
			out[c.Name] = c
		}
		return err
	}))
	return out
}

func (b *browser) signIn(name, pw string, remember bool) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(b.base + "/login"),
		chromedp.SendKeys(chromedp.CSS("#username"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
	}
	if remember {
		steps = append(steps, chromedp.Click(chromedp.CSS("#remember")))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#logout")))
	b.do("sign in as "+name, steps...)
}

func (b *browser) register(name, email, pw string) {
	b.t.Helper()
	b.do("register "+name,
		chromedp.Navigate(b.base+"/register"),
		chromedp.SendKeys(chromedp.CSS("#username"), name),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.SendKeys(chromedp.CSS("#confirm"), pw),
		chromedp.Click(chromedp.CSS("#create")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#signin")))
}

// TestBrowser walks the path in real headless Chromium over HTTPS:
// the first admin registers, signs out, signs in with remember-me, closes
// and reopens the browser and is still signed in, signs out; a second user
// cannot open the admin pages; a cross-origin form is refused; the cookies
// carry the right flags.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	hs := newHarness(t)
	hs.srv.now = time.Now
	site := httptest.NewUnstartedServer(hs.h)
	site.StartTLS()
	defer site.Close()
	base := site.URL

	profile := t.TempDir()
	b := startBrowser(t, exe, profile, base)
	b.register("admin", "admin@example.com", testPassword)
	if !strings.Contains(b.location(), "/login?registered=1") {
		t.Fatalf("after registering: %s", b.location())
	}
	b.signIn("admin", testPassword, false)
	if got := b.text("main p"); !strings.Contains(got, "Signed in as admin (admin)") {
		t.Fatalf("home: %q", got)
	}
	b.signOut()

	b.signIn("admin", testPassword, true)
	checkCookieFlags(t, b.cookies())
	b.close()

	b = startBrowser(t, exe, profile, base)
	b.do("reopen", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("main p"); !strings.Contains(got, "Signed in as admin") {
		t.Fatalf("after reopening the browser: %s %q", b.location(), got)
	}
	if n := len(hs.auditRows(momo.AuditLoginRemember)); n != 1 {
		t.Errorf("%d remembered sign-ins audited, want 1: the reopened browser kept its session cookie", n)
	}
	b.signOut()
	b.do("home after sign-out", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#signin")))
	if c := b.cookies(); c["__Host-momo_remember"] != nil || c["__Host-momo_session"] != nil {
		t.Errorf("cookies left after signing out: %v", c)
	}
	b.close()

	second := startBrowser(t, exe, t.TempDir(), base)
	defer second.close()
	second.register("bob", "bob@example.com", testPassword)
	second.signIn("bob", testPassword, false)
	second.do("admin page", chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1, p := second.text("h1"), second.text("main p"); h1 != "Forbidden" || !strings.Contains(p, "for admins") {
		t.Errorf("bob on /admin/users: %q %q", h1, p)
	}

	// A page on another origin posts a sign-in form to the site.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/login">
			<input name="username" value="bob"><input name="password" value="%s">
			<button id="go" type="submit">go</button></form>`, base, testPassword)
	}))
	defer evil.Close()
	second.do("cross-origin form",
		chromedp.Navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)),
		chromedp.Click(chromedp.CSS("#go")),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := second.text("h1"); h1 != "Refused" {
		t.Errorf("cross-origin sign-in form: %q at %s", h1, second.location())
	}
}

func checkCookieFlags(t *testing.T, cookies map[string]*network.Cookie) {
	t.Helper()
	ses, rem := cookies["__Host-momo_session"], cookies["__Host-momo_remember"]
	if ses == nil || rem == nil {
		t.Fatalf("cookies %v", cookies)
	}
	for _, c := range []*network.Cookie{ses, rem} {
		if !c.Secure || !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" {
			t.Errorf("%s: secure %v, httpOnly %v, sameSite %q, path %q", c.Name, c.Secure, c.HTTPOnly, c.SameSite, c.Path)
		}
	}
	if !ses.Session {
		t.Error("the session cookie outlives the browser")
	}
	days := time.Until(time.Unix(int64(rem.Expires), 0)).Hours() / 24
	if rem.Session || days < 29 || days > 30.01 {
		t.Errorf("remember cookie lasts %.1f days", days)
	}
}
