package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/momoanalytics/momo"
)

// TemplateCounts returns how many of a subscriber's stored messages each
// template matched, counted in SQL over the messages table.
func (s *Store) TemplateCounts(ctx context.Context, sub momo.SubscriberID) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`
		SELECT template, COUNT(*) FROM messages
		WHERE subscriber_id = ? AND template IS NOT NULL AND template <> ''
		GROUP BY template`), sub)
	if err != nil {
		return nil, s.fail(ctx, "template counts", err)
	}
	defer rows.Close()

	counts := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, s.fail(ctx, "template counts", err)
		}
		counts[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "template counts", err)
	}
	return counts, nil
}

// Unrecognized returns a subscriber's unrecognized messages, newest first,
// at most limit of them (all when limit is 0). Sender and body stay sealed.
func (s *Store) Unrecognized(ctx context.Context, sub momo.SubscriberID, limit int) ([]momo.StoredMessage, error) {
	query := `
		SELECT id, hash, source, sender_enc, body_enc, received_at, outcome, reason
		FROM messages
		WHERE subscriber_id = ? AND outcome = 'unrecognized'
		ORDER BY id DESC`
	args := []any{sub}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, s.fail(ctx, "list unrecognized", err)
	}
	defer rows.Close()

	var out []momo.StoredMessage
	for rows.Next() {
		m, err := scanStored(rows)
		if err != nil {
			return nil, s.fail(ctx, "list unrecognized", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list unrecognized", err)
	}
	return out, nil
}

// scanStored reads a message's id, hash, source, sender, body, receipt
// time, outcome and reason, then extra, columns a query selects besides.
func scanStored(rows *sql.Rows, extra ...any) (momo.StoredMessage, error) {
	var m momo.StoredMessage
	var sender, reason sql.NullString
	var received dbTime
	dest := append([]any{&m.ID, &m.Hash, &m.Source, &sender, &m.Body, &received, &m.Outcome, &reason}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return m, fmt.Errorf("read message: %w", err)
	}
	m.Sender, m.Reason, m.ReceivedAt = momo.Sealed(sender.String), reason.String, received.Time
	return m, nil
}
