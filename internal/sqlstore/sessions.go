package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// StartSession records a sign-in in one transaction: the session replaced
// goes, the new one is stored, the last login is set and audited.
func (s *Store) StartSession(ctx context.Context, ses momo.Session, replaced string, a momo.Audit) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if replaced != "" {
			if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM sessions WHERE id_hash = ?`), replaced); err != nil {
				return fmt.Errorf("delete replaced session: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, s.d.q(`
			INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, user_agent_hash, ip, reauth)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			ses.IDHash, ses.UserID, timeText(ses.CreatedAt), timeText(ses.LastSeenAt), timeText(ses.ExpiresAt),
			ses.UserAgentHash, ses.IP, boolInt(ses.Reauth))
		if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		res, err := tx.ExecContext(ctx, s.d.q(`UPDATE users SET last_login_at = ? WHERE id = ? AND active = 1`),
			timeText(ses.CreatedAt), ses.UserID)
		if err != nil {
			return fmt.Errorf("record last login: %w", err)
		}
		// A deactivation that committed between the password check and
		// now wins: no session for an inactive account.
		if err := mustChange(res, "the account is not active"); err != nil {
			return err
		}
		a.TargetID = ses.UserID
		return s.addAudit(ctx, tx, a)
	})
	if err != nil {
		return s.fail(ctx, "start session", err)
	}
	return nil
}

// Session returns the session whose id hashes to idHash, if it has not
// expired and its user is active, with the user.
func (s *Store) Session(ctx context.Context, idHash string, now time.Time) (momo.Session, momo.User, error) {
	var ses momo.Session
	var created, seen, expires dbTime
	row := s.db.QueryRowContext(ctx, s.d.q(`
		SELECT s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent_hash, s.ip, s.reauth,
			u.id, u.username, u.username_key, u.email, u.password_hash, u.admin, u.active, u.created_at, u.last_login_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.active = 1`), idHash, timeText(now))
	var u momo.User
	var uCreated, uLast dbTime
	err := row.Scan(&ses.IDHash, &ses.UserID, &created, &seen, &expires, &ses.UserAgentHash, &ses.IP, &ses.Reauth,
		&u.ID, &u.Username, &u.UsernameKey, &u.Email, &u.PasswordHash, &u.Admin, &u.Active, &uCreated, &uLast)
	if err != nil {
		return momo.Session{}, momo.User{}, s.fail(ctx, "session", notFound(err, "no such session"))
	}
	ses.CreatedAt, ses.LastSeenAt, ses.ExpiresAt = created.Time, seen.Time, expires.Time
	u.CreatedAt, u.LastLoginAt = uCreated.Time, uLast.Time
	return ses, u, nil
}

// TouchSession stores a session's last activity, address and re-auth flag.
func (s *Store) TouchSession(ctx context.Context, ses momo.Session) error {
	_, err := s.db.ExecContext(ctx, s.d.q(`UPDATE sessions SET last_seen_at = ?, ip = ?, reauth = ? WHERE id_hash = ?`),
		timeText(ses.LastSeenAt), ses.IP, boolInt(ses.Reauth), ses.IDHash)
	if err != nil {
		return s.fail(ctx, "touch session", err)
	}
	return nil
}

// EndSession deletes one session.
func (s *Store) EndSession(ctx context.Context, idHash string) error {
	if _, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM sessions WHERE id_hash = ?`), idHash); err != nil {
		return s.fail(ctx, "end session", err)
	}
	return nil
}

// EndUserSessions deletes every session and remember token of a user and
// writes the audit row that says why.
func (s *Store) EndUserSessions(ctx context.Context, id momo.UserID, a momo.Audit) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.endSessions(ctx, tx, id, ""); err != nil {
			return err
		}
		a.TargetID = id
		return s.addAudit(ctx, tx, a)
	})
	if err != nil {
		return s.fail(ctx, "end user sessions", err)
	}
	return nil
}

// endSessions deletes a user's sessions but keep (a hash, may be empty)
// and all their remember tokens.
func (s *Store) endSessions(ctx context.Context, tx *sql.Tx, id momo.UserID, keep string) error {
	if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`), id, keep); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM remember_tokens WHERE user_id = ?`), id); err != nil {
		return fmt.Errorf("delete remember tokens: %w", err)
	}
	return nil
}

// AddRememberToken stores a new remember-me token.
func (s *Store) AddRememberToken(ctx context.Context, t momo.RememberToken) error {
	_, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO remember_tokens (selector, validator_hash, user_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`),
		t.Selector, t.ValidatorHash, t.UserID, timeText(t.CreatedAt), timeText(t.ExpiresAt))
	if err != nil {
		return s.fail(ctx, "add remember token", err)
	}
	return nil
}

// RememberToken returns the unexpired token with selector.
func (s *Store) RememberToken(ctx context.Context, selector string, now time.Time) (momo.RememberToken, error) {
	var t momo.RememberToken
	var rotated, created, expires dbTime
	err := s.db.QueryRowContext(ctx, s.d.q(`
		SELECT selector, validator_hash, previous_hash, rotated_at, user_id, created_at, expires_at
		FROM remember_tokens WHERE selector = ? AND expires_at > ?`), selector, timeText(now)).
		Scan(&t.Selector, &t.ValidatorHash, &t.PreviousHash, &rotated, &t.UserID, &created, &expires)
	if err != nil {
		return momo.RememberToken{}, s.fail(ctx, "remember token", notFound(err, "no such token"))
	}
	t.RotatedAt, t.CreatedAt, t.ExpiresAt = rotated.Time, created.Time, expires.Time
	return t, nil
}

// RotateRememberToken swaps the validator hash old for hash, keeping
// previous (the grace key the caller derives from old) as the previous
// hash; false when old is no longer current (another request rotated it
// first).
func (s *Store) RotateRememberToken(ctx context.Context, selector, old, hash, previous string, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.d.q(`
		UPDATE remember_tokens SET validator_hash = ?, previous_hash = ?, rotated_at = ?
		WHERE selector = ? AND validator_hash = ?`), hash, previous, timeText(at), selector, old)
	if err != nil {
		return false, s.fail(ctx, "rotate remember token", err)
	}
	return oneRow(ctx, s, res, "rotate remember token")
}

// UseRememberGrace spends a token's grace: it clears the previous hash if
// it is still previous, in one statement, so that of two requests only
// one gets through.
func (s *Store) UseRememberGrace(ctx context.Context, selector, previous string) (bool, error) {
	if previous == "" {
		return false, nil
	}
	res, err := s.db.ExecContext(ctx, s.d.q(`
		UPDATE remember_tokens SET previous_hash = '' WHERE selector = ? AND previous_hash = ?`), selector, previous)
	if err != nil {
		return false, s.fail(ctx, "use remember grace", err)
	}
	return oneRow(ctx, s, res, "use remember grace")
}

func oneRow(ctx context.Context, s *Store, res sql.Result, what string) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.fail(ctx, what, err)
	}
	return n == 1, nil
}

// DeleteRememberToken deletes one token.
func (s *Store) DeleteRememberToken(ctx context.Context, selector string) error {
	if _, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM remember_tokens WHERE selector = ?`), selector); err != nil {
		return s.fail(ctx, "delete remember token", err)
	}
	return nil
}

// DeleteExpired removes the sessions, remember tokens and link codes that
// ended before now.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, q := range []string{
		`DELETE FROM sessions WHERE expires_at <= ?`,
		`DELETE FROM remember_tokens WHERE expires_at <= ?`,
		`DELETE FROM link_codes WHERE expires_at <= ?`,
	} {
		res, err := s.db.ExecContext(ctx, s.d.q(q), timeText(now))
		if err != nil {
			return total, s.fail(ctx, "delete expired", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
