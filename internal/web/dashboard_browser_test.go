package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/momoanalytics/momo"
)

// artifacts is where the screenshots go: MOMO_ARTIFACTS, for CI to keep,
// else a directory the test removes.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MOMO_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sum adds the data-value attributes of the elements sel matches.
func (b *browser) sum(sel string) int64 {
	b.t.Helper()
	js := `Array.from(document.querySelectorAll(` + strconv.Quote(sel) + `))` +
		`.reduce((s, e) => s + Number(e.getAttribute("data-value")), 0)`
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](js))
	if err != nil {
		b.t.Fatalf("sum %s: %v", sel, err)
	}
	return n
}

func (b *browser) eval(js string) int64 {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return n
}

// screenshot saves a full-page PNG at the given width.
func (b *browser) screenshot(dir, name string, width int64) {
	b.t.Helper()
	b.do("viewport "+name, chromedp.EmulateViewport(width, 900), chromedp.WaitVisible(chromedp.CSS("h1")))
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// waitLocation waits for the page to navigate to a URL holding part:
// the old page has the same elements as the new one, so waiting for an
// element proves nothing.
func (b *browser) waitLocation(part string) {
	b.t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err == nil && strings.Contains(loc, part) {
			return
		}
	}
	b.t.Fatalf("the page did not go to …%s…, it is at %s", part, b.location())
}

// uploadThroughForm picks the file in the upload form and sends it; the
// page's script shows the progress and then the summary.
func (b *browser) uploadThroughForm(path string) {
	b.t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		b.t.Fatal(err)
	}
	b.do("upload "+path,
		chromedp.Navigate(b.base+"/upload"),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{abs}),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#summary")),
	)
}

// download clicks a link and waits for the file it saves into dir.
func (b *browser) download(sel, dir, name string) []byte {
	b.t.Helper()
	_, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	})
	if err != nil {
		b.t.Fatalf("download behaviour: %v", err)
	}
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return data
		}
	}
	b.t.Fatalf("no %s downloaded into %s", name, dir)
	return nil
}

// TestDashboardInBrowser walks the issue in real headless Chromium: a
// new user registers, uploads the example through the form (progress,
// then the summary), opens the dashboard and finds the store's figures
// in the charts' data and in the tables, filters a date range, downloads
// the CSV and finds the same sums; an SMS holding a script is shown as
// text and runs nothing; a second user sees nothing of it; the admin sees
// the aggregate. Screenshots of the dashboard, desktop and phone, go to
// MOMO_ARTIFACTS.
func TestDashboardInBrowser(t *testing.T) {
	exe := chromium(t)
	hs := newHarness(t)
	hs.srv.now = time.Now
	site := httptest.NewUnstartedServer(hs.h)
	site.StartTLS()
	defer site.Close()
	base, shots := site.URL, artifacts(t)

	adm := startBrowser(t, exe, t.TempDir(), base)
	defer adm.close()
	adm.register("root", "root@example.com", testPassword)

	al := startBrowser(t, exe, t.TempDir(), base)
	defer al.close()
	var dialogs atomic.Int64
	if err := chromedp.Listen(al.ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	al.register("alice", "alice@example.com", testPassword)
	al.signIn("alice", testPassword, false)
	alice, err := hs.store.UserByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}

	al.uploadThroughForm(exampleFile)
	if read, parsed := al.text("#read"), al.text("#parsed"); read != "240" || parsed == "0" {
		t.Errorf("summary: read %s, parsed %s", read, parsed)
	}
	if p := al.eval(`document.getElementById("progress").value`); p != 100 || al.text("#status") != "Done: 240 messages read, "+al.text("#parsed")+" read as transactions." {
		t.Errorf("progress %d, status %q", p, al.text("#status"))
	}

	al.screenshot(shots, "upload-summary-desktop.png", 1280)
	al.screenshot(shots, "upload-summary-phone.png", 390)

	// The whole history: charts, tables and cards hold the store's sums.
	all := monthSums(hs.report(momo.ReportQuery{Owner: alice.ID}))["RWF"]
	al.do("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#cur-RWF")))
	checkFigures(t, al, "all dates", all)
	al.screenshot(shots, "dashboard-desktop.png", 1280)
	al.screenshot(shots, "dashboard-phone.png", 390)
	al.do("narrowest phone", chromedp.EmulateViewport(360, 740))
	if w := al.eval(`document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("at 360 px the page is %d px wide: it scrolls sideways", w)
	}
	al.do("desktop again", chromedp.EmulateViewport(1280, 900))

	// The other pages people read, for a look at both widths. The
	// example's SMS are of 2025: this month holds none of them.
	for _, p := range []struct{ path, name, sel string }{
		{"/?range=month", "empty-range", "#show-all"},
		{"/link", "link", "#bots"},
		{"/settings", "settings", "#timezone-hint"},
	} {
		al.do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		al.screenshot(shots, p.name+"-desktop.png", 1280)
		al.screenshot(shots, p.name+"-phone.png", 390)
	}
	al.do("dashboard again", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#cur-RWF")))

	// A range typed in the filter.
	al.do("filter",
		chromedp.SetValue(chromedp.CSS("#from"), "2025-03-05"),
		chromedp.SetValue(chromedp.CSS("#to"), "2025-03-20"),
		chromedp.Click(chromedp.CSS("#apply")))
	al.waitLocation("from=2025-03-05&to=2025-03-20")
	al.do("filtered page", chromedp.WaitVisible(chromedp.CSS("#cur-RWF")))
	q := momo.ReportQuery{Owner: alice.ID, From: "2025-03-05", To: "2025-03-20"}
	ranged := monthSums(hs.report(q))["RWF"]
	if ranged == all || ranged[2] == 0 {
		t.Fatalf("the range is all or nothing (%v of %v): the test proves nothing", ranged, all)
	}
	checkFigures(t, al, "range", ranged)

	// The CSV of the range, as the browser saves it.
	csvData := al.download("#export-csv", t.TempDir(), "momo-transactions-2025-03-05-to-2025-03-20.csv")
	in, out, rows := csvSums(t, string(csvData))
	if in != ranged[0] || out != ranged[1] || int64(rows) != ranged[2] {
		t.Errorf("CSV: in %d out %d rows %d; report %v", in, out, rows, ranged)
	}

	// An SMS holding a script is text.
	evil := filepath.Join(t.TempDir(), "evil.xml")
	script := "Win a prize <script>alert(1)</script><img src=x onerror=alert(2)>"
	if err := os.WriteFile(evil, smsXML(smsElement("+250788000111", script, time.Now().UnixMilli())), 0o600); err != nil {
		t.Fatal(err)
	}
	al.uploadThroughForm(evil)
	al.do("dashboard after the script", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#unrecognized-list")))
	if got := al.text("#unrecognized-list"); !strings.Contains(got, "<script>alert(1)</script>") {
		t.Errorf("the SMS is not shown as its text: %q", got)
	}
	if n := al.eval(`document.querySelectorAll("main script, main img").length`); n != 0 {
		t.Errorf("%d elements of the SMS's markup are in the page", n)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d dialogs opened: the SMS ran", n)
	}

	// Bob sees nothing of alice's.
	bob := startBrowser(t, exe, t.TempDir(), base)
	defer bob.close()
	bob.register("bob", "bob@example.com", testPassword)
	bob.signIn("bob", testPassword, false)
	bob.do("bob's dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#no-data")))
	if n := bob.eval(`document.querySelectorAll("[data-value]").length`); n != 0 {
		t.Errorf("bob's dashboard shows %d figures", n)
	}
	if body := bob.text("main"); strings.Contains(body, "RWF") || strings.Contains(body, "Win a prize") {
		t.Errorf("bob's dashboard shows alice's data: %q", body)
	}

	// The admin sees everyone's together.
	adm.signIn("root", testPassword, false)
	adm.do("overview", chromedp.Navigate(base+"/admin/overview"), chromedp.WaitVisible(chromedp.CSS("#cur-RWF")))
	every := monthSums(hs.report(momo.ReportQuery{}))["RWF"]
	if in := adm.sum("#in-RWF"); in != every[0] {
		t.Errorf("overview: in %d, report %v", in, every)
	}
	if got := adm.text("#count-unrecognized"); got != strconv.Itoa(hs.report(momo.ReportQuery{}).Unrecognized) {
		t.Errorf("overview: %s unrecognized", got)
	}
}

// checkFigures compares the RWF figures of the dashboard open in b with
// the report's sums (in, out, count): the cards, the bars of the chart
// and the rows of the table under it.
func checkFigures(t *testing.T, b *browser, what string, want [3]int64) {
	t.Helper()
	got := map[string][2]int64{
		"cards":  {b.sum("#in-RWF"), b.sum("#out-RWF")},
		"chart":  {b.sum(`#flow-RWF svg [data-series="in"]`), b.sum(`#flow-RWF svg [data-series="out"]`)},
		"table":  {b.sum("#flow-RWF td.period-in"), b.sum("#flow-RWF td.period-out")},
		"counts": {b.sum("#count-RWF"), want[2]},
	}
	for where, v := range got {
		if where == "counts" {
			if v[0] != v[1] {
				t.Errorf("%s: %d transactions, report %d", what, v[0], v[1])
			}
			continue
		}
		if v[0] != want[0] || v[1] != want[1] {
			t.Errorf("%s, %s: in %d out %d; report in %d out %d", what, where, v[0], v[1], want[0], want[1])
		}
	}
}
