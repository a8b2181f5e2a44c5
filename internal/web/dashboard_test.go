package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// exampleFile is the README's example export: 240 SMS of a Rwandan
// MTN MoMo wallet.
const exampleFile = "../../examples/sms-backup.xml"

func readExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// formPart is one part of a multipart form, in the order it is sent.
type formPart struct {
	name, filename string
	data           []byte
}

// upload posts a multipart form to /upload; accept "" asks for the page.
func (a *agent) upload(parts []formPart, accept string) *httptest.ResponseRecorder {
	a.hs.t.Helper()
	return a.serve(a.uploadRequest(context.Background(), parts, accept))
}

// uploadRequest is the request upload sends, on ctx.
func (a *agent) uploadRequest(ctx context.Context, parts []formPart, accept string) *http.Request {
	a.hs.t.Helper()
	body, ctype := multipartBody(a.hs.t, parts)
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://momo.test/upload", bytes.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return r
}

// multipartBody encodes parts as a multipart form.
func multipartBody(t *testing.T, parts []formPart) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		var err error
		var w interface{ Write([]byte) (int, error) }
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	mw.Close()
	return body.Bytes(), mw.FormDataContentType()
}

// uploadFile sends data as the form does: the token first, then the file.
func (a *agent) uploadFile(data []byte) *httptest.ResponseRecorder {
	return a.upload([]formPart{{name: "csrf", data: []byte(a.formToken())}, {name: "file", filename: "sms.xml", data: data}}, "")
}

func (hs *harness) report(q momo.ReportQuery) momo.Report {
	hs.t.Helper()
	r, err := hs.store.Report(context.Background(), q)
	if err != nil {
		hs.t.Fatal(err)
	}
	return r
}

// monthSums adds up a report's money per currency: in, out and count.
func monthSums(r momo.Report) map[momo.Currency][3]int64 {
	out := map[momo.Currency][3]int64{}
	for _, m := range r.Months {
		s := out[m.Currency]
		out[m.Currency] = [3]int64{s[0] + m.In, s[1] + m.Out, s[2] + int64(m.Count)}
	}
	return out
}

// dataValue reads the data-value of the element with this id.
func dataValue(t *testing.T, body, id string) int64 {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `" data-value="(-?\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no element %s with a value", id)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// chartSum adds the data-value of every bar of a series in a figure.
func chartSum(t *testing.T, body, figure, series string) int64 {
	t.Helper()
	start := strings.Index(body, `<figure id="`+figure+`"`)
	if start < 0 {
		t.Fatalf("no figure %s", figure)
	}
	end := strings.Index(body[start:], "</figure>")
	re := regexp.MustCompile(`data-series="` + regexp.QuoteMeta(series) + `" data-value="(-?\d+)"`)
	var sum int64
	for _, m := range re.FindAllStringSubmatch(body[start:start+end], -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		sum += n
	}
	return sum
}

// TestDashboardShowsTheUploadersData uploads the example as alice and
// checks the totals, the charts and the counts against the store's own
// report of her data; bob, signed in beside her, sees none of it
// anywhere: dashboard, pages, export, admin pages.
func TestDashboardShowsTheUploadersData(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		hs.account("root", momo.AdminAlways)
		alice := hs.account("alice", momo.AdminNever)
		bob := hs.account("bob", momo.AdminNever)
		a, b := hs.agent(), hs.agent()
		a.login("alice", false)
		b.login("bob", false)

		w := a.uploadFile(readExample(t))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="parsed">`) {
			t.Fatalf("upload: %d %.500s", w.Code, w.Body.String())
		}
		rep := hs.report(momo.ReportQuery{Owner: alice.ID})
		if rep.Transactions == 0 {
			t.Fatal("the upload stored no transaction")
		}

		body := a.get("/").Body.String()
		for cur, sum := range monthSums(rep) {
			c := string(cur)
			if in, out := dataValue(t, body, "in-"+c), dataValue(t, body, "out-"+c); in != sum[0] || out != sum[1] {
				t.Errorf("%s cards: in %d out %d, report %d %d", c, in, out, sum[0], sum[1])
			}
			if in, out := chartSum(t, body, "flow-"+c, "in"), chartSum(t, body, "flow-"+c, "out"); in != sum[0] || out != sum[1] {
				t.Errorf("%s chart: in %d out %d, report %d %d", c, in, out, sum[0], sum[1])
			}
		}
		if n := dataValue(t, body, "count-RWF"); n != int64(rep.Transactions) {
			t.Errorf("count %d, report %d", n, rep.Transactions)
		}

		// Bob: nothing, on every page that could show it.
		if rep := hs.report(momo.ReportQuery{Owner: bob.ID}); rep.Messages != 0 {
			t.Fatalf("bob's report holds %d messages", rep.Messages)
		}
		bb := b.get("/").Body.String()
		if !strings.Contains(bb, `id="no-data"`) || strings.Contains(bb, "RWF") || strings.Contains(bb, `id="tx-table"`) {
			t.Errorf("bob's dashboard shows data:\n%.2000s", bb)
		}
		if w := b.get("/export.csv"); strings.Count(w.Body.String(), "\n") != 1 {
			t.Errorf("bob's CSV holds rows:\n%s", w.Body.String())
		}
		if w := b.get("/export.json"); strings.TrimSpace(w.Body.String()) != "[]" {
			t.Errorf("bob's JSON holds rows: %s", w.Body.String())
		}
		// alice's Older link, replayed by bob, lists only bob's (nothing).
		older := regexp.MustCompile(`href="(/\?after=[^"]+)" id="older"`).FindStringSubmatch(body)
		if older == nil {
			t.Fatal("alice has no Older link")
		}
		if bb := b.get(html.UnescapeString(older[1])).Body.String(); strings.Contains(bb, `id="tx-table"`) {
			t.Error("bob sees alice's transactions through her cursor")
		}
		subs, err := hs.store.OwnedSubscribers(context.Background(), alice.ID)
		if err != nil || len(subs) != 1 {
			t.Fatalf("alice's subscribers: %v %v", subs, err)
		}
		for _, path := range []string{"/admin/overview", fmt.Sprintf("/admin/subscribers/%d", subs[0].Subscriber.ID)} {
			if w := b.get(path); w.Code != http.StatusForbidden {
				t.Errorf("bob on %s: %d", path, w.Code)
			}
		}
	})
}

// TestDashboardPages walks the transactions page by page through the
// Older links: every transaction once, newest first, and a tampered
// cursor is refused.
func TestDashboardPages(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	a.uploadFile(readExample(t))
	want := hs.report(momo.ReportQuery{Owner: alice.ID}).Transactions

	rowRE := regexp.MustCompile(`<td class="num (?:in|out|none)" data-value=`)
	olderRE := regexp.MustCompile(`href="([^"]+)" id="older"`)
	path, seen, pages := "/", 0, 0
	var last string
	for path != "" {
		w := a.get(path)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, w.Code)
		}
		body := w.Body.String()
		seen += len(rowRE.FindAllString(body, -1))
		pages++
		path = ""
		if m := olderRE.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
			last = path
		}
	}
	if seen != want || pages != (want+pageRows-1)/pageRows {
		t.Errorf("%d rows on %d pages, want %d rows", seen, pages, want)
	}

	u, _ := url.Parse(last)
	cursor := u.Query().Get("after")
	other := "1"
	if cursor[0] == '1' {
		other = "2"
	}
	tampered := []string{
		other + cursor[1:], // another time under the old MAC
		cursor[:len(cursor)-2],
		"1.2.3",
		"garbage",
		strings.Repeat("9", 200),
	}
	for _, c := range tampered {
		if w := a.get("/?after=" + url.QueryEscape(c)); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "damaged") {
			t.Errorf("cursor %q: %d", c, w.Code)
		}
	}
}

// TestDashboardFilter: dates typed and presets, refused dates, and the
// totals of a range equal the store's report of that range.
func TestDashboardFilter(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	a.uploadFile(readExample(t))

	tests := []struct {
		query  string
		status int
	}{
		{"", 200},
		{"from=2025-03-01&to=2025-03-31", 200},
		{"from=2025-03-10", 200},
		{"to=2025-03-10", 200},
		{"range=month", 200},
		{"range=30d", 200},
		{"range=year", 200},
		{"range=all", 200},
		{"range=decade", 400},
		{"from=2025-13-01", 400},
		{"from=2025-3-1", 400},
		{"from=31/03/2025", 400},
		{"from=2025-04-01&to=2025-03-01", 400},
		{"from=1999-12-31", 400},
		{"to=2100-01-01", 400},
		{"from=2025-02-30", 400},
		{"from=<script>", 400},
	}
	for _, tt := range tests {
		for _, path := range []string{"/", "/export.csv"} {
			w := a.get(path + "?" + tt.query)
			if w.Code != tt.status {
				t.Errorf("%s?%s: %d, want %d", path, tt.query, w.Code, tt.status)
			}
			// A wrong filter on the dashboard is shown in its form, to
			// be corrected there.
			body := w.Body.String()
			if path == "/" && tt.status == 400 && (!strings.Contains(body, `id="filter"`) || !strings.Contains(body, `class="error" role="alert"`)) {
				t.Errorf("%s?%s: the filter form with the problem is not shown:\n%.1500s", path, tt.query, body)
			}
		}
	}

	q := momo.ReportQuery{Owner: alice.ID, From: "2025-03-05", To: "2025-03-20"}
	rep := hs.report(q)
	body := a.get("/?from=2025-03-05&to=2025-03-20").Body.String()
	sum := monthSums(rep)["RWF"]
	if sum[2] == 0 {
		t.Fatal("no transaction in the range: the test proves nothing")
	}
	if in, out, n := dataValue(t, body, "in-RWF"), dataValue(t, body, "out-RWF"), dataValue(t, body, "count-RWF"); in != sum[0] || out != sum[1] || n != sum[2] {
		t.Errorf("filtered: in %d out %d count %d, report %v", in, out, n, sum)
	}
	if !strings.Contains(body, `id="export-csv" href="/export.csv?from=2025-03-05&amp;to=2025-03-20"`) {
		t.Error("the export link does not carry the filter")
	}
	if got := strings.Count(body, `data-label="2025-03-`); got < 16 {
		t.Errorf("a 16-day range is charted by day: %d day bars", got)
	}
}

// TestExport: the CSV and the JSON hold the filtered transactions, the
// CSV's sums match the report, the answer is an attachment, and the
// audit row says what was exported.
func TestExport(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	a.uploadFile(readExample(t))

	for _, q := range []momo.ReportQuery{{Owner: alice.ID}, {Owner: alice.ID, From: "2025-03-05", To: "2025-03-20"}} {
		query := filter{From: q.From, To: q.To}.query().Encode()
		w := a.get("/export.csv?" + query)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") {
			t.Fatalf("export: %d %v", w.Code, w.Header())
		}
		in, out, n := csvSums(t, w.Body.String())
		rep := hs.report(q)
		sum := monthSums(rep)["RWF"]
		if in != sum[0] || out != sum[1] || n != rep.Transactions {
			t.Errorf("%s: CSV in %d out %d rows %d; report %v, %d transactions", query, in, out, n, sum, rep.Transactions)
		}

		var rows []map[string]any
		if err := json.Unmarshal(a.get("/export.json?"+query).Body.Bytes(), &rows); err != nil || len(rows) != rep.Transactions {
			t.Errorf("%s: JSON %d rows (%v), want %d", query, len(rows), err, rep.Transactions)
		}
	}
	names := []struct{ query, want string }{
		{"", `attachment; filename="momo-transactions-all.csv"`},
		{"?range=all", `attachment; filename="momo-transactions-all.csv"`},
		{"?from=2025-04-01&to=2025-04-30", `attachment; filename="momo-transactions-2025-04-01-to-2025-04-30.csv"`},
		{"?from=2025-04-01", `attachment; filename="momo-transactions-2025-04-01-to-latest.csv"`},
		{"?to=2025-04-30", `attachment; filename="momo-transactions-earliest-to-2025-04-30.csv"`},
	}
	for _, n := range names {
		if got := a.get("/export.csv" + n.query).Header().Get("Content-Disposition"); got != n.want {
			t.Errorf("%s: Content-Disposition %q, want %q", n.query, got, n.want)
		}
	}
	rows := hs.auditRows(momo.AuditExport)
	if len(rows) != 4+len(names) || !strings.Contains(rows[0].Detail, "rows") || rows[0].ActorID != alice.ID {
		t.Errorf("export audit rows: %+v", rows)
	}
}

// csvSums adds the CSV's amounts per direction (RWF: no decimals).
func csvSums(t *testing.T, body string) (in, out int64, rows int) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("csv: %v", err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		n, err := momo.Currency(r[col["currency"]]).ParseMinor(r[col["amount"]])
		if err != nil {
			t.Fatalf("amount %q: %v", r[col["amount"]], err)
		}
		switch r[col["direction"]] {
		case "in":
			in += n
		case "out":
			out += n
		}
	}
	return in, out, len(recs) - 1
}
