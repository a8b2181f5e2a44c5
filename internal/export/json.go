package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/momoanalytics/momo"
)

type jsonWriter struct {
	buf    *bufio.Writer
	rows   int
	closed bool
	err    error
}

// NewJSON returns a Writer of one JSON array with an object per row, written
// as the rows come. Keys, in this order:
//
//	time        RFC 3339 with the user's offset
//	day, operator, kind, direction, status, currency
//	amount, amount_minor, fee, fee_minor, tax, tax_minor, balance, balance_minor
//	counterparty, number, reference, risk_level, risk_score
//
// Each amount appears twice: as a decimal string in major units, for people
// ("1234.50"), and as an integer of minor units, for exact sums (123450).
// Unknown values are null: a zero time, an unknown amount, an empty text,
// the score of an unrated row. encoding/json escapes the strings, HTML-safe.
func NewJSON(w io.Writer) Writer {
	return &jsonWriter{buf: bufio.NewWriterSize(w, 32<<10)}
}

// jsonRow is a Row as its JSON object; nil pointers are nulls.
type jsonRow struct {
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

func (j *jsonWriter) Write(r Row) error {
	if err := j.usable(); err != nil {
		return err
	}

	row, err := toJSON(r)
	if err != nil {
		return fmt.Errorf("export json row %d: %w", j.rows+1, err)
	}
	line, err := json.Marshal(row)
	if err != nil {
		return fmt.Errorf("export json row %d: %w", j.rows+1, err)
	}
	sep := ",\n"
	if j.rows == 0 {
		sep = "[\n"
	}
	j.rows++
	if _, err := j.buf.WriteString(sep); err != nil {
		return j.fail(fmt.Errorf("write json row %d: %w", j.rows, err))
	}
	if _, err := j.buf.Write(line); err != nil {
		return j.fail(fmt.Errorf("write json row %d: %w", j.rows, err))
	}
	return nil
}

func toJSON(r Row) (jsonRow, error) {
	sums, known, err := amounts(r)
	if err != nil {
		return jsonRow{}, err
	}
	row := jsonRow{
		Day: orNull(r.Day), Operator: orNull(r.Operator), Kind: orNull(r.Kind),
		Direction: orNull(r.Direction), Status: orNull(r.Status), Currency: orNull(string(r.Currency)),
		Counterparty: orNull(r.Counterparty), Number: orNull(r.Number), Reference: orNull(r.Reference),
		RiskLevel: orNull(r.RiskLevel),
	}
	if !r.Time.IsZero() {
		row.Time = orNull(r.Time.Format(time.RFC3339))
	}
	if r.RiskLevel != "" {
		row.RiskScore = &r.RiskScore
	}
	minors := [4]int64{r.Amount.Minor, r.Fee.Minor, r.Tax.Minor, r.Balance.Minor}
	fields := [4]struct {
		sum   **string
		minor **int64
	}{{&row.Amount, &row.AmountMinor}, {&row.Fee, &row.FeeMinor}, {&row.Tax, &row.TaxMinor}, {&row.Balance, &row.BalanceMinor}}
	for i, f := range fields {
		if known[i] {
			*f.sum, *f.minor = &sums[i], &minors[i]
		}
	}
	return row, nil
}

// orNull is s, or nil (null) when empty; invalid UTF-8 becomes U+FFFD as
// encoding/json would make it anyway.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (j *jsonWriter) Close() error {
	if err := j.usable(); err != nil {
		return err
	}

	j.closed = true
	end := "\n]\n"
	if j.rows == 0 {
		end = "[]\n"
	}
	if _, err := j.buf.WriteString(end); err != nil {
		return j.fail(fmt.Errorf("end json array: %w", err))
	}
	if err := j.buf.Flush(); err != nil {
		return j.fail(fmt.Errorf("flush json: %w", err))
	}
	return nil
}

func (j *jsonWriter) usable() error {
	if j.err != nil {
		return j.err
	}
	if j.closed {
		return momo.E(momo.CodeInternal, "export already closed", nil)
	}
	return nil
}

func (j *jsonWriter) fail(err error) error {
	j.err = momo.E(momo.CodeUnavailable, "could not write the export", err)
	return j.err
}
