package sqlstore

import (
	"context"
	"fmt"
)

// Meta stores value under name unless a value is stored there already, and
// returns the stored one. Two processes racing to set the same name both
// get the first value: the primary key decides, not a read before the
// write.
func (s *Store) Meta(ctx context.Context, name, value string) (string, error) {
	_, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO meta (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO NOTHING`), name, value)
	if err != nil {
		return "", s.fail(ctx, "meta", fmt.Errorf("store %s: %w", name, err))
	}
	var stored string
	err = s.db.QueryRowContext(ctx, s.d.q(`SELECT value FROM meta WHERE name = ?`), name).Scan(&stored)
	if err != nil {
		return "", s.fail(ctx, "meta", fmt.Errorf("read %s: %w", name, err))
	}
	return stored, nil
}
