package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// newCode stores a link code for user, made at importTime.
func newCode(t *testing.T, s *Store, hash string, user momo.UserID) {
	t.Helper()
	c := momo.LinkCode{Hash: hash, User: user, CreatedAt: importTime, ExpiresAt: importTime.Add(momo.LinkCodeLifetime)}
	if err := s.CreateLinkCode(context.Background(), c, momo.Audit{Action: momo.AuditLinkCode}); err != nil {
		t.Fatalf("CreateLinkCode: %v", err)
	}
}

// ownerOf returns the account a subscriber is linked to, 0 for none.
func ownerOf(t *testing.T, s *Store, sub momo.SubscriberID) momo.UserID {
	t.Helper()
	return momo.UserID(count(t, s, `SELECT COALESCE(user_id, 0) FROM subscribers WHERE id = ?`, sub))
}

func TestCreateLinkCodeKeepsTheNewest(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		a, b := createUser(t, s, "ama", momo.AdminIfFirst), createUser(t, s, "kofi", momo.AdminNever)
		newCode(t, s, "a1", a.ID)
		newCode(t, s, "b1", b.ID)
		newCode(t, s, "a2", a.ID)

		if n := count(t, s, `SELECT COUNT(*) FROM link_codes WHERE user_id = ?`, a.ID); n != 1 {
			t.Errorf("%d codes of ama, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM link_codes WHERE hash IN ('a2', 'b1')`); n != 2 {
			t.Errorf("%d of the newest codes kept, want 2", n)
		}
		rows, err := s.AuditLog(ctx, momo.AuditFilter{Action: momo.AuditLinkCode})
		if err != nil || len(rows) != 3 || rows[0].ActorID != a.ID || rows[0].Actor != "ama" || rows[0].TargetID != a.ID {
			t.Errorf("audit = %+v, %v; want three rows, the newest by ama about ama", rows, err)
		}

		for _, c := range []momo.LinkCode{{Hash: "x", User: 9999}, {Hash: "", User: a.ID}} {
			err := s.CreateLinkCode(ctx, c, momo.Audit{Action: momo.AuditLinkCode})
			if code := momo.ErrorCode(err); code != momo.CodeNotFound && code != momo.CodeInvalid {
				t.Errorf("CreateLinkCode(%+v): %v, want not found or invalid", c, err)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log`); n != 5 { // 2 registrations, 3 codes
			t.Errorf("%d audit rows, want 5: a refused code writes none", n)
		}
	})
}

func TestRedeemLinkCode(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		ama, kofi := createUser(t, s, "ama", momo.AdminIfFirst), createUser(t, s, "kofi", momo.AdminNever)
		now := importTime.Add(time.Minute)
		defaults := momo.Subscriber{Timezone: "Africa/Accra", Currency: "GHS"}
		redeem := func(hash, ref string, when time.Time) (momo.Subscriber, momo.UserID, error) {
			return s.RedeemLinkCode(ctx, hash, when, momo.SourceTelegram, ref, defaults)
		}

		// Unknown and expired codes get the same answer.
		newCode(t, s, "old", kofi.ID)
		_, _, unknown := redeem("nope", "chat1", now)
		_, _, expired := redeem("old", "chat1", importTime.Add(momo.LinkCodeLifetime))
		for _, err := range []error{unknown, expired} {
			if momo.ErrorCode(err) != momo.CodeNotFound || momo.ErrorMessage(err) != momo.ErrorMessage(unknown) {
				t.Errorf("bad code: %v, want not found, one message for both", err)
			}
		}

		newCode(t, s, "c1", ama.ID)
		sub, user, err := redeem("c1", "chat1", now)
		if err != nil {
			t.Fatalf("RedeemLinkCode: %v", err)
		}
		if user != ama.ID || sub.ID == 0 || sub.Channel != momo.SourceTelegram || sub.Ref != "chat1" ||
			sub.Timezone != "Africa/Accra" || ownerOf(t, s, sub.ID) != ama.ID {
			t.Errorf("redeemed %+v for %d, linked to %d", sub, user, ownerOf(t, s, sub.ID))
		}
		if _, _, err := redeem("c1", "chat2", now); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("code used twice: %v, want not found", err)
		}
		audit, err := s.AuditLog(ctx, momo.AuditFilter{Action: momo.AuditLink})
		want := momo.Audit{ActorID: ama.ID, Actor: "ama", Action: momo.AuditLink, TargetID: ama.ID, Detail: "telegram", At: now}
		if err != nil || len(audit) != 1 {
			t.Fatalf("audit = %+v, %v; want one row", audit, err)
		}
		if audit[0].ID = 0; audit[0] != want {
			t.Errorf("audit row %+v, want %+v", audit[0], want)
		}

		// Linking the same chat to the same account again is fine.
		newCode(t, s, "c2", ama.ID)
		if again, _, err := redeem("c2", "chat1", now); err != nil || again.ID != sub.ID {
			t.Errorf("link again: %+v, %v", again, err)
		}

		// Another account's code for that chat conflicts and stays usable.
		newCode(t, s, "k1", kofi.ID)
		if _, _, err := redeem("k1", "chat1", now); momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("chat of another account: %v, want conflict", err)
		}
		if ownerOf(t, s, sub.ID) != ama.ID {
			t.Error("the conflict moved the chat")
		}
		if other, user, err := redeem("k1", "chat3", now); err != nil || user != kofi.ID || ownerOf(t, s, other.ID) != kofi.ID {
			t.Errorf("the code after a conflict: %+v, %d, %v", other, user, err)
		}

		// A code of an account deactivated since links nothing.
		newCode(t, s, "k2", kofi.ID)
		if err := s.SetActive(ctx, kofi.ID, false, momo.Audit{Action: momo.AuditDeactivate}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := redeem("k2", "chat4", now); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("code of an inactive account: %v, want not found", err)
		}
	})
}

// TestRedeemLinkCodeOnce redeems one code from ten goroutines, each for a
// chat of its own: exactly one links.
func TestRedeemLinkCodeOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		u := createUser(t, s, "ama", momo.AdminIfFirst)
		newCode(t, s, "c", u.ID)

		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Go(func() {
				_, _, errs[i] = s.RedeemLinkCode(context.Background(), "c", importTime, momo.SourceTelegram, fmt.Sprint("chat", i), momo.Subscriber{})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch momo.ErrorCode(err) {
			case momo.CodeNotFound:
			default:
				if err != nil {
					t.Errorf("RedeemLinkCode: %v", err)
					continue
				}
				won++
			}
		}
		if won != 1 {
			t.Errorf("%d redemptions won, want 1", won)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE user_id = ?`, u.ID); n != 1 {
			t.Errorf("%d chats linked, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE action = 'link'`); n != 1 {
			t.Errorf("%d link audit rows, want 1", n)
		}
	})
}

// TestRedeemRaceForOneChat: two accounts' codes for the same chat at once;
// one links it, the other conflicts.
func TestRedeemRaceForOneChat(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		var users []momo.UserID
		for i := range 8 {
			u := createUser(t, s, fmt.Sprint("user", i), momo.AdminIfFirst)
			newCode(t, s, fmt.Sprint("code", i), u.ID)
			users = append(users, u.ID)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(users))
		won := make([]momo.UserID, len(users))
		for i := range users {
			wg.Go(func() {
				_, won[i], errs[i] = s.RedeemLinkCode(context.Background(), fmt.Sprint("code", i), importTime, momo.SourceWhatsApp, "chat", momo.Subscriber{})
			})
		}
		wg.Wait()
		var winner momo.UserID
		for i, err := range errs {
			switch {
			case err == nil && winner == 0:
				winner = won[i]
			case err == nil:
				t.Errorf("two accounts linked the chat: %d and %d", winner, won[i])
			case momo.ErrorCode(err) != momo.CodeConflict:
				t.Errorf("RedeemLinkCode: %v, want conflict", err)
			}
		}
		chat := momo.SubscriberID(count(t, s, `SELECT id FROM subscribers WHERE ref = 'chat'`))
		if winner == 0 || ownerOf(t, s, chat) != winner {
			t.Errorf("chat linked to %d, winner %d", ownerOf(t, s, chat), winner)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM link_codes`); n != len(users)-1 {
			t.Errorf("%d codes left, want the %d losers'", n, len(users)-1)
		}
	})
}

func TestPreferences(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		ctx := context.Background()
		u := createUser(t, s, "ama", momo.AdminIfFirst)
		if p, err := s.Preferences(ctx, u.ID); err != nil || p != (momo.Preferences{}) {
			t.Fatalf("new account's preferences = %+v, %v; want none", p, err)
		}

		tests := []struct {
			p    momo.Preferences
			want momo.Code // "" for accepted
		}{
			{momo.Preferences{Timezone: "Africa/Kigali", Currency: "RWF"}, ""},
			{momo.Preferences{Currency: "XOF"}, ""},
			{momo.Preferences{}, ""},
			{momo.Preferences{Timezone: "Mars/Olympus"}, momo.CodeInvalid},
			{momo.Preferences{Timezone: "Local"}, momo.CodeInvalid},
			{momo.Preferences{Timezone: "../etc/passwd"}, momo.CodeInvalid},
			{momo.Preferences{Currency: "ABC"}, momo.CodeInvalid},
			{momo.Preferences{Currency: "ghs"}, momo.CodeInvalid},
		}
		accepted := 0
		for _, tt := range tests {
			err := s.SetPreferences(ctx, u.ID, tt.p, momo.Audit{Action: momo.AuditSettings})
			if tt.want == "" {
				if err != nil {
					t.Errorf("SetPreferences(%+v): %v", tt.p, err)
					continue
				}
				accepted++
				if got, err := s.Preferences(ctx, u.ID); err != nil || got != tt.p {
					t.Errorf("Preferences = %+v, %v; want %+v", got, err, tt.p)
				}
				continue
			}
			if momo.ErrorCode(err) != tt.want {
				t.Errorf("SetPreferences(%+v): %v, want %s", tt.p, err, tt.want)
			}
		}
		rows, err := s.AuditLog(ctx, momo.AuditFilter{Action: momo.AuditSettings})
		if err != nil || len(rows) != accepted || rows[0].ActorID != u.ID {
			t.Errorf("audit = %+v, %v; want %d rows by the user", rows, err, accepted)
		}
		if err := s.SetPreferences(ctx, 9999, momo.Preferences{}, momo.Audit{Action: momo.AuditSettings}); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("unknown account: %v, want not found", err)
		}
		if _, err := s.Preferences(ctx, 9999); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("unknown account: %v, want not found", err)
		}
	})
}

func TestDeleteExpiredLinkCodes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		s := openOn(t, e)
		a, b := createUser(t, s, "ama", momo.AdminIfFirst), createUser(t, s, "kofi", momo.AdminNever)
		newCode(t, s, "a", a.ID)
		late := momo.LinkCode{Hash: "b", User: b.ID, CreatedAt: importTime.Add(time.Hour), ExpiresAt: importTime.Add(2 * time.Hour)}
		if err := s.CreateLinkCode(context.Background(), late, momo.Audit{Action: momo.AuditLinkCode}); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpired(context.Background(), importTime.Add(momo.LinkCodeLifetime))
		if err != nil || n != 1 {
			t.Errorf("DeleteExpired = %d, %v; want 1", n, err)
		}
		if left := count(t, s, `SELECT COUNT(*) FROM link_codes WHERE hash = 'b'`); left != 1 || count(t, s, `SELECT COUNT(*) FROM link_codes`) != 1 {
			t.Error("DeleteExpired did not keep exactly the live code")
		}
	})
}
