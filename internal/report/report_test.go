package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/report"
)

// plainCipher stands in for the vault: these tests are about rendering.
type plainCipher struct{}

func (plainCipher) Seal(p []byte) (momo.Sealed, error) {
	return momo.Sealed("sealed:" + string(p)), nil
}
func (plainCipher) Open(t momo.Sealed) ([]byte, error) {
	return []byte(strings.TrimPrefix(string(t), "sealed:")), nil
}
func (plainCipher) Hash(domain, value string) string { return domain + ":" + value }

func sample() momo.Report {
	return momo.Report{
		Messages: 10, Transactions: 8, Unrecognized: 1, Rejected: 1,
		Months: []momo.MonthTotal{{Month: "2025-03", Currency: "GHS", In: 125000, Out: 4550, Fees: 50, Taxes: 12, Count: 8}},
		Kinds: []momo.KindTotal{
			{Kind: momo.KindReceived, Direction: momo.In, Currency: "GHS", Count: 1, Total: 125000},
			{Kind: momo.KindSent, Direction: momo.Out, Currency: "GHS", Count: 7, Total: 4550},
		},
		Charges: []momo.ChargeTotal{{Currency: "GHS", Fees: 50, Taxes: 12}},
		Counterparties: []momo.CounterpartyTotal{
			{Name: "sealed:=HYPERLINK(\"http://x\")", Number: "sealed:0240000000", Currency: "GHS", Count: 2, Out: 4000},
			{Name: "sealed:Ama Example", Currency: "GHS", Count: 1, In: 125000},
		},
		Balances:       []momo.BalanceAt{{Operator: "MTN MoMo", Currency: "GHS", Balance: 120438, At: time.Date(2025, 3, 31, 23, 30, 0, 0, time.UTC)}},
		UnrecognizedBy: []momo.OperatorCount{{Operator: "MTN MoMo", Count: 1}},
	}
}

func build(t *testing.T, zone report.Zone) report.Report {
	t.Helper()
	r, err := report.Build(sample(), momo.ReportQuery{From: "2025-03-01"}, plainCipher{}, zone)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestText(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, build(t, nil), "text"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"MoMo report from 2025-03-01",
		"10 messages, 8 transactions booked, 1 unrecognized, 1 rejected",
		"2025-03", "1,250.00", "45.50", "0.50", "0.12",
		"Ama Example", "1,204.38", "as of 2025-03-31 23:30 UTC",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

// TestTimesInZone shows the last balance in the zone of its currency.
func TestTimesInZone(t *testing.T) {
	kigali, _ := time.LoadLocation("Africa/Kigali")
	r := build(t, func(momo.Currency) *time.Location { return kigali })
	if got := r.Balances[0].At.Format("2006-01-02 15:04"); got != "2025-04-01 01:30" {
		t.Errorf("balance time %s, want it in Kigali", got)
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, build(t, nil), "json"); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"messages", "transactions", "unrecognized", "rejected", "months", "kinds",
		"charges", "top_counterparties", "last_balances", "unrecognized_by_operator"} {
		if _, ok := got[key]; !ok {
			t.Errorf("json report lacks %q", key)
		}
	}
	month := got["months"].([]any)[0].(map[string]any)
	if month["in"] != float64(125000) {
		t.Errorf("money must be integer minor units: %v", month["in"])
	}
}

// TestCSV checks amounts stay plain decimals a spreadsheet reads as
// numbers, and that a name from an SMS cannot become a formula.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, build(t, nil), "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "section,label,direction,currency,count,money_in,money_out,fees,taxes,balance" {
		t.Fatalf("header %v", rows[0])
	}
	if rows[1][5] != "1250.00" || rows[1][6] != "45.50" {
		t.Errorf("month row %v: amounts must be plain decimals", rows[1])
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q could be read as a formula", cell)
			}
		}
	}
}

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ama Example", "Ama Example"},
		{"=1+1", "'=1+1"},
		{"+233240000000", "'+233240000000"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tTab", "'\tTab"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := report.SafeCell(tc.in); got != tc.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	err := report.Write(&bytes.Buffer{}, build(t, nil), "xlsx")
	if momo.ErrorCode(err) != momo.CodeInvalid {
		t.Errorf("unknown format: %v", err)
	}
}
