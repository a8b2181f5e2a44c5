package web

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/export"
)

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) error {
	return s.export(w, r, "csv", "text/csv; charset=utf-8", export.NewCSV)
}

func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request) error {
	return s.export(w, r, "json", "application/json", export.NewJSON)
}

// export streams the visitor's transactions of the dashboard's filter,
// newest first, a page of the store at a time: a year of transactions
// never sits in memory. The audit row says what was exported, never the
// data.
func (s *Server) export(w http.ResponseWriter, r *http.Request, format, mime string, open func(io.Writer) export.Writer) error {
	v := visitorOf(r)
	ctx := r.Context()
	_, loc, f, err := s.viewerFilter(r)
	if err != nil {
		return err
	}
	q := momo.TransactionQuery{Owner: v.user.ID, From: f.From, To: f.To, Limit: momo.MaxTransactionPage}
	first, err := s.store.Transactions(ctx, q)
	if err != nil {
		return err
	}

	// From here on the answer has begun: a failure can only cut it short.
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, exportName(f), format))
	n, err := s.streamRows(w, r, first, q, loc, open)
	detail := fmt.Sprintf("%s, %s, %d rows", format, f.describe(), n)
	if err != nil {
		detail += "; cut short"
	}
	a := s.auditOf(r, momo.AuditExport, v.user, detail)
	a.TargetID = v.user.ID
	s.addAudit(r, a)
	s.exportCut(r, err)
	return nil
}

// exportName names the download after its range, so that two exports
// do not overwrite each other. readFilter checked the dates: only digits
// and dashes reach the header.
func exportName(f filter) string {
	if f.From == "" && f.To == "" {
		return "momo-transactions-all"
	}
	return "momo-transactions-" + cmp.Or(f.From, "earliest") + "-to-" + cmp.Or(f.To, "latest")
}

// exportCut logs why an export ended early: a client that went away or
// read too slowly is theirs, anything else ours.
func (s *Server) exportCut(r *http.Request, err error) {
	switch {
	case err == nil:
	case r.Context().Err() != nil || momo.ErrorCode(err) == momo.CodeUnavailable:
		s.log.Info("Export cut short by the client", "user_id", int64(visitorOf(r).user.ID), "error", err)
	default:
		s.log.Error("Export cut short", "user_id", int64(visitorOf(r).user.ID), "error", err)
	}
}

// An export over a slow link outlives the server's 30-second write
// timeout: each chunk of rows gets exportStall more to be written, up to
// exportTime in all.
const (
	exportChunk = 100
	exportStall = 30 * time.Second
	exportTime  = 15 * time.Minute
)

// exportDeadline is the write deadline of a chunk that starts at now, of
// an export that started at start.
func exportDeadline(start, now time.Time) time.Time {
	end := now.Add(exportStall)
	if limit := start.Add(exportTime); end.After(limit) {
		return limit
	}
	return end
}

// extendExport moves the write deadline for the next chunk of rows.
func (s *Server) extendExport(rc *http.ResponseController, start time.Time) {
	err := rc.SetWriteDeadline(exportDeadline(start, time.Now()))
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.log.Warn("Export deadline not extended", "error", err)
	}
}

// streamRows writes page and the pages after it; n counts the rows
// written.
func (s *Server) streamRows(w http.ResponseWriter, r *http.Request, page momo.TransactionPage, q momo.TransactionQuery,
	loc *time.Location, open func(io.Writer) export.Writer) (n int, err error) {
	out := open(w)
	rc, start := http.NewResponseController(w), time.Now()
	seen := 0 // rows tried, written or left out: each chunk of them earns time
	for {
		for _, t := range page.Rows {
			if seen%exportChunk == 0 {
				s.extendExport(rc, start)
			}
			seen++
			err := out.Write(s.exportRow(t, loc))
			if momo.ErrorCode(err) == momo.CodeInvalid {
				// The writer left out a row it cannot write and goes on.
				s.log.Warn("Transaction left out of an export", "error", err)
				continue
			}
			if err != nil {
				return n, err
			}
			n++
		}
		if !page.More || len(page.Rows) == 0 {
			break
		}
		q.After = page.Rows[len(page.Rows)-1].Cursor()
		if page, err = s.store.Transactions(r.Context(), q); err != nil {
			return n, err
		}
	}
	return n, out.Close()
}

func (s *Server) exportRow(t momo.StoredTransaction, loc *time.Location) export.Row {
	row := export.Row{
		Time: s.localAt(t.BookedAt, t.Currency, loc), Day: t.LocalDay, Operator: t.Operator,
		Kind: string(t.Kind), Direction: string(t.Direction), Status: string(t.Status), Currency: t.Currency,
		Amount: t.Amount, Fee: t.Fee, Tax: t.Tax, Balance: t.Balance,
		Counterparty: s.openText(t.Counterparty), Number: s.openText(t.CounterpartyNumber), Reference: t.OperatorTxID,
	}
	if t.Risk != nil {
		row.RiskLevel, row.RiskScore = t.Risk.Level, t.Risk.Score
	}
	return row
}
