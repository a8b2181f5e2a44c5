package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// cookieNames are the session and remember-me cookies' names: with the
// __Host- prefix whenever they are Secure, which also makes the browser
// refuse them with a Domain or a Path other than /.
type cookieNames struct{ session, remember string }

func names(secure bool) cookieNames {
	if secure {
		return cookieNames{"__Host-momo_session", "__Host-momo_remember"}
	}
	return cookieNames{"momo_session", "momo_remember"}
}

// touchEvery bounds how often a session's last activity is written: the
// idle timeout is counted in minutes, not in requests.
const touchEvery = time.Minute

// rememberGrace lets through, once, a replaced remember cookie that a
// second request of the same browser (the same user agent) sent at the
// moment of the rotation. Any other reuse of a replaced validator is
// theft.
const rememberGrace = 30 * time.Second

// visitor is who is signed in on a request, if anyone.
type visitor struct {
	user    *momo.User
	session *momo.Session
	// formToken proves, on a POST, that the form came from our page in
	// this session.
	formToken string
}

type visitorKey struct{}

func visitorOf(r *http.Request) visitor {
	v, _ := r.Context().Value(visitorKey{}).(visitor)
	return v
}

// withSession finds the visitor from the session cookie, or from the
// remember-me cookie when there is no live session.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		v, err := s.visitor(w, r)
		if err != nil && r.URL.Path != "/health" { // /health reports the outage itself
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitorKey{}, v)))
	})
}

func (s *Server) visitor(w http.ResponseWriter, r *http.Request) (visitor, error) {
	v, dropped, err := s.fromSession(w, r)
	if err != nil || v.user != nil {
		return v, err
	}
	if dropped {
		// The session was moved to another browser: its remember cookie
		// must not sign that browser straight back in.
		s.clearCookie(w, s.cookies.remember)
		return visitor{}, nil
	}
	return s.fromRemember(w, r)
}

// fromSession checks the session cookie: known, not expired, not idle too
// long, and presented by the user agent that signed in. dropped reports a
// session ended because another user agent presented it.
func (s *Server) fromSession(w http.ResponseWriter, r *http.Request) (v visitor, dropped bool, err error) {
	c, err := r.Cookie(s.cookies.session)
	if err != nil || c.Value == "" {
		return visitor{}, false, nil
	}
	now := s.now()
	id := hashToken(c.Value)
	ses, user, err := s.store.Session(r.Context(), id, now)
	if momo.ErrorCode(err) == momo.CodeNotFound {
		s.clearCookie(w, s.cookies.session)
		return visitor{}, false, nil
	}
	if err != nil {
		return visitor{}, false, err
	}

	cl := clientOf(r)
	switch {
	case now.Sub(ses.LastSeenAt) > s.cfg.SessionIdle:
		return visitor{}, false, s.endSession(w, r, id)
	case !hmac.Equal([]byte(ses.UserAgentHash), []byte(hashToken(cl.UserAgent))):
		s.securityEvent(r, momo.AuditSessionAgent, &user, "session presented by another user agent")
		return visitor{}, true, s.endSession(w, r, id)
	}

	if err := s.touch(r, &ses, &user, now); err != nil {
		return visitor{}, false, err
	}
	return visitor{user: &user, session: &ses, formToken: s.formToken(id)}, false, nil
}

// touch records activity and a change of network address, which is
// common on mobile data: it is logged, and admin actions then need a fresh
// sign-in.
func (s *Server) touch(r *http.Request, ses *momo.Session, user *momo.User, now time.Time) error {
	ip := clientOf(r).IP
	moved := ses.IP != ip
	if moved {
		s.securityEvent(r, momo.AuditSessionMoved, user, "from "+ses.IP)
		ses.IP, ses.Reauth = ip, true
	}
	if !moved && now.Sub(ses.LastSeenAt) < touchEvery {
		return nil
	}
	ses.LastSeenAt = now
	return s.store.TouchSession(r.Context(), *ses)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, id string) error {
	s.clearCookie(w, s.cookies.session)
	return s.store.EndSession(r.Context(), id)
}

// fromRemember signs in with the remember-me cookie: the validator must
// match the stored hash, and is then replaced. A live selector with a
// validator that does not match means the cookie was copied and used
// elsewhere: every session and token of the user ends.
func (s *Server) fromRemember(w http.ResponseWriter, r *http.Request) (visitor, error) {
	c, err := r.Cookie(s.cookies.remember)
	if err != nil || c.Value == "" {
		return visitor{}, nil
	}
	selector, validator, ok := strings.Cut(c.Value, ".")
	if !ok || selector == "" || validator == "" {
		s.clearCookie(w, s.cookies.remember)
		return visitor{}, nil
	}
	now := s.now()
	tok, err := s.store.RememberToken(r.Context(), selector, now)
	if momo.ErrorCode(err) == momo.CodeNotFound {
		s.clearCookie(w, s.cookies.remember)
		return visitor{}, nil
	}
	if err != nil {
		return visitor{}, err
	}

	presented := hashToken(validator)
	if hmac.Equal([]byte(presented), []byte(tok.ValidatorHash)) {
		return s.rotateRemember(w, r, tok, presented)
	}
	grace := graceKey(presented, hashToken(clientOf(r).UserAgent))
	if tok.PreviousHash != "" && now.Sub(tok.RotatedAt) < rememberGrace &&
		hmac.Equal([]byte(grace), []byte(tok.PreviousHash)) {
		// The same browser, racing itself: sign in without rotating (the
		// other response carries the new cookie), and only once.
		used, err := s.store.UseRememberGrace(r.Context(), tok.Selector, tok.PreviousHash)
		if err != nil {
			return visitor{}, err
		}
		if used {
			return s.rememberSession(w, r, tok.UserID)
		}
	}
	return visitor{}, s.rememberTheft(w, r, tok)
}

// graceKey is what a token keeps of its replaced validator: bound to the
// user agent that had it replaced, so that the grace serves that browser
// only.
func graceKey(validatorHash, agentHash string) string {
	return hashToken("remember grace\x00" + validatorHash + "\x00" + agentHash)
}

func (s *Server) rotateRemember(w http.ResponseWriter, r *http.Request, tok momo.RememberToken, current string) (visitor, error) {
	validator := newToken()
	grace := graceKey(current, hashToken(clientOf(r).UserAgent))
	rotated, err := s.store.RotateRememberToken(r.Context(), tok.Selector, current, hashToken(validator), grace, s.now())
	if err != nil {
		return visitor{}, err
	}
	if rotated {
		s.setCookie(w, s.cookies.remember, tok.Selector+"."+validator, tok.ExpiresAt)
	}
	return s.rememberSession(w, r, tok.UserID)
}

// rememberSession starts a session for the remembered user, if the account
// is still active.
func (s *Server) rememberSession(w http.ResponseWriter, r *http.Request, id momo.UserID) (visitor, error) {
	user, err := s.store.UserByID(r.Context(), id)
	if err != nil && momo.ErrorCode(err) != momo.CodeNotFound {
		return visitor{}, err
	}
	if err != nil || !user.Active {
		s.clearCookie(w, s.cookies.remember)
		return visitor{}, nil
	}
	ses, raw, err := s.startSession(w, r, &user, momo.AuditLoginRemember, "")
	if momo.ErrorCode(err) == momo.CodeNotFound { // deactivated meanwhile
		s.clearCookie(w, s.cookies.remember)
		return visitor{}, nil
	}
	if err != nil {
		return visitor{}, err
	}
	return visitor{user: &user, session: &ses, formToken: s.formToken(hashToken(raw))}, nil
}

func (s *Server) rememberTheft(w http.ResponseWriter, r *http.Request, tok momo.RememberToken) error {
	s.clearCookie(w, s.cookies.remember)
	s.clearCookie(w, s.cookies.session)
	a := s.auditOf(r, momo.AuditRememberTheft, nil, "a replaced remember-me validator was used again; every session of the account ended")
	if err := s.store.EndUserSessions(r.Context(), tok.UserID, a); err != nil {
		return err
	}
	s.log.Warn("Remember-me cookie reused: possible theft", "event", a.Action, "user_id", tok.UserID,
		"client_ip", logText(a.IP), "user_agent", logText(a.UserAgent))
	return nil
}

// startSession signs user in with a new session id, replacing the
// session the browser had (its id is never reused: no fixation).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, user *momo.User, action, detail string) (momo.Session, string, error) {
	now := s.now()
	raw := newToken()
	cl := clientOf(r)
	ses := momo.Session{
		IDHash: hashToken(raw), UserID: user.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.SessionLifetime), UserAgentHash: hashToken(cl.UserAgent), IP: cl.IP,
		// A remember cookie proves a browser, not the person at it: the
		// admin pages ask for the password first, as after a move.
		Reauth: action == momo.AuditLoginRemember,
	}
	var replaced string
	if c, err := r.Cookie(s.cookies.session); err == nil && c.Value != "" {
		replaced = hashToken(c.Value)
	}
	a := s.auditOf(r, action, user, detail)
	if err := s.store.StartSession(r.Context(), ses, replaced, a); err != nil {
		return momo.Session{}, "", err
	}
	s.logAudit(a)
	// No Expires: the cookie ends with the browser; the server ends the
	// session at its absolute lifetime or when idle, whichever is first.
	s.setCookie(w, s.cookies.session, raw, time.Time{})
	user.LastLoginAt = now
	return ses, raw, nil
}

// remember gives the browser a new remember-me token.
func (s *Server) remember(w http.ResponseWriter, r *http.Request, user *momo.User) error {
	now := s.now()
	selector, validator := newToken()[:22], newToken()
	tok := momo.RememberToken{Selector: selector, ValidatorHash: hashToken(validator), UserID: user.ID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.RememberLifetime)}
	if err := s.store.AddRememberToken(r.Context(), tok); err != nil {
		return err
	}
	s.setCookie(w, s.cookies.remember, selector+"."+validator, tok.ExpiresAt)
	return nil
}

// forgetRemembered deletes the token of the browser's remember cookie.
func (s *Server) forgetRemembered(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(s.cookies.remember)
	if err != nil {
		return nil
	}
	s.clearCookie(w, s.cookies.remember)
	selector, _, _ := strings.Cut(c.Value, ".")
	if selector == "" {
		return nil
	}
	return s.store.DeleteRememberToken(r.Context(), selector)
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, expires time.Time) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", Secure: s.cfg.CookieSecure, HttpOnly: true,
		SameSite: http.SameSiteLaxMode}
	if !expires.IsZero() {
		c.Expires = expires
		c.MaxAge = int(expires.Sub(s.now()) / time.Second)
		if c.MaxAge <= 0 {
			c.MaxAge = -1
		}
	}
	http.SetCookie(w, c)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: s.cfg.CookieSecure,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// newToken returns 256 bits from the CSPRNG, as 52 base32 characters.
func newToken() string {
	return rand.Text() + rand.Text()
}

// hashToken is how session ids, validators and user agents are stored: a
// copy of the database then signs nobody in.
func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// formToken is the session's form token: a MAC of its stored id, so that
// it needs no storage and dies with the session.
func (s *Server) formToken(sessionHash string) string {
	m := hmac.New(sha256.New, s.cfg.FormKey)
	m.Write([]byte("form token\x00" + sessionHash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkForm refuses a signed-in POST without the session's form token:
// defence in depth behind the cross-origin check.
func checkForm(r *http.Request, v visitor) error {
	got := r.PostFormValue("csrf")
	if v.formToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(v.formToken)) != 1 {
		return momo.E(momo.CodeUnauthorized, "This form has expired. Please go back, reload the page and try again.", nil)
	}
	return nil
}

// signedIn lets signed-in visitors through; the others go to the sign-in
// page, which brings them back. POSTs also need the form token.
func (s *Server) signedIn(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := visitorOf(r)
		if v.user == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				return err
			}
			if err := checkForm(r, v); err != nil {
				return err
			}
		}
		return h(w, r)
	}
}

// admin lets admins through; a session whose address changed, or that a
// remember cookie started, must sign in again with the password first.
func (s *Server) admin(h handlerFunc) handlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request) error {
		v := visitorOf(r)
		if !v.user.Admin {
			return momo.E(momo.CodeUnauthorized, "This page is for admins.", nil)
		}
		if v.session.Reauth {
			next := r.URL.RequestURI()
			if r.Method == http.MethodPost {
				next = "/admin/users"
			}
			http.Redirect(w, r, "/login?reauth=1&next="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	})
}

// Bounds of a form: the largest is a few hundred bytes in six fields.
const (
	maxForm   = 16 << 10
	maxFields = 32
)

// statusError is an error answered with a status no momo.Code gives.
type statusError struct {
	status int
	err    *momo.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

var (
	errFormTooLarge = &statusError{http.StatusRequestEntityTooLarge,
		momo.E(momo.CodeInvalid, "This form is too large.", nil)}
	errFormType = &statusError{http.StatusUnsupportedMediaType,
		momo.E(momo.CodeInvalid, "Forms are sent as application/x-www-form-urlencoded.", nil)}
)

// parseForm reads a POST's form into r.PostForm. A body over maxForm
// bytes or maxFields fields is refused with 413: read as an empty form,
// it would be answered as if the fields had been left blank.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if r.Body == nil || r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		r.PostForm = url.Values{}
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return errFormType
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxForm))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return errFormTooLarge
	}
	if err != nil {
		return momo.E(momo.CodeInvalid, "The form could not be read.", err)
	}
	if bytes.Count(body, []byte("&"))+1 > maxFields {
		return errFormTooLarge
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return momo.E(momo.CodeInvalid, "The form could not be read.", err)
	}
	r.PostForm = vals
	return nil
}
