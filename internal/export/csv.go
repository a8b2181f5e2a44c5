package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/momoanalytics/momo"
)

// header names the CSV columns. Amounts are in major units of the currency
// column; time is local without a zone and utc_offset says which zone.
var header = []string{
	"time", "utc_offset", "day", "operator", "kind", "direction", "status",
	"currency", "amount", "fee", "tax", "balance",
	"counterparty", "number", "reference", "risk_level", "risk_score",
}

// bom makes Excel read the file as UTF-8 rather than the system code page;
// LibreOffice and Google Sheets skip it.
const bom = "\uFEFF"

type csvWriter struct {
	out     io.Writer
	w       *csv.Writer
	rec     []string
	rows    int
	started bool
	closed  bool
	err     error
}

// NewCSV returns a Writer of CSV for spreadsheets: UTF-8 with a byte-order
// mark, a header row, lines ending in LF (a CR inside a field would be lost
// with CRLF), and amounts as plain decimals.
//
// Text cells that a spreadsheet could run as a formula are prefixed with a
// single quote (OWASP "CSV Injection"): those starting with =, +, -, @, tab
// or carriage return, also after leading spaces. A phone number such as
// "+250788123456" is therefore written "'+250788123456"; spreadsheets show
// the quote, which also keeps the number from losing its plus sign and
// leading zeros. A fullwidth equals sign (U+FF1D) at the start is prefixed
// too: some spreadsheets fold it to "=".
//
// The same quote goes in front of a trigger that follows a ';' inside a
// cell (also after spaces): "x;=HYPERLINK(...)" is written
// "x;'=HYPERLINK(...)". Excel in a locale whose list separator is ';'
// (much of Europe and Latin America) reads our commas as text and splits
// the line at each ';' instead, so what follows one is a cell of its own
// and would run. Amount, time and score cells are ours and never
// prefixed.
func NewCSV(w io.Writer) Writer {
	return &csvWriter{out: w, w: csv.NewWriter(w), rec: make([]string, len(header))}
}

// start writes the byte-order mark and the header once, before the first
// row or at Close of an empty export.
func (c *csvWriter) start() error {
	if c.started {
		return nil
	}
	c.started = true
	if _, err := io.WriteString(c.out, bom); err != nil {
		return c.fail(fmt.Errorf("write byte-order mark: %w", err))
	}
	if err := c.w.Write(header); err != nil {
		return c.fail(fmt.Errorf("write csv header: %w", err))
	}
	return nil
}

func (c *csvWriter) Write(r Row) error {
	if err := c.usable(); err != nil {
		return err
	}
	if err := c.start(); err != nil {
		return err
	}

	c.rows++
	if err := c.record(r); err != nil {
		return fmt.Errorf("export csv row %d: %w", c.rows, err)
	}
	if err := c.w.Write(c.rec); err != nil {
		return c.fail(fmt.Errorf("write csv row %d: %w", c.rows, err))
	}
	return nil
}

// record fills c.rec with the cells of r in header order.
func (c *csvWriter) record(r Row) error {
	sums, _, err := amounts(r)
	if err != nil {
		return err
	}

	local, offset := "", ""
	if !r.Time.IsZero() {
		local, offset = r.Time.Format(localLayout), r.Time.Format(offsetLayout)
	}
	score := ""
	if r.RiskLevel != "" {
		score = strconv.Itoa(r.RiskScore)
	}

	c.rec = append(c.rec[:0], local, offset, text(r.Day), text(r.Operator), text(r.Kind),
		text(r.Direction), text(r.Status), text(string(r.Currency)),
		sums[0], sums[1], sums[2], sums[3],
		text(r.Counterparty), text(r.Number), text(r.Reference), text(r.RiskLevel), score)
	return nil
}

func (c *csvWriter) Close() error {
	if err := c.usable(); err != nil {
		return err
	}
	if err := c.start(); err != nil {
		return err
	}

	c.closed = true
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return c.fail(fmt.Errorf("flush csv: %w", err))
	}
	return nil
}

// usable returns the error that stopped the writer, if any.
func (c *csvWriter) usable() error {
	if c.err != nil {
		return c.err
	}
	if c.closed {
		return momo.E(momo.CodeInternal, "export already closed", nil)
	}
	return nil
}

// fail records a write error, most often a client that went away, so later
// calls stop early instead of writing half rows.
func (c *csvWriter) fail(err error) error {
	c.err = momo.E(momo.CodeUnavailable, "could not write the export", err)
	return c.err
}

// text makes a free-text cell safe to open: valid UTF-8, and a quote in
// front of anything a spreadsheet would read as a formula, at the start
// and after each ';'. encoding/csv then quotes commas, quotes and line
// breaks.
func text[S ~string](v S) string {
	s := valid(string(v))
	if startsFormula(s) {
		s = "'" + s
	}
	if !strings.Contains(s, ";") {
		return s
	}
	return quoteAfterSemicolons(s)
}

// startsFormula reports whether a spreadsheet would read s, after its
// leading spaces, as a formula.
func startsFormula(s string) bool {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return false
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return strings.HasPrefix(t, "\uFF1D")
}

// quoteAfterSemicolons puts a quote after each ';' whose rest of the cell
// starts a formula: the part a ';'-separated locale would split off.
func quoteAfterSemicolons(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for {
		i := strings.IndexByte(s, ';')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
		if startsFormula(s) {
			b.WriteByte('\'')
		}
	}
}
