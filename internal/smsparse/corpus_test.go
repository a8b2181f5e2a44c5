package smsparse_test

import (
	"encoding/xml"
	"os"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/corpus"
)

// rwandaBodies reads the real export with encoding/xml, an independent
// reader, so parser tests do not depend on our own backup reader.
func rwandaBodies(tb testing.TB) []momo.Message {
	tb.Helper()
	data, err := os.ReadFile(corpus.Path(tb, "mtn-rwanda-sms-backup.xml"))
	if err != nil {
		tb.Fatalf("read export: %v", err)
	}
	var doc struct {
		SMS []struct {
			Address string `xml:"address,attr"`
			Body    string `xml:"body,attr"`
		} `xml:"sms"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		tb.Fatalf("decode export: %v", err)
	}
	msgs := make([]momo.Message, len(doc.SMS))
	for i, s := range doc.SMS {
		msgs[i] = momo.Message{Body: s.Body, Sender: s.Address}
	}
	return msgs
}

// TestRwandaExportComplete requires every message of the real export to be
// recognized, and each template to match as many messages as the corpus
// notes say it holds.
func TestRwandaExportComplete(t *testing.T) {
	b := book(t)
	counts := map[string]int{}
	for i, m := range rwandaBodies(t) {
		p := b.Parse(m)
		if p.Outcome != momo.OutcomeParsed {
			t.Errorf("message %d unrecognized: %q", i, m.Body)
			continue
		}
		counts[p.Transaction.Template]++
	}

	want := map[string]int{
		"momopay_txid_payment": 658, "p2p_transfer_165": 585, "bank_deposit_113": 248,
		"received_p2p": 63, "utility_162_bundles": 21, "bundle_yello_kinyarwanda": 21,
		"merchant_debit_164": 20, "merchant_debit_164_bundle": 16, "utility_162_airtime": 15,
		"utility_162_cashpower": 12, "otp_app_login": 8, "utility_162_other": 5,
		"bank_to_wallet_transferred": 6, "agent_withdrawal": 3, "failed_143R_merchant": 3,
		"p2p_payment_direct": 2, "failed_143_payment": 2, "reversal_initiated": 1,
		"reversal_143": 1, "mini_statement_line": 1,
	}
	for name, n := range want {
		if counts[name] != n {
			t.Errorf("template %s matched %d messages, want %d", name, counts[name], n)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("templates used: %v", counts)
	}
}

// TestRwandaExportOneSMSEach: read as pastes, every message of the export
// is one SMS, read exactly as Parse reads it; promotions appended to an SMS
// never split it.
func TestRwandaExportOneSMSEach(t *testing.T) {
	b := book(t)
	for i, m := range rwandaBodies(t) {
		rs := b.ParseAll(m)
		if len(rs) != 1 || rs[0].Transaction.Template != b.Parse(m).Transaction.Template {
			t.Errorf("message %d read as %d SMS: %q", i, len(rs), m.Body)
		}
	}
}
