package web

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

func TestNormalizeLinkCode(t *testing.T) {
	tests := []struct {
		typed, want string
		ok          bool
	}{
		{"ABCD-EFGH", "ABCDEFGH", true},
		{"abcd efgh", "ABCDEFGH", true},
		{" ab-cd-ef-gh ", "ABCDEFGH", true},
		{"23456789", "23456789", true},
		{"ABCDEFG", "", false},   // too short
		{"ABCDEFGHJ", "", false}, // too long
		{"ABCDEFG0", "", false},  // 0 is not in the alphabet
		{"ABCDEFGI", "", false},  // nor I
		{"ABCDÉFGH", "", false},  // nor anything outside ASCII
		{"ＡＢＣＤＥＦＧＨ", "", false},  // full-width letters
		{"ABCD_EFGH", "", false},
		{"", "", false},
		{strings.Repeat(" ", 100) + "ABCDEFGH", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeLinkCode(tt.typed)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeLinkCode(%q) = %q, %v; want %q, %v", tt.typed, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDrawLinkCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := drawLinkCode()
		if n, ok := NormalizeLinkCode(c); !ok || n != c {
			t.Fatalf("drawn code %q does not read back", c)
		}
		seen[c] = true
	}
	if len(seen) < 1000 {
		t.Errorf("%d distinct codes in 1000 draws", len(seen))
	}
}

var codeRE = regexp.MustCompile(`id="code">([A-Z0-9]{4}-[A-Z0-9]{4})<`)

// linkCode asks for a code on the link page, as the person does.
func (a *agent) linkCode() string {
	a.hs.t.Helper()
	w := a.post("/link", nil)
	m := codeRE.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		a.hs.t.Fatalf("link page: %d %.800s", w.Code, w.Body.String())
	}
	if !strings.Contains(w.Body.String(), "/link "+m[1]) {
		a.hs.t.Error("the page does not show the command to send")
	}
	return m[1]
}

// TestLinkCodeLifeCycle: a code works once, as typed in any case with
// spaces; it expires; a newer code replaces an older one; a wrong code
// fails; a chat linked to one account cannot be taken by another.
func TestLinkCodeLifeCycle(t *testing.T) {
	eachStore(t, func(t *testing.T, engine string) {
		hs := newHarnessOn(t, engine)
		alice := hs.account("alice", momo.AdminNever)
		bob := hs.account("bob", momo.AdminNever)
		a, b := hs.agent(), hs.agent()
		a.login("alice", false)
		b.login("bob", false)
		ctx := context.Background()
		redeem := func(code, ref string) (momo.Subscriber, momo.UserID, error) {
			return RedeemLink(ctx, hs.store, hs.cipher, hs.srv.limiter, code, momo.SourceTelegram, ref, hs.clock, momo.Subscriber{})
		}

		code := a.linkCode()
		typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
		sub, user, err := redeem(typed, "chat-1")
		if err != nil || user != alice.ID || sub.Channel != momo.SourceTelegram {
			t.Fatalf("redeem %q: %+v %d %v", typed, sub, user, err)
		}
		owned, err := hs.store.OwnedSubscribers(ctx, alice.ID)
		if err != nil || len(owned) != 1 || owned[0].Subscriber.ID != sub.ID {
			t.Errorf("alice's subscribers: %+v %v", owned, err)
		}
		if _, _, err := redeem(code, "chat-2"); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("second use: %v", err)
		}

		old := a.linkCode()
		newer := a.linkCode()
		if _, _, err := redeem(old, "chat-3"); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("replaced code: %v", err)
		}
		hs.advance(momo.LinkCodeLifetime + time.Second)
		if _, _, err := redeem(newer, "chat-3"); momo.ErrorCode(err) != momo.CodeNotFound {
			t.Errorf("expired code: %v", err)
		}

		for _, wrong := range []string{"ABCD-EFGH", "nonsense", ""} {
			if _, _, err := redeem(wrong, "chat-3"); momo.ErrorCode(err) != momo.CodeNotFound {
				t.Errorf("wrong code %q: %v", wrong, err)
			}
		}

		// Bob tries to take alice's chat: refused, and his code stays.
		bobs := b.linkCode()
		if _, _, err := redeem(bobs, "chat-1"); momo.ErrorCode(err) != momo.CodeConflict {
			t.Errorf("taking another account's chat: %v", err)
		}
		if _, user, err := redeem(bobs, "chat-of-bob"); err != nil || user != bob.ID {
			t.Errorf("bob's code after the conflict: %d %v", user, err)
		}

		if n := len(hs.auditRows(momo.AuditLinkCode)); n != 4 {
			t.Errorf("%d codes audited, want 4", n)
		}
		if n := len(hs.auditRows(momo.AuditLink)); n != 2 {
			t.Errorf("%d links audited, want 2", n)
		}
		if strings.Contains(hs.log.String(), strings.ReplaceAll(code, "-", "")) {
			t.Error("a link code is in the log")
		}
	})
}

// TestLinkAttemptsLimited: a chat may send 10 wrong codes an hour; a code
// that works does not count; past the limit even the right code is
// refused, with a reply that says when to try again, and stays usable;
// other chats are not affected; the hour over, the chat may try again.
func TestLinkAttemptsLimited(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)
	const wrong = "ABCD-EFGH"

	var refusedCode string
	steps := []struct {
		name    string
		code    func() string
		channel momo.Source
		ref     string
		advance time.Duration
		want    string // "linked", "wrong" or "refused"
		times   int
	}{
		{"wrong codes 1-9", func() string { return wrong }, momo.SourceTelegram, "chat-1", 0, "wrong", 9},
		{"the right code", a.linkCode, momo.SourceTelegram, "chat-1", 0, "linked", 1},
		{"wrong code 10: a success did not count", func() string { return wrong }, momo.SourceTelegram, "chat-1", 0, "wrong", 1},
		{"wrong code 11", func() string { return wrong }, momo.SourceTelegram, "chat-1", 0, "refused", 1},
		{"the right code past the limit", func() string { refusedCode = a.linkCode(); return refusedCode }, momo.SourceTelegram, "chat-1", 0, "refused", 1},
		{"the same code from another chat", func() string { return refusedCode }, momo.SourceTelegram, "chat-2", 0, "linked", 1},
		{"the same ref on another channel", func() string { return wrong }, momo.SourceWhatsApp, "chat-1", 0, "wrong", 1},
		{"an hour later", func() string { return wrong }, momo.SourceTelegram, "chat-1", time.Hour, "wrong", 1},
	}
	for _, st := range steps {
		hs.advance(st.advance)
		for range st.times {
			_, user, err := RedeemLink(t.Context(), hs.store, hs.cipher, hs.srv.limiter, st.code(), st.channel, st.ref,
				hs.clock, momo.Subscriber{})
			switch st.want {
			case "linked":
				if err != nil || user != alice.ID {
					t.Fatalf("%s: %d %v, want linked to alice", st.name, user, err)
				}
			case "wrong":
				if momo.ErrorCode(err) != momo.CodeNotFound {
					t.Fatalf("%s: %v, want a wrong code", st.name, err)
				}
			case "refused":
				if !errors.Is(err, ErrLinkAttempts) || momo.ErrorCode(err) != momo.CodeUnavailable ||
					!strings.Contains(momo.ErrorMessage(err), "Try again in 60 minutes") {
					t.Fatalf("%s: %v, want refused for an hour", st.name, err)
				}
			}
		}
	}
}

// TestPreferences: the timezone and the currency are checked, stored,
// audited, and used: times on the dashboard are shown in the zone.
func TestPreferences(t *testing.T) {
	hs := newHarness(t)
	alice := hs.account("alice", momo.AdminNever)
	a := hs.agent()
	a.login("alice", false)

	tests := []struct {
		zone, currency string
		status         int
	}{
		{"Africa/Kigali", "RWF", http.StatusSeeOther},
		{"", "", http.StatusSeeOther},
		{"Local", "", http.StatusBadRequest},
		{"Mars/Olympus", "", http.StatusBadRequest},
		{"../../etc/passwd", "", http.StatusBadRequest},
		{"UTC", "XYZ", http.StatusBadRequest},
		{"Asia/Tokyo", "GHS", http.StatusSeeOther},
	}
	for _, tt := range tests {
		w := a.post("/settings/preferences", map[string][]string{"timezone": {tt.zone}, "currency": {tt.currency}})
		if w.Code != tt.status {
			t.Errorf("%q %q: %d, want %d", tt.zone, tt.currency, w.Code, tt.status)
		}
	}
	p, err := hs.store.Preferences(context.Background(), alice.ID)
	if err != nil || p.Timezone != "Asia/Tokyo" || p.Currency != "GHS" {
		t.Errorf("stored %+v %v", p, err)
	}
	if n := len(hs.auditRows(momo.AuditSettings)); n != 3 {
		t.Errorf("%d settings audited, want 3", n)
	}

	a.uploadFile(readExample(t))
	if body := a.get("/").Body.String(); !strings.Contains(body, " JST</td>") {
		t.Error("times are not shown in the chosen zone")
	}
}
