package ingest

import (
	"errors"
	"fmt"
	"io"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsbackup"
)

// smsReceived is the SMS Backup & Restore type of an inbox message; sent
// messages, drafts and outbox copies are not money we received word of.
const smsReceived = 1

// BackupItems adapts an SMS Backup & Restore reader to Import: received
// SMS become messages, sent SMS and MMS are skipped, damaged records are
// rejected with their position.
func BackupItems(r *smsbackup.Reader, source momo.Source) func() (Item, bool, error) {
	return func() (Item, bool, error) {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return Item{}, false, nil
		}
		if err != nil {
			return Item{}, false, err
		}

		item := Item{Message: momo.Message{
			Body: rec.Body, Sender: rec.Address, ReceivedAt: rec.Date, Source: source,
			Position: fmt.Sprintf("record %d (line %d)", rec.Index, rec.Line),
		}}
		switch {
		case rec.Damage != "":
			item.Damage = rec.Damage
		case rec.Element != "sms" || rec.Type != smsReceived:
			item.Skip = true
		}
		return item, true, nil
	}
}
