package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// TestTimesInViewerZone: every time a page shows is in the viewer's
// timezone with its abbreviation once they chose one, in UTC before.
func TestTimesInViewerZone(t *testing.T) {
	hs := newHarness(t)
	hs.account("root", momo.AdminAlways)
	adm := hs.agent()
	adm.login("root", false)
	adm.uploadFile(readExample(t))

	if body := adm.get("/").Body.String(); !strings.Contains(body, "Signed in since 2024-03-01 12:00 UTC") {
		t.Errorf("without a timezone the sign-in time is not in UTC:\n%.600s", body)
	}
	if w := adm.post("/settings/preferences", url.Values{"timezone": {"Asia/Tokyo"}}); w.Code != 303 {
		t.Fatalf("preferences: %d", w.Code)
	}

	pages := []struct {
		name, path string
		want       *regexp.Regexp
	}{
		{"dashboard", "/", regexp.MustCompile(`Signed in since 2024-03-01 21:00 JST`)},
		{"audit log", "/admin/audit", regexp.MustCompile(`<td>2024-03-01 21:00 JST</td>`)},
		{"accounts", "/admin/users", regexp.MustCompile(`<td>2024-03-01 21:00 JST</td>`)},
		{"overview balance", "/admin/overview", regexp.MustCompile(`as of \d{4}-\d\d-\d\d \d\d:\d\d JST`)},
	}
	for _, p := range pages {
		body := adm.get(p.path).Body.String()
		if !p.want.MatchString(body) {
			t.Errorf("%s: no %s:\n%.3000s", p.name, p.want, body)
		}
		if strings.Contains(body, " UTC<") || strings.Contains(body, " CAT<") {
			t.Errorf("%s: a time is still in another zone", p.name)
		}
	}
	body := adm.post("/link", nil).Body.String()
	if !strings.Contains(body, `<span id="expires">21:10 JST</span>`) {
		t.Errorf("link code: no expiry in JST:\n%.2000s", body)
	}
}

// TestDashboardLabels: one person under a masked and a full number ranks
// twice among the top counterparties, told apart by the last digits, and
// the chart never shows a whole number; RWF taxes are not called E-Levy.
func TestDashboardLabels(t *testing.T) {
	hs := newHarness(t)
	hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	a.uploadFile(readExample(t))
	body := a.get("/").Body.String()

	start := strings.Index(body, `<figure id="top-RWF">`)
	end := strings.Index(body[max(start, 0):], "</figure>")
	if start < 0 || end < 0 {
		t.Fatalf("no top counterparties:\n%.3000s", body)
	}
	top := body[start : start+end]
	svg := top[:strings.Index(top, "<details>")]
	for _, label := range []string{"Eric Sample ·102", "Eric Sample ·011"} {
		if strings.Count(top, label) < 2 {
			t.Errorf("%q is not in both the chart and the table:\n%s", label, top)
		}
	}
	if strings.Contains(svg, "250788") {
		t.Errorf("the chart shows a whole number:\n%s", svg)
	}
	if !strings.Contains(body, "<dt>Taxes</dt>") || strings.Contains(body, "E-Levy") {
		t.Error("RWF taxes are not labelled plainly")
	}
}

// TestEmptyRangePointsToTheData: a range without money, on an account
// that has some, says where the money is instead of asking for an upload;
// an account without any still asks for one.
func TestEmptyRangePointsToTheData(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	hs.account("bob", momo.AdminNever)
	a, b := hs.agent(), hs.agent()
	a.login("alice", false)
	b.login("bob", false)
	a.uploadFile(readExample(t))

	days := hs.report(momo.ReportQuery{Owner: alice.ID, Series: true}).Days
	first, last := days[0].Day, days[0].Day
	for _, d := range days {
		first, last = min(first, d.Day), max(last, d.Day)
	}
	want := "your transactions run from " + first + " to " + last + "."
	tests := []struct{ query, says string }{
		{"range=month", "No transactions between 2024-03-01 and 2024-03-01;"},
		{"from=2026-01-01", "No transactions from 2026-01-01 on;"},
		{"to=2024-12-31", "No transactions up to 2024-12-31;"},
	}
	for _, tt := range tests {
		body := a.get("/?" + tt.query).Body.String()
		if !strings.Contains(body, tt.says) || !strings.Contains(body, want) || !strings.Contains(body, `href="/?range=all" id="show-all"`) {
			t.Errorf("%s: no %q ... %q:\n%.2500s", tt.query, tt.says, want, body)
		}
		if strings.Contains(body, "Upload an SMS Backup") {
			t.Errorf("%s: asks for an upload although the account has data", tt.query)
		}
	}
	if body := b.get("/?range=month").Body.String(); !strings.Contains(body, "Upload an SMS Backup") {
		t.Error("an account without data is not asked for an upload")
	}
}

// TestLinkPageWords: the channels are named in plain words, the bots as
// far as the operator connected them; the settings say what the timezone
// changes and what it does not.
func TestLinkPageWords(t *testing.T) {
	for _, telegram := range []bool{false, true} {
		hs := newHarness(t, func(c *Config) { c.Telegram = telegram })
		hs.account("alice", momo.AdminNever)
		a := hs.agent()
		a.login("alice", false)
		a.uploadFile(readExample(t))

		body := a.get("/link").Body.String()
		if !strings.Contains(body, "<td>Uploads on this site</td>") || strings.Contains(body, "<td>upload</td>") {
			t.Errorf("telegram %v: the upload channel is not named plainly:\n%.2500s", telegram, body)
		}
		says := "the MoMo Analytics bot on Telegram, or its WhatsApp number, once the operator has\nconnected them"
		if telegram {
			says = "the MoMo Analytics bot on Telegram (or its WhatsApp number, once\nthe operator has connected it)"
		}
		if !strings.Contains(body, says) {
			t.Errorf("telegram %v: the bots are not named as %q", telegram, says)
		}
		if body := a.get("/settings").Body.String(); !strings.Contains(body, "Totals and the\n  date filter count days as the SMS were imported") {
			t.Errorf("the settings do not say what the timezone does not change:\n%.2500s", body)
		}
	}
}
