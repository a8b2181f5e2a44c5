package ingest

import (
	"context"
	"fmt"

	"github.com/momoanalytics/momo"
)

// Reparse runs the current templates over every stored message of sub and
// rebuilds the subscriber's transactions from them, in one database
// transaction. Messages rejected as damaged stay rejected.
func (im *Importer) Reparse(ctx context.Context, sub momo.Subscriber) (momo.Counts, error) {
	r, err := im.start(sub)
	if err != nil {
		return momo.Counts{}, err
	}

	return im.Store.Reparse(ctx, sub.ID, func(sm momo.StoredMessage) (momo.MessageRecord, error) {
		m, err := im.open(sm)
		if err != nil {
			return momo.MessageRecord{}, err
		}
		item := Item{Message: m}
		if sm.Outcome == momo.OutcomeRejected {
			item.Damage = sm.Reason
		}
		rec, _, err := im.record(r, item)
		rec.Hash, rec.Body, rec.Sender = sm.Hash, sm.Body, sm.Sender
		return rec, err
	})
}

// open decrypts a stored message back into the form the parser reads.
func (im *Importer) open(sm momo.StoredMessage) (momo.Message, error) {
	body, err := im.Cipher.Open(sm.Body)
	if err != nil {
		return momo.Message{}, fmt.Errorf("ingest: open message %d: %w", sm.ID, err)
	}
	m := momo.Message{
		Body: string(body), ReceivedAt: sm.ReceivedAt, Source: sm.Source,
		Position: fmt.Sprintf("stored message %d", sm.ID),
	}
	if sm.Sender != "" {
		sender, err := im.Cipher.Open(sm.Sender)
		if err != nil {
			return momo.Message{}, fmt.Errorf("ingest: open sender of message %d: %w", sm.ID, err)
		}
		m.Sender = string(sender)
	}
	return m, nil
}
