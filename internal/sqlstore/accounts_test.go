package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

func newUser(name string) momo.User {
	return momo.User{Username: name, UsernameKey: name, Email: name + "@example.com", PasswordHash: "pbkdf2:sha256:1000$salt$00"}
}

func createUser(t testing.TB, s *Store, name string, rule momo.AdminRule) momo.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), newUser(name), rule, momo.Audit{Action: momo.AuditRegister})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u
}

// TestFirstAccountIsAdminOnce races twenty first registrations on an empty
// database: exactly one becomes admin.
func TestFirstAccountIsAdminOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Go(func() {
				_, err := s.CreateUser(context.Background(), newUser(fmt.Sprintf("user%d", i)), momo.AdminIfFirst, momo.Audit{Action: momo.AuditRegister})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM users WHERE admin = 1`); n != 1 {
			t.Errorf("%d admins, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE action = 'register'`); n != 20 {
			t.Errorf("%d audit rows, want 20", n)
		}
	})
}

func TestCreateUserConflictAndLookup(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		a := createUser(t, s, "alice", momo.AdminIfFirst)
		if !a.Admin || !a.Active || a.ID == 0 {
			t.Fatalf("first user = %+v, want an active admin with an id", a)
		}
		_, err := s.CreateUser(ctx, newUser("alice"), momo.AdminIfFirst, momo.Audit{Action: momo.AuditRegister})
		if momo.ErrorCode(err) != momo.CodeConflict {
			t.Fatalf("duplicate username: %v, want a conflict", err)
		}
		b := createUser(t, s, "bob", momo.AdminIfFirst)
		if b.Admin {
			t.Error("second user is admin")
		}
		got, err := s.UserByName(ctx, "bob")
		if err != nil || got.ID != b.ID || got.Email != "bob@example.com" {
			t.Errorf("UserByName = %+v, %v", got, err)
		}
		if _, err := s.UserByName(ctx, "carol"); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("unknown user: %v, want not found", err)
		}
		if _, err := s.UserByID(ctx, 999); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("unknown id: %v, want not found", err)
		}
		users, err := s.Users(ctx)
		if err != nil || len(users) != 2 || users[0].Username != "alice" {
			t.Errorf("Users = %+v, %v", users, err)
		}
	})
}

func TestNeverTheLastAdmin(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		a := createUser(t, s, "alice", momo.AdminIfFirst)
		b := createUser(t, s, "bob", momo.AdminNever)

		if err := s.SetAdmin(ctx, a.ID, false, momo.Audit{Action: momo.AuditDemote}); momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("demote last admin: %v, want conflict", err)
		}
		if err := s.SetActive(ctx, a.ID, false, momo.Audit{Action: momo.AuditDeactivate}); momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("deactivate last admin: %v, want conflict", err)
		}
		if err := s.SetAdmin(ctx, b.ID, true, momo.Audit{Action: momo.AuditPromote}); err != nil {
			t.Fatalf("promote: %v", err)
		}
		if err := s.SetAdmin(ctx, a.ID, false, momo.Audit{Action: momo.AuditDemote}); err != nil {
			t.Errorf("demote with another admin left: %v", err)
		}
		if err := s.SetActive(ctx, b.ID, false, momo.Audit{Action: momo.AuditDeactivate}); momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("deactivate the admin left: %v, want conflict", err)
		}
		if err := s.SetAdmin(ctx, 999, true, momo.Audit{Action: momo.AuditPromote}); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("promote unknown: %v, want not found", err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE action IN ('user.promote', 'user.demote')`); n != 2 {
			t.Errorf("%d role audit rows, want 2 (refused changes write none)", n)
		}
	})
}

// TestDemoteRace demotes two admins at once: one demotion must fail.
func TestDemoteRace(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		a := createUser(t, s, "alice", momo.AdminAlways)
		b := createUser(t, s, "bob", momo.AdminAlways)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, id := range []momo.UserID{a.ID, b.ID} {
			wg.Go(func() { errs <- s.SetAdmin(context.Background(), id, false, momo.Audit{Action: momo.AuditDemote}) })
		}
		wg.Wait()
		close(errs)
		if n := count(t, s, `SELECT COUNT(*) FROM users WHERE admin = 1`); n != 1 {
			t.Errorf("%d admins left, want 1", n)
		}
	})
}

func session(id string, user momo.UserID, now time.Time) momo.Session {
	return momo.Session{IDHash: id, UserID: user, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(24 * time.Hour), UserAgentHash: "ua", IP: "192.0.2.1"}
}

func TestSessionsEndOnDeactivationAndPasswordChange(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		now := importTime
		createUser(t, s, "admin", momo.AdminIfFirst)
		u := createUser(t, s, "bob", momo.AdminIfFirst)

		for _, id := range []string{"s1", "s2"} {
			if err := s.StartSession(ctx, session(id, u.ID, now), "", momo.Audit{Action: momo.AuditLogin}); err != nil {
				t.Fatalf("StartSession: %v", err)
			}
		}
		ses, got, err := s.Session(ctx, "s1", now)
		if err != nil || got.ID != u.ID || ses.IP != "192.0.2.1" {
			t.Fatalf("Session = %+v %+v, %v", ses, got, err)
		}
		if got.LastLoginAt.IsZero() {
			t.Error("last login not recorded")
		}
		if _, _, err := s.Session(ctx, "s1", now.Add(25*time.Hour)); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("expired session: %v, want not found", err)
		}

		// A password change keeps the session it was made in, ends the others.
		addToken(t, s, "sel", u.ID, now)
		if err := s.ChangePassword(ctx, u.ID, "new", "s1", momo.Audit{Action: momo.AuditPasswordChange}); err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		if _, _, err := s.Session(ctx, "s2", now); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("other session after password change: %v", err)
		}
		if _, err := s.RememberToken(ctx, "sel", now); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("remember token after password change: %v", err)
		}
		if _, _, err := s.Session(ctx, "s1", now); err != nil {
			t.Errorf("kept session: %v", err)
		}

		addToken(t, s, "sel2", u.ID, now)
		if err := s.SetActive(ctx, u.ID, false, momo.Audit{Action: momo.AuditDeactivate}); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		if _, _, err := s.Session(ctx, "s1", now); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("session after deactivation: %v", err)
		}
		if _, err := s.RememberToken(ctx, "sel2", now); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("remember token after deactivation: %v", err)
		}
		err = s.StartSession(ctx, session("s3", u.ID, now), "", momo.Audit{Action: momo.AuditLogin})
		if momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("session for a deactivated account: %v", err)
		}
	})
}

func addToken(t testing.TB, s *Store, sel string, user momo.UserID, now time.Time) {
	t.Helper()
	err := s.AddRememberToken(context.Background(), momo.RememberToken{Selector: sel, ValidatorHash: "v1",
		UserID: user, CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatalf("AddRememberToken: %v", err)
	}
}

func TestRememberTokenRotation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		now := importTime
		u := createUser(t, s, "alice", momo.AdminIfFirst)
		addToken(t, s, "sel", u.ID, now)

		ok, err := s.RotateRememberToken(ctx, "sel", "v1", "v2", "grace1", now)
		if err != nil || !ok {
			t.Fatalf("rotate: %v %v", ok, err)
		}
		if ok, _ := s.RotateRememberToken(ctx, "sel", "v1", "v3", "grace1", now); ok {
			t.Error("rotated from a validator that is no longer current")
		}
		tok, err := s.RememberToken(ctx, "sel", now)
		if err != nil || tok.ValidatorHash != "v2" || tok.PreviousHash != "grace1" || !tok.RotatedAt.Equal(now) {
			t.Errorf("token = %+v, %v", tok, err)
		}

		// The grace is spent once: the second use, or a wrong key, fails.
		for i, c := range []struct {
			key  string
			want bool
		}{{"other", false}, {"", false}, {"grace1", true}, {"grace1", false}} {
			if ok, err := s.UseRememberGrace(ctx, "sel", c.key); err != nil || ok != c.want {
				t.Errorf("grace use %d (%q) = %v, %v; want %v", i+1, c.key, ok, err, c.want)
			}
		}
		if tok, _ := s.RememberToken(ctx, "sel", now); tok.PreviousHash != "" || tok.ValidatorHash != "v2" {
			t.Errorf("after the grace: %+v", tok)
		}
		if _, err := s.RememberToken(ctx, "sel", now.Add(31*24*time.Hour)); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("expired token: %v", err)
		}
		if n, err := s.DeleteExpired(ctx, now.Add(31*24*time.Hour)); err != nil || n != 1 {
			t.Errorf("DeleteExpired = %d, %v", n, err)
		}
	})
}

func TestAuditLogFilter(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		for i, a := range []momo.Audit{
			{Action: momo.AuditLogin, Actor: "alice", At: at("2024-03-01 10:00")},
			{Action: momo.AuditLoginFailed, Actor: "mallory", At: at("2024-03-02 10:00"), UserAgent: string(make([]byte, 1000)) + "\xff"},
			{Action: momo.AuditLogin, Actor: "bob", At: at("2024-03-03 10:00"), UserAgent: "evil\u202egpj.exe\u200b\u2028\u009b"},
		} {
			if err := s.AddAudit(ctx, a); err != nil {
				t.Fatalf("AddAudit %d: %v", i, err)
			}
		}
		tests := []struct {
			name string
			f    momo.AuditFilter
			want []string
		}{
			{"all, newest first", momo.AuditFilter{}, []string{"bob", "mallory", "alice"}},
			{"action", momo.AuditFilter{Action: momo.AuditLogin}, []string{"bob", "alice"}},
			{"actor", momo.AuditFilter{Actor: "mallory"}, []string{"mallory"}},
			{"dates", momo.AuditFilter{From: at("2024-03-02 00:00"), To: at("2024-03-03 00:00")}, []string{"mallory"}},
			{"limit", momo.AuditFilter{Limit: 1}, []string{"bob"}},
			// PostgreSQL refuses these as query parameters: no match, no error.
			{"actor NUL", momo.AuditFilter{Actor: "\x00"}, nil},
			{"actor invalid UTF-8", momo.AuditFilter{Actor: "\xff"}, nil},
			{"action NUL", momo.AuditFilter{Action: "\x00"}, nil},
			{"actor with a format character", momo.AuditFilter{Actor: "bob\u202e"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rows, err := s.AuditLog(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rows {
					got = append(got, r.Actor)
					if len(r.UserAgent) > maxAuditText || strings.ContainsRune(r.UserAgent, 0) {
						t.Errorf("user agent of %d bytes stored", len(r.UserAgent))
					}
					if strings.ContainsAny(r.UserAgent, "\u202e\u200b\u2028\u009b") {
						t.Errorf("user agent %q stored with control or format characters", r.UserAgent)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
	})
}

// TestOwnedSubscribersAreTheirOwn: user B cannot see the subscribers, and
// so the data, of user A.
func TestOwnedSubscribersAreTheirOwn(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		a := createUser(t, s, "alice", momo.AdminIfFirst)
		b := createUser(t, s, "bob", momo.AdminIfFirst)
		subA := subscriber(t, s, "chat-a", "")
		subscriber(t, s, "chat-unlinked", "")
		save(t, s, subA, parsed("m1", money("k1", momo.KindReceived, momo.In, 500, at("2024-02-01 10:00"))))
		if err := s.LinkSubscriber(ctx, subA, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.LinkSubscriber(ctx, 999, a.ID); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("link unknown subscriber: %v", err)
		}

		own, err := s.OwnedSubscribers(ctx, a.ID)
		if err != nil || len(own) != 1 || own[0].Subscriber.ID != subA || own[0].Transactions != 1 {
			t.Errorf("alice's = %+v, %v", own, err)
		}
		other, err := s.OwnedSubscribers(ctx, b.ID)
		if err != nil || len(other) != 0 {
			t.Errorf("bob sees %+v, %v", other, err)
		}
		c, err := s.HealthCounts(ctx)
		if err != nil || c.Users != 2 || c.Transactions != 1 {
			t.Errorf("HealthCounts = %+v, %v", c, err)
		}
	})
}
