package momo

import (
	"context"
	"time"
)

// UserID identifies a web account in a store.
type UserID int64

// User is a web account. A user sees only the subscribers linked to their
// account; an admin also manages accounts and reads the audit log.
type User struct {
	ID UserID
	// Username is shown as the person typed it (after Unicode
	// normalisation); UsernameKey is its case-folded form, unique per store,
	// so that look-alike duplicates cannot be made.
	Username    string
	UsernameKey string
	Email       string
	// PasswordHash is in Werkzeug's form, pbkdf2:sha256:ITERATIONS$SALT$HEX.
	PasswordHash string
	Admin        bool
	Active       bool
	CreatedAt    time.Time
	LastLoginAt  time.Time // zero before the first sign-in
}

// AdminRule says whether a new account is an admin.
type AdminRule int

// Admin rules for CreateUser.
const (
	// AdminIfFirst makes the account an admin when there is no account
	// yet, decided inside the transaction that creates it, so that two
	// simultaneous first registrations cannot both win.
	AdminIfFirst AdminRule = iota
	AdminNever
	AdminAlways
)

// Session is a server-side session. Stores keep a hash of its id, never
// the id itself, so a copy of the database signs nobody in.
type Session struct {
	IDHash     string
	UserID     UserID
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute lifetime
	// UserAgentHash fingerprints the browser that signed in: a session
	// presented by another user agent is dropped.
	UserAgentHash string
	IP            string
	// Reauth is set when the client address changed: the person must sign
	// in again before any admin action.
	Reauth bool
}

// RememberToken lets a browser sign in again without a password: the
// cookie holds a selector and a validator, the store the validator's hash.
// Every use replaces the validator; a reused old one means the cookie was
// copied.
type RememberToken struct {
	Selector      string
	ValidatorHash string
	// PreviousHash and RotatedAt let a browser that sent two requests at
	// once with the same cookie in the moment of a rotation through.
	PreviousHash string
	RotatedAt    time.Time
	UserID       UserID
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// Audit is one row of the audit log: who did what, when, from where. It
// never holds a password, key, token or SMS body.
type Audit struct {
	ID        int64
	At        time.Time
	ActorID   UserID // 0 when nobody was signed in
	Actor     string // the actor's username, or the name tried at a failed login
	Action    string
	TargetID  UserID // the account acted on, 0 when none
	IP        string
	UserAgent string
	Detail    string
}

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginRemember  = "login.remember"
	AuditLoginFailed    = "login.failed"
	AuditLogout         = "logout"
	AuditLogoutAll      = "logout.everywhere"
	AuditRegister       = "register"
	AuditUserCreate     = "user.create"
	AuditPromote        = "user.promote"
	AuditDemote         = "user.demote"
	AuditDeactivate     = "user.deactivate"
	AuditReactivate     = "user.reactivate"
	AuditPasswordChange = "password.change"
	AuditPasswordReset  = "password.reset"
	AuditRememberTheft  = "remember.theft"
	AuditSessionMoved   = "session.ip_changed"
	AuditSessionAgent   = "session.agent_changed"
	AuditAdminView      = "admin.view"
)

// AuditFilter selects audit rows; zero fields select everything.
type AuditFilter struct {
	Action string
	Actor  string // username, compared exactly
	From   time.Time
	To     time.Time // exclusive
	Limit  int
}

// OwnedSubscriber is a subscriber linked to a user's account, with how
// much is stored for it.
type OwnedSubscriber struct {
	Subscriber   Subscriber
	Transactions int64
}

// HealthCounts is what /health tells admins and monitors.
type HealthCounts struct {
	Users        int64
	Transactions int64
}

// AccountStore keeps accounts, sessions, remember tokens and the audit
// log. Methods that change an account take the audit row that describes
// the change and write both in one transaction: either both are kept or
// neither. Missing rows are momo.CodeNotFound errors; a taken username and
// the last admin are momo.CodeConflict.
type AccountStore interface {
	CreateUser(ctx context.Context, u User, rule AdminRule, a Audit) (User, error)
	UserByID(ctx context.Context, id UserID) (User, error)
	UserByName(ctx context.Context, key string) (User, error)
	Users(ctx context.Context) ([]User, error)

	// UpgradePasswordHash replaces old by hash if old is still the stored
	// hash (a rehash at a higher iteration count).
	UpgradePasswordHash(ctx context.Context, id UserID, old, hash string) error
	// ChangePassword stores hash and ends every session and remember token
	// of the user except the session keep (a hash; empty ends all).
	ChangePassword(ctx context.Context, id UserID, hash, keep string, a Audit) error
	// SetAdmin and SetActive refuse to leave no active admin; deactivation
	// ends every session and remember token of the user.
	SetAdmin(ctx context.Context, id UserID, admin bool, a Audit) error
	SetActive(ctx context.Context, id UserID, active bool, a Audit) error

	// StartSession records a sign-in: the new session, the last-login time,
	// and the audit row; it deletes the session replaced (a hash; may be
	// empty).
	StartSession(ctx context.Context, s Session, replaced string, a Audit) error
	// Session returns a live session (of an active user) and its user.
	Session(ctx context.Context, idHash string, now time.Time) (Session, User, error)
	TouchSession(ctx context.Context, s Session) error
	EndSession(ctx context.Context, idHash string) error
	// EndUserSessions ends every session and remember token of a user.
	EndUserSessions(ctx context.Context, id UserID, a Audit) error

	AddRememberToken(ctx context.Context, t RememberToken) error
	RememberToken(ctx context.Context, selector string, now time.Time) (RememberToken, error)
	// RotateRememberToken replaces the validator hash old by hash and
	// keeps previous as the token's PreviousHash (the grace key); false
	// when old is no longer the current one.
	RotateRememberToken(ctx context.Context, selector, old, hash, previous string, at time.Time) (bool, error)
	// UseRememberGrace clears the token's PreviousHash if it is still
	// previous; false when it was not (used already, or rotated again), so
	// that a grace serves one request only.
	UseRememberGrace(ctx context.Context, selector, previous string) (bool, error)
	DeleteRememberToken(ctx context.Context, selector string) error

	AddAudit(ctx context.Context, a Audit) error
	AuditLog(ctx context.Context, f AuditFilter) ([]Audit, error)

	// DeleteExpired removes sessions and remember tokens past their end.
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)

	LinkSubscriber(ctx context.Context, sub SubscriberID, owner UserID) error
	OwnedSubscribers(ctx context.Context, owner UserID) ([]OwnedSubscriber, error)
	HealthCounts(ctx context.Context) (HealthCounts, error)
	Ping(ctx context.Context) error
}
