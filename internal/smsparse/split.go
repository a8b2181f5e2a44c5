package smsparse

import (
	"regexp"
	"strings"

	"github.com/momoanalytics/momo"
)

// Result is one SMS of a text as ParseAll read it.
type Result struct {
	momo.Parse
	// Text is the SMS as it was read: white space collapsed, forwarding
	// headers and quote marks removed.
	Text string
	// Why says why the SMS is unrecognized; empty when it parsed. It never
	// quotes the message.
	Why string
}

// ParseAll reads a text that may hold several SMS, as people paste and
// forward them: "Forwarded from …" headers, quoted replies ("> "), notes
// before or after, several SMS in one paste. It returns one result per SMS
// found, in order, and always at least one. A piece of text that no
// template reads and that names no operator is left out when an SMS was
// found beside it: it is the user's own words, not an SMS.
func (b *Book) ParseAll(m momo.Message) []Result {
	sender := m.Sender
	chunks, header := cleanPaste(m.Body)
	if sender == "" && header != "" && len(b.senderOps(header)) > 0 {
		sender = header // "Forwarded from MobileMoney" names the sender id
	}
	senderOps := b.senderOps(sender)

	var out []Result
	for i := 0; i < len(chunks); i++ {
		rs := b.parseChunk(senderOps, chunks[i])
		// A blank line inside one SMS splits it in two pieces that neither
		// parse: read them joined when that reads more.
		for i+1 < len(chunks) && parsedCount(rs) == 0 {
			next := b.parseChunk(senderOps, chunks[i+1])
			joined := b.parseChunk(senderOps, chunks[i]+"\n"+chunks[i+1])
			if parsedCount(joined) <= parsedCount(next) {
				break
			}
			rs = joined
			chunks[i+1] = chunks[i] + "\n" + chunks[i+1]
			i++
		}
		out = append(out, rs...)
	}
	return dropChatter(out)
}

// parseChunk splits one chunk into SMS and parses each.
func (b *Book) parseChunk(senderOps []*Operator, chunk string) []Result {
	text, lower := normalizeLower(chunk)
	var out []Result
	for _, seg := range b.segments(senderOps, text, lower) {
		p, why := b.parse(senderOps, text[seg[0]:seg[1]], lower[seg[0]:seg[1]])
		out = append(out, Result{Parse: p, Text: text[seg[0]:seg[1]], Why: why})
	}
	return out
}

func parsedCount(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Outcome == momo.OutcomeParsed {
			n++
		}
	}
	return n
}

// Split returns the SMS a pasted text holds, each with its white space
// collapsed: the pieces ParseAll parses.
func (b *Book) Split(text string) []string {
	var out []string
	for _, r := range b.ParseAll(momo.Message{Body: text}) {
		out = append(out, r.Text)
	}
	return out
}

// dropChatter removes unrecognized pieces that suggest no operator when
// something else was found, and keeps one result for an empty text.
func dropChatter(rs []Result) []Result {
	kept := rs[:0]
	for _, r := range rs {
		if r.Outcome == momo.OutcomeUnrecognized && r.Operator == "" && len(rs) > 1 {
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 && len(rs) > 0 {
		return rs[:1]
	}
	if len(kept) == 0 {
		return []Result{{Parse: momo.Parse{Outcome: momo.OutcomeUnrecognized}, Why: "empty text"}}
	}
	return kept
}

// maxSegments bounds how many SMS one text is split into: a paste of
// thousands of lines is read as that many SMS at most, and the rest stays
// with the last one, unrecognized if it must.
const maxSegments = 1000

// segments finds where each SMS of a chunk starts: wherever a template of a
// candidate operator matches, scanning left to right and resuming after
// each match. Text before the first match belongs to the first SMS (a
// note, a promotion); an SMS's own trailing text stays with it. It returns
// [start, end) pairs covering the chunk.
func (b *Book) segments(senderOps []*Operator, text, lower string) [][2]int {
	whole := [][2]int{{0, len(text)}}
	if text == "" {
		return whole
	}
	type cursor struct {
		t          *Template
		start, end int // next match at or after the scan position; start -1: none
	}
	var cursors []cursor
	seenOp := map[*Operator]bool{}
	add := func(op *Operator) {
		if seenOp[op] {
			return
		}
		seenOp[op] = true
		for _, t := range op.Templates {
			cursors = append(cursors, cursor{t: t, start: -2})
		}
	}
	for _, op := range senderOps {
		add(op)
	}
	seen := seenLiterals{lower: lower, index: b.literals}
	for _, op := range b.operators {
		if op.mentioned(&seen) {
			add(op)
		}
	}

	var starts []int
	pos := 0
	for len(starts) < maxSegments {
		best := -1
		for i := range cursors {
			c := &cursors[i]
			if c.start == -1 {
				continue
			}
			if c.start < pos { // not computed yet, or overtaken
				var loc []int
				if c.t.allLiterals(lower[pos:]) {
					loc = c.t.find(lower, pos)
				}
				if loc == nil {
					c.start = -1
					continue
				}
				c.start, c.end = loc[0], loc[1]
			}
			if best < 0 || c.start < cursors[best].start {
				best = i
			}
		}
		if best < 0 {
			break
		}
		c := cursors[best]
		starts = append(starts, c.start)
		pos = max(c.end, c.start+1)
		if pos >= len(lower) {
			break
		}
	}
	if len(starts) <= 1 {
		return whole
	}
	out := make([][2]int, len(starts))
	for i := range starts {
		from, to := starts[i], len(text)
		if i == 0 {
			from = 0
		}
		if i+1 < len(starts) {
			to = starts[i+1]
		}
		out[i] = [2]int{from, to}
	}
	return out
}

// forwardHeader matches the lines chat apps and mail clients put above a
// forwarded text; its group is the name after "from", if any.
var forwardHeader = regexp.MustCompile(`(?i)^[\[(\-–— >*_]*(?:forwarded(?: message| sms| text)?(?: from)?|fwd?:|begin forwarded message)[ :]*([^\]\n]*?)[\])\-–— :*_]*$`)

// mailHeader matches the header lines of a forwarded e-mail.
var mailHeader = regexp.MustCompile(`(?i)^(?:from|sent|date|to|subject|cc):\s`)

// chatPrefix matches a chat export's timestamp and author before a line:
// "[12/03/2025, 10:15] Kofi: ", "12/03/2025, 10:15 - Kofi: ".
var chatPrefix = regexp.MustCompile(`^\[?\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},? \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?\]?(?: -)? [^:]{1,40}: `)

// cleanPaste splits a pasted text into chunks at blank lines and header
// lines, after removing forwarding headers, the mail headers that follow
// them, quote marks and chat prefixes. A chunk longer than maxChunk is cut
// at line ends, so that a huge paste costs time in proportion to its size.
// header is the sender a "Forwarded from" line names, if any.
func cleanPaste(body string) (chunks []string, header string) {
	var cur []string
	size := 0
	flush := func() {
		if len(cur) > 0 {
			chunks = append(chunks, strings.Join(cur, "\n"))
			cur, size = cur[:0], 0
		}
	}
	inHeader := false
	for _, raw := range strings.Split(body, "\n") {
		line, name, isHeader := cleanLine(raw)
		switch {
		case isHeader:
			flush()
			inHeader = true
			if header == "" {
				header = name
			}
		case line == "":
			flush()
			inHeader = false
		case inHeader && mailHeader.MatchString(line):
		default:
			inHeader = false
			if size+len(line) > maxChunk {
				flush()
			}
			cur = append(cur, line)
			size += len(line) + 1
		}
	}
	flush()
	return chunks, header
}

// maxChunk bounds the text scanned as one run of SMS, far above any real
// SMS (a ten-part SMS is under 2 KB).
const maxChunk = 16 << 10

// cleanLine strips quote marks and a chat prefix from one line and tells
// whether it is a forwarding header, with the name it gives.
func cleanLine(line string) (clean, name string, header bool) {
	line = strings.TrimSpace(line)
	for strings.HasPrefix(line, ">") {
		line = strings.TrimSpace(line[1:])
	}
	if m := chatPrefix.FindStringIndex(line); m != nil {
		line = line[m[1]:]
	}
	if len(line) < 80 {
		if m := forwardHeader.FindStringSubmatch(line); m != nil {
			return "", strings.Trim(m[1], " .:\"'"), true
		}
	}
	return line, "", false
}

// Redact masks what identifies people in a message so that it can be shared
// in a bug report: every digit becomes '#', and every word that is not
// operator wording (a word of some template, an operator's name or brand,
// or a common word) has its letters replaced by 'X'. Punctuation and
// spacing are kept, so the shape of the message survives.
func (b *Book) Redact(text string) string {
	var sb strings.Builder
	sb.Grow(len(text))
	word := func(w string) {
		if len(w) == 1 || b.vocabulary()[strings.ToLower(w)] {
			sb.WriteString(w)
			return
		}
		for _, r := range w {
			if isLetter(r) {
				sb.WriteByte('X')
			} else {
				sb.WriteRune(r)
			}
		}
	}
	start := -1
	for i, r := range text {
		if isLetter(r) || (start >= 0 && r == '\'') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			word(text[start:i])
			start = -1
		}
		if '0' <= r && r <= '9' || isOtherDigit(r) {
			sb.WriteByte('#')
		} else {
			sb.WriteRune(r)
		}
	}
	if start >= 0 {
		word(text[start:])
	}
	return sb.String()
}

func isLetter(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= 0xC0 && !isOtherDigit(r) && r != '₵' && r != '¢'
}

// isOtherDigit reports digits of other scripts (Arabic-Indic, full-width…),
// which are masked too.
func isOtherDigit(r rune) bool {
	return r >= 0x660 && r <= 0x669 || r >= 0x6F0 && r <= 0x6F9 || r >= 0xFF10 && r <= 0xFF19 || r >= 0x966 && r <= 0x96F
}

// vocabulary is the set of lower-case words that Redact keeps.
func (b *Book) vocabulary() map[string]bool {
	b.vocabOnce.Do(func() {
		v := map[string]bool{}
		addWords := func(s string) {
			for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isLetter(r) && r != '\'' }) {
				if len(w) >= 2 {
					v[strings.ToLower(w)] = true
				}
			}
		}
		for _, w := range commonWords {
			v[w] = true
		}
		for _, op := range b.operators {
			addWords(op.Name)
			addWords(op.Key)
			addWords(string(op.Currency))
			for _, s := range op.Senders {
				addWords(s)
			}
			for _, h := range op.hints {
				addWords(h.text)
			}
			for _, t := range op.Templates {
				addWords(stripRegexp(t.source))
			}
		}
		b.vocab = v
	})
	return b.vocab
}

// stripRegexp keeps the literal words of a pattern: placeholders, escapes
// and character classes are dropped.
var regexpNoise = regexp.MustCompile(`\{[^}]*\}|\\[a-zA-Z]|\[[^\]]*\]|\(\?[:P<a-zA-Z>!=]*`)

func stripRegexp(pattern string) string {
	return regexpNoise.ReplaceAllString(pattern, " ")
}

// commonWords are kept by Redact whatever the templates say: short words of
// English, Swahili and Kinyarwanda SMS that name nobody.
var commonWords = strings.Fields(`a an the and or of to for from on at in by with your you have has
been is was are be it this that as not no yes dear customer thank thanks please
new balance available current amount fee fees charge charges charged cost tax levy vat
transaction transactions id ref reference received sent paid payment made cash out in
transfer transferred withdraw withdrawn deposit airtime bundle bundles bill bills
account wallet mobile money momo failed successful successfully confirmed confirmation
completed pending reversal reversed refund refunded wait kindly try again later
total date time message sender receiver agent merchant bank loan interest
limit daily minimum maximum free app dial download click here use using
salio umepokea kutoka kwa tarehe saa imethibitishwa muamala ada kiasi namba
yello kugura igura umaze`)
