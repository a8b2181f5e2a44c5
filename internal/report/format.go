package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/momoanalytics/momo"
)

// Formats lists the output formats Write knows.
var Formats = []string{"text", "json", "csv"}

// Write renders r in format.
func Write(w io.Writer, r Report, format string) error {
	switch format {
	case "text", "":
		return writeText(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case "csv":
		return writeCSV(w, r)
	}
	return momo.E(momo.CodeInvalid, "unknown format "+strconv.Quote(format)+"; use text, json or csv", nil)
}

func writeText(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	p("MoMo report%s\n", period(r))
	p("%d messages, %d transactions booked, %d unrecognized, %d rejected\n", r.Messages, r.Transactions, r.Unrecognized, r.Rejected)

	p("\nMoney in and out per month\n")
	p("month\tcurrency\tin\tout\tfees\ttaxes\ttransactions\t\n")
	for _, m := range r.Months {
		p("%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", m.Month, m.Currency, m.Currency.Format(m.In), m.Currency.Format(m.Out),
			m.Currency.Format(m.Fees), m.Currency.Format(m.Taxes), m.Count)
	}

	p("\nBy kind\n")
	p("kind\tdirection\tcurrency\ttransactions\ttotal\t\n")
	for _, k := range r.Kinds {
		p("%s\t%s\t%s\t%d\t%s\t\n", k.Kind, k.Direction, k.Currency, k.Count, k.Currency.Format(k.Total))
	}

	p("\nFees and taxes paid\n")
	for _, c := range r.Charges {
		p("%s\tfees %s\ttaxes %s\t\n", c.Currency, c.Currency.Format(c.Fees), c.Currency.Format(c.Taxes))
	}

	p("\nTop counterparties\n")
	p("counterparty\tnumber\tcurrency\ttransactions\tin\tout\t\n")
	for _, c := range r.Counterparties {
		p("%s\t%s\t%s\t%d\t%s\t%s\t\n", oneLine(c.Name), oneLine(c.Number), c.Currency, c.Count, c.Currency.Format(c.In), c.Currency.Format(c.Out))
	}

	p("\nLast known balance\n")
	for _, b := range r.Balances {
		p("%s\t%s %s\tas of %s\t\n", b.Operator, b.Currency, b.Currency.Format(b.Balance), b.At.Format("2006-01-02 15:04 MST"))
	}

	if len(r.UnrecognizedBy) > 0 {
		p("\nUnrecognized messages by operator\n")
		for _, o := range r.UnrecognizedBy {
			p("%s\t%d\t\n", orUnknown(o.Operator), o.Count)
		}
	}

	if len(r.RiskLevels) > 0 {
		p("\nRisk of assessed transactions\n")
		for _, l := range r.RiskLevels {
			p("%s\t%d\t\n", l.Level, l.Count)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeAlerts(w, r.Alerts)
}

// writeAlerts lists the HIGH and CRITICAL verdicts with their reasons, one
// block each: reasons are sentences, too long for a table.
func writeAlerts(w io.Writer, alerts []Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	if _, err := fmt.Fprintf(w, "\nRisk alerts (most recent first)\n"); err != nil {
		return err
	}
	for _, a := range alerts {
		amount := "amount unknown"
		if a.Amount.Known {
			amount = string(a.Currency) + " " + a.Currency.Format(a.Amount.Minor)
		}
		what := string(a.Kind)
		if a.FakeSMS {
			what += ", looks like a fake SMS"
		}
		if _, err := fmt.Fprintf(w, "  %s  %s %d  %s (%s)\n", a.At.Format("2006-01-02 15:04 MST"), a.Level, a.Score, amount, what); err != nil {
			return err
		}
		for _, reason := range a.Reasons {
			if _, err := fmt.Fprintf(w, "      - %s\n", oneLine(reason)); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeCSV writes one table a spreadsheet can sort: every row names its
// section, money is in major units with a dot and no grouping, and any
// text that a spreadsheet could take for a formula is defused.
func writeCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"section", "label", "direction", "currency", "count", "money_in", "money_out", "fees", "taxes", "balance"}}
	for _, m := range r.Months {
		rows = append(rows, []string{"month", m.Month, "", string(m.Currency), strconv.Itoa(m.Count),
			decimal(m.Currency, m.In), decimal(m.Currency, m.Out), decimal(m.Currency, m.Fees), decimal(m.Currency, m.Taxes), ""})
	}
	for _, k := range r.Kinds {
		in, out := "", ""
		if k.Direction == momo.In {
			in = decimal(k.Currency, k.Total)
		} else {
			out = decimal(k.Currency, k.Total)
		}
		rows = append(rows, []string{"kind", string(k.Kind), string(k.Direction), string(k.Currency), strconv.Itoa(k.Count), in, out, "", "", ""})
	}
	for _, c := range r.Counterparties {
		label := strings.TrimSpace(c.Name + " " + c.Number)
		rows = append(rows, []string{"counterparty", SafeCell(label), "", string(c.Currency), strconv.Itoa(c.Count),
			decimal(c.Currency, c.In), decimal(c.Currency, c.Out), "", "", ""})
	}
	for _, b := range r.Balances {
		rows = append(rows, []string{"balance", SafeCell(b.Operator), "", string(b.Currency), "", "", "", "", "", decimal(b.Currency, b.Balance)})
	}
	for _, l := range r.RiskLevels {
		rows = append(rows, []string{"risk", l.Level, "", "", strconv.Itoa(l.Count), "", "", "", "", ""})
	}
	for _, o := range r.UnrecognizedBy {
		rows = append(rows, []string{"unrecognized", SafeCell(orUnknown(o.Operator)), "", "", strconv.Itoa(o.Count), "", "", "", "", ""})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// SafeCell keeps a spreadsheet from reading text as a formula: a cell
// that starts with = + - @ or a control character gets a leading quote.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	return s
}

// decimal writes minor units as a plain decimal in major units.
func decimal(c momo.Currency, minor int64) string {
	return strings.ReplaceAll(c.Format(minor), ",", "")
}

func period(r Report) string {
	switch {
	case r.From != "" && r.To != "":
		return " from " + r.From + " to " + r.To
	case r.From != "":
		return " from " + r.From
	case r.To != "":
		return " up to " + r.To
	}
	return ""
}

// oneLine keeps a name read from an SMS from breaking the table or
// driving the terminal: white space runs become one space, and control
// characters (escape sequences) and bidirectional overrides are dropped.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func orUnknown(s string) string {
	if s == "" {
		return "(no operator guessed)"
	}
	return s
}
