package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// lockedBuffer is written by the server goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// TestServe starts momo serve in-process, registers the first admin and
// signs in over real HTTP, then stops it as SIGTERM would.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr lockedBuffer
	e := &env{
		ctx: ctx, stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
		getenv: func(k string) string {
			switch k {
			case "MOMO_DATA_DIR":
				return dir
			case "COOKIE_SECURE":
				return "false"
			case "LOG_FILE":
				return "-"
			}
			return ""
		},
		log: slog.New(slog.DiscardHandler),
	}
	done := make(chan int, 1)
	go func() { done <- run(e, []string{"serve", "-addr", "127.0.0.1:0"}) }()

	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("not serving: %s", stderr.String())
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		res, err := noRedirect.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	pw := "correct horse battery"
	if res := post("/register", url.Values{"username": {"admin"}, "email": {"a@example.com"}, "password": {pw}, "confirm": {pw}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("register: %d", res.StatusCode)
	}
	res := post("/login", url.Values{"username": {"admin"}, "password": {pw}})
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 || res.Cookies()[0].Name != "momo_session" {
		t.Fatalf("login: %d %v", res.StatusCode, res.Cookies())
	}
	uploadExample(t, base, res.Cookies()[0])

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "momo: stopped") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestServeRefusesInsecureCookiesOffLoopback(t *testing.T) {
	r := momoRun(t, t.TempDir(), map[string]string{"COOKIE_SECURE": "false", "LOG_FILE": "-"}, "", "serve", "-addr", "0.0.0.0:0")
	if r.code != 3 || !strings.Contains(r.stderr, "are allowed only when listening on 127.0.0.1") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"LOG_FILE": "-"}
	steps := []struct {
		stdin string
		args  []string
		code  int
		says  string
	}{
		{"correct horse battery\n", []string{"user", "create", "-admin", "-email", "a@example.com", "Root"}, 0, "created root (admin)"},
		{"", []string{"user", "create", "-email", "b@example.com", "bob"}, 1, "no password given on standard input"},
		{"correct horse battery\n", []string{"user", "create", "-email", "b@example.com", "bob."}, 1, "starts and ends with a letter or a digit"},
		{"short\n", []string{"user", "create", "-email", "b@example.com", "bob"}, 1, "at least 8 characters"},
		{"password123\n", []string{"user", "create", "-email", "b@example.com", "bob"}, 1, "most common"},
		{"correct horse battery\n", []string{"user", "create", "-email", "b@example.com", "bob"}, 0, "created bob (user)"},
		{"correct horse battery\n", []string{"user", "create", "-email", "c@example.com", "BOB"}, 1, "taken"},
		{"", []string{"user", "create", "-email", "nope", "carol"}, 2, "valid email"},
		{"", []string{"user", "demote", "root"}, 1, "last active admin"},
		{"", []string{"user", "promote", "bob"}, 0, "bob is now an admin"},
		{"", []string{"user", "promote", "bob"}, 0, "bob is already an admin"},
		{"", []string{"user", "deactivate", "bob"}, 0, "bob is now deactivated"},
		{"", []string{"user", "deactivate", "bob"}, 0, "bob is already deactivated"},
		{"", []string{"user", "reactivate", "root"}, 0, "root is already active"},
		{"", []string{"user", "demote", "Root"}, 1, "last active admin"},
		{"", []string{"user", "deactivate", "nobody"}, 1, "no account is named nobody"},
		{"a new long password\n", []string{"user", "reset-password", "root"}, 0, "password reset"},
		{"", []string{"user", "list"}, 0, "bob       b@example.com  admin  deactivated"},
		{"", []string{"user", "list", "extra"}, 2, "user list takes no argument"},
		{"", []string{"user", "explode"}, 2, "unknown command"},
	}
	for _, s := range steps {
		r := momoRun(t, dir, vars, s.stdin, s.args...)
		if r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.says) {
			t.Errorf("%v: exit %d, want %d with %q\nstdout %s\nstderr %s", s.args, r.code, s.code, s.says, r.stdout, r.stderr)
		}
	}

	// A change that changes nothing writes no audit row.
	for action, want := range map[string]int{momo.AuditPromote: 1, momo.AuditDeactivate: 1, momo.AuditReactivate: 0} {
		if n := auditCount(t, dir, vars, action); n != want {
			t.Errorf("%d %s audit rows, want %d", n, action, want)
		}
	}
}

// auditCount counts the audit rows of one action in dir's database.
func auditCount(t *testing.T, dir string, vars map[string]string, action string) int {
	t.Helper()
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: func(k string) string {
			if k == "MOMO_DATA_DIR" {
				return dir
			}
			return vars[k]
		}, log: slog.New(slog.DiscardHandler)}
	app, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, c := range e.closers {
			c()
		}
	}()
	rows, err := app.store.AuditLog(e.ctx, momo.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

var tokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// uploadExample does what the README's reader does after signing in:
// uploads the example export through the upload form and opens the
// dashboard, which then shows where the money went.
func uploadExample(t *testing.T, base string, session *http.Cookie) {
	t.Helper()
	get := func(path string) string {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(session)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	m := tokenRE.FindStringSubmatch(get("/upload"))
	if m == nil {
		t.Fatal("no form token on the upload page")
	}
	data, err := os.ReadFile(exampleExport)
	if err != nil {
		t.Fatal(err)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", m[1])
	fw, _ := mw.CreateFormFile("file", "sms-backup.xml")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.AddCookie(session)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var summary struct{ Counts momo.Counts }
	if err := json.NewDecoder(res.Body).Decode(&summary); err != nil || res.StatusCode != http.StatusOK || summary.Counts.Parsed == 0 {
		t.Fatalf("upload: %d %+v %v", res.StatusCode, summary, err)
	}
	if page := get("/"); !strings.Contains(page, `id="in-RWF"`) || !strings.Contains(page, `<figure id="flow-RWF">`) {
		t.Errorf("the dashboard does not show the upload:\n%.3000s", page)
	}
}
