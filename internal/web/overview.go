package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/momoanalytics/momo"
)

// maxSubscribersListed bounds the admin's list of subscribers.
const maxSubscribersListed = 200

// overviewView is the admin's aggregate: the dashboard's figures over
// every subscriber, without any counterparty, and the subscribers.
type overviewView struct {
	dashboardView
	Subscribers []momo.SubscriberSummary
}

// overview shows the analytics over every subscriber (Owner and
// Subscriber both 0): volumes, risk levels and the unrecognized messages
// per guessed operator, which are the work list for new templates.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) error {
	// The admin reads the times in their own timezone, as on their
	// dashboard; the currency preference orders the sections too.
	prefs, loc, f, err := s.viewerFilter(r)
	if err != nil {
		return err
	}
	// The names of people's counterparties have no place in the admin's
	// aggregate: the store is asked for none.
	q := momo.ReportQuery{From: f.From, To: f.To, Top: -1}
	view, err := s.analytics(r, q, f, prefs, loc)
	if err != nil {
		return err
	}
	subs, err := s.store.Subscribers(r.Context(), maxSubscribersListed)
	if err != nil {
		return err
	}
	for i := range view.Presets {
		view.Presets[i].URL = "/admin/overview" + view.Presets[i].URL[1:]
	}
	s.render(w, r, http.StatusOK, "overview", page{Title: "Overview of every subscriber",
		Data: overviewView{dashboardView: view, Subscribers: subs}}.inZone(loc))
	return nil
}

// subscriberPage is one subscriber's transactions for the admin.
type subscriberPage struct {
	dashboardView
	Summary momo.SubscriberSummary
}

// subscriberView shows one subscriber's transactions to an admin, and
// audits that it did: reading someone's money is an action of
// consequence. No audit row, no page.
func (s *Server) subscriberView(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n <= 0 {
		return momo.E(momo.CodeNotFound, "There is no such subscriber.", nil)
	}
	id := momo.SubscriberID(n)
	after, err := s.decodeCursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	sum, err := s.store.SubscriberSummary(r.Context(), id)
	if err != nil {
		return err
	}

	v := visitorOf(r)
	a := s.auditOf(r, momo.AuditAdminView, v.user, fmt.Sprintf("subscriber %d transactions", id))
	a.TargetID = sum.Owner
	if err := s.store.AddAudit(r.Context(), a); err != nil {
		return err
	}
	s.logAudit(a)

	view := subscriberPage{Summary: sum}
	q := momo.TransactionQuery{Subscriber: id, After: after, Limit: pageRows}
	if err := s.transactionsInto(r, &view.dashboardView, q, fmt.Sprintf("/admin/subscribers/%d", id),
		userZone(momo.Preferences{Timezone: sum.Subscriber.Timezone})); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "subscriber", page{Title: fmt.Sprintf("Subscriber %d", id), Data: view})
	return nil
}
