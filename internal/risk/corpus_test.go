package risk

import (
	"encoding/xml"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/corpus"
)

// labelled is a corpus message with the parse its labels describe.
type labelled struct {
	message  momo.Message
	parse    momo.Parse
	operator string
	line     int
}

func loadCorpus(t *testing.T, file string) []labelled {
	t.Helper()
	var out []labelled
	for _, c := range corpus.Load(t, file) {
		m := momo.Message{Body: c.Body}
		if c.Sender != nil {
			m.Sender = *c.Sender
		}
		if c.ReceivedAt != nil {
			at, err := time.Parse(time.RFC3339, *c.ReceivedAt)
			if err != nil {
				t.Fatalf("%s line %d: %v", file, c.Line, err)
			}
			m.ReceivedAt = at
		}
		tx := momo.Transaction{Operator: c.Operator, Country: c.Country, Kind: momo.Kind(fmt.Sprint(c.Expect["kind"]))}
		if id, ok := c.Expect["transaction_id"].(string); ok {
			tx.TransactionID = id
		}
		out = append(out, labelled{message: m, parse: momo.Parse{Outcome: momo.OutcomeParsed, Operator: c.Operator, Transaction: tx}, operator: c.Operator, line: c.Line})
	}
	return out
}

// backupSMS is one record of an SMS Backup & Restore export.
type backupSMS struct {
	Address string `xml:"address,attr"`
	Date    string `xml:"date,attr"`
	Body    string `xml:"body,attr"`
}

// readExport reads the real Rwanda export in file order.
func readExport(t testing.TB) []momo.Message {
	t.Helper()
	data, err := os.ReadFile(corpus.Path(t, "mtn-rwanda-sms-backup.xml"))
	if err != nil {
		t.Fatalf("read export: %v", err)
	}
	var doc struct {
		SMS []backupSMS `xml:"sms"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decode export: %v", err)
	}
	var out []momo.Message
	for i, s := range doc.SMS {
		ms, err := strconv.ParseInt(s.Date, 10, 64)
		if err != nil {
			t.Fatalf("date %q: %v", s.Date, err)
		}
		out = append(out, momo.Message{Body: s.Body, Sender: s.Address, ReceivedAt: time.UnixMilli(ms).UTC(), Source: momo.SourceBackup, Position: fmt.Sprintf("record %d", i+1)})
	}
	return out
}
