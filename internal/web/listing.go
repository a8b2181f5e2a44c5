package web

import (
	"net/http"
	"time"

	"github.com/momoanalytics/momo"
)

// txView is one transaction as the tables show it: names opened, the
// time in the reader's zone.
type txView struct {
	Time         string
	Operator     string
	Kind         momo.Kind
	Direction    momo.Direction
	Status       momo.Status
	Currency     momo.Currency
	Amount       momo.Amount
	Fee, Tax     momo.Amount
	Balance      momo.Amount
	Counterparty string
	Number       string
	Reference    string
	RiskLevel    string
	RiskScore    int
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
	v := txView{
		Time: s.localTime(t.BookedAt, t.Currency, loc), Operator: t.Operator, Kind: t.Kind, Direction: t.Direction,
		Status: t.Status, Currency: t.Currency, Amount: t.Amount, Fee: t.Fee, Tax: t.Tax, Balance: t.Balance,
		Counterparty: s.openText(t.Counterparty), Number: s.openText(t.CounterpartyNumber), Reference: t.OperatorTxID,
	}
	if t.Risk != nil {
		v.RiskLevel, v.RiskScore = t.Risk.Level, t.Risk.Score
	}
	return v
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
