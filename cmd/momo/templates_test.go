package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

func TestTemplatesListOffline(t *testing.T) {
	r := momoRun(t, t.TempDir(), nil, "", "templates", "list", "--offline")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"mtn-gh", "gh_mtn_cash_in", "withdrawal", "telecel-gh", "mpesa-tz", "tigo-tz", "at-gh", "no real SMS known yet", "momopay_txid_payment"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "MATCHED") {
		t.Errorf("offline list shows counts")
	}
}

// TestTemplateRowsCounts checks the counts column against a fake store's
// answer.
func TestTemplateRowsCounts(t *testing.T) {
	book, err := smsparse.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rows := templateRows(book, map[string]int{"gh_mtn_cash_in": 7})
	var sb strings.Builder
	if err := writeTemplateRows(&sb, rows, true); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(sb.String(), "\n") {
		if strings.Contains(line, "gh_mtn_cash_in ") {
			found = strings.HasSuffix(strings.TrimSpace(line), " 7")
		}
	}
	if !found {
		t.Errorf("count 7 not shown for gh_mtn_cash_in:\n%s", sb.String())
	}
	if !strings.Contains(sb.String(), "templates") {
		t.Errorf("no summary line")
	}
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const exampleOperator = `
operators:
  - key: example-gh
    name: Example Money
    country: GH
    currency: GHS
    currency_words: [GHS]
    timezone: Africa/Accra
    senders: [ExampleMoney]
    hints: [ghs, "example money"]
    templates:
      - name: example_received
        kind: received
        direction: in
        pattern: 'Example Money: you got {$amount} from {counterparty}\. Id {txid}\.'
      - name: example_sent
        kind: sent
        direction: out
        pattern: 'Example Money: you sent {$amount} to {counterparty}\. Id {txid}\.'
`

func TestTemplatesTest(t *testing.T) {
	file := writeFile(t, "example.yaml", exampleOperator)
	samples := writeFile(t, "samples.jsonl", `{"body": "Example Money: you got GHS 12.50 from Ama Sample. Id X1.", "sender": "ExampleMoney", "received_at": null, "operator": "Example Money", "country": "GH", "template": "example_received", "expect": {"kind": "received", "amount": 1250, "counterparty": "Ama Sample", "transaction_id": "X1", "fee": null}}
`)
	r := momoRun(t, t.TempDir(), nil, "", "templates", "test", file, samples)
	if r.code != 0 || !strings.Contains(r.stdout, "1 passed, 0 failed") {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "example_sent") {
		t.Errorf("the untested template is not named: %s", r.stdout)
	}

	// A wrong label fails, with the field.
	wrong := writeFile(t, "wrong.jsonl", `{"body": "Example Money: you got GHS 12.50 from Ama Sample. Id X1.", "expect": {"amount": 1200}}`+"\n")
	r = momoRun(t, t.TempDir(), nil, "", "templates", "test", file, wrong)
	if r.code != 1 || !strings.Contains(r.stdout, "amount: want 1200, got 1250") {
		t.Errorf("exit %d: %s", r.code, r.stdout)
	}

	// Without samples the file is run against every built-in sample.
	r = momoRun(t, t.TempDir(), nil, "", "templates", "test", file)
	if r.code != 0 || !strings.Contains(r.stdout, " passed, 0 failed") {
		t.Errorf("built-in samples: exit %d: %s", r.code, r.stdout)
	}
}

// TestTemplatesTestCatchesRegression: a local override that breaks a known
// shape fails against the built-in samples.
func TestTemplatesTestCatchesRegression(t *testing.T) {
	override := writeFile(t, "fix.yaml", `
operators:
  - key: mtn-gh
    name: MTN MoMo
    country: GH
    currency: GHS
    timezone: Africa/Accra
    templates:
      - name: gh_mtn_cash_in
        kind: received
        direction: in
        pattern: 'Cash In received for {$amount} from {counterparty}\.'
`)
	r := momoRun(t, t.TempDir(), nil, "", "templates", "test", override)
	if r.code != 1 || !strings.Contains(r.stdout, "kind: want \"deposit\", got \"received\"") {
		t.Errorf("exit %d: %s", r.code, r.stdout)
	}
}

func TestTemplatesTestBadPattern(t *testing.T) {
	bad := writeFile(t, "bad.yaml", strings.Replace(exampleOperator, `Id {txid}\.'`, `Id ({txid}\.'`, 1))
	r := momoRun(t, t.TempDir(), nil, "", "templates", "test", bad)
	if r.code != 3 || !strings.Contains(r.stderr, "example_received") || !strings.Contains(r.stderr, "does not compile") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	// The same file named by MOMO_TEMPLATES stops every command at start.
	r = momoRun(t, t.TempDir(), map[string]string{"MOMO_TEMPLATES": bad}, "", "parse", "hello")
	if r.code != 3 || !strings.Contains(r.stderr, "example_received") {
		t.Errorf("MOMO_TEMPLATES: exit %d: %s", r.code, r.stderr)
	}
}

// TestMomoTemplatesAddsOperator: a file named by MOMO_TEMPLATES adds an
// operator without a rebuild.
func TestMomoTemplatesAddsOperator(t *testing.T) {
	file := writeFile(t, "example.yaml", exampleOperator)
	r := momoRun(t, t.TempDir(), map[string]string{"MOMO_TEMPLATES": file}, "", "parse", "Example Money: you sent GHS 3 to Kofi Sample. Id Z9.")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["template"] != "example_sent" || v["amount"] != 300.0 {
		t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
}

// fakeVault opens "sealed" values that are just the plaintext.
type fakeVault struct{}

func (fakeVault) Open(token momo.Sealed) ([]byte, error) { return []byte(token), nil }

func TestUnrecognizedItems(t *testing.T) {
	book, err := smsparse.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	stored := []momo.StoredMessage{
		{ID: 3, Sender: "MobileMoney", Body: "Your MoMo wallet was credited with GHS 12.00 by KOFI SAMPLE on 2026-03-01."},
		{ID: 2, Sender: "MPESA", Body: "QX00AB0001 Confirmed. Fuliza M-PESA amount is Ksh 150.00. Access Fee charged Ksh 1.50."},
		{ID: 1, Body: "Cash In received for GHS 200.00 from EXAMPLE SHOP. Current Balance GHS 402.71 Available Balance GHS 402.71. Transaction ID: 51000000018. Fee charged: GHS 0."},
	}
	items, err := unrecognizedItems(stored, fakeVault{}, book, true)
	if err != nil {
		t.Fatal(err)
	}
	if items[0].Operator != "MTN MoMo" || items[1].Operator != "M-Pesa (Safaricom)" {
		t.Errorf("guesses: %q %q", items[0].Operator, items[1].Operator)
	}
	for _, it := range items {
		if strings.ContainsAny(it.Body, "0123456789") || strings.Contains(it.Body, "KOFI") || strings.Contains(it.Body, "SAMPLE") {
			t.Errorf("not redacted: %s", it.Body)
		}
	}
	if items[2].Template != "gh_mtn_cash_in" {
		t.Errorf("a message today's templates read is not flagged: %+v", items[2])
	}
	if got := filterItems(items, book, "mpesa-ke", 0); len(got) != 1 || got[0].ID != 2 {
		t.Errorf("filter by key: %+v", got)
	}
	var sb strings.Builder
	if err := writeUnrecognized(&sb, items[:1], "text"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "GHS ##.##") || !strings.Contains(sb.String(), "1 unrecognized messages") {
		t.Errorf("text output: %s", sb.String())
	}
}
