package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/report"
)

// Sizes of the dashboard's lists.
const (
	pageRows        = 25 // transactions per page
	topParties      = 10
	recentMessages  = 10
	dayChartMaxDays = 92 // longer ranges are charted by month
)

// dashboardView is what the dashboard template shows. Every number in it
// was computed by the store; this layer only opens names, formats and
// places them.
type dashboardView struct {
	Filter     filter
	Presets    []presetLink
	Report     report.Report // counts, alerts and risk levels, names opened
	ByDay      bool
	Currencies []currencyView
	Txs        []txView
	Older      string // the next page's URL; empty on the last page
	First      string // the first page's URL when this is a later one
	Messages   []messageView
	// The export links, with the filter.
	ExportCSV, ExportJSON string
	// Refused says the filter was wrong: the page shows only the form.
	Refused bool
	// DataFrom and DataTo are the first and last day of the account's
	// money when the range holds none: the page points to them.
	DataFrom, DataTo string
}

type presetLink struct {
	Label, URL string
	Current    bool
}

// viewerFilter reads the visitor's preferences and the date filter of r,
// whose presets ("this month") are read in the visitor's timezone.
func (s *Server) viewerFilter(r *http.Request) (momo.Preferences, *time.Location, filter, error) {
	prefs, err := s.store.Preferences(r.Context(), visitorOf(r).user.ID)
	if err != nil {
		return momo.Preferences{}, nil, filter{}, err
	}
	loc := userZone(prefs)
	f, err := readFilter(r.URL.Query(), s.now().In(orUTC(loc)))
	return prefs, loc, f, err
}

// dashboard shows the signed-in person where their money went, over the
// subscribers linked to their account only (ReportQuery.Owner).
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	prefs, loc, f, err := s.viewerFilter(r)
	if momo.ErrorCode(err) == momo.CodeInvalid {
		return s.filterRefused(w, r, err, loc)
	}
	if err != nil {
		return err
	}
	after, err := s.decodeCursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}

	q := momo.ReportQuery{Owner: v.user.ID, From: f.From, To: f.To, Top: topParties}
	view, err := s.analytics(r, q, f, prefs, loc)
	if err != nil {
		return err
	}
	if len(view.Currencies) == 0 && (f.From != "" || f.To != "") {
		if view.DataFrom, view.DataTo, err = s.store.BookedSpan(r.Context(), v.user.ID); err != nil {
			return err
		}
	}
	tq := momo.TransactionQuery{Owner: v.user.ID, From: f.From, To: f.To, After: after, Limit: pageRows}
	if err := s.transactionsInto(r, &view, tq, "/", loc); err != nil {
		return err
	}
	if err := s.messagesInto(r, &view, q, loc); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "Where your money goes", Data: view}.inZone(loc))
	return nil
}

// filterRefused shows the filter again with what is wrong with it, and
// nothing else: the dates typed are there to be corrected.
func (s *Server) filterRefused(w http.ResponseWriter, r *http.Request, err error, loc *time.Location) error {
	q := r.URL.Query()
	view := dashboardView{Filter: filter{From: q.Get("from"), To: q.Get("to")}, Presets: presetLinks(filter{}), Refused: true}
	s.render(w, r, http.StatusBadRequest, "dashboard", page{Title: "Where your money goes", Error: momo.ErrorMessage(err),
		Data: view}.inZone(loc))
	return nil
}

// analytics asks the store for the report of q and shapes it for the page:
// the figures per currency, the preferred currency first.
func (s *Server) analytics(r *http.Request, q momo.ReportQuery, f filter, prefs momo.Preferences, loc *time.Location) (dashboardView, error) {
	stored, err := s.report(r, q, f)
	if err != nil {
		return dashboardView{}, err
	}
	built, err := report.Build(stored, q, s.cipher, s.zoneFor(loc))
	if err != nil {
		return dashboardView{}, err
	}

	view := dashboardView{Filter: f, Report: built,
		ExportCSV: pageURL("/export.csv", f, ""), ExportJSON: pageURL("/export.json", f, "")}
	view.Presets = presetLinks(f)
	view.ByDay = filterDays(f, stored) <= dayChartMaxDays
	for _, cur := range currencies(stored, prefs.Currency) {
		view.Currencies = append(view.Currencies, currencyFigures(stored, built, cur, view.ByDay, s.zoneFor(loc)(cur)))
	}
	return view, nil
}

// report asks for the day-by-day figures (ReportQuery.Series) only over
// days the page charts: over a range of at most dayChartMaxDays, and for
// a longer one over its last dayChartMaxDays, for the balance. Over years
// of data they are thousands of rows that a monthly chart does not need.
func (s *Server) report(r *http.Request, q momo.ReportQuery, f filter) (momo.Report, error) {
	if n := f.span(); n > 0 && n <= dayChartMaxDays {
		q.Series = true
		return s.store.Report(r.Context(), q)
	}
	q.Series = false
	rep, err := s.store.Report(r.Context(), q)
	if err != nil || len(rep.Months) == 0 {
		return rep, err
	}

	first, last := dataDays(f, rep)
	short := daysBetween(first, last) <= dayChartMaxDays
	if !short {
		end, _ := time.Parse(time.DateOnly, last)
		first = end.AddDate(0, 0, 1-dayChartMaxDays).Format(time.DateOnly)
	}
	sq := momo.ReportQuery{Owner: q.Owner, Subscriber: q.Subscriber, From: first, To: last, SeriesOnly: true}
	series, err := s.store.Report(r.Context(), sq)
	if err != nil {
		return rep, err
	}
	rep.BalanceHistory = series.BalanceHistory
	if short {
		rep.Days = series.Days
	}
	return rep, nil
}

// dataDays is the range the report covers: the filter's ends, else the
// first and last day of the months that hold data.
func dataDays(f filter, rep momo.Report) (first, last string) {
	first, last = f.From, f.To
	for _, m := range rep.Months {
		start, err := time.Parse("2006-01", m.Month)
		if err != nil {
			continue
		}
		end := start.AddDate(0, 1, -1).Format(time.DateOnly)
		if f.From == "" && (first == "" || start.Format(time.DateOnly) < first) {
			first = start.Format(time.DateOnly)
		}
		if f.To == "" && end > last {
			last = end
		}
	}
	return first, last
}

// filterDays is how many days dataDays spans.
func filterDays(f filter, rep momo.Report) int {
	first, last := dataDays(f, rep)
	return daysBetween(first, last)
}

// daysBetween counts the days from first to last, both included; 0 when
// either is unknown.
func daysBetween(first, last string) int {
	return max(0, filter{From: first, To: last}.span())
}

// currencies lists the currencies the report holds money in, the
// preferred one first, the others in alphabetical order.
func currencies(rep momo.Report, preferred momo.Currency) []momo.Currency {
	var out []momo.Currency
	add := func(c momo.Currency) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, m := range rep.Months {
		add(m.Currency)
	}
	for _, k := range rep.Kinds {
		add(k.Currency)
	}
	for _, b := range rep.Balances {
		add(b.Currency)
	}
	slices.SortFunc(out, func(a, b momo.Currency) int {
		switch {
		case a == b:
			return 0
		case a == preferred:
			return -1
		case b == preferred:
			return 1
		case a < b:
			return -1
		}
		return 1
	})
	return out
}

func presetLinks(f filter) []presetLink {
	var out []presetLink
	for _, p := range presets {
		out = append(out, presetLink{Label: p.Label, URL: "/?range=" + p.Key, Current: f.Preset == p.Key})
	}
	return out
}

// userZone is the timezone the user chose, or nil: then each time is
// shown in the zone of the operators of its currency.
func userZone(p momo.Preferences) *time.Location {
	if p.Timezone == "" {
		return nil
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return nil // stored before a tzdata change: fall back rather than fail the page
	}
	return loc
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// zoneFor is the report's Zone: the user's timezone, else the operators'.
func (s *Server) zoneFor(loc *time.Location) report.Zone {
	return func(c momo.Currency) *time.Location {
		if loc != nil {
			return loc
		}
		return s.zone(c)
	}
}

// pageURL is path with the filter and a cursor.
func pageURL(path string, f filter, after string) string {
	q := f.query()
	if after != "" {
		q.Set("after", after)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
