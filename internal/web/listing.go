package web

import (
	"net/http"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/export"
)

// txView is a transaction as the page lists it: the row an export
// writes, with its time written out in the reader's zone.
type txView struct {
	export.Row
	Time string
}

// messageView is an unrecognized message: its text is shown as text.
type messageView struct {
	Time   string
	Sender string
	Body   string
}

// transactionsInto reads one page of q into view, and the links to the
// next and the first page of path.
func (s *Server) transactionsInto(r *http.Request, view *dashboardView, q momo.TransactionQuery, path string, loc *time.Location) error {
	p, err := s.store.Transactions(r.Context(), q)
	if err != nil {
		return err
	}
	for _, t := range p.Rows {
		view.Txs = append(view.Txs, s.txRow(t, loc))
	}
	if p.More && len(p.Rows) > 0 {
		view.Older = pageURL(path, view.Filter, s.encodeCursor(p.Rows[len(p.Rows)-1].Cursor()))
	}
	if !q.After.BookedAt.IsZero() || q.After.ID != 0 {
		view.First = pageURL(path, view.Filter, "")
	}
	return nil
}

func (s *Server) txRow(t momo.StoredTransaction, loc *time.Location) txView {
	return txView{Row: s.exportRow(t, loc), Time: s.localTime(t.BookedAt, t.Currency, loc)}
}

// messagesInto reads the newest unrecognized messages of q's scope.
func (s *Server) messagesInto(r *http.Request, view *dashboardView, q momo.ReportQuery, loc *time.Location) error {
	msgs, err := s.store.RecentUnrecognized(r.Context(), q, recentMessages)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		when := "unknown time"
		if !m.ReceivedAt.IsZero() {
			when = m.ReceivedAt.In(orUTC(loc)).Format("2006-01-02 15:04 MST")
		}
		view.Messages = append(view.Messages, messageView{Time: when, Sender: s.openText(m.Sender), Body: s.openText(m.Body)})
	}
	return nil
}

// localTime shows t in the reader's zone, else in the zone of the
// operators of cur.
func (s *Server) localTime(t time.Time, cur momo.Currency, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return s.localAt(t, cur, loc).Format("2006-01-02 15:04 MST")
}

func (s *Server) localAt(t time.Time, cur momo.Currency, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	if loc == nil {
		loc = s.zone(cur)
	}
	return t.In(loc)
}

// openText opens a sealed value for display. A value that does not open
// (a key removed from ENCRYPTION_KEY too early) is logged and shown as
// such, instead of taking the whole page down.
func (s *Server) openText(v momo.Sealed) string {
	if v == "" {
		return ""
	}
	b, err := s.cipher.Open(v)
	if err != nil {
		s.log.Error("Stored value does not open", "error", err)
		return "(unreadable)"
	}
	return string(b)
}
