package smsbackup

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// damage collects the reasons an element was not fully recovered. Every
// reason is a fixed sentence, with at most numbers and known attribute
// names filled in, so no message text can leak into a report.
type damage []string

func (d *damage) add(reason string) { *d = append(*d, reason) }

func (d damage) String() string { return strings.Join(d, "; ") }

// readRecord reads one <sms or <mms element whose name has been consumed.
func (r *Reader) readRecord(m mark, line int) (Record, error) {
	r.index++
	rec := Record{Element: "sms", Index: r.index, Line: line}
	if m == markMMS {
		rec.Element = "mms"
	}

	r.tag = r.tag[:0]
	end, overflow := r.scanTag(&r.tag, r.opt.MaxElementBytes)
	if err := r.readError(); err != nil {
		return Record{}, err
	}

	var d damage
	r.noteEnd(end, &d)
	if overflow {
		d.add(fmt.Sprintf("element is larger than the limit of %d bytes and was skipped", r.opt.MaxElementBytes))
	} else {
		r.fill(&rec, &d)
	}
	if m == markMMS && end == tagOpen {
		if err := r.skipMMSContent(&d); err != nil {
			return Record{}, err
		}
	}

	rec.Damage = d.String()
	return rec, nil
}

// noteEnd reports an element that did not end with '>' and, for the end
// of the input, sets the error the next call to Next returns.
func (r *Reader) noteEnd(end tagEnd, d *damage) {
	switch end {
	case tagCut:
		d.add(fmt.Sprintf("element is cut off by the start of other markup on line %d", r.pendingLine))
	case tagEOF:
		d.add("element is cut off by the end of the file")
		r.err = truncated(fmt.Sprintf("file is truncated: it ends inside record %d", r.index))
	}
}

// fill sets the record's fields from the attributes of its tag and notes
// what is missing or inconsistent.
func (r *Reader) fill(rec *Record, d *damage) {
	var seen fieldSet
	flaws := eachAttr(r.tag, func(name, value []byte) {
		r.setField(rec, name, value, &seen, d)
	})
	noteFlaws(flaws, d)

	if rec.Element == "sms" {
		checkSMS(rec, seen, d)
	}
}

// noteFlaws turns attribute syntax problems into damage reasons.
func noteFlaws(f attrFlaws, d *damage) {
	if f.stray {
		d.add("text inside the element is not an attribute")
	}
	if f.badValue {
		d.add("an attribute value is not properly quoted")
	}
	if f.repeated != "" {
		d.add(fmt.Sprintf("attribute %s appears twice (parts of two elements spliced?)", f.repeated))
	}
}

// fieldSet marks the fields set so far. The first occurrence of an
// attribute wins: when two elements are spliced, the head, which carries
// the date and body, is the element the record stands for.
type fieldSet uint8

const (
	hasAddress fieldSet = 1 << iota
	hasBody
	hasDate
	hasType
	hasContact
	hasReadable
)

// setField stores one attribute in rec unless it was set already.
func (r *Reader) setField(rec *Record, name, value []byte, seen *fieldSet, d *damage) {
	f := fieldOf(name)
	if f == 0 || *seen&f != 0 {
		return
	}
	*seen |= f

	switch f {
	case hasAddress:
		rec.Address = r.decode(value)
	case hasBody:
		rec.Body = r.decode(value)
	case hasContact:
		rec.ContactName = r.decode(value)
	case hasReadable:
		rec.ReadableDate = r.decode(value)
	case hasDate:
		rec.Date = r.parseDate(value, d)
	case hasType:
		rec.Type = r.parseType(value, d)
	}
}

func fieldOf(name []byte) fieldSet {
	switch string(name) {
	case "address":
		return hasAddress
	case "body":
		return hasBody
	case "date":
		return hasDate
	case "type":
		return hasType
	case "contact_name":
		return hasContact
	case "readable_date":
		return hasReadable
	}
	return 0
}

// decode returns the text of a raw value (see appendText).
func (r *Reader) decode(raw []byte) string {
	r.text = appendText(r.text[:0], raw)
	return string(r.text)
}

// parseDate reads milliseconds since the epoch. "null" and "" count as
// absent, as the app writes "null" for fields it has no value for.
func (r *Reader) parseDate(raw []byte, d *damage) time.Time {
	r.text = appendDigits(r.text[:0], raw)
	if isNull(r.text) {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(string(r.text), 10, 64)
	if err != nil {
		d.add("date is not a number of milliseconds")
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// parseType reads the message type (1 received, 2 sent, ...).
func (r *Reader) parseType(raw []byte, d *damage) int {
	r.text = appendDigits(r.text[:0], raw)
	if isNull(r.text) {
		return 0
	}
	n, err := strconv.Atoi(string(r.text))
	if err != nil {
		d.add("type is not a number")
		return 0
	}
	return n
}

func isNull(p []byte) bool { return len(p) == 0 || string(p) == "null" }

// checkSMS notes what a sound <sms> from the app always has. A missing
// attribute or a readable_date for another moment than date both mean the
// element was damaged, typically by a splice that glued the end of one
// element to the start of another.
func checkSMS(rec *Record, seen fieldSet, d *damage) {
	for _, need := range [...]struct {
		f    fieldSet
		name string
	}{{hasAddress, "address"}, {hasDate, "date"}, {hasBody, "body"}} {
		if seen&need.f == 0 {
			d.add("no " + need.name + " attribute")
		}
	}
	if !rec.Date.IsZero() && !readableMatches(rec.ReadableDate, rec.Date) {
		d.add("readable_date is not the time in date (parts of two elements spliced?)")
	}
}

// readableLayouts are the forms of readable_date we know. A form we cannot
// parse is not checked: it depends on the phone's locale.
var readableLayouts = [...]string{
	"2 Jan 2006 3:04:05 PM",
	"Jan 2, 2006 3:04:05 PM",
	"2 Jan 2006 15:04:05",
	"Jan 2, 2006 15:04:05",
	"2006-01-02 15:04:05",
}

// readableMatches reports whether readable (the phone's local wall-clock
// time, to the second) can be date seen from some time zone: the two differ
// by a whole number of quarter hours within ±14 hours.
func readableMatches(readable string, date time.Time) bool {
	wall, ok := parseReadable(readable)
	if !ok {
		return true
	}
	diff := wall.Sub(date.Truncate(time.Second))
	if diff < 0 {
		diff = -diff
	}
	return diff <= 14*time.Hour && diff%(15*time.Minute) == 0
}

func parseReadable(s string) (time.Time, bool) {
	for _, layout := range readableLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// skipMMSContent skips the parts and addresses nested in an <mms> element,
// holding none of them (a part can carry a whole image), up to </mms>. If
// another record or the root's end comes first, reading resumes there. A
// cut-off file is noted as damage; a read failure or a declaration is
// returned as the error that ends reading.
func (r *Reader) skipMMSContent(d *damage) error {
	for {
		line, ok := r.openMarkup()
		if !ok {
			if err := r.readError(); err != nil {
				return err
			}
			d.add("element is cut off by the end of the file")
			r.err = truncated(fmt.Sprintf("file is truncated: it ends inside record %d", r.index))
			return nil
		}
		if done, err := r.endsMMS(line, d); done || err != nil {
			return err
		}
	}
}

// endsMMS handles one piece of markup inside an <mms> and reports whether
// the element is over.
func (r *Reader) endsMMS(line int, d *damage) (bool, error) {
	p := r.s.peek(8)
	switch {
	case hasName(p, "/mms"):
		r.s.discard(p[:4])
		r.skipTag()
		return true, nil
	case hasName(p, "sms"), hasName(p, "mms"), hasName(p, "/smses"):
		r.pending, r.pendingLine = true, line
		d.add(fmt.Sprintf("mms element is not closed before other markup on line %d", line))
		return true, nil
	case len(p) > 0 && p[0] == '!':
		r.s.discard(p[:1])
		return false, r.skipBang()
	}
	r.skipTag()
	return false, nil
}
