package smsbackup

import (
	"bufio"
	"io"
)

// bufSize is the read buffer. It must hold the longest Peek we make (a few
// bytes); 64 KiB lets a scan look at long runs of input at a time.
const bufSize = 64 << 10

// byteClass marks the bytes a scan loop must look at; all other bytes are
// skipped (and, when asked, copied) in bulk.
type byteClass [256]uint8

const (
	classStop    = 1 << iota // the scan ends at this byte
	classNewline             // CR or LF: counted for line numbers
)

// newClass returns a class that stops at the given bytes and counts line
// breaks everywhere.
func newClass(stops string) *byteClass {
	var c byteClass
	c['\r'] = classNewline
	c['\n'] = classNewline
	for i := 0; i < len(stops); i++ {
		c[stops[i]] |= classStop
	}
	return &c
}

// The stop sets of the scans the reader makes.
var (
	stopAtLT     = newClass("<")     // between elements
	stopInTag    = newClass("<>\"'") // inside a tag, outside quotes
	stopInDouble = newClass("<\"")   // inside a "value"
	stopInSingle = newClass("<'")    // inside a 'value'
	stopAtGT     = newClass(">")     // the XML declaration
)

// scanner is a byte source over a bufio.Reader that counts lines and scans
// forward to interesting bytes without holding more than its buffer.
type scanner struct {
	br   *bufio.Reader
	line int   // 1-based line of the next byte
	cr   bool  // the last byte consumed was CR, so an LF now ends no new line
	last byte  // the last byte consumed, 0 at the start
	err  error // first read error other than io.EOF
}

func newScanner(r io.Reader) *scanner {
	return &scanner{br: bufio.NewReaderSize(r, bufSize), line: 1}
}

// peek returns up to n upcoming bytes without consuming them; fewer at the
// end of the input.
func (s *scanner) peek(n int) []byte {
	p, err := s.br.Peek(n)
	s.note(err)
	return p
}

// note keeps the first real read error; io.EOF is the normal end and
// bufio.ErrBufferFull cannot happen for the small peeks we make.
func (s *scanner) note(err error) {
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && s.err == nil {
		s.err = err
	}
}

// next consumes one byte. ok is false at the end of the input or on error.
func (s *scanner) next() (c byte, ok bool) {
	c, err := s.br.ReadByte()
	if err != nil {
		s.note(err)
		return 0, false
	}
	s.countByte(c)
	s.last = c
	return c, true
}

// discard consumes n bytes that the caller has peeked.
func (s *scanner) discard(p []byte) {
	for _, c := range p {
		s.countByte(c)
	}
	if len(p) > 0 {
		s.last = p[len(p)-1]
	}
	_, _ = s.br.Discard(len(p))
}

// countByte advances the line number. CR, LF and CRLF each end one line.
func (s *scanner) countByte(c byte) {
	switch c {
	case '\n':
		if !s.cr {
			s.line++
		}
		s.cr = false
	case '\r':
		s.line++
		s.cr = true
	default:
		s.cr = false
	}
}

// scanResult says how a scan ended.
type scanResult struct {
	stop     byte // the stop byte, consumed
	prev     byte // the byte consumed just before it, 0 at the start
	ok       bool // false: end of input (or read error) before any stop byte
	overflow bool // bytes were dropped because keep reached its limit
}

// scan consumes input up to and including the first stop byte of class.
// The bytes before it are appended to *keep (when keep is not nil) as long
// as the total stays within limit; the rest is dropped and overflow set, so
// an oversized element costs no memory.
func (s *scanner) scan(class *byteClass, keep *[]byte, limit int) scanResult {
	var res scanResult
	for {
		buf := s.fill()
		if len(buf) == 0 {
			return res
		}

		i := s.walk(buf, class)
		chunk := buf
		if i >= 0 {
			chunk = buf[:i]
		}
		if len(chunk) > 0 {
			s.last = chunk[len(chunk)-1]
		}
		if keep != nil && !keepBytes(keep, chunk, limit) {
			res.overflow = true
		}

		if i >= 0 {
			res.stop, res.prev, res.ok = buf[i], s.last, true
			s.countByte(buf[i])
			s.last = buf[i]
			_, _ = s.br.Discard(i + 1)
			return res
		}
		_, _ = s.br.Discard(len(buf))
	}
}

// fill returns whatever is buffered, reading more when the buffer is empty.
func (s *scanner) fill() []byte {
	if _, err := s.br.Peek(1); err != nil {
		s.note(err)
		return nil
	}
	buf, _ := s.br.Peek(s.br.Buffered())
	return buf
}

// walk counts the line breaks in buf up to the first stop byte and returns
// that byte's index, or -1. The stop byte itself is not counted here.
func (s *scanner) walk(buf []byte, class *byteClass) int {
	for i, c := range buf {
		k := class[c]
		if k == 0 {
			s.cr = false
			continue
		}
		if k&classStop != 0 {
			return i
		}
		s.countByte(c)
	}
	return -1
}

// keepBytes appends p to *keep within limit and reports whether all of p fit.
func keepBytes(keep *[]byte, p []byte, limit int) bool {
	room := limit - len(*keep)
	if room < 0 {
		room = 0
	}
	if len(p) <= room {
		*keep = append(*keep, p...)
		return true
	}
	*keep = append(*keep, p[:room]...)
	return false
}

// keepByte appends one byte within limit and reports whether it fit.
func keepByte(keep *[]byte, c byte, limit int) bool {
	if len(*keep) >= limit {
		return false
	}
	*keep = append(*keep, c)
	return true
}

// skipPast consumes input up to and including the terminator end (for
// example "-->"), holding nothing. It reports false at the end of input.
// It goes byte by byte: comments and processing instructions are rare and
// short in a backup, and this keeps the match exact.
func (s *scanner) skipPast(end string) bool {
	matched := 0
	for {
		c, ok := s.next()
		if !ok {
			return false
		}
		matched = advanceMatch(end, matched, c)
		if matched == len(end) {
			return true
		}
	}
}

// advanceMatch returns how many leading bytes of end are matched after c,
// given that matched were before. Our terminators ("-->", "?>", "]]>")
// repeat only their first byte, so a miss restarts at 1 or 0.
func advanceMatch(end string, matched int, c byte) int {
	if c == end[matched] {
		return matched + 1
	}
	if c == end[0] {
		if matched > 0 && end[matched-1] == end[0] {
			return matched // "--->" keeps the last two dashes matched
		}
		return 1
	}
	return 0
}
