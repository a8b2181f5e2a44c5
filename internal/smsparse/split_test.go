package smsparse_test

import (
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

const (
	ghReceived = "Payment received for GHS 45.50 from KWAME EXAMPLE  Current Balance: GHS 320.75 . Available Balance: GHS 320.75. Reference: rent share. Transaction ID: 51000000001. TRANSACTION FEE: 0.00"
	keSent     = "TK00SE0003 Confirmed. Ksh50.00 sent to Example Person 0711 000 073 on 20/10/24 at 6:27 PM. New M-PESA balance is Ksh123.12. Transaction cost, Ksh0.00."
	tzReceived = "Z00DN002 Confirmed.\nYou have received Tsh20,000 from\nEXAMPLE MUSHI\non 27/1/14 at 1:19 PM\nNew M-PESA balance is Tsh84,676"
	rwPayment  = "TxId: 73000000001. Your payment of 1,000 RWF to Sample Shop 12345 has been completed at 2024-05-10 16:31:39. Your new balance: 1,000 RWF. Fee was 0 RWF."
)

type want struct {
	template string
	amount   int64
	operator string
	txid     string
}

func checkAll(t *testing.T, got []smsparse.Result, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		for _, g := range got {
			t.Logf("got %s %q (%s)", g.Outcome, g.Text, g.Why)
		}
		t.Fatalf("%d messages, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.Outcome != momo.OutcomeParsed {
			t.Errorf("message %d unrecognized (%s): %q", i, g.Why, g.Text)
			continue
		}
		tx := g.Transaction
		if tx.Template != w.template || tx.Amount.Minor != w.amount || tx.Operator != w.operator || tx.TransactionID != w.txid {
			t.Errorf("message %d: %s %d %s %s, want %+v", i, tx.Template, tx.Amount.Minor, tx.Operator, tx.TransactionID, w)
		}
	}
}

var (
	wantGH = want{"gh_mtn_payment_received", 4550, "MTN MoMo", "51000000001"}
	wantKE = want{"ke_mpesa_sent", 5000, "M-Pesa (Safaricom)", "TK00SE0003"}
	wantTZ = want{"tz_mpesa_received", 2000000, "M-Pesa (Vodacom)", "Z00DN002"}
	wantRW = want{"momopay_txid_payment", 1000, "MTN MoMo", "73000000001"}
)

func TestParseAllForwarded(t *testing.T) {
	b := book(t)
	for name, body := range map[string]string{
		"telegram header":     "Forwarded from MobileMoney\n" + ghReceived,
		"bracketed header":    "[Forwarded from MobileMoney]\n\n" + ghReceived,
		"mail forward":        "---------- Forwarded message ---------\nFrom: MobileMoney\nDate: Tue, 3 Mar 2026\nSubject: MoMo\n\n" + ghReceived,
		"quoted reply":        "> " + strings.ReplaceAll(ghReceived, "Current", "\n> Current") + "\n\nthis one is wrong?",
		"chat export":         "[03/03/2026, 10:15] Kofi: " + ghReceived,
		"note before":         "see this one from yesterday\n" + ghReceived,
		"promo after":         ghReceived + " Win big with the MoMo promo, dial *170#",
		"header on same line": "Forwarded from MobileMoney: " + ghReceived,
	} {
		t.Run(name, func(t *testing.T) {
			checkAll(t, b.ParseAll(momo.Message{Body: body}), []want{wantGH})
		})
	}
}

func TestParseAllBatch(t *testing.T) {
	b := book(t)
	msgs := []string{ghReceived, keSent, tzReceived, rwPayment}
	wants := []want{wantGH, wantKE, wantTZ, wantRW}
	for name, sep := range map[string]string{
		"blank lines":  "\n\n",
		"one newline":  "\n",
		"spaces":       " ",
		"dashes":       "\n-----\n",
		"crlf":         "\r\n\r\n",
		"numbered":     "\n2) ",
		"mixed spaces": " \n \t ",
	} {
		t.Run(name, func(t *testing.T) {
			checkAll(t, b.ParseAll(momo.Message{Body: strings.Join(msgs, sep)}), wants)
		})
	}
	t.Run("same template twice", func(t *testing.T) {
		body := ghReceived + "\n" + strings.ReplaceAll(ghReceived, "51000000001", "51000000002")
		second := wantGH
		second.txid = "51000000002"
		checkAll(t, b.ParseAll(momo.Message{Body: body}), []want{wantGH, second})
	})
}

// TestParseAllKeepsUnrecognized: an SMS of a batch that no template reads is
// returned in its place, unrecognized with its operator guessed, and the
// others still parse.
func TestParseAllKeepsUnrecognized(t *testing.T) {
	b := book(t)
	odd := "Your MoMo wallet was credited with GHS 12.00 by SAMPLE LOTTO on 2026-03-01."
	got := b.ParseAll(momo.Message{Body: ghReceived + "\n\n" + odd + "\n\n" + keSent})
	if len(got) != 3 {
		t.Fatalf("%d results", len(got))
	}
	if got[1].Outcome != momo.OutcomeUnrecognized || got[1].Operator == "" || got[1].Why == "" {
		t.Errorf("middle message: %+v", got[1])
	}
	if got[0].Outcome != momo.OutcomeParsed || got[2].Outcome != momo.OutcomeParsed {
		t.Errorf("neighbours not parsed: %v %v", got[0].Why, got[2].Why)
	}
}

func TestParseAllChatterOnly(t *testing.T) {
	got := book(t).ParseAll(momo.Message{Body: "hello, how are you?"})
	if len(got) != 1 || got[0].Outcome != momo.OutcomeUnrecognized || got[0].Operator != "" {
		t.Fatalf("%+v", got)
	}
	if got := book(t).ParseAll(momo.Message{Body: ""}); len(got) != 1 {
		t.Fatalf("empty text: %d results", len(got))
	}
}

// TestHugePaste: a 10,000-line paste is read in time proportional to its
// size, and every SMS in it is found.
func TestHugePaste(t *testing.T) {
	b := book(t)
	var sb strings.Builder
	n := 0
	for sb.Len() < 10_000*60 {
		sb.WriteString(keSent)
		sb.WriteString("\n")
		sb.WriteString("random chatter line with 12 numbers 345\n")
		n++
	}
	start := time.Now()
	got := b.ParseAll(momo.Message{Body: sb.String()})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
	parsed := 0
	for _, r := range got {
		if r.Outcome == momo.OutcomeParsed {
			parsed++
		}
	}
	if parsed != n {
		t.Errorf("parsed %d of %d", parsed, n)
	}
}

func TestRedact(t *testing.T) {
	b := book(t)
	got := b.Redact("Payment received for GHS 45.50 from KWAME EXAMPLE Current Balance: GHS 320.75. Reference: Esi ,0550000101. Transaction ID: 51000000001.")
	want := "Payment received for GHS ##.## from XXXXX XXXXXXX Current Balance: GHS ###.##. Reference: XXX ,##########. Transaction ID: ###########."
	if got != want {
		t.Errorf("Redact:\n got %s\nwant %s", got, want)
	}
	if got := b.Redact("Umepokea Tsh ٥٠ kutoka JUMA"); strings.ContainsAny(got, "٥٠") || strings.Contains(got, "JUMA") {
		t.Errorf("other digits or name kept: %s", got)
	}
}
