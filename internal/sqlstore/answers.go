package sqlstore

import (
	"context"

	"github.com/momoanalytics/momo"
)

// AddAnswer records a subscriber's answer about a counterparty.
func (s *Store) AddAnswer(ctx context.Context, sub momo.SubscriberID, a momo.Answer) error {
	_, err := s.db.ExecContext(ctx, s.d.q(`
		INSERT INTO answers (subscriber_id, counterparty_key, answer, answered_at)
		VALUES (?, ?, ?, ?)`), sub, a.CounterpartyKey, a.Answer, timeText(s.now()))
	if err != nil {
		return s.fail(ctx, "add answer", err)
	}
	return nil
}

// Answers returns a subscriber's answers in the order they were given.
func (s *Store) Answers(ctx context.Context, sub momo.SubscriberID) ([]momo.Answer, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`
		SELECT counterparty_key, answer FROM answers
		WHERE subscriber_id = ? ORDER BY id`), sub)
	if err != nil {
		return nil, s.fail(ctx, "answers", err)
	}
	defer rows.Close()

	var out []momo.Answer
	for rows.Next() {
		var a momo.Answer
		if err := rows.Scan(&a.CounterpartyKey, &a.Answer); err != nil {
			return nil, s.fail(ctx, "answers", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "answers", err)
	}
	return out, nil
}
