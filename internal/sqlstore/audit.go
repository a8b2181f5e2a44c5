package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"github.com/momoanalytics/momo"
)

// Bounds of the free-text columns of an audit row: a user agent or a
// username tried at a failed login is whatever the client sent.
const (
	maxAuditText  = 256
	maxAuditLimit = 1000
)

// AddAudit writes one audit row on its own.
func (s *Store) AddAudit(ctx context.Context, a momo.Audit) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.addAudit(ctx, tx, a) })
	if err != nil {
		return s.fail(ctx, "audit", err)
	}
	return nil
}

func (s *Store) addAudit(ctx context.Context, tx *sql.Tx, a momo.Audit) error {
	if a.At.IsZero() {
		a.At = s.now()
	}
	_, err := tx.ExecContext(ctx, s.d.q(`
		INSERT INTO audit_log (at, actor_id, actor, action, target_id, ip, user_agent, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		timeText(a.At), nullID(a.ActorID), clip(a.Actor), a.Action, nullID(a.TargetID),
		clip(a.IP), clip(a.UserAgent), clip(a.Detail))
	if err != nil {
		return fmt.Errorf("insert audit row: %w", err)
	}
	return nil
}

// AuditLog returns the newest rows matching f, newest first. A filter
// text that clip would have changed matches no stored row: it is answered
// without a query, which PostgreSQL would refuse for a NUL or invalid
// UTF-8.
func (s *Store) AuditLog(ctx context.Context, f momo.AuditFilter) ([]momo.Audit, error) {
	if clip(f.Action) != f.Action || clip(f.Actor) != f.Actor {
		return nil, nil
	}
	query := `SELECT id, at, actor_id, actor, action, target_id, ip, user_agent, detail FROM audit_log WHERE 1 = 1`
	var args []any
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Actor != "" {
		query += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if !f.From.IsZero() {
		query += ` AND at >= ?`
		args = append(args, timeText(f.From))
	}
	if !f.To.IsZero() {
		query += ` AND at < ?`
		args = append(args, timeText(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > maxAuditLimit {
		limit = maxAuditLimit
	}
	query += ` ORDER BY at DESC, id DESC LIMIT ?`
	args = append(args, limit)

	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, s.fail(ctx, "audit log", err)
	}
	defer rows.Close()
	var out []momo.Audit
	for rows.Next() {
		var a momo.Audit
		var at dbTime
		var actor, target sql.NullInt64
		if err := rows.Scan(&a.ID, &at, &actor, &a.Actor, &a.Action, &target, &a.IP, &a.UserAgent, &a.Detail); err != nil {
			return nil, s.fail(ctx, "audit log", err)
		}
		a.At, a.ActorID, a.TargetID = at.Time, momo.UserID(actor.Int64), momo.UserID(target.Int64)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "audit log", err)
	}
	return out, nil
}

func nullID(id momo.UserID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// clip makes a text the client chose safe to store and to show: valid
// UTF-8 (PostgreSQL refuses anything else), no control characters (a NUL,
// a line break that forges a second log line), no format or separator
// characters (U+202E turns the rest of a row around on the page), at most
// maxAuditText bytes without cutting a UTF-8 sequence in two.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if len(s) <= maxAuditText {
		return s
	}
	cut := maxAuditText
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}
