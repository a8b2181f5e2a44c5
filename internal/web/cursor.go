package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// A listing's "Older" link carries the position of the last row shown.
// It is signed, so that a hand-made cursor cannot probe the store with
// positions nobody was shown; the listing is scoped to the visitor's own
// data anyway, so the signature is defence in depth, and a tampered
// cursor is a clear 400 rather than a silently different page.

var errCursor = momo.E(momo.CodeInvalid, "This page link is damaged. Start again from the first page.", nil)

// encodeCursor writes c as "NANOS.ID.MAC".
func (s *Server) encodeCursor(c momo.TransactionCursor) string {
	body := strconv.FormatInt(c.BookedAt.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)
	return body + "." + s.cursorMAC(body)
}

// decodeCursor reads a cursor; "" is the first page.
func (s *Server) decodeCursor(v string) (momo.TransactionCursor, error) {
	if v == "" {
		return momo.TransactionCursor{}, nil
	}
	if len(v) > 128 {
		return momo.TransactionCursor{}, errCursor
	}
	i := strings.LastIndexByte(v, '.')
	if i < 0 || !hmac.Equal([]byte(v[i+1:]), []byte(s.cursorMAC(v[:i]))) {
		return momo.TransactionCursor{}, errCursor
	}
	nanos, id, ok := strings.Cut(v[:i], ".")
	n, err1 := strconv.ParseInt(nanos, 10, 64)
	m, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || m <= 0 {
		return momo.TransactionCursor{}, errCursor
	}
	return momo.TransactionCursor{BookedAt: time.Unix(0, n).UTC(), ID: m}, nil
}

func (s *Server) cursorMAC(body string) string {
	m := hmac.New(sha256.New, s.cfg.FormKey)
	m.Write([]byte("listing cursor\x00" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
