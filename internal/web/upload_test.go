package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

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
			if tt.kept && tt.status != 200 && !strings.Contains(body, "are kept") {
				t.Error("a failed upload does not say that what was read is kept")
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
