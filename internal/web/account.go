package web

import (
	"net/http"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/password"
)

// changePassword needs the current password, applies the policy to the
// new one, and ends every other session and remember-me token.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	current, pw, confirm := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("confirm")
	refuse := func(msg string) error {
		prefs, err := s.store.Preferences(r.Context(), v.user.ID)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "settings", page{Title: "Account settings", Error: msg,
			Data: prefsView{Prefs: prefs, Zones: suggestedZones, Currencies: offeredCurrencies}})
		return nil
	}

	ok, _, err := s.verify(r.Context(), v.user.PasswordHash, current)
	if momo.ErrorCode(err) == momo.CodeUnavailable {
		return err
	}
	if err != nil || !ok {
		s.securityEvent(r, momo.AuditLoginFailed, v.user, "wrong current password at password change")
		return refuse("The current password is wrong.")
	}
	if err := password.Check(pw); err != nil {
		return refuse(capitalise(err.Error()) + ".")
	}
	if pw != confirm {
		return refuse("The two new passwords differ.")
	}
	hash, err := s.hash(r.Context(), pw)
	if err != nil {
		return err
	}

	a := s.auditOf(r, momo.AuditPasswordChange, v.user, "")
	if err := s.store.ChangePassword(r.Context(), v.user.ID, hash, v.session.IDHash, a); err != nil {
		return err
	}
	s.logAudit(a)
	s.clearCookie(w, s.cookies.remember)
	http.Redirect(w, r, "/settings?changed=1", http.StatusSeeOther)
	return nil
}

// logoutEverywhere ends every session and remember-me token of the
// account, this one included.
func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	a := s.auditOf(r, momo.AuditLogoutAll, v.user, "")
	if err := s.store.EndUserSessions(r.Context(), v.user.ID, a); err != nil {
		return err
	}
	s.logAudit(a)
	s.clearCookie(w, s.cookies.session)
	s.clearCookie(w, s.cookies.remember)
	http.Redirect(w, r, "/login?signedout=all", http.StatusSeeOther)
	return nil
}
