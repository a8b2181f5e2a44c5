package web

import (
	"html/template"
	"slices"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/chart"
	"github.com/momoanalytics/momo/internal/report"
)

// currencyView is one currency's part of the dashboard: the totals, and
// each chart with the table of the figures it draws.
type currencyView struct {
	Currency             momo.Currency
	In, Out, Fees, Taxes int64
	Count                int
	ByDay                bool // periods are days, else months

	Flow, Charges template.HTML // over time
	Periods       []periodRow
	Kinds         template.HTML
	KindRows      []report.Kind
	Top           template.HTML
	TopRows       []topRow
	Balance       template.HTML
	BalanceRows   []balanceRow
	LastBalances  []report.Balance
}

// periodRow is one day or month of money in and out.
type periodRow struct {
	Label                string
	In, Out, Fees, Taxes int64
	Count                int
}

// balanceRow is one operator's last balance of a day (or month).
type balanceRow struct {
	Label    string
	Operator string
	Balance  int64
}

// currencyFigures shapes the store's figures in cur. The totals add up
// the few monthly rows the store summed; no transaction is read here.
func currencyFigures(rep momo.Report, built report.Report, cur momo.Currency, byDay bool, loc *time.Location) currencyView {
	v := currencyView{Currency: cur, ByDay: byDay}
	for _, m := range rep.Months {
		if m.Currency == cur {
			v.In, v.Out, v.Count = v.In+m.In, v.Out+m.Out, v.Count+m.Count
		}
	}
	for _, c := range rep.Charges {
		if c.Currency == cur {
			v.Fees, v.Taxes = c.Fees, c.Taxes
		}
	}
	format := func(n int64) string { return cur.Format(n) + " " + string(cur) }

	v.Periods = periods(rep, cur, byDay)
	v.Flow, v.Charges = flowCharts(v.Periods, format)
	v.KindRows, v.Kinds = kindChart(built, cur, format)
	v.TopRows, v.Top = topChart(built, cur, format)
	// The store gives balances day by day over at most dayChartMaxDays.
	v.BalanceRows, v.Balance = balanceChart(rep, cur, loc, format)
	for _, b := range built.Balances {
		if b.Currency == cur {
			v.LastBalances = append(v.LastBalances, b)
		}
	}
	return v
}

// periods lists every day (or month) from the first to the last that
// holds money in cur, empty ones included: a chart over time must not
// close up the quiet days.
func periods(rep momo.Report, cur momo.Currency, byDay bool) []periodRow {
	var rows []periodRow
	if byDay {
		for _, d := range rep.Days {
			if d.Currency == cur {
				rows = append(rows, periodRow{d.Day, d.In, d.Out, d.Fees, d.Taxes, d.Count})
			}
		}
		return fill(rows, time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) })
	}
	for _, m := range rep.Months {
		if m.Currency == cur {
			rows = append(rows, periodRow{m.Month, m.In, m.Out, m.Fees, m.Taxes, m.Count})
		}
	}
	return fill(rows, "2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) })
}

// fill sorts rows by label and inserts the missing periods between the
// first and the last as zero rows.
func fill(rows []periodRow, layout string, next func(time.Time) time.Time) []periodRow {
	if len(rows) == 0 {
		return nil
	}
	byLabel := map[string]periodRow{}
	first, last := rows[0].Label, rows[0].Label
	for _, r := range rows {
		byLabel[r.Label] = r
		first, last = min(first, r.Label), max(last, r.Label)
	}
	start, err1 := time.Parse(layout, first)
	end, err2 := time.Parse(layout, last)
	if err1 != nil || err2 != nil {
		return rows
	}
	var out []periodRow
	for t := start; !t.After(end); t = next(t) {
		label := t.Format(layout)
		r, ok := byLabel[label]
		if !ok {
			r = periodRow{Label: label}
		}
		out = append(out, r)
	}
	return out
}

func flowCharts(rows []periodRow, format func(int64) string) (flow, charges template.HTML) {
	labels := make([]string, len(rows))
	in, out := make([]int64, len(rows)), make([]int64, len(rows))
	fees, taxes := make([]int64, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		labels[i], in[i], out[i], fees[i], taxes[i] = r.Label, r.In, r.Out, r.Fees, r.Taxes
	}
	flow = chart.Bars{Title: "Money in and out", Labels: labels, Format: format, Series: []chart.Series{
		{Name: "in", Class: "in", Values: in}, {Name: "out", Class: "out", Values: out},
	}}.SVG()
	charges = chart.Bars{Title: "Fees and taxes paid", Labels: labels, Format: format, Series: []chart.Series{
		{Name: "fees", Class: "fee", Values: fees}, {Name: "taxes", Class: "tax", Values: taxes},
	}}.SVG()
	return flow, charges
}

func kindChart(built report.Report, cur momo.Currency, format func(int64) string) ([]report.Kind, template.HTML) {
	var rows []report.Kind
	var items []chart.Item
	for _, k := range built.Kinds {
		if k.Currency != cur {
			continue
		}
		rows = append(rows, k)
		items = append(items, chart.Item{Label: kindLabel(k.Kind, k.Direction), Value: k.Total, Class: string(k.Direction)})
	}
	return rows, chart.HBars{Title: "By kind", Items: items, Format: format}.SVG()
}

func kindLabel(k momo.Kind, d momo.Direction) string {
	if d == momo.None {
		return string(k)
	}
	return string(k) + " (" + string(d) + ")"
}

// topRow is a counterparty of the top list with the label the chart
// gives it.
type topRow struct {
	report.Counterparty
	Label string
}

func topChart(built report.Report, cur momo.Currency, format func(int64) string) ([]topRow, template.HTML) {
	var rows []topRow
	var items []chart.Item
	for _, c := range built.Counterparties {
		if c.Currency != cur {
			continue
		}
		row := topRow{Counterparty: c, Label: partyName(c.Name, c.Number)}
		rows = append(rows, row)
		class := "in"
		if c.Out > c.In {
			class = "out"
		}
		items = append(items, chart.Item{Label: row.Label, Value: c.In + c.Out, Class: class})
	}
	return rows, chart.HBars{Title: "Top counterparties (in and out)", Items: items, Format: format}.SVG()
}

// partyName is how a counterparty is named: by name and the last digits
// of its number. Operators mask the number in some SMS and not in others,
// so one person can rank twice, and the digits tell the two apart. The
// chart never shows a whole number.
func partyName(name, number string) string {
	tail := lastDigits(number, 3)
	switch {
	case name != "" && tail != "":
		return name + " ·" + tail
	case name != "":
		return name
	case tail != "":
		return "number ending " + tail
	}
	return "(not stated)"
}

// lastDigits is the last n digits of a number, skipping the mask and the
// spaces after them; "" when it has fewer.
func lastDigits(number string, n int) string {
	var out []byte
	for i := len(number) - 1; i >= 0 && len(out) < n; i-- {
		if c := number[i]; c >= '0' && c <= '9' {
			out = append(out, c)
		} else if len(out) > 0 {
			return "" // masked within the last digits
		}
	}
	if len(out) < n {
		return ""
	}
	slices.Reverse(out)
	return string(out)
}

// balanceChart draws each operator's balance in cur at the end of each
// day that stated one, carried over the days that did not.
func balanceChart(rep momo.Report, cur momo.Currency, loc *time.Location, format func(int64) string) ([]balanceRow, template.HTML) {
	layout := time.DateOnly
	var rows []balanceRow
	var labels, operators []string
	index := map[[2]string]int{}
	for _, b := range rep.BalanceHistory { // oldest first
		if b.Currency != cur {
			continue
		}
		label := b.At.In(loc).Format(layout)
		key := [2]string{label, b.Operator}
		if i, ok := index[key]; ok {
			rows[i].Balance = b.Balance // a later time of the same local day
		} else {
			index[key] = len(rows)
			rows = append(rows, balanceRow{Label: label, Operator: b.Operator, Balance: b.Balance})
		}
		labels = appendNew(labels, label)
		operators = appendNew(operators, b.Operator)
	}
	series := make([]chart.Series, len(operators))
	for i, op := range operators {
		series[i] = chart.Series{Name: op, Class: "balance", Values: carried(rows, labels, op)}
	}
	return rows, chart.Line{Title: "Balance", Labels: labels, Series: series, Format: format}.SVG()
}

// carried is one operator's balance at each label: the last one stated
// on or before it, Missing before the first.
func carried(rows []balanceRow, labels []string, op string) []int64 {
	at := map[string]int64{}
	for _, r := range rows {
		if r.Operator == op {
			at[r.Label] = r.Balance
		}
	}
	out := make([]int64, len(labels))
	last := chart.Missing
	for i, l := range labels {
		if b, ok := at[l]; ok {
			last = b
		}
		out[i] = last
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
