package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

const unrecognizedUsage = `usage: momo unrecognized [--redact] [--operator NAME] [--limit N] [--format text|jsonl]

Prints the stored messages no template reads, newest first, each with the
operator it most likely comes from and why it was not read. They are the
work list for new templates: 'momo report' counts them per operator.

With --redact every digit becomes '#' and every word that is not operator
wording becomes X's, so that a message can be pasted into a bug report
without the names, numbers and amounts in it. The reason and the guessed
operator are kept.`

func runUnrecognized(e *env, args []string) error {
	fs := e.flags("unrecognized", unrecognizedUsage)
	redact := fs.Bool("redact", false, "mask digits and names, for sharing")
	operator := fs.String("operator", "", "only messages guessed to come from this operator (name or key)")
	limit := fs.Int("limit", 100, "at most this many messages (0: all)")
	format := fs.String("format", "text", "text or jsonl")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if *format != "text" && *format != "jsonl" {
		return usageError(fmt.Errorf("--format must be text or jsonl"))
	}
	if *limit < 0 {
		return usageError(fmt.Errorf("--limit must be 0 or more"))
	}

	app, sub, err := e.local()
	if err != nil {
		return err
	}
	book, err := e.book()
	if err != nil {
		return err
	}
	fetch := *limit
	if *operator != "" {
		fetch = 0 // the guess is made again below, so filter after it
	}
	stored, err := app.store.Unrecognized(e.ctx, sub.ID, fetch)
	if err != nil {
		return err
	}
	items, err := unrecognizedItems(stored, app.cipher, book, *redact)
	if err != nil {
		return err
	}
	items = filterItems(items, book, *operator, *limit)
	return writeUnrecognized(e.stdout, items, *format)
}

// unrecognizedItem is one message as `momo unrecognized` prints it.
type unrecognizedItem struct {
	ID         int64     `json:"id"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	Sender     string    `json:"sender,omitempty"`
	Operator   string    `json:"operator"`
	Why        string    `json:"why"`
	Body       string    `json:"body"`
	// Template is set when today's templates read the message: it was
	// stored before they could, and 'momo reparse' will book it.
	Template string `json:"now_parsed_by,omitempty"`
}

// opener opens sealed values; the vault does.
type opener interface {
	Open(token momo.Sealed) ([]byte, error)
}

// unrecognizedItems opens each message and parses it again with today's
// templates, for the current operator guess and reason.
func unrecognizedItems(stored []momo.StoredMessage, vault opener, book *smsparse.Book, redact bool) ([]unrecognizedItem, error) {
	items := make([]unrecognizedItem, 0, len(stored))
	for _, s := range stored {
		body, err := vault.Open(s.Body)
		if err != nil {
			return nil, err
		}
		var sender []byte
		if s.Sender != "" {
			if sender, err = vault.Open(s.Sender); err != nil {
				return nil, err
			}
		}
		m := momo.Message{Body: string(body), Sender: string(sender)}
		p, why := book.Explain(m)
		it := unrecognizedItem{ID: s.ID, ReceivedAt: s.ReceivedAt, Sender: m.Sender, Operator: p.Operator, Why: why, Body: smsparse.Normalize(m.Body)}
		if p.Outcome == momo.OutcomeParsed {
			it.Template, it.Why = p.Transaction.Template, "read by today's templates: run momo reparse"
		}
		if redact {
			it.Body = book.Redact(it.Body)
			it.Sender = book.Redact(it.Sender)
		}
		items = append(items, it)
	}
	return items, nil
}

// filterItems keeps the messages of one operator (by name or key) and at
// most limit of them.
func filterItems(items []unrecognizedItem, book *smsparse.Book, operator string, limit int) []unrecognizedItem {
	if operator != "" {
		names := map[string]bool{operator: true}
		for _, op := range book.Operators() {
			if strings.EqualFold(op.Key, operator) {
				names[op.Name] = true
			}
		}
		var kept []unrecognizedItem
		for _, it := range items {
			if names[it.Operator] || strings.EqualFold(it.Operator, operator) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	return items
}

func writeUnrecognized(w io.Writer, items []unrecognizedItem, format string) error {
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return err
			}
		}
		return nil
	}
	for _, it := range items {
		when := "unknown time"
		if !it.ReceivedAt.IsZero() {
			when = it.ReceivedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		op := it.Operator
		if op == "" {
			op = "no operator guessed"
		}
		sender := it.Sender
		if sender == "" {
			sender = "no sender"
		}
		if _, err := fmt.Fprintf(w, "#%d  %s  %s  %s: %s\n    %s\n\n", it.ID, when, sender, op, it.Why, it.Body); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d unrecognized messages\n", len(items))
	return err
}
