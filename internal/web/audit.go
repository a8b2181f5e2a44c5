package web

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/momoanalytics/momo"
)

// auditOf describes an action of the visitor on r. actor may be nil (a
// failed sign-in, a stolen cookie).
func (s *Server) auditOf(r *http.Request, action string, actor *momo.User, detail string) momo.Audit {
	cl := clientOf(r)
	a := momo.Audit{At: s.now(), Action: action, IP: cl.IP, UserAgent: cl.UserAgent, Detail: detail}
	if actor != nil {
		a.ActorID, a.Actor = actor.ID, actor.UsernameKey
	}
	return a
}

// logAudit writes the structured log line that goes with an audit row.
func (s *Server) logAudit(a momo.Audit) {
	level := s.log.Info
	switch a.Action {
	case momo.AuditLoginFailed, momo.AuditRememberTheft, momo.AuditSessionAgent, momo.AuditSessionMoved:
		level = s.log.Warn
	}
	level("Audit", "event", a.Action, "user_id", int64(a.ActorID), "user", logText(a.Actor), "target_id", int64(a.TargetID),
		"client_ip", logText(a.IP), "user_agent", logText(a.UserAgent), "detail", logText(a.Detail))
}

// maxLogText bounds a client-supplied text in a log line, as the audit
// log's columns are bounded.
const maxLogText = 256

// logText makes a text the client chose fit for a log line: valid UTF-8,
// no control or line-separator characters (which could forge a line or
// hide in a terminal), at most maxLogText bytes without cutting a UTF-8
// sequence in two.
func logText(s string) string {
	s = strings.Map(func(r rune) rune {
		if invisible(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if len(s) <= maxLogText {
		return s
	}
	cut := maxLogText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// securityEvent writes an audit row of its own and its log line; a failure
// to write it is logged, not shown: the request goes on.
func (s *Server) securityEvent(r *http.Request, action string, actor *momo.User, detail string) {
	a := s.auditOf(r, action, actor, detail)
	if actor != nil {
		a.TargetID = actor.ID
	}
	s.addAudit(r, a)
}

// auditTimeout bounds the write of an audit row that outlives its request.
const auditTimeout = 5 * time.Second

// addAudit writes a as a row of its own, and its log line. The row is
// written even when the client has gone: an export or an upload cut short
// is what the audit log must show most of all.
func (s *Server) addAudit(r *http.Request, a momo.Audit) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
	defer cancel()
	if err := s.store.AddAudit(ctx, a); err != nil {
		s.log.Error("Audit row not written", "event", a.Action, "error", err)
	}
	s.logAudit(a)
}
