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
// leading zeros. Amount, time and score cells are ours and never prefixed.
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
// front of anything a spreadsheet would read as a formula. encoding/csv
// then quotes commas, quotes and line breaks.
func text[S ~string](v S) string {
	s := valid(string(v))
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
