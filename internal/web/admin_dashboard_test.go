package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/chart"
)

// TestAdminOverview: the admin sees the aggregate of every subscriber,
// the list of subscribers, and opening one's transactions is audited.
func TestAdminOverview(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		root := hs.account("root", momo.AdminAlways)
		alice := hs.account("alice", momo.AdminNever)
		hs.account("bob", momo.AdminNever)
		a, b, adm := hs.agent(), hs.agent(), hs.agent()
		a.login("alice", false)
		b.login("bob", false)
		adm.login("root", false)
		a.uploadFile(readExample(t))
		b.uploadFile(smsXML(smsElement("+250788000111", "Not a money message at all", 1741000000000)))

		all := hs.report(momo.ReportQuery{})
		body := adm.get("/admin/overview").Body.String()
		if n := dataValue(t, body, "in-RWF"); n != monthSums(all)["RWF"][0] {
			t.Errorf("overview: in %d, report %v", n, monthSums(all)["RWF"])
		}
		for id, want := range map[string]int{"count-transactions": all.Transactions, "count-unrecognized": all.Unrecognized} {
			if !strings.Contains(body, fmt.Sprintf(`id="%s">%d<`, id, want)) {
				t.Errorf("overview lacks %s = %d", id, want)
			}
		}
		if all.Unrecognized < 1 || !strings.Contains(body, `id="unrecognized-by"`) {
			t.Errorf("unrecognized per operator missing (%d unrecognized)", all.Unrecognized)
		}
		if strings.Contains(body, "Not a money message") {
			t.Error("the overview shows an SMS")
		}
		if strings.Contains(body, `id="top-RWF"`) || strings.Contains(body, "Patrick Testman") {
			t.Error("the overview names people's counterparties")
		}

		owned, err := hs.store.OwnedSubscribers(context.Background(), alice.ID)
		if err != nil || len(owned) != 1 {
			t.Fatalf("alice's subscribers: %v %v", owned, err)
		}
		path := fmt.Sprintf("/admin/subscribers/%d", owned[0].Subscriber.ID)
		if !strings.Contains(body, `href="`+path+`"`) {
			t.Errorf("the overview does not link %s", path)
		}
		if len(hs.auditRows(momo.AuditAdminView)) != 0 {
			t.Fatal("audited before any view")
		}
		w := adm.get(path)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="tx-table"`) {
			t.Fatalf("%s: %d", path, w.Code)
		}
		rows := hs.auditRows(momo.AuditAdminView)
		if len(rows) != 1 || rows[0].ActorID != root.ID || rows[0].TargetID != alice.ID || rows[0].IP == "" || rows[0].UserAgent == "" ||
			!strings.Contains(rows[0].Detail, fmt.Sprint(owned[0].Subscriber.ID)) {
			t.Errorf("admin view audit: %+v", rows)
		}
		if w := b.get(path); w.Code != http.StatusForbidden {
			t.Errorf("bob on %s: %d", path, w.Code)
		}
		if n := len(hs.auditRows(momo.AuditAdminView)); n != 1 {
			t.Errorf("%d admin views audited after bob's refusal, want 1", n)
		}
	})
}

// TestChartStyles: every page links the chart package's stylesheet, which
// /static/chart.css serves as it is.
func TestChartStyles(t *testing.T) {
	a := newHarness(t).agent()
	w := a.get("/static/chart.css")
	if w.Code != http.StatusOK || w.Body.String() != chart.Stylesheet || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("/static/chart.css: %d %q, %d bytes; want the chart stylesheet", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}
	if page := a.get("/login").Body.String(); !strings.Contains(page, `href="/static/chart.css"`) {
		t.Error("the layout does not link /static/chart.css")
	}
}
