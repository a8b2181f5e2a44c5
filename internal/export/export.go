// Package export writes a user's filtered transactions for download, as CSV
// for spreadsheets and as a streaming JSON array for programs.
//
// Both writers take one Row at a time and hold nothing but the current row,
// so an export of 100,000 transactions costs no more memory than one of ten.
// Close flushes; it does not close the io.Writer underneath.
package export

import (
	"strconv"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// Row is one transaction as the user sees it.
type Row struct {
	Time                              time.Time // already in the user's timezone; zero when unknown
	Day                               string    // local day "2006-01-02"
	Operator, Kind, Direction, Status string
	Currency                          momo.Currency
	Amount, Fee, Tax, Balance         momo.Amount
	Counterparty, Number, Reference   string // Reference is the operator's transaction id
	RiskLevel                         string
	RiskScore                         int // valid only when RiskLevel != ""
}

// Writer writes rows in one format. Close flushes and, for JSON, ends the
// array; an export without rows is still a valid file.
//
// A row that cannot be exported (a known amount in a currency whose decimals
// we do not know) is left out with an error of code invalid, and the writer
// goes on. A failure of the io.Writer is final: every later call returns it.
type Writer interface {
	Write(Row) error
	Close() error
}

// Layouts of the time columns. Spreadsheets read the local layout as a date
// and time only without a zone suffix, so the offset gets its own column.
const (
	localLayout  = "2006-01-02 15:04:05"
	offsetLayout = "-07:00"
)

// decimal writes minor units of c in major units with c's decimals and no
// thousands separators, so spreadsheets keep it a number: 123450 GHS is
// "1234.50", -300 GHS is "-3.00", 1500 RWF is "1500". An unknown amount is
// empty. A known amount in a currency whose decimals we do not know is an
// error: guessing would be off by a factor of a hundred.
func decimal(c momo.Currency, a momo.Amount) (string, bool, error) {
	if !a.Known {
		return "", false, nil
	}
	if _, ok := c.Exponent(); !ok {
		return "", false, momo.E(momo.CodeInvalid, "an amount in unknown currency "+strconv.Quote(string(c)), nil)
	}
	return c.Plain(a.Minor), true, nil
}

// amounts formats the four sums of r in the order of the columns.
func amounts(r Row) ([4]string, [4]bool, error) {
	var out [4]string
	var known [4]bool
	for i, a := range [4]momo.Amount{r.Amount, r.Fee, r.Tax, r.Balance} {
		s, ok, err := decimal(r.Currency, a)
		if err != nil {
			return out, known, err
		}
		out[i], known[i] = s, ok
	}
	return out, known, nil
}

// valid replaces invalid UTF-8, which SMS text sometimes holds, so the file
// opens as UTF-8 everywhere.
func valid(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}
