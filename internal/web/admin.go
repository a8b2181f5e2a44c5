package web

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/momoanalytics/momo"
)

func (s *Server) users(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	p := page{Title: "Accounts", Data: users}
	if msg := r.URL.Query().Get("done"); msg != "" {
		p.Notice = doneMessages[msg]
	}
	s.render(w, r, http.StatusOK, "users", p)
	return nil
}

// userActions are what an admin may do to an account, with the audit
// action and the store call of each.
var userActions = map[string]struct {
	audit string
	run   func(s *Server, r *http.Request, id momo.UserID, a momo.Audit) error
}{
	"promote": {momo.AuditPromote, func(s *Server, r *http.Request, id momo.UserID, a momo.Audit) error {
		return s.store.SetAdmin(r.Context(), id, true, a)
	}},
	"demote": {momo.AuditDemote, func(s *Server, r *http.Request, id momo.UserID, a momo.Audit) error {
		return s.store.SetAdmin(r.Context(), id, false, a)
	}},
	"deactivate": {momo.AuditDeactivate, func(s *Server, r *http.Request, id momo.UserID, a momo.Audit) error {
		return s.store.SetActive(r.Context(), id, false, a)
	}},
	"reactivate": {momo.AuditReactivate, func(s *Server, r *http.Request, id momo.UserID, a momo.Audit) error {
		return s.store.SetActive(r.Context(), id, true, a)
	}},
	"logout": {momo.AuditLogoutAll, func(s *Server, r *http.Request, id momo.UserID, a momo.Audit) error {
		return s.store.EndUserSessions(r.Context(), id, a)
	}},
}

var doneMessages = map[string]string{
	"promote":    "The account is now an admin.",
	"demote":     "The account is no longer an admin.",
	"deactivate": "The account is deactivated and signed out everywhere.",
	"reactivate": "The account is active again.",
	"logout":     "The account is signed out everywhere.",
}

func (s *Server) userAction(w http.ResponseWriter, r *http.Request) error {
	act, ok := userActions[r.PathValue("action")]
	if !ok {
		return momo.E(momo.CodeNotFound, "There is no such action.", nil)
	}
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n <= 0 {
		return momo.E(momo.CodeNotFound, "There is no such account.", nil)
	}

	v := visitorOf(r)
	a := s.auditOf(r, act.audit, v.user, "")
	a.TargetID = momo.UserID(n)
	if err := act.run(s, r, momo.UserID(n), a); err != nil {
		return err
	}
	s.logAudit(a)
	http.Redirect(w, r, "/admin/users?done="+r.PathValue("action"), http.StatusSeeOther)
	return nil
}

// auditPage is the audit log page's filter and rows.
type auditPage struct {
	Filter  map[string]string
	Rows    []momo.Audit
	Actions []string
}

var auditActions = []string{
	momo.AuditLogin, momo.AuditLoginRemember, momo.AuditLoginFailed, momo.AuditLogout, momo.AuditLogoutAll,
	momo.AuditRegister, momo.AuditUserCreate, momo.AuditPromote, momo.AuditDemote, momo.AuditDeactivate,
	momo.AuditReactivate, momo.AuditPasswordChange, momo.AuditPasswordReset, momo.AuditRememberTheft,
	momo.AuditSessionMoved, momo.AuditSessionAgent, momo.AuditAdminView, momo.AuditUpload, momo.AuditExport,
	momo.AuditLinkCode, momo.AuditLink, momo.AuditSettings,
}

// auditLog lists the newest 200 rows matching the filter: action, user,
// and a range of days (UTC).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := momo.AuditFilter{Action: q.Get("action"), Actor: q.Get("user"), Limit: 200}
	for _, v := range []string{f.Action, f.Actor} {
		if len(v) > 256 || !utf8.ValidString(v) || hasInvisible(v) {
			return momo.E(momo.CodeInvalid, "The filter holds characters no audit row has.", nil)
		}
	}
	var err error
	if f.From, err = day(q.Get("from")); err != nil {
		return err
	}
	if f.To, err = day(q.Get("to")); err != nil {
		return err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the "to" day is included
	}
	rows, err := s.store.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	filter := map[string]string{"action": f.Action, "user": f.Actor, "from": q.Get("from"), "to": q.Get("to")}
	s.render(w, r, http.StatusOK, "audit", page{Title: "Audit log", Data: auditPage{Filter: filter, Rows: rows, Actions: auditActions}})
	return nil
}

func day(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, momo.E(momo.CodeInvalid, "Dates are written 2006-01-31.", err)
	}
	return t, nil
}
