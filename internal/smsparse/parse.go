package smsparse

import (
	"math"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/literal"
)

// Parse reads one message. It tries the operators the sender id names
// first, those whose words the text uses first among them, then every
// other operator whose words appear in the text: a sender id such as
// M-PESA is shared by several countries, and a forwarded SMS has none. A
// message that no template matches is unrecognized, with the operator
// guessed.
func (b *Book) Parse(m momo.Message) momo.Parse {
	text, lower := normalizeLower(m.Body)
	p, _ := b.parse(b.senderOps(m.Sender), text, lower)
	return p
}

// Explain is Parse with the reason a message stayed unrecognized: no
// operator's words, no template of the likely operator, or a template that
// matched but whose amount or time did not read cleanly. The reason never
// quotes the message.
func (b *Book) Explain(m momo.Message) (momo.Parse, string) {
	text, lower := normalizeLower(m.Body)
	return b.parse(b.senderOps(m.Sender), text, lower)
}

func (b *Book) parse(senderOps []*Operator, text, lower string) (momo.Parse, string) {
	why := ""
	seen := seenLiterals{lower: lower, index: b.literals}
	try := func(op *Operator) (momo.Parse, bool) {
		tx, reason, ok := op.match(text, &seen, b.ceiling)
		if ok {
			return momo.Parse{Outcome: momo.OutcomeParsed, Operator: op.Name, Transaction: tx}, true
		}
		if why == "" {
			why = reason
		}
		return momo.Parse{}, false
	}

	// The sender's operators, those the text names first.
	if len(senderOps) == 1 {
		if p, ok := try(senderOps[0]); ok {
			return p, ""
		}
	} else if len(senderOps) > 1 {
		for pass := 0; pass < 2; pass++ {
			for _, op := range senderOps {
				if op.mentioned(&seen) == (pass == 0) {
					if p, ok := try(op); ok {
						return p, ""
					}
				}
			}
		}
	}
	// Then every other operator whose words the text uses.
	for _, op := range b.operators {
		if contains(senderOps, op) || !op.mentioned(&seen) {
			continue
		}
		if p, ok := try(op); ok {
			return p, ""
		}
	}

	guess := b.guess(senderOps, &seen)
	switch {
	case why != "":
	case guess == nil:
		why = "no operator's words in the text"
	default:
		why = "no " + guess.Key + " template matches"
	}
	p := momo.Parse{Outcome: momo.OutcomeUnrecognized}
	if guess != nil {
		p.Operator = guess.Name
	}
	return p, why
}

// senderOps returns the operators that send from this sender id.
func (b *Book) senderOps(sender string) []*Operator {
	if sender == "" {
		return nil
	}
	if ops, ok := b.bySender[sender]; ok {
		return ops
	}
	return b.bySender[senderKey(sender)]
}

// senderKey folds the ways one sender id is written ("M-PESA", "MPESA",
// "m-pesa", "Airtel Money") into one key.
func senderKey(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			sb.WriteByte(c + 'a' - 'A')
		case c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t':
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// guess names the operator an unrecognized message most likely comes from:
// among the sender's, else among all, the one whose words the text uses
// most. Nil when nothing suggests any.
func (b *Book) guess(senderOps []*Operator, seen *seenLiterals) *Operator {
	pool := b.operators
	if len(senderOps) > 0 {
		pool = senderOps
	}
	var best *Operator
	score := 0
	for _, op := range pool {
		n := 0
		for _, h := range op.hints {
			if seen.has(h) {
				n++
			}
		}
		if n > score {
			best, score = op, n
		}
	}
	if best == nil && len(senderOps) > 0 {
		best = senderOps[0]
	}
	return best
}

// mentioned reports whether the text uses a word of this operator's, such
// as its currency or its brand: the cheap gate before any template runs.
func (op *Operator) mentioned(seen *seenLiterals) bool {
	for _, h := range op.hints {
		if seen.has(h) {
			return true
		}
	}
	return false
}

// bookLiteral is a lower-case text that templates require or operators are
// known by, numbered across the book so that one parse looks each up once.
type bookLiteral struct {
	text string
	id   int
}

// seenLiterals answers, for one text, which book literals it contains: all
// of them in one pass of the book's literal index, made on the first
// question, or one search each when the book has no index.
type seenLiterals struct {
	lower   string
	index   *literal.Index
	scanned bool
	present literal.Set
}

func (s *seenLiterals) has(l bookLiteral) bool {
	if s.index == nil || l.id >= literal.MaxIDs {
		return strings.Contains(s.lower, l.text)
	}
	if !s.scanned {
		s.index.Scan(s.lower, &s.present)
		s.scanned = true
	}
	return s.present.Has(l.id)
}

// match tries the operator's templates in order. When none reads the
// message, reason says why the first one that matched failed, if any did.
func (op *Operator) match(text string, seen *seenLiterals, ceiling int64) (tx momo.Transaction, reason string, ok bool) {
	for _, t := range op.Templates {
		if !t.mayMatch(seen) {
			continue
		}
		loc := t.find(seen.lower, 0)
		if loc == nil {
			continue
		}
		tx, why := t.extract(op, text, loc, ceiling)
		if why == "" {
			return tx, "", true
		}
		if reason == "" {
			reason = why
		}
	}
	return momo.Transaction{}, reason, false
}

// mayMatch is the cheap check: every literal the template requires is in
// the text.
func (t *Template) mayMatch(seen *seenLiterals) bool {
	for _, lit := range t.literals {
		if !seen.has(lit) {
			return false
		}
	}
	return true
}

// find runs the template's regexp over lower from offset from, once the
// caller has checked that every literal the template requires is in the
// text (mayMatch, allLiterals): a match can only start where the leading
// literal occurs, and an anchored template only at the start. Offsets are
// into lower, and so into the text it was lower-cased from.
func (t *Template) find(lower string, from int) []int {
	rest := lower[from:]
	if t.anchored && from > 0 {
		return nil
	}
	if t.anchoredRe != nil && len(rest) <= 2*maxSMS {
		return shift(t.findAnchored(rest), from)
	}
	start := 0
	if t.lead != "" {
		if start = strings.Index(rest, t.lead); start < 0 || (t.anchored && start > 0) {
			return nil
		}
	}
	loc := t.match(rest[start:])
	if loc == nil {
		return nil
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += from + start
		}
	}
	return loc
}

// findAnchored tries the regexp only at the starts the anchor's places
// allow, in order, so that the first match found is the leftmost one, as
// the unanchored search would find: a failing template costs a few tries
// instead of one at every position of the message.
func (t *Template) findAnchored(s string) []int {
	next := 0 // the first start not tried yet
	for at := 0; at < len(s); {
		i := strings.Index(s[at:], t.anchor)
		if i < 0 {
			return nil
		}
		q := at + i
		for start := max(next, q-t.preMax); start <= q-t.preMin; start++ {
			if loc := t.anchoredRe.FindStringSubmatchIndex(s[start:]); loc != nil {
				return shift(loc, start)
			}
		}
		next = max(next, q-t.preMin+1)
		at = q + 1
	}
	return nil
}

// shift moves a match's offsets by n; nil stays nil.
func shift(loc []int, n int) []int {
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += n
		}
	}
	return loc
}

// match runs the regexp over s. Go's regexp uses its fast backtracking
// matcher only while program size times text length stays small, and its
// slower NFA otherwise. An ordinary SMS fits; a longer text (a paste, a
// message with a long promotion) is searched in overlapping windows of
// 2×maxSMS bytes, each holding every match that starts in its first half,
// so that a long text costs time in proportion to its length and the
// leftmost match is still found first.
func (t *Template) match(s string) []int {
	if len(s) <= t.window || len(s) <= 2*maxSMS {
		return t.re.FindStringSubmatchIndex(s)
	}
	for lo := 0; lo < len(s); lo += maxSMS {
		if lo > 0 && t.anchored {
			return nil
		}
		hi := min(len(s), lo+2*maxSMS)
		w := s[lo:hi]
		if !t.allLiterals(w) {
			if hi == len(s) {
				return nil
			}
			continue
		}
		if loc := t.re.FindStringSubmatchIndex(w); loc != nil {
			for i := range loc {
				if loc[i] >= 0 {
					loc[i] += lo
				}
			}
			return loc
		}
		if hi == len(s) {
			return nil
		}
	}
	return nil
}

// maxSMS is longer than any SMS, concatenated parts included (ten parts of
// 153 characters), in bytes with room for multi-byte characters.
const maxSMS = 2048

func (t *Template) allLiterals(s string) bool {
	for _, lit := range t.literals {
		if !strings.Contains(s, lit.text) {
			return false
		}
	}
	return true
}

// extract builds the transaction from a match. It fails with a reason, and
// the message stays unrecognized, when a captured amount or time does not
// read cleanly: a wrong amount is worse than none.
func (t *Template) extract(op *Operator, text string, loc []int, ceiling int64) (momo.Transaction, string) {
	tx := momo.Transaction{
		Operator: op.Name, Country: op.Country, Kind: t.Kind,
		Direction: t.Direction, Status: t.Status, Template: t.Name,
		Companion: t.Companion, Location: op.Location,
	}
	if t.Kind != momo.KindNotTransaction {
		tx.Currency = op.Currency
	}

	group := func(f field) string {
		for _, i := range t.groups[f] {
			if i >= 0 && loc[2*i] >= 0 {
				return text[loc[2*i]:loc[2*i+1]]
			}
		}
		return ""
	}
	for f, dst := range [...]*momo.Amount{fAmount: &tx.Amount, fFee: &tx.Fee, fTax: &tx.Tax, fBalance: &tx.Balance} {
		s := group(field(f))
		if s == "" {
			continue
		}
		n, ok := parseMinor(s, op.exp)
		if !ok {
			return momo.Transaction{}, fieldNames[f] + " is not a readable amount"
		}
		if ceiling > 0 && n > op.Currency.MinorOf(ceiling) {
			return momo.Transaction{}, fieldNames[f] + " is above the configured ceiling"
		}
		*dst = momo.Some(n)
	}
	var ok bool
	if tx.OccurredAt, ok = t.parseTime(op.Location, group(fTime)); !ok {
		return momo.Transaction{}, "time is not a readable date"
	}
	tx.Counterparty = cleanName(group(fCounterparty))
	tx.CounterpartyNumber = strings.TrimSpace(group(fCounterpartyNumber))
	tx.TransactionID = group(fTxID)
	if v, ok := t.set["counterparty"]; ok {
		tx.Counterparty = v
	}
	if v, ok := t.set["counterparty_number"]; ok {
		tx.CounterpartyNumber = v
	}
	return tx, ""
}

// parseMinor reads an amount as operators write it ("1,250.00", "40000",
// "0.5") into minor units of a currency with exp minor digits, with the
// rules of momo.Currency.ParseMinor: comma grouping of exactly three
// digits, a dot for decimals, no more decimals than the currency has unless
// they are zeros, no sign, no exponent, ASCII digits only, and nothing that
// does not fit an int64.
func parseMinor(s string, exp int) (int64, bool) {
	var n int64
	digits, group, frac := 0, -1, -1 // group: digits since the last comma; frac: decimals read
	push := func(d int64) bool {
		if n > (math.MaxInt64-d)/10 {
			return false
		}
		n = n*10 + d
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			d := int64(c - '0')
			if frac >= 0 {
				frac++
				if frac > exp {
					if d != 0 {
						return 0, false
					}
					continue
				}
			} else {
				digits++
				if group >= 0 {
					group++
				}
			}
			if !push(d) {
				return 0, false
			}
		case c == ',' && frac < 0:
			if digits == 0 || (group < 0 && digits > 3) || (group >= 0 && group != 3) {
				return 0, false
			}
			group = 0
		case c == '.' && frac < 0:
			if digits == 0 || (group >= 0 && group != 3) || i == len(s)-1 {
				return 0, false
			}
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || (frac < 0 && group >= 0 && group != 3) {
		return 0, false
	}
	if frac < 0 {
		frac = 0
	}
	for ; frac < exp; frac++ {
		if !push(0) {
			return 0, false
		}
	}
	return n, true
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
	}
	squeezed := strings.ReplaceAll(s, " ", "")
	for _, layout := range t.layouts {
		if ts, err := time.ParseInLocation(strings.ReplaceAll(layout, " ", ""), squeezed, loc); err == nil {
			return ts, true
		}
	}
	return time.Time{}, false
}

// cleanName trims a captured name and the punctuation that ends a
// sentence around it.
func cleanName(s string) string {
	return strings.Trim(s, " ,.;:-")
}

func contains(ops []*Operator, op *Operator) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}
