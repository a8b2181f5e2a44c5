package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

var accra = time.FixedZone("GMT", 0)
var kigali = time.FixedZone("CAT", 2*3600)

// sample is a full row and the CSV cells it must become.
var sample = Row{
	Time: time.Date(2026, 3, 14, 9, 26, 53, 0, kigali), Day: "2026-03-14",
	Operator: "MTN MoMo", Kind: "sent", Direction: "out", Status: "completed",
	Currency: "GHS", Amount: momo.Some(123450), Fee: momo.Some(300), Tax: momo.Some(-300), Balance: momo.Amount{},
	Counterparty: "Ama Mensah", Number: "+233241234567", Reference: "TX-991",
	RiskLevel: "low", RiskScore: 12,
}

var sampleCells = []string{
	"2026-03-14 09:26:53", "+02:00", "2026-03-14", "MTN MoMo", "sent", "out", "completed",
	"GHS", "1234.50", "3.00", "-3.00", "",
	"Ama Mensah", "'+233241234567", "TX-991", "low", "12",
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(bom)) {
		t.Fatalf("no byte-order mark: %q", b[:min(len(b), 10)])
	}
	r := csv.NewReader(bytes.NewReader(b[len(bom):]))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v\n%s", err, b)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(header, ",") {
		t.Fatalf("header = %q", recs)
	}
	return recs[1:]
}

func writeAll(t *testing.T, w Writer, rows ...Row) {
	t.Helper()
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatalf("Write(%+v): %v", r, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestCSVColumns(t *testing.T) {
	var buf bytes.Buffer
	writeAll(t, NewCSV(&buf), sample, Row{Kind: "balance", Currency: "RWF", Balance: momo.Some(1500), Time: time.Date(2026, 1, 2, 3, 4, 5, 0, accra)})
	recs := readCSV(t, buf.Bytes())

	if len(recs) != 2 {
		t.Fatalf("%d rows, want 2", len(recs))
	}
	for i, want := range sampleCells {
		if recs[0][i] != want {
			t.Errorf("column %s = %q, want %q", header[i], recs[0][i], want)
		}
	}
	want2 := []string{"2026-01-02 03:04:05", "+00:00", "", "", "balance", "", "", "RWF", "", "", "", "1500", "", "", "", "", ""}
	for i, want := range want2 {
		if recs[1][i] != want {
			t.Errorf("row 2 column %s = %q, want %q", header[i], recs[1][i], want)
		}
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		cur  momo.Currency
		a    momo.Amount
		want string
	}{
		{"GHS", momo.Some(123450), "1234.50"},
		{"GHS", momo.Some(-300), "-3.00"},
		{"GHS", momo.Some(5), "0.05"},
		{"GHS", momo.Some(-5), "-0.05"},
		{"GHS", momo.Some(0), "0.00"},
		{"GHS", momo.Some(100000000000), "1000000000.00"},
		{"RWF", momo.Some(1500), "1500"},
		{"UGX", momo.Some(0), "0"},
		{"UGX", momo.Some(-7), "-7"},
		{"KES", momo.Some(-9223372036854775808), "-92233720368547758.08"},
		{"GHS", momo.Amount{}, ""},
		{"", momo.Amount{}, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.cur)+"/"+tt.want, func(t *testing.T) {
			got, _, err := decimal(tt.cur, tt.a)
			if err != nil || got != tt.want {
				t.Errorf("decimal(%s, %+v) = %q, %v; want %q", tt.cur, tt.a, got, err, tt.want)
			}
		})
	}
}

func TestUnknownCurrency(t *testing.T) {
	for name, w := range map[string]func(io.Writer) Writer{"csv": NewCSV, "json": NewJSON} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			ew := w(&buf)
			err := ew.Write(Row{Currency: "XYZ", Amount: momo.Some(100)})
			if momo.ErrorCode(err) != momo.CodeInvalid {
				t.Fatalf("Write = %v, want a %s error", err, momo.CodeInvalid)
			}
			// The writer goes on after a bad row.
			writeAll(t, ew, Row{Currency: "XYZ", Kind: "statement"}, sample)
			if strings.Contains(buf.String(), "XYZ\",\"100") || strings.Count(buf.String(), "XYZ") != 1 {
				t.Errorf("output holds the bad row or lost the good ones:\n%s", buf.String())
			}
		})
	}
}

func TestCSVInjection(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"=1+1", "'=1+1"},
		{"+CMD", "'+CMD"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"  =HYPERLINK(\"http://x\")", "'  =HYPERLINK(\"http://x\")"},
		{"+250788123456", "'+250788123456"},
		{`Kofi "Big" Mensah, Ltd` + "\nAccra", `Kofi "Big" Mensah, Ltd` + "\nAccra"},
		{"Ama", "Ama"},
		{"a=b", "a=b"},
		{"", ""},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		// Excel in a ';' locale splits a cell there: each part is a cell.
		{"x;=HYPERLINK(1)", "x;'=HYPERLINK(1)"},
		{"x; =1", "x;' =1"},
		{"x;  @A1;+1", "x;'  @A1;'+1"},
		{"a;b", "a;b"},
		{"a;", "a;"},
		{";-1", ";'-1"},
		{"=1;=2", "'=1;'=2"},
		{"\uFF1D1+1", "'\uFF1D1+1"},
		{" \uFF1DSUM(A1)", "' \uFF1DSUM(A1)"},
		{"a\uFF1Db", "a\uFF1Db"},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			var buf bytes.Buffer
			r := Row{Counterparty: tt.in, Number: tt.in, Reference: tt.in, Operator: tt.in, Day: tt.in, RiskLevel: tt.in,
				Currency: "GHS", Amount: momo.Some(-300)}
			writeAll(t, NewCSV(&buf), r)
			got := readCSV(t, buf.Bytes())[0]

			for _, col := range []string{"counterparty", "number", "reference", "operator", "day", "risk_level"} {
				if cell := got[column(col)]; cell != tt.want {
					t.Errorf("%s = %q, want %q", col, cell, tt.want)
				}
			}
			if got[column("time")] != "" || got[column("utc_offset")] != "" {
				t.Errorf("unknown time not empty: %q", got)
			}
			// Our own numbers are never prefixed, even when negative.
			if cell := got[column("amount")]; cell != "-3.00" {
				t.Errorf("amount = %q, want -3.00", cell)
			}
		})
	}
}

func column(name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	panic("no column " + name)
}

func TestCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	writeAll(t, NewCSV(&buf))
	if recs := readCSV(t, buf.Bytes()); len(recs) != 0 {
		t.Errorf("empty export has rows: %q", recs)
	}
}

// decoded mirrors the JSON object with pointers, so null stays visible.
type decoded struct {
	Time         *string `json:"time"`
	Day          *string `json:"day"`
	Operator     *string `json:"operator"`
	Kind         *string `json:"kind"`
	Direction    *string `json:"direction"`
	Status       *string `json:"status"`
	Currency     *string `json:"currency"`
	Amount       *string `json:"amount"`
	AmountMinor  *int64  `json:"amount_minor"`
	Fee          *string `json:"fee"`
	FeeMinor     *int64  `json:"fee_minor"`
	Tax          *string `json:"tax"`
	TaxMinor     *int64  `json:"tax_minor"`
	Balance      *string `json:"balance"`
	BalanceMinor *int64  `json:"balance_minor"`
	Counterparty *string `json:"counterparty"`
	Number       *string `json:"number"`
	Reference    *string `json:"reference"`
	RiskLevel    *string `json:"risk_level"`
	RiskScore    *int    `json:"risk_score"`
}

// back rebuilds a Row from a decoded object, the way a client would.
func back(t *testing.T, d decoded) Row {
	t.Helper()
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	amount := func(dec *string, minor *int64, cur momo.Currency) momo.Amount {
		if (dec == nil) != (minor == nil) {
			t.Fatalf("decimal %v and minor %v disagree on being known", dec, minor)
		}
		if minor == nil {
			return momo.Amount{}
		}
		if want, _, _ := decimal(cur, momo.Some(*minor)); *dec != want {
			t.Errorf("decimal %q does not match minor %d", *dec, *minor)
		}
		return momo.Some(*minor)
	}

	r := Row{
		Day: s(d.Day), Operator: s(d.Operator), Kind: s(d.Kind), Direction: s(d.Direction),
		Status: s(d.Status), Currency: momo.Currency(s(d.Currency)),
		Counterparty: s(d.Counterparty), Number: s(d.Number), Reference: s(d.Reference), RiskLevel: s(d.RiskLevel),
	}
	r.Amount = amount(d.Amount, d.AmountMinor, r.Currency)
	r.Fee = amount(d.Fee, d.FeeMinor, r.Currency)
	r.Tax = amount(d.Tax, d.TaxMinor, r.Currency)
	r.Balance = amount(d.Balance, d.BalanceMinor, r.Currency)
	if d.RiskScore != nil {
		r.RiskScore = *d.RiskScore
	}
	if d.Time != nil {
		tm, err := time.Parse(time.RFC3339, *d.Time)
		if err != nil {
			t.Fatalf("time %q: %v", *d.Time, err)
		}
		r.Time = tm
	}
	return r
}

func TestJSONRoundTrip(t *testing.T) {
	rows := []Row{
		sample,
		{Kind: "balance", Currency: "RWF", Balance: momo.Some(1500)},
		{Kind: "sent", Currency: "UGX", Amount: momo.Some(-7), Counterparty: "<script>&\"x\"\n", RiskLevel: "high", RiskScore: 0},
		{},
	}
	var buf bytes.Buffer
	writeAll(t, NewJSON(&buf), rows...)

	var got []decoded
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, buf.String())
	}
	if len(got) != len(rows) {
		t.Fatalf("%d objects, want %d", len(got), len(rows))
	}
	for i, want := range rows {
		have := back(t, got[i])
		if !have.Time.Equal(want.Time) || have.Time.IsZero() != want.Time.IsZero() {
			t.Errorf("row %d time = %v, want %v", i, have.Time, want.Time)
		}
		if _, off := have.Time.Zone(); !want.Time.IsZero() && off != 2*3600 && want.Time.Location() == kigali {
			t.Errorf("row %d lost its offset: %v", i, have.Time)
		}
		have.Time, want.Time = time.Time{}, time.Time{}
		if want.RiskLevel == "" {
			want.RiskScore = 0
		}
		if have != want {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, have, want)
		}
	}

	if got[3].Time != nil || got[3].Amount != nil || got[3].RiskScore != nil || got[3].Counterparty != nil {
		t.Errorf("unknown values are not null: %s", buf.String())
	}
	if got[2].RiskScore == nil || *got[2].RiskScore != 0 {
		t.Error("a rated row with score 0 must say 0, not null")
	}
	if !strings.Contains(buf.String(), `"amount":"1234.50","amount_minor":123450`) {
		t.Errorf("amount not written in both forms:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Error("JSON is not HTML-safe")
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	writeAll(t, NewJSON(&buf))
	var got []decoded
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty export = %q (%v), want an empty array", buf.String(), err)
	}
}

// failing accepts n bytes and then fails, like a client that hung up.
type failing struct{ n int }

var errGone = errors.New("connection reset")

func (f *failing) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errGone
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteErrorsStick(t *testing.T) {
	for name, w := range map[string]func(io.Writer) Writer{"csv": NewCSV, "json": NewJSON} {
		t.Run(name, func(t *testing.T) {
			ew := w(&failing{n: 100})
			var err error
			for i := 0; i < 1000 && err == nil; i++ {
				err = ew.Write(sample)
			}
			if err == nil {
				err = ew.Close()
			}
			if !errors.Is(err, errGone) || momo.ErrorCode(err) != momo.CodeUnavailable {
				t.Fatalf("error = %v, want the writer's error with code %s", err, momo.CodeUnavailable)
			}
			if again := ew.Write(sample); !errors.Is(again, errGone) {
				t.Errorf("Write after a failure = %v", again)
			}
			if again := ew.Close(); !errors.Is(again, errGone) {
				t.Errorf("Close after a failure = %v", again)
			}
		})
	}
}

func TestWriteAfterClose(t *testing.T) {
	for name, w := range map[string]func(io.Writer) Writer{"csv": NewCSV, "json": NewJSON} {
		t.Run(name, func(t *testing.T) {
			ew := w(io.Discard)
			writeAll(t, ew, sample)
			if err := ew.Write(sample); momo.ErrorCode(err) != momo.CodeInternal {
				t.Errorf("Write after Close = %v", err)
			}
		})
	}
}

// benchRows writes 100,000 rows per iteration and reports the cost per row.
func benchRows(b *testing.B, w Writer) {
	r := sample
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for b.Loop() {
		for i := range 100_000 {
			r.Amount = momo.Some(int64(i) * 37)
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	runtime.ReadMemStats(&after)

	rows := float64(b.N) * 100_000
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
}

func BenchmarkCSV100k(b *testing.B)  { benchRows(b, NewCSV(io.Discard)) }
func BenchmarkJSON100k(b *testing.B) { benchRows(b, NewJSON(io.Discard)) }

func FuzzCSVText(f *testing.F) {
	for _, s := range []string{"=1+1", " @x", "\t=1", "\r=1", "a,\"b\"\nc", "\xff", "-", "\u00a0=1", "a;=1", "a; -1;b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		writeAll(t, NewCSV(&buf), Row{Counterparty: s, Currency: "GHS", Amount: momo.Some(-1)})
		recs := readCSV(t, buf.Bytes())
		if len(recs) != 1 || len(recs[0]) != len(header) {
			t.Fatalf("%q broke the row structure: %q", s, recs)
		}

		// encoding/csv reads a CRLF inside a quoted field back as LF.
		cell := recs[0][column("counterparty")]
		if want := strings.ReplaceAll(text(s), "\r\n", "\n"); cell != want {
			t.Fatalf("counterparty %q reads back as %q, want %q", s, cell, want)
		}
		for part := range strings.SplitSeq(cell, ";") {
			if head := strings.TrimLeft(part, " "); head != "" && strings.ContainsRune("=+-@\t\r", rune(head[0])) {
				t.Fatalf("counterparty %q is written as formula %q", s, cell)
			}
		}
		if recs[0][column("amount")] != "-0.01" {
			t.Fatalf("amount = %q", recs[0][column("amount")])
		}
	})
}
