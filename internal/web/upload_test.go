package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// smsXML is an SMS Backup & Restore file of the given <sms> elements.
func smsXML(elements ...string) []byte {
	return []byte("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"" +
		strconv.Itoa(len(elements)) + "\">\n" + strings.Join(elements, "\n") + "\n</smses>\n")
}

// smsElement is one received SMS; date is in Unix milliseconds.
func smsElement(sender, body string, date int64) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return `<sms protocol="0" address="` + esc.Replace(sender) + `" date="` + strconv.FormatInt(date, 10) +
		`" type="1" body="` + esc.Replace(body) + `" read="1" />`
}

// TestUpload covers the upload's answers: the summary as a page and as
// JSON, the size limit, a token missing or after the file, a file that is
// not XML, and a file cut short, whose readable part is kept.
func TestUpload(t *testing.T) {
	example := readExample(t)
	cut := example[:len(example)/2]
	tests := []struct {
		name    string
		parts   func(token string) []formPart
		accept  string
		status  int
		says    string
		kept    bool // messages are stored afterwards
		summary bool
	}{
		{"page", func(tok string) []formPart { return form(tok, example) }, "", 200, `id="parsed">`, true, true},
		{"json", func(tok string) []formPart { return form(tok, example) }, "application/json", 200, `"parsed":`, true, true},
		{"too large", func(tok string) []formPart { return form(tok, bytes.Repeat([]byte("x"), 200<<10)) }, "", 413,
			"larger than the limit of 60 KB", false, false},
		// Within the envelope's allowance, so only the XML reader's count
		// of the file's own bytes stops it: what came before is kept.
		{"too large in the stream", func(tok string) []formPart { return form(tok, manySMS(70<<10)) }, "", 413,
			"larger than the limit of 60 KB", true, true},
		{"no token", func(string) []formPart { return []formPart{{name: "file", filename: "a.xml", data: example}} }, "", 403, "expired", false, false},
		{"wrong token", func(string) []formPart { return form("forged", example) }, "", 403, "expired", false, false},
		{"token after the file", func(tok string) []formPart {
			return []formPart{{name: "file", filename: "a.xml", data: example}, {name: "csrf", data: []byte(tok)}}
		}, "", 403, "expired", false, false},
		{"no file", func(tok string) []formPart { return []formPart{{name: "csrf", data: []byte(tok)}} }, "", 400, "Choose a file", false, false},
		{"not xml", func(tok string) []formPart { return form(tok, []byte("PK\x03\x04 a zip file")) }, "", 400, "not a complete SMS Backup", false, true},
		{"cut short", func(tok string) []formPart { return form(tok, cut) }, "", 400, "truncated", true, true},
		{"two files", func(tok string) []formPart {
			return append(form(tok, example), formPart{name: "file", filename: "other.xml", data: example})
		}, "", 400, "Send one file per upload", true, true},
		{"a field after the file", func(tok string) []formPart {
			return append(form(tok, example), formPart{name: "note", data: []byte("hello")})
		}, "", 200, `id="parsed">`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *Config) { c.MaxUpload = 60 << 10 })
			alice := hs.account("alice", momo.AdminNever)
			a := hs.agent()
			a.login("alice", false)
			// The size test needs a limit below the example; the others
			// a limit above it.
			if !strings.HasPrefix(tt.name, "too large") {
				hs.srv.cfg.MaxUpload = DefaultMaxUpload
			}

			w := a.upload(tt.parts(a.formToken()), tt.accept)
			body := w.Body.String()
			if w.Code != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("%d, want %d saying %q:\n%.1500s", w.Code, tt.status, tt.says, body)
			}
			stored := hs.report(momo.ReportQuery{Owner: alice.ID}).Messages
			if (stored > 0) != tt.kept {
				t.Errorf("%d messages stored, want kept %v", stored, tt.kept)
			}
			if strings.Contains(body, `<section id="summary" hidden>`) == tt.summary && tt.accept == "" {
				t.Errorf("summary shown: %v, want %v", !tt.summary, tt.summary)
			}
			if tt.accept != "" {
				return
			}
			// The kept sentence shows only when the failed upload stored
			// something, and the error only once.
			keptShown := strings.Contains(body, `id="summary-kept" class="hint">`)
			if want := tt.kept && tt.status != 200; keptShown != want {
				t.Errorf("says that what was read is kept: %v, want %v", keptShown, want)
			}
			if tt.summary && (!strings.Contains(body, "Read as transactions") || !strings.Contains(body, "not counted in the dashboard")) {
				t.Error("the summary does not say what its transactions count is")
			}
			if n := strings.Count(body, tt.says); tt.status != 200 && n != 1 {
				t.Errorf("the error %q shows %d times, want once", tt.says, n)
			}
		})
	}
}

// manySMS is a well-formed export of at least size bytes.
func manySMS(size int) []byte {
	var els []string
	for n := 0; n < size; {
		el := smsElement("+250788000111", "Message number "+strconv.Itoa(len(els)), 1741000000000+int64(len(els)))
		els = append(els, el)
		n += len(el) + 1
	}
	return smsXML(els...)
}

func form(token string, file []byte) []formPart {
	return []formPart{{name: "csrf", data: []byte(token)}, {name: "file", filename: "sms-backup.xml", data: file}}
}

// TestUploadSummary: the counts of a first and a second upload of the
// same file, and the audit rows, which hold counts only.
func TestUploadSummary(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)

	var first, second uploadResult
	for _, res := range []*uploadResult{&first, &second} {
		w := a.upload(form(a.formToken(), readExample(t)), "application/json")
		if err := json.Unmarshal(w.Body.Bytes(), res); err != nil || w.Code != 200 {
			t.Fatalf("%d %s %v", w.Code, w.Body.String(), err)
		}
	}
	if first.Counts.Read != 240 || first.Counts.Parsed == 0 || first.Counts.Duplicate != 0 {
		t.Errorf("first upload: %+v", first.Counts)
	}
	if second.Counts.Duplicate != first.Counts.Parsed+first.Counts.Unrecognized+first.Counts.Rejected || second.Counts.Parsed != 0 {
		t.Errorf("second upload: %+v after %+v", second.Counts, first.Counts)
	}
	rows := hs.auditRows(momo.AuditUpload)
	if len(rows) != 2 || rows[0].ActorID != alice.ID || !strings.HasPrefix(rows[1].Detail, "read 240, parsed ") {
		t.Errorf("audit: %+v", rows)
	}
	owned, err := hs.store.OwnedSubscribers(t.Context(), alice.ID)
	if err != nil || len(owned) != 1 || owned[0].Subscriber.Channel != momo.SourceUpload {
		t.Errorf("alice's subscribers: %+v %v", owned, err)
	}
}

// TestMarkupInAnSMS: an unrecognized SMS holding markup is shown as text
// on the dashboard, never as markup.
func TestMarkupInAnSMS(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	evil := `Hello <script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & more`
	w := a.uploadFile(smsXML(smsElement("+250788000111", evil, 1741000000000)))
	if w.Code != http.StatusOK {
		t.Fatalf("upload: %d %s", w.Code, w.Body.String())
	}
	body := a.get("/").Body.String()
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Fatalf("markup of an SMS reached the page:\n%s", body)
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("the SMS is not shown as text:\n%s", body)
	}
}

func TestUploadNeedsSignIn(t *testing.T) {
	hs := newHarness(t)
	a := hs.agent()
	w := a.upload(form("", readExample(t)), "")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("anonymous upload: %d %s", w.Code, w.Header().Get("Location"))
	}
}

// deadlineRecorder is a recorder whose connection deadlines can be set,
// as a server's can; it records them.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	mu            sync.Mutex
	reads, writes []time.Time
	failAfter     int // bytes; 0: never
	written       int
	onFail        func()
	failed        bool
}

func newDeadlineRecorder() *deadlineRecorder {
	return &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
}

func (d *deadlineRecorder) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads = append(d.reads, t)
	return nil
}

func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes = append(d.writes, t)
	return nil
}

// Write fails once failAfter bytes are written, as a connection does when
// its client has gone, calling onFail first.
func (d *deadlineRecorder) Write(p []byte) (int, error) {
	if d.failAfter > 0 && d.written+len(p) > d.failAfter {
		if !d.failed && d.onFail != nil {
			d.onFail()
		}
		d.failed = true
		return 0, errors.New("write: broken pipe")
	}
	d.written += len(p)
	return d.ResponseRecorder.Write(p)
}

// TestUploadDeadlines: only an upload whose form token is right gets the
// long deadlines; any other keeps the server's.
func TestUploadDeadlines(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	example := readExample(t)

	tests := []struct {
		name     string
		parts    func(tok string) []formPart
		status   int
		extended bool
	}{
		{"right token", func(tok string) []formPart { return form(tok, example) }, http.StatusOK, true},
		{"wrong token", func(string) []formPart { return form("forged", example) }, http.StatusForbidden, false},
		{"no token", func(string) []formPart { return []formPart{{name: "file", filename: "a.xml", data: example}} },
			http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.uploadRequest(t.Context(), tt.parts(a.formToken()), "")
			a.prepare(r)
			w := newDeadlineRecorder()
			before := time.Now()
			hs.h.ServeHTTP(w, r)

			if w.Code != tt.status {
				t.Fatalf("%d, want %d: %.500s", w.Code, tt.status, w.Body.String())
			}
			if got := len(w.reads) == 1 && len(w.writes) == 1; got != tt.extended {
				t.Fatalf("deadlines set: read %v, write %v; want extended %v", w.reads, w.writes, tt.extended)
			}
			if tt.extended && w.reads[0].Before(before.Add(uploadTime)) {
				t.Errorf("read deadline %v, want %v after %v", w.reads[0], uploadTime, before)
			}
		})
	}
}

// stalledUpload starts an upload of file by a that sends half of its body
// and waits; send the rest with finish, which returns the answer.
func stalledUpload(t *testing.T, a *agent, file []byte) (finish func() *httptest.ResponseRecorder) {
	t.Helper()
	body, ctype := multipartBody(t, form(a.formToken(), file))
	pr, pw := io.Pipe()
	r := httptest.NewRequest(http.MethodPost, "https://momo.test/upload", pr)
	r.Header.Set("Content-Type", ctype)
	a.prepare(r)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.hs.h.ServeHTTP(w, r)
	}()
	go pw.Write(body[:len(body)/2])
	return func() *httptest.ResponseRecorder {
		pw.Write(body[len(body)/2:])
		pw.Close()
		<-done
		return w
	}
}

// waitUntil polls cond for a few seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// TestUploadsBounded: while an upload of alice's is running, her next one
// is refused with a 429 that says so, and bob's goes through; once it has
// ended she can upload again. With every slot of the server taken, an
// upload waits a little, then is refused with a 503. Both say when to try
// again.
func TestUploadsBounded(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	hs.account("bob", momo.AdminNever)
	a, b := hs.agent(), hs.agent()
	a.login("alice", false)
	b.login("bob", false)
	example := readExample(t)
	if cap(hs.srv.uploads.slots) < 2 {
		t.Fatalf("%d upload slots", cap(hs.srv.uploads.slots))
	}

	finish := stalledUpload(t, a, example)
	waitUntil(t, "alice's upload is admitted", func() bool { return len(hs.srv.uploads.slots) == 1 })
	tests := []struct {
		name   string
		who    *agent
		accept string
		status int
		says   string
		retry  string
	}{
		{"alice again", a, "", http.StatusTooManyRequests, "An upload of yours is still running", "60"},
		{"alice again, by script", a, "application/json", http.StatusTooManyRequests, `"error":"An upload of yours is still running`, "60"},
		{"bob", b, "application/json", http.StatusOK, `"parsed":`, ""},
	}
	for _, tt := range tests {
		w := tt.who.upload(form(tt.who.formToken(), example), tt.accept)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.says) || w.Header().Get("Retry-After") != tt.retry {
			t.Errorf("%s: %d, Retry-After %q, want %d, %q saying %q:\n%.800s", tt.name, w.Code,
				w.Header().Get("Retry-After"), tt.status, tt.retry, tt.says, w.Body.String())
		}
	}
	if w := finish(); w.Code != http.StatusOK {
		t.Fatalf("the stalled upload: %d %.800s", w.Code, w.Body.String())
	}
	if hs.srv.uploads.isRunning(alice.ID) || len(hs.srv.uploads.slots) != 0 {
		t.Fatal("the finished upload still holds its slot")
	}
	if w := a.upload(form(a.formToken(), example), ""); w.Code != http.StatusOK {
		t.Errorf("alice after her upload ended: %d", w.Code)
	}

	hs.srv.uploads.wait = 20 * time.Millisecond
	for range cap(hs.srv.uploads.slots) {
		hs.srv.uploads.slots <- struct{}{}
	}
	w := a.upload(form(a.formToken(), example), "")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "30" || !strings.Contains(w.Body.String(), "busy") {
		t.Errorf("upload with every slot taken: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if hs.srv.uploads.isRunning(alice.ID) {
		t.Error("a refused upload still counts as running")
	}
}

// cutReader gives the first n bytes of data, then fails as a request body
// does when its client goes away: it calls gone, then returns
// io.ErrUnexpectedEOF.
type cutReader struct {
	data []byte
	n    int
	gone func()
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n == 0 {
		c.gone()
		return 0, io.ErrUnexpectedEOF
	}
	k := copy(p, c.data[:c.n])
	c.data, c.n = c.data[k:], c.n-k
	return k, nil
}

// TestUploadCutShort: a client that stops sending in the middle of the
// file leaves every message read before stored, and an audit row that
// says how many and that the client cut it short; it is logged as the
// client's doing, not as a failure of ours. A client that went away is
// not answered; one still there is told the upload was cut short.
func TestUploadCutShort(t *testing.T) {
	tests := []struct {
		name   string
		cancel bool // the connection is gone: the request's context ends
		status int
		says   string
	}{
		{"client gone", true, http.StatusOK, ""},
		{"body shorter than declared", false, http.StatusBadRequest, "cut short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			alice := hs.account("alice", momo.AdminNever)
			a := hs.agent()
			a.login("alice", false)

			body, ctype := multipartBody(t, form(a.formToken(), manySMS(600<<10)))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			gone := func() {}
			if tt.cancel {
				gone = cancel
			}
			r := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://momo.test/upload",
				&cutReader{data: body, n: len(body) * 2 / 3, gone: gone})
			r.Header.Set("Content-Type", ctype)
			w := a.serve(r)

			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.says) || tt.says == "" && w.Body.Len() > 0 {
				t.Errorf("%d, want %d saying %q: %.500s", w.Code, tt.status, tt.says, w.Body.String())
			}
			stored := hs.report(momo.ReportQuery{Owner: alice.ID}).Messages
			rows := hs.auditRows(momo.AuditUpload)
			want := "read " + strconv.Itoa(stored) + ", "
			if stored < 2500 || len(rows) != 1 || !strings.HasPrefix(rows[0].Detail, want) ||
				!strings.HasSuffix(rows[0].Detail, "; cut short by the client") {
				t.Errorf("%d messages stored; audit rows %+v", stored, rows)
			}
			log := hs.log.String()
			if !strings.Contains(log, "Upload cut short by the client") || strings.Contains(log, "level=ERROR") {
				t.Errorf("log:\n%s", log)
			}
		})
	}
}

// TestExportCutShort: an export whose client goes away still leaves its
// audit row, with the rows written so far and a note that it was cut
// short, and the writes of a long export get fresh deadlines as rows go.
func TestExportCutShort(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	a.uploadFile(readExample(t))
	uploads := len(hs.auditRows(momo.AuditUpload))

	for i, path := range []string{"/export.csv", "/export.json"} {
		ctx, cancel := context.WithCancel(t.Context())
		r := httptest.NewRequestWithContext(ctx, http.MethodGet, "https://momo.test"+path, nil)
		a.prepare(r)
		w := newDeadlineRecorder()
		w.failAfter, w.onFail = 2000, cancel
		hs.h.ServeHTTP(w, r)
		cancel()

		rows := hs.auditRows(momo.AuditExport)
		if len(rows) != i+1 {
			t.Fatalf("%s: %d export rows audited, want %d; log:\n%s", path, len(rows), i+1, hs.log.String())
		}
		m := regexp.MustCompile(`, (\d+) rows; cut short$`).FindStringSubmatch(rows[0].Detail)
		if m == nil || m[1] == "0" {
			t.Errorf("%s: audit detail %q", path, rows[0].Detail)
		}
		if len(w.writes) == 0 {
			t.Errorf("%s: no write deadline set", path)
		}
	}
	if uploads != 1 || strings.Contains(hs.log.String(), "Audit row not written") {
		t.Errorf("log:\n%s", hs.log.String())
	}
}

func TestExportDeadline(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		since, want time.Duration // from start
	}{
		{0, exportStall},
		{time.Minute, time.Minute + exportStall},
		{exportTime - exportStall, exportTime},
		{exportTime - time.Second, exportTime},
		{exportTime + time.Hour, exportTime},
	}
	for _, tt := range tests {
		if got := exportDeadline(start, start.Add(tt.since)); !got.Equal(start.Add(tt.want)) {
			t.Errorf("%v in: deadline %v in, want %v", tt.since, got.Sub(start), tt.want)
		}
	}
}
