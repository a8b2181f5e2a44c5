package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ratelimit"
)

// A link code attaches a Telegram or WhatsApp chat to a web account: the
// link page shows it, the person sends "/link CODE" to the bot, and the bot
// will call RedeemLink. The store keeps only the code's keyed hash.

// linkAlphabet has no 0/O, 1/I/L or U/V pairs: a code is read off a screen
// and typed on a phone.
const linkAlphabet = "ABCDEFGHJKMNPQRSTWXYZ23456789"

// linkCodeLen gives 29^8 ≈ 5·10^11 codes for a code that lives ten minutes.
const linkCodeLen = 8

// linkHashDomain separates link-code hashes from every other keyed hash,
// and linkAttemptsDomain the chats counted against linkAttempts.
const (
	linkHashDomain     = "link"
	linkAttemptsDomain = "link attempts"
)

// drawLinkCode draws a code from the CSPRNG, without modulo bias.
func drawLinkCode() string {
	const limit = 256 - 256%len(linkAlphabet)
	out := make([]byte, 0, linkCodeLen)
	var buf [16]byte
	for len(out) < linkCodeLen {
		rand.Read(buf[:]) // never fails (crypto/rand since Go 1.24)
		for _, b := range buf {
			if int(b) < limit && len(out) < linkCodeLen {
				out = append(out, linkAlphabet[int(b)%len(linkAlphabet)])
			}
		}
	}
	return string(out)
}

// NormalizeLinkCode reads a code as people type it: any case, with
// spaces or dashes. ok is false for what cannot be a code.
func NormalizeLinkCode(typed string) (code string, ok bool) {
	if len(typed) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r > 127 || !strings.ContainsRune(linkAlphabet, r):
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != linkCodeLen {
		return "", false
	}
	return b.String(), true
}

// errLinkCode is the one answer to a code that is wrong, used or expired:
// which of them it was would help someone guessing.
var errLinkCode = momo.E(momo.CodeNotFound, "That code is not valid. Codes work once and for 10 minutes: get a new one on the web page.", nil)

// linkAttempts bounds the wrong codes one chat may send. Without it a
// script tries tens of thousands of codes a second; at 10 an hour, one
// chat would need millions of years on average to hit one of a thousand
// live codes among 29^8.
var linkAttempts = ratelimit.Limit{Name: "link-code", N: 10, Per: time.Hour}

// ErrLinkAttempts is the cause of the error RedeemLink returns to a chat
// that has sent too many wrong codes; its message says when to try again.
var ErrLinkAttempts = errors.New("too many wrong link codes")

// RedeemLink attaches the chat (channel, ref) to the account that was
// shown code, once, before the code expires. The bots will call it for
// "/link CODE". defaults make the chat's subscriber when it is new. A
// wrong, used or expired code is momo.CodeNotFound and is counted in
// limiter for the chat: after 10 in an hour, every attempt of the chat is
// refused with momo.CodeUnavailable (cause ErrLinkAttempts) until the hour
// ends, without the store being asked, so the right code stays usable. A
// code that works is not counted. A chat linked to another account is
// momo.CodeConflict.
func RedeemLink(ctx context.Context, store momo.LinkStore, c momo.Cipher, limiter ratelimit.Limiter, typed string,
	channel momo.Source, ref string, now time.Time, defaults momo.Subscriber) (momo.Subscriber, momo.UserID, error) {
	// The chat is counted by a keyed hash: the limiter (Redis) need not
	// hold phone numbers.
	key := c.Hash(linkAttemptsDomain, string(channel)+"\x00"+ref)
	if err := linkAttemptAllowed(ctx, limiter, key); err != nil {
		return momo.Subscriber{}, 0, err
	}

	sub, user, err := redeem(ctx, store, c, typed, channel, ref, now, defaults)
	if momo.ErrorCode(err) != momo.CodeNotFound {
		return sub, user, err
	}
	if _, cerr := limiter.Allow(ctx, key, linkAttempts); cerr != nil {
		return momo.Subscriber{}, 0, momo.E(momo.CodeUnavailable, "Please try again in a moment.", cerr)
	}
	return momo.Subscriber{}, 0, err
}

// linkAttemptAllowed refuses a chat that used up its wrong codes. A
// limiter that cannot answer refuses too: guessing must not get through
// while the counts are out of reach.
func linkAttemptAllowed(ctx context.Context, limiter ratelimit.Limiter, key string) error {
	res, err := limiter.Peek(ctx, key, linkAttempts)
	if err != nil {
		return momo.E(momo.CodeUnavailable, "Please try again in a moment.", err)
	}
	if res.Allowed {
		return nil
	}
	minutes := max(1, int((res.RetryAfter+time.Minute-1)/time.Minute))
	msg := fmt.Sprintf("Too many wrong codes from this chat. Try again in %d minutes.", minutes)
	if minutes == 1 {
		msg = "Too many wrong codes from this chat. Try again in a minute."
	}
	return momo.E(momo.CodeUnavailable, msg, ErrLinkAttempts)
}

// redeem reads the code and uses it; any wrong code is errLinkCode.
func redeem(ctx context.Context, store momo.LinkStore, c momo.Cipher, typed string, channel momo.Source, ref string,
	now time.Time, defaults momo.Subscriber) (momo.Subscriber, momo.UserID, error) {
	code, ok := NormalizeLinkCode(typed)
	if !ok {
		return momo.Subscriber{}, 0, errLinkCode
	}
	sub, user, err := store.RedeemLinkCode(ctx, c.Hash(linkHashDomain, code), now, channel, ref, defaults)
	if momo.ErrorCode(err) == momo.CodeNotFound {
		return momo.Subscriber{}, 0, errLinkCode
	}
	return sub, user, err
}

// linkView is the link page: the code just made, if any, and what is
// linked to the account already.
type linkView struct {
	Code    string // grouped for reading: ABCD-EFGH
	Expires string
	Minutes int
	Owned   []momo.OwnedSubscriber
	// Telegram says the operator connected the Telegram bot.
	Telegram bool
}

func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) error {
	return s.showLink(w, r, "", time.Time{})
}

// showLink renders the link page, with the code just made and its expiry
// when there is one (read in the viewer's timezone).
func (s *Server) showLink(w http.ResponseWriter, r *http.Request, code string, expires time.Time) error {
	id := visitorOf(r).user.ID
	owned, err := s.store.OwnedSubscribers(r.Context(), id)
	if err != nil {
		return err
	}
	loc := s.viewerZone(r, id)
	view := linkView{Minutes: int(momo.LinkCodeLifetime / time.Minute), Owned: owned, Telegram: s.cfg.Telegram}
	if code != "" {
		view.Code = code[:4] + "-" + code[4:]
		view.Expires = expires.In(orUTC(loc)).Format("15:04 MST")
	}
	s.render(w, r, http.StatusOK, "link", page{Title: "Link a chat", Data: view}.inZone(loc))
	return nil
}

// newLinkCode makes a code, replacing the account's earlier ones, and
// shows it in the answer to the POST: it never appears in a URL.
func (s *Server) newLinkCode(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	ctx := r.Context()
	code := drawLinkCode()
	now := s.now()
	c := momo.LinkCode{Hash: s.cipher.Hash(linkHashDomain, code), User: v.user.ID, CreatedAt: now,
		ExpiresAt: now.Add(momo.LinkCodeLifetime)}
	a := s.auditOf(r, momo.AuditLinkCode, v.user, "")
	a.TargetID = v.user.ID
	if err := s.store.CreateLinkCode(ctx, c, a); err != nil {
		return err
	}
	s.logAudit(a)
	return s.showLink(w, r, code, c.ExpiresAt)
}
