package synth_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
	"github.com/momoanalytics/momo/internal/synth"
)

var update = flag.Bool("update", false, "rewrite examples/sms-backup.xml")

// The repository's example export: what the README's first command imports.
const (
	exampleSeed  = 7
	exampleCount = 240
)

var exampleStart = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// TestGeneratedMessagesParse checks that every invented received message
// has a real template's shape, so the examples exercise the real parser.
func TestGeneratedMessagesParse(t *testing.T) {
	book, err := smsparse.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range synth.Rwanda(1, exampleStart, 5000) {
		if m.Type != 1 {
			continue
		}
		p := book.Parse(momo.Message{Body: m.Body, Sender: m.Address})
		if p.Outcome != momo.OutcomeParsed {
			t.Fatalf("generated message does not parse: %q", m.Body)
		}
		seen[p.Transaction.Template]++
	}
	for _, name := range []string{"momopay_txid_payment", "p2p_transfer_165", "bank_deposit_113", "received_p2p",
		"utility_162_bundles", "bundle_yello_kinyarwanda", "utility_162_airtime", "utility_162_cashpower",
		"agent_withdrawal", "merchant_debit_164", "failed_143_payment"} {
		if seen[name] == 0 {
			t.Errorf("no generated message uses template %s", name)
		}
	}
}

// TestBalancesFollow checks the invented history is coherent: each stated
// balance follows from the previous one, the amount and the fee.
func TestBalancesFollow(t *testing.T) {
	book, err := smsparse.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var prev int64
	first := true
	for _, m := range synth.Rwanda(3, exampleStart, 3000) {
		p := book.Parse(momo.Message{Body: m.Body, Sender: m.Address})
		tx := p.Transaction
		if p.Outcome != momo.OutcomeParsed || !tx.Balance.Known {
			continue
		}
		delta := tx.Amount.Minor
		if tx.Direction == momo.Out {
			delta = -tx.Amount.Minor - tx.Fee.Minor
		}
		if !first && prev+delta != tx.Balance.Minor {
			t.Fatalf("balance %d does not follow from %d and %+d: %q", tx.Balance.Minor, prev, delta, m.Body)
		}
		prev, first = tx.Balance.Minor, false
	}
}

func TestExampleExportIsCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := synth.WriteBackup(&buf, synth.Rwanda(exampleSeed, exampleStart, exampleCount)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "examples", "sms-backup.xml")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read example: %v (run go test ./internal/synth -update)", err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("examples/sms-backup.xml is not what the generator writes; run go test ./internal/synth -update")
	}
}
