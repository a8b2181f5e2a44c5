package web

import (
	"net/url"
	"time"

	"github.com/momoanalytics/momo"
)

// filter is the date range of the dashboard, the export and the admin
// overview: local dates, inclusive, empty for unbounded.
type filter struct {
	From, To string
	Preset   string // the preset chosen, "" when the dates were typed
}

// The presets of the date filter, in the order the page offers them.
var presets = []struct{ Key, Label string }{
	{"month", "This month"}, {"30d", "Last 30 days"}, {"year", "This year"}, {"all", "All"},
}

// Dates the filter accepts: older or later is a typo, and would only make
// the store scan for nothing.
const (
	firstDay = "2000-01-01"
	lastDay  = "2099-12-31"
)

// readFilter reads ?range= (a preset, counted from today in loc) or
// ?from=&to= (dates typed). Nothing given is everything.
func readFilter(q url.Values, today time.Time) (filter, error) {
	if p := q.Get("range"); p != "" {
		return presetFilter(p, today)
	}
	f := filter{From: q.Get("from"), To: q.Get("to")}
	for _, d := range []string{f.From, f.To} {
		if d == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d)
		if err != nil || t.Format(time.DateOnly) != d {
			return filter{}, momo.E(momo.CodeInvalid, "Dates are written 2025-01-31.", err)
		}
		if d < firstDay || d > lastDay {
			return filter{}, momo.E(momo.CodeInvalid, "Dates run from 2000-01-01 to 2099-12-31.", nil)
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return filter{}, momo.E(momo.CodeInvalid, "The first date is after the last one.", nil)
	}
	return f, nil
}

func presetFilter(p string, today time.Time) (filter, error) {
	y, m, d := today.Date()
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	f := filter{Preset: p, To: day(today)}
	switch p {
	case "month":
		f.From = day(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
	case "30d":
		f.From = day(time.Date(y, m, d-29, 0, 0, 0, 0, time.UTC))
	case "year":
		f.From = day(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
	case "all":
		return filter{Preset: p}, nil
	default:
		return filter{}, momo.E(momo.CodeInvalid, "There is no such date range.", nil)
	}
	return f, nil
}

// query is the filter as URL parameters, for links that keep it.
func (f filter) query() url.Values {
	v := url.Values{}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	return v
}

// span is how many days the range covers, 0 when it is unbounded.
func (f filter) span() int {
	if f.From == "" || f.To == "" {
		return 0
	}
	a, _ := time.Parse(time.DateOnly, f.From)
	b, _ := time.Parse(time.DateOnly, f.To)
	return int(b.Sub(a).Hours()/24) + 1
}

// describe says in words what the filter covers, for audit rows.
func (f filter) describe() string {
	switch {
	case f.From == "" && f.To == "":
		return "all dates"
	case f.From == "":
		return "to " + f.To
	case f.To == "":
		return "from " + f.From
	}
	return f.From + " to " + f.To
}
