package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/momoanalytics/momo"
)

var _ momo.AccountStore = (*Store)(nil)

// lockAccounts takes the account_lock row: every transaction that creates
// accounts or changes roles and status starts with it, so that they run one
// after another on PostgreSQL as they do on SQLite, and their checks (no
// account yet, another admin left) cannot be raced.
func (s *Store) lockAccounts(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE account_lock SET version = version + 1 WHERE id = 1`)
	if err != nil {
		return fmt.Errorf("lock accounts: %w", err)
	}
	return nil
}

// CreateUser stores a new account with the audit row of its creation. A
// taken username key is a momo.CodeConflict error.
func (s *Store) CreateUser(ctx context.Context, u momo.User, rule momo.AdminRule, a momo.Audit) (momo.User, error) {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	u.Active = true
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccounts(ctx, tx); err != nil {
			return err
		}
		admin, err := s.adminFor(ctx, tx, rule)
		if err != nil {
			return err
		}
		u.Admin = admin

		var taken int
		err = tx.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*) FROM users WHERE username_key = ?`), u.UsernameKey).Scan(&taken)
		if err != nil {
			return fmt.Errorf("check username: %w", err)
		}
		if taken > 0 {
			return momo.E(momo.CodeConflict, "that username is taken", nil)
		}

		err = tx.QueryRowContext(ctx, s.d.q(`
			INSERT INTO users (username, username_key, email, password_hash, admin, active, created_at)
			VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id`),
			u.Username, u.UsernameKey, u.Email, u.PasswordHash, boolInt(u.Admin), timeText(u.CreatedAt)).Scan(&u.ID)
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		a.TargetID = u.ID
		if a.ActorID == 0 && a.Actor == "" {
			a.ActorID, a.Actor = u.ID, u.Username
		}
		if u.Admin {
			a.Detail = joinDetail(a.Detail, "admin")
		}
		return s.addAudit(ctx, tx, a)
	})
	if err != nil {
		return momo.User{}, s.fail(ctx, "create user", err)
	}
	return u, nil
}

func (s *Store) adminFor(ctx context.Context, tx *sql.Tx, rule momo.AdminRule) (bool, error) {
	switch rule {
	case momo.AdminAlways:
		return true, nil
	case momo.AdminNever:
		return false, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

const userColumns = `id, username, username_key, email, password_hash, admin, active, created_at, last_login_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (momo.User, error) {
	var u momo.User
	var created, last dbTime
	err := r.Scan(&u.ID, &u.Username, &u.UsernameKey, &u.Email, &u.PasswordHash, &u.Admin, &u.Active, &created, &last)
	u.CreatedAt, u.LastLoginAt = created.Time, last.Time
	return u, err
}

// UserByID returns the account with id.
func (s *Store) UserByID(ctx context.Context, id momo.UserID) (momo.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.d.q(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
	if err != nil {
		return momo.User{}, s.fail(ctx, "user", notFound(err, "no such account"))
	}
	return u, nil
}

// UserByName returns the account whose username key is key.
func (s *Store) UserByName(ctx context.Context, key string) (momo.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.d.q(`SELECT `+userColumns+` FROM users WHERE username_key = ?`), key))
	if err != nil {
		return momo.User{}, s.fail(ctx, "user", notFound(err, "no such account"))
	}
	return u, nil
}

// Users returns every account, by username.
func (s *Store) Users(ctx context.Context) ([]momo.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username_key`)
	if err != nil {
		return nil, s.fail(ctx, "users", err)
	}
	defer rows.Close()
	var out []momo.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.fail(ctx, "users", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "users", err)
	}
	return out, nil
}

// UpgradePasswordHash replaces old by hash, unless the password changed
// in the meantime.
func (s *Store) UpgradePasswordHash(ctx context.Context, id momo.UserID, old, hash string) error {
	_, err := s.db.ExecContext(ctx, s.d.q(`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`), hash, id, old)
	if err != nil {
		return s.fail(ctx, "upgrade password hash", err)
	}
	return nil
}

// ChangePassword stores a new hash and ends the user's other sessions and
// every remember token.
func (s *Store) ChangePassword(ctx context.Context, id momo.UserID, hash, keep string, a momo.Audit) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, id)
		if err != nil {
			return fmt.Errorf("update password: %w", err)
		}
		if err := mustChange(res, "no such account"); err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, id, keep); err != nil {
			return err
		}
		a.TargetID = id
		return s.addAudit(ctx, tx, a)
	})
	if err != nil {
		return s.fail(ctx, "change password", err)
	}
	return nil
}

// SetAdmin promotes or demotes an account; demoting the last active admin
// is a momo.CodeConflict error.
func (s *Store) SetAdmin(ctx context.Context, id momo.UserID, admin bool, a momo.Audit) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccounts(ctx, tx); err != nil {
			return err
		}
		if !admin {
			if err := s.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.d.q(`UPDATE users SET admin = ? WHERE id = ?`), boolInt(admin), id)
		if err != nil {
			return fmt.Errorf("update role: %w", err)
		}
		if err := mustChange(res, "no such account"); err != nil {
			return err
		}
		a.TargetID = id
		return s.addAudit(ctx, tx, a)
	})
	if err != nil {
		return s.fail(ctx, "set admin", err)
	}
	return nil
}

// SetActive deactivates or reactivates an account. Deactivation ends every
// session and remember token at once; deactivating the last active admin
// is a momo.CodeConflict error.
func (s *Store) SetActive(ctx context.Context, id momo.UserID, active bool, a momo.Audit) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccounts(ctx, tx); err != nil {
			return err
		}
		if !active {
			if err := s.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.d.q(`UPDATE users SET active = ? WHERE id = ?`), boolInt(active), id)
		if err != nil {
			return fmt.Errorf("update status: %w", err)
		}
		if err := mustChange(res, "no such account"); err != nil {
			return err
		}
		if !active {
			if err := s.endSessions(ctx, tx, id, ""); err != nil {
				return err
			}
		}
		a.TargetID = id
		return s.addAudit(ctx, tx, a)
	})
	if err != nil {
		return s.fail(ctx, "set active", err)
	}
	return nil
}

// keepAnAdmin refuses a change that would take id away from the active
// admins when it is the last of them.
func (s *Store) keepAnAdmin(ctx context.Context, tx *sql.Tx, id momo.UserID) error {
	var others, self int
	err := tx.QueryRowContext(ctx, s.d.q(`
		SELECT
			COALESCE(SUM(CASE WHEN id <> ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN id = ? THEN 1 ELSE 0 END), 0)
		FROM users WHERE admin = 1 AND active = 1`), id, id).Scan(&others, &self)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if self > 0 && others == 0 {
		return momo.E(momo.CodeConflict, "this is the last active admin; promote another account first", nil)
	}
	return nil
}

// LinkSubscriber makes owner the account a subscriber's data belongs to.
func (s *Store) LinkSubscriber(ctx context.Context, sub momo.SubscriberID, owner momo.UserID) error {
	res, err := s.db.ExecContext(ctx, s.d.q(`UPDATE subscribers SET user_id = ? WHERE id = ?`), owner, sub)
	if err != nil {
		return s.fail(ctx, "link subscriber", err)
	}
	if err := mustChange(res, "no such subscriber"); err != nil {
		return s.fail(ctx, "link subscriber", err)
	}
	return nil
}

// OwnedSubscribers returns the subscribers linked to owner, and only those,
// with their booked transactions as the dashboard counts them (a confirmation of a
// payment already counted, or a failed payment, is not one), summed from
// the monthly totals.
func (s *Store) OwnedSubscribers(ctx context.Context, owner momo.UserID) ([]momo.OwnedSubscriber, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`
		SELECT s.id, s.channel, s.ref, s.timezone, s.currency, s.created_at,
			CAST(COALESCE((SELECT SUM(m.count) FROM money_months m WHERE m.subscriber_id = s.id), 0) AS BIGINT)
		FROM subscribers s WHERE s.user_id = ? ORDER BY s.id`), owner)
	if err != nil {
		return nil, s.fail(ctx, "owned subscribers", err)
	}
	defer rows.Close()
	var out []momo.OwnedSubscriber
	for rows.Next() {
		var o momo.OwnedSubscriber
		var created dbTime
		sub := &o.Subscriber
		if err := rows.Scan(&sub.ID, &sub.Channel, &sub.Ref, &sub.Timezone, &sub.Currency, &created, &o.Transactions); err != nil {
			return nil, s.fail(ctx, "owned subscribers", err)
		}
		sub.CreatedAt = created.Time
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "owned subscribers", err)
	}
	return out, nil
}

// HealthCounts counts accounts and transactions.
func (s *Store) HealthCounts(ctx context.Context) (momo.HealthCounts, error) {
	var c momo.HealthCounts
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM transactions)`).
		Scan(&c.Users, &c.Transactions)
	if err != nil {
		return c, s.fail(ctx, "health counts", err)
	}
	return c, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return s.fail(ctx, "ping", momo.E(momo.CodeUnavailable, "the database does not answer", err))
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// notFound turns sql.ErrNoRows into a momo.CodeNotFound error.
func notFound(err error, message string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return momo.E(momo.CodeNotFound, message, err)
	}
	return err
}

// mustChange reports a statement that changed no row as not found.
func mustChange(res sql.Result, message string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return momo.E(momo.CodeNotFound, message, nil)
	}
	return nil
}
