package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/momoanalytics/momo"
)

// Link codes, which attach a chat to a web account, and the account's
// preferences.

var _ momo.LinkStore = (*Store)(nil)

// CreateLinkCode stores c, deletes the user's earlier codes so that only
// the newest works, and writes a, in one transaction. A zero CreatedAt is
// now, a zero ExpiresAt LinkCodeLifetime later.
func (s *Store) CreateLinkCode(ctx context.Context, c momo.LinkCode, a momo.Audit) error {
	if c.Hash == "" || c.User == 0 {
		return s.fail(ctx, "create link code", momo.E(momo.CodeInvalid, "a link code needs a hash and an account", nil))
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.CreatedAt.Add(momo.LinkCodeLifetime)
	}

	err := s.inTx(ctx, func(tx *sql.Tx) error {
		name, err := s.username(ctx, tx, c.User)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM link_codes WHERE user_id = ?`), c.User); err != nil {
			return fmt.Errorf("delete earlier codes: %w", err)
		}
		_, err = tx.ExecContext(ctx, s.d.q(`
			INSERT INTO link_codes (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
			c.Hash, c.User, timeText(c.CreatedAt), timeText(c.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert link code: %w", err)
		}
		return s.addAudit(ctx, tx, actedOn(a, c.User, name))
	})
	if err != nil {
		return s.fail(ctx, "create link code", err)
	}
	return nil
}

// errNoCode answers an unknown, used and expired code alike, so that the
// answer tells a guesser nothing.
var errNoCode = momo.E(momo.CodeNotFound, "this code is unknown or has expired; ask the dashboard for a new one", nil)

// RedeemLinkCode uses the code with this hash once, in one transaction:
// it deletes the code, finds or creates the subscriber of (channel, ref)
// from defaults, links it to the code's user and writes an AuditLink row.
// A chat linked to another account is a conflict; the transaction then
// rolls back and the code stays usable. Linking a chat again to the same
// account succeeds.
//
// The delete claims the code: of two redemptions at once, the second
// waits for the first (SQLite's write lock, PostgreSQL's row lock) and
// then deletes nothing. The link is an update that only takes a subscriber
// linked to nobody or to this user, so two codes of different users
// racing for one chat cannot both win either.
func (s *Store) RedeemLinkCode(ctx context.Context, hash string, now time.Time, channel momo.Source, ref string, defaults momo.Subscriber) (momo.Subscriber, momo.UserID, error) {
	var sub momo.Subscriber
	var user momo.UserID
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if user, err = s.claimCode(ctx, tx, hash, now); err != nil {
			return err
		}
		name, err := s.activeUsername(ctx, tx, user)
		if err != nil {
			return err
		}
		if defaults.CreatedAt.IsZero() {
			defaults.CreatedAt = now
		}
		if sub, _, err = s.subscriberIn(ctx, tx, channel, ref, defaults, 0); err != nil {
			return err
		}
		if err := s.linkTo(ctx, tx, sub.ID, user); err != nil {
			return err
		}
		return s.addAudit(ctx, tx, momo.Audit{
			At: now, ActorID: user, Actor: name, Action: momo.AuditLink, TargetID: user, Detail: string(channel),
		})
	})
	if err != nil {
		return momo.Subscriber{}, 0, s.fail(ctx, "redeem link code", err)
	}
	return sub, user, nil
}

// claimCode deletes the unexpired code with hash and returns its user.
func (s *Store) claimCode(ctx context.Context, tx *sql.Tx, hash string, now time.Time) (momo.UserID, error) {
	var user momo.UserID
	err := tx.QueryRowContext(ctx, s.d.q(`
		DELETE FROM link_codes WHERE hash = ? AND expires_at > ? RETURNING user_id`),
		hash, timeText(now)).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNoCode
	}
	if err != nil {
		return 0, fmt.Errorf("claim link code: %w", err)
	}
	return user, nil
}

// activeUsername returns the username of an active account; a code of an
// account deactivated since it was shown links nothing.
func (s *Store) activeUsername(ctx context.Context, tx *sql.Tx, id momo.UserID) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, s.d.q(`SELECT username FROM users WHERE id = ? AND active = 1`), id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoCode
	}
	if err != nil {
		return "", fmt.Errorf("read account: %w", err)
	}
	return name, nil
}

// linkTo links a subscriber to user unless another account has it.
func (s *Store) linkTo(ctx context.Context, tx *sql.Tx, sub momo.SubscriberID, user momo.UserID) error {
	res, err := tx.ExecContext(ctx, s.d.q(`
		UPDATE subscribers SET user_id = ? WHERE id = ? AND (user_id IS NULL OR user_id = ?)`), user, sub, user)
	if err != nil {
		return fmt.Errorf("link subscriber: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("link subscriber: %w", err)
	}
	if n == 0 {
		return momo.E(momo.CodeConflict, "this chat is linked to another account; unlink it there first", nil)
	}
	return nil
}

// SetPreferences stores how a user wants to read their data and writes a,
// in one transaction. The timezone must be empty or an IANA name this
// program knows, the currency empty or one it knows.
func (s *Store) SetPreferences(ctx context.Context, id momo.UserID, p momo.Preferences, a momo.Audit) error {
	if err := p.Check(); err != nil {
		return s.fail(ctx, "set preferences", err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		name, err := s.username(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.d.q(`UPDATE users SET timezone = ?, currency = ? WHERE id = ?`),
			p.Timezone, string(p.Currency), id)
		if err != nil {
			return fmt.Errorf("update preferences: %w", err)
		}
		return s.addAudit(ctx, tx, actedOn(a, id, name))
	})
	if err != nil {
		return s.fail(ctx, "set preferences", err)
	}
	return nil
}

// Preferences returns a user's preferences.
func (s *Store) Preferences(ctx context.Context, id momo.UserID) (momo.Preferences, error) {
	p, err := s.preferences(ctx, s.db, id)
	if err != nil {
		return momo.Preferences{}, s.fail(ctx, "preferences", err)
	}
	return p, nil
}

func (s *Store) preferences(ctx context.Context, db execQuerier, id momo.UserID) (momo.Preferences, error) {
	var p momo.Preferences
	err := db.QueryRowContext(ctx, s.d.q(`SELECT timezone, currency FROM users WHERE id = ?`), id).
		Scan(&p.Timezone, &p.Currency)
	if err != nil {
		return p, notFound(err, "no such account")
	}
	return p, nil
}

// username returns an account's username; an unknown account is not found.
func (s *Store) username(ctx context.Context, tx *sql.Tx, id momo.UserID) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, s.d.q(`SELECT username FROM users WHERE id = ?`), id).Scan(&name)
	if err != nil {
		return "", notFound(err, "no such account")
	}
	return name, nil
}

// actedOn completes an audit row about a user's own account: it targets
// the user and, when the caller named no actor, the user acted.
func actedOn(a momo.Audit, id momo.UserID, name string) momo.Audit {
	a.TargetID = id
	if a.ActorID == 0 && a.Actor == "" {
		a.ActorID, a.Actor = id, name
	}
	return a
}
