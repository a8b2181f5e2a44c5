package web

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/password"
)

// loginFailed is the one answer to a wrong username, a wrong password and
// a deactivated account alike.
const loginFailed = "Wrong username or password."

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := page{Title: "Sign in", Next: safeNext(q.Get("next"))}
	switch {
	case q.Get("registered") == "1":
		p.Notice = "Your account was created. Sign in to continue."
	case q.Get("reauth") == "1":
		p.Notice = "The admin pages need your password: sign in again to continue."
	case q.Get("signedout") == "1":
		p.Notice = "You are signed out."
	case q.Get("signedout") == "all":
		p.Notice = "You are signed out on every device."
	}
	s.render(w, r, http.StatusOK, "login", p)
	return nil
}

// login checks the credentials with the same work whatever is wrong: an
// unknown username is checked against a dummy hash, a deactivated account's
// password is checked before it is refused.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	name := r.PostFormValue("username")
	pw := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	if refused, err := s.accountLimited(w, r, name); refused || err != nil {
		return err
	}

	user, found, err := s.lookup(r, name)
	if err != nil {
		return err
	}
	stored := s.dummyHash
	if found {
		stored = user.PasswordHash
	}
	ok, upgrade, err := s.verify(r.Context(), stored, pw)
	if momo.ErrorCode(err) == momo.CodeUnavailable {
		return err
	}
	if err != nil && found {
		s.log.Error("Stored password hash unusable", "user_id", int64(user.ID), "error", err)
	}
	if !found || !ok || !user.Active {
		s.countFailure(r, name)
		return s.loginRefused(w, r, name, next, user, found, ok)
	}

	if upgrade {
		s.upgradeHash(r, &user, pw)
	}
	if _, _, err := s.startSession(w, r, &user, momo.AuditLogin, ""); err != nil {
		if momo.ErrorCode(err) == momo.CodeNotFound { // deactivated meanwhile
			return s.loginRefused(w, r, name, next, user, found, false)
		}
		return err
	}
	if err := s.forgetRemembered(w, r); err != nil {
		return err
	}
	if r.PostFormValue("remember") != "" {
		if err := s.remember(w, r, &user); err != nil {
			return err
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// accountLimited answers 429 when the username has had too many failed
// sign-ins lately, from whatever addresses: refused reports that it did.
func (s *Server) accountLimited(w http.ResponseWriter, r *http.Request, name string) (refused bool, err error) {
	key, ok := accountKey(name)
	if s.cfg.Limits.Off || !ok {
		return false, nil
	}
	l := s.cfg.Limits.Account
	res, err := s.limiter.Peek(r.Context(), key, l)
	if err != nil {
		return true, momo.E(momo.CodeUnavailable, "Please try again in a moment.", err)
	}
	if !res.Allowed {
		s.tooMany(w, r, l, res.RetryAfter)
		return true, nil
	}
	return false, nil
}

// countFailure counts a failed sign-in against its username; a failure to
// count is logged, the answer is the same.
func (s *Server) countFailure(r *http.Request, name string) {
	key, ok := accountKey(name)
	if s.cfg.Limits.Off || !ok {
		return
	}
	if _, err := s.limiter.Allow(r.Context(), key, s.cfg.Limits.Account); err != nil {
		s.log.Error("Failed sign-in not counted", "event", "ratelimit.store_unavailable", "error", err)
	}
}

// accountKey is the rate-limit key of a typed username: its account key,
// so that "Alice" and "alice" count together. A name that cannot be a
// username has no account to protect.
func accountKey(name string) (string, bool) {
	_, key, err := UsernameKey(name)
	if err != nil {
		return "", false
	}
	return "user:" + key, true
}

// lookup finds the account of a typed username; found is false for a name
// that cannot be a username at all.
func (s *Server) lookup(r *http.Request, name string) (momo.User, bool, error) {
	_, key, err := UsernameKey(name)
	if err != nil {
		return momo.User{}, false, nil
	}
	user, err := s.store.UserByName(r.Context(), key)
	if err != nil {
		if momo.ErrorCode(err) == momo.CodeNotFound {
			return momo.User{}, false, nil
		}
		return momo.User{}, false, err
	}
	return user, true, nil
}

func (s *Server) loginRefused(w http.ResponseWriter, r *http.Request, name, next string, user momo.User, found, ok bool) error {
	reason := "unknown username"
	switch {
	case found && !ok:
		reason = "wrong password"
	case found:
		reason = "account deactivated"
	}
	a := s.auditOf(r, momo.AuditLoginFailed, nil, reason)
	a.Actor = clipText(name, 64)
	if found {
		a.TargetID = user.ID
	}
	if err := s.store.AddAudit(r.Context(), a); err != nil {
		return err
	}
	s.logAudit(a)
	s.render(w, r, http.StatusUnauthorized, "login", page{Title: "Sign in", Error: loginFailed, Next: next,
		Form: map[string]string{"username": clipText(name, 64)}})
	return nil
}

// upgradeHash rehashes a password stored with fewer iterations than
// today's; a failure only postpones it to the next sign-in.
func (s *Server) upgradeHash(r *http.Request, user *momo.User, pw string) {
	h, err := s.hash(r.Context(), pw)
	if err == nil {
		err = s.store.UpgradePasswordHash(r.Context(), user.ID, user.PasswordHash, h)
	}
	if err != nil {
		s.log.Warn("Password hash not upgraded", "user_id", int64(user.ID), "error", err)
		return
	}
	user.PasswordHash = h
	s.log.Info("Password hash upgraded", "event", "password.upgrade", "user_id", int64(user.ID))
}

// limitPassword keeps an oversized password from costing more than a
// normal one: it can never match, since none longer is ever stored.
func limitPassword(pw string) string {
	if len(pw) > password.MaxBytes {
		return pw[:password.MaxBytes]
	}
	return pw
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := visitorOf(r)
	if v.user != nil {
		if err := checkForm(r, v); err != nil {
			return err
		}
		if err := s.store.EndSession(r.Context(), v.session.IDHash); err != nil {
			return err
		}
		s.securityEvent(r, momo.AuditLogout, v.user, "")
	}
	if err := s.forgetRemembered(w, r); err != nil {
		return err
	}
	s.clearCookie(w, s.cookies.session)
	http.Redirect(w, r, "/login?signedout=1", http.StatusSeeOther)
	return nil
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	if !s.cfg.RegistrationOpen {
		return errRegistrationClosed
	}
	s.render(w, r, http.StatusOK, "register", page{Title: "Create an account"})
	return nil
}

var errRegistrationClosed = momo.E(momo.CodeUnauthorized, "Registration is closed. Ask an administrator for an account.", nil)

// register creates an account; the first one becomes admin. It says when
// a username is taken, and never anything about an email address (which
// is not unique).
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if !s.cfg.RegistrationOpen {
		return errRegistrationClosed
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := map[string]string{"username": r.PostFormValue("username"), "email": r.PostFormValue("email")}
	u, msg, err := s.newAccount(r, f["username"], f["email"], r.PostFormValue("password"), r.PostFormValue("confirm"))
	if err != nil {
		return err
	}
	if msg != "" {
		s.render(w, r, http.StatusBadRequest, "register", page{Title: "Create an account", Error: msg, Form: f})
		return nil
	}

	a := s.auditOf(r, momo.AuditRegister, nil, "")
	created, err := s.store.CreateUser(r.Context(), u, momo.AdminIfFirst, a)
	if momo.ErrorCode(err) == momo.CodeConflict {
		s.render(w, r, http.StatusConflict, "register", page{Title: "Create an account",
			Error: "That username is taken; choose another.", Form: f})
		return nil
	}
	if err != nil {
		return err
	}
	a.ActorID, a.Actor, a.TargetID = created.ID, created.UsernameKey, created.ID
	if created.Admin {
		a.Detail = "admin"
	}
	s.logAudit(a)
	http.Redirect(w, r, "/login?registered=1", http.StatusSeeOther)
	return nil
}

// newAccount validates a registration and hashes its password; msg says
// what is wrong, for the person.
func (s *Server) newAccount(r *http.Request, name, email, pw, confirm string) (momo.User, string, error) {
	display, key, err := UsernameKey(name)
	if err != nil {
		return momo.User{}, err.Error(), nil
	}
	addr, ok := ValidEmail(email)
	if !ok {
		return momo.User{}, "Enter a valid email address.", nil
	}
	if err := password.Check(pw); err != nil {
		return momo.User{}, capitalise(err.Error()) + ".", nil
	}
	if pw != confirm {
		return momo.User{}, "The two passwords differ.", nil
	}
	hash, err := s.hash(r.Context(), pw)
	if err != nil {
		return momo.User{}, "", err
	}
	return momo.User{Username: display, UsernameKey: key, Email: addr, PasswordHash: hash}, "", nil
}

// UsernameKey normalises a username (NFKC, so that full-width and other
// compatibility forms become plain letters, then lower case) and returns
// it as it is shown and as its key, which are the same: with upper case
// shown, "aIice" (a capital i) would pass for "alice". After
// normalisation only ASCII letters, digits, '.', '_' and '-' are allowed,
// and the first and last must be a letter or a digit: look-alikes from
// other scripts, and names of punctuation alone, cannot be made.
func UsernameKey(name string) (display, key string, err error) {
	key = strings.ToLower(norm.NFKC.String(name))
	if n := utf8.RuneCountInString(key); n < 3 || n > 32 {
		return "", "", errorString("A username has 3 to 32 characters.")
	}
	for _, c := range key {
		if !alnum(c) && c != '.' && c != '_' && c != '-' {
			return "", "", errorString("A username has only letters a to z, digits, dots, dashes and underscores.")
		}
	}
	if !alnum(rune(key[0])) || !alnum(rune(key[len(key)-1])) {
		return "", "", errorString("A username starts and ends with a letter or a digit.")
	}
	return key, key, nil
}

func alnum(c rune) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

type errorString string

func (e errorString) Error() string { return string(e) }

// ValidEmail accepts one bare address of at most 254 characters, without
// control or format characters (U+202E would reverse how it reads on the
// accounts page, U+200B hide in it).
func ValidEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 254 || strings.ContainsAny(s, "<>\"") || !utf8.ValidString(s) || hasInvisible(s) {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	_, domain, ok := strings.Cut(s, "@")
	if !ok || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return s, true
}

// safeNext follows only a local path: one leading slash, not two, no
// backslash, no scheme or host, no control characters. Anything else
// goes home.
func safeNext(v string) string {
	if v == "" || len(v) > 512 || v[0] != '/' {
		return "/"
	}
	if len(v) > 1 && (v[1] == '/' || v[1] == '\\') {
		return "/"
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return v
}

// hasInvisible reports a control, format or line-separator character
// (categories Cc, Cf, Zl, Zp).
func hasInvisible(s string) bool {
	return strings.IndexFunc(s, invisible) >= 0
}

func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
