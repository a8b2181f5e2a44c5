package smsbackup

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// notBackup is the message for XML (or near-XML) input without the root
// element of an SMS Backup & Restore export.
const notBackup = "not an SMS Backup & Restore file"

// maxDeclBytes bounds the XML declaration we hold to read its encoding.
const maxDeclBytes = 1 << 10

// readProlog reads what comes before the first record: a byte-order mark,
// the XML declaration, comments, and the <smses> root tag. It returns
// io.EOF for an empty root (<smses/>) and a fatal error for input that is
// not an SMS backup.
func (r *Reader) readProlog() error {
	if err := r.checkByteOrder(); err != nil {
		return err
	}

	sawMarkup := false
	for {
		c, ok := r.skipSpace()
		if !ok {
			return r.prologEnd(sawMarkup)
		}
		if c != '<' && !sawMarkup {
			return invalid("not XML")
		}
		if c != '<' {
			return invalid(notBackup)
		}
		sawMarkup = true

		done, err := r.prologMarkup()
		if done || err != nil {
			return err
		}
	}
}

// checkByteOrder refuses UTF-16 and UTF-32 input, which the app does not
// write and which would otherwise read as "not XML", and steps over a
// UTF-8 byte-order mark.
func (r *Reader) checkByteOrder() error {
	p := r.s.peek(4)
	switch {
	case len(p) == 0:
		if err := r.readError(); err != nil {
			return err
		}
		return invalid("empty file")
	case bytes.HasPrefix(p, []byte{0xEF, 0xBB, 0xBF}):
		r.s.discard(p[:3])
	case bytes.HasPrefix(p, []byte{0xFE, 0xFF}), bytes.HasPrefix(p, []byte{0xFF, 0xFE}):
		return invalid("file starts with a UTF-16 byte-order mark; only UTF-8 is supported")
	case len(p) >= 2 && (p[0] == 0 || p[1] == 0):
		return invalid("file looks like UTF-16 or UTF-32; only UTF-8 is supported")
	}
	return nil
}

// skipSpace consumes white space and returns the next byte, consumed.
func (r *Reader) skipSpace() (byte, bool) {
	for {
		c, ok := r.s.next()
		if !ok || !isSpace(c) {
			return c, ok
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// prologEnd explains why the input ended before the root element.
func (r *Reader) prologEnd(sawMarkup bool) error {
	if err := r.readError(); err != nil {
		return err
	}
	if !sawMarkup {
		return invalid("empty file")
	}
	return invalid(notBackup)
}

// prologMarkup handles one piece of markup before the root (its '<' is
// consumed). done is true once the root tag has been read.
func (r *Reader) prologMarkup() (done bool, err error) {
	p := r.s.peek(8)
	switch {
	case hasName(p, "smses"):
		r.s.discard(p[:5])
		return true, r.readRoot()
	case len(p) > 0 && p[0] == '?':
		r.s.discard(p[:1])
		return false, r.readPI()
	case len(p) > 0 && p[0] == '!':
		r.s.discard(p[:1])
		return false, r.prologBang()
	}
	return false, invalid(notBackup)
}

// prologBang allows comments before the root and refuses declarations; a
// CDATA section or anything else there means the file is not a backup.
func (r *Reader) prologBang() error {
	p := r.s.peek(9)
	switch {
	case len(p) >= 2 && string(p[:2]) == "--":
		r.s.discard(p[:2])
		r.s.skipPast("-->")
		return nil
	case isDeclaration(p):
		return invalid(refusedDTD)
	}
	return invalid(notBackup)
}

// readPI reads a processing instruction ("<?" consumed). Only the XML
// declaration matters: its encoding must be UTF-8, because we read bytes as
// UTF-8 and would otherwise hand on garbled text.
func (r *Reader) readPI() error {
	p := r.s.peek(4)
	if len(p) < 4 || string(p[:3]) != "xml" || !(isSpace(p[3]) || p[3] == '?') {
		r.s.skipPast("?>")
		return nil
	}

	r.s.discard(p[:3])
	r.tag = r.tag[:0]
	for {
		res := r.s.scan(stopAtGT, &r.tag, maxDeclBytes)
		if !res.ok || res.prev == '?' {
			break
		}
		keepByte(&r.tag, '>', maxDeclBytes)
	}
	return checkEncoding(r.tag)
}

// checkEncoding refuses a declared encoding other than UTF-8. The name is
// reduced to the characters an encoding name uses before it goes into the
// message, since it comes from the file.
func checkEncoding(decl []byte) error {
	enc, found := firstAttr(decl, "encoding")
	if !found || strings.EqualFold(strings.TrimSpace(enc), "utf-8") {
		return nil
	}
	return invalid(fmt.Sprintf("file declares encoding %q; only UTF-8 is supported", safeName(enc)))
}

// firstAttr returns the raw value of the first attribute called name.
func firstAttr(tag []byte, name string) (value string, found bool) {
	eachAttr(tag, func(n, v []byte) {
		if !found && string(n) == name {
			value, found = string(v), true
		}
	})
	return value, found
}

// safeName keeps at most 40 of the characters that encoding names use.
func safeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 40; i++ {
		if c := s[i]; isNameByte(c) {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

// readRoot reads the attributes of <smses ("<smses" consumed).
func (r *Reader) readRoot() error {
	r.tag = r.tag[:0]
	end, overflow := r.scanTag(&r.tag, r.opt.MaxElementBytes)
	if end == tagEOF {
		if err := r.readError(); err != nil {
			return err
		}
		return truncated("file is truncated inside the <smses> tag")
	}

	if !overflow {
		r.declared = declaredCount(r.tag)
	}
	if end == tagSelfClosed {
		return io.EOF
	}
	return nil
}

// declaredCount returns the count attribute of the root tag, or -1.
func declaredCount(tag []byte) int {
	raw, found := firstAttr(tag, "count")
	if !found {
		return -1
	}
	n, err := strconv.Atoi(string(appendDigits(nil, []byte(raw))))
	if err != nil || n < 0 {
		return -1
	}
	return n
}
