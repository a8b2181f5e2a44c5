package smsparse

import (
	"strings"
	"time"

	"github.com/momoanalytics/momo"
)

// Parse reads one message. It tries the operators the sender id names
// first, then those whose words appear in the text, then none: a message
// that no template matches is unrecognized, with the operator guessed.
func (b *Book) Parse(m momo.Message) momo.Parse {
	text := Normalize(m.Body)
	lower := asciiLower(text)

	bySender := b.bySender[strings.ToLower(strings.TrimSpace(m.Sender))]
	for _, op := range bySender {
		if tx, ok := op.match(text, lower, b.ceiling); ok {
			return momo.Parse{Outcome: momo.OutcomeParsed, Operator: op.Name, Transaction: tx}
		}
	}
	for _, op := range b.operators {
		if contains(bySender, op) || !op.mentioned(lower) {
			continue
		}
		if tx, ok := op.match(text, lower, b.ceiling); ok {
			return momo.Parse{Outcome: momo.OutcomeParsed, Operator: op.Name, Transaction: tx}
		}
	}
	return momo.Parse{Outcome: momo.OutcomeUnrecognized, Operator: b.guess(bySender, lower)}
}

// guess names the operator an unrecognized message most likely comes from:
// the sender's, else the one whose words the text uses most.
func (b *Book) guess(bySender []*Operator, lower string) string {
	if len(bySender) > 0 {
		return bySender[0].Name
	}
	best, score := "", 0
	for _, op := range b.operators {
		n := 0
		for _, h := range op.hints {
			if strings.Contains(lower, h) {
				n++
			}
		}
		if n > score {
			best, score = op.Name, n
		}
	}
	return best
}

// mentioned reports whether the text uses a word of this operator's, such
// as its currency or its brand: the cheap gate before any template runs.
func (op *Operator) mentioned(lower string) bool {
	for _, h := range op.hints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

// match tries the operator's templates in order.
func (op *Operator) match(text, lower string, ceiling int64) (momo.Transaction, bool) {
	for _, t := range op.Templates {
		loc := t.find(text, lower)
		if loc == nil {
			continue
		}
		if tx, ok := t.extract(op, text, loc, ceiling); ok {
			return tx, true
		}
	}
	return momo.Transaction{}, false
}

// find runs the template's regexp after the cheap checks: every required
// literal must be in the text, and a match can only start where the
// leading literal first occurs.
func (t *Template) find(text, lower string) []int {
	for _, lit := range t.literals {
		if !strings.Contains(lower, lit) {
			return nil
		}
	}
	start := 0
	if t.lead != "" {
		if start = strings.Index(lower, t.lead); start < 0 {
			return nil
		}
	}
	loc := t.re.FindStringSubmatchIndex(text[start:])
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += start
		}
	}
	return loc
}

// extract builds the transaction from a match. It fails, and the message
// stays unrecognized, when a captured amount or time does not read
// cleanly: a wrong amount is worse than none.
func (t *Template) extract(op *Operator, text string, loc []int, ceiling int64) (momo.Transaction, bool) {
	tx := momo.Transaction{
		Operator: op.Name, Country: op.Country, Kind: t.Kind,
		Direction: t.Direction, Status: t.Status, Template: t.Name,
		Companion: t.Companion, Location: op.Location,
	}
	if t.Kind != momo.KindNotTransaction {
		tx.Currency = op.Currency
	}

	group := func(i int) string {
		if i < 0 || loc[2*i] < 0 {
			return ""
		}
		return text[loc[2*i]:loc[2*i+1]]
	}
	var ok bool
	for _, f := range []struct {
		idx int
		dst *momo.Amount
	}{{t.groups.amount, &tx.Amount}, {t.groups.fee, &tx.Fee}, {t.groups.tax, &tx.Tax}, {t.groups.balance, &tx.Balance}} {
		if *f.dst, ok = money(op.Currency, group(f.idx), ceiling); !ok {
			return momo.Transaction{}, false
		}
	}
	if tx.OccurredAt, ok = t.parseTime(op.Location, group(t.groups.time)); !ok {
		return momo.Transaction{}, false
	}
	tx.Counterparty = cleanName(group(t.groups.counterparty))
	tx.CounterpartyNumber = strings.TrimSpace(group(t.groups.counterpartyNumber))
	tx.TransactionID = group(t.groups.txid)
	if v, ok := t.set["counterparty"]; ok {
		tx.Counterparty = v
	}
	if v, ok := t.set["counterparty_number"]; ok {
		tx.CounterpartyNumber = v
	}
	return tx, true
}

// money reads a captured amount; an empty capture is an unknown amount.
// An amount above the ceiling (in major units) does not read.
func money(cur momo.Currency, s string, ceiling int64) (momo.Amount, bool) {
	if s == "" {
		return momo.Amount{}, true
	}
	n, err := cur.ParseMinor(s)
	if err != nil {
		return momo.Amount{}, false
	}
	if ceiling > 0 && n > cur.MinorOf(ceiling) {
		return momo.Amount{}, false
	}
	return momo.Some(n), true
}

// parseTime reads the time written in the SMS in the operator's location.
// Layouts carry single spaces; operators sometimes drop one ("6:43PM").
func (t *Template) parseTime(loc *time.Location, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range t.layouts {
		if ts, err := time.ParseInLocation(layout, s, loc); err == nil {
			return ts, true
		}
		squeezed := strings.ReplaceAll(layout, " ", "")
		if ts, err := time.ParseInLocation(squeezed, strings.ReplaceAll(s, " ", ""), loc); err == nil {
			return ts, true
		}
	}
	return time.Time{}, false
}

// cleanName trims a captured name and the punctuation that ends a
// sentence around it.
func cleanName(s string) string {
	return strings.Trim(s, " ,.;:")
}

func contains(ops []*Operator, op *Operator) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}
