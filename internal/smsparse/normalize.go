package smsparse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize returns the text templates are written against: surrounding
// space trimmed and every run of white space (line breaks included) made a
// single space. It does not allocate when the text is already in that form.
func Normalize(s string) string {
	if isNormal(s) {
		return s
	}
	return normalizeSpaces(s)
}

// normalizeSpaces is Normalize for a text known not to be normal.
func normalizeSpaces(s string) string {
	s = strings.TrimSpace(s)
	if isNormal(s) {
		return s
	}

	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
				space = true
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				space = true
				i += size - 1
				continue
			}
			if space {
				b = append(b, ' ')
				space = false
			}
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, r) // as ranging over the string would
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size - 1
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return string(b)
}

// isNormal reports whether s has no white space other than single ASCII
// spaces, and none at either end.
func isNormal(s string) bool {
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, _ := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			continue
		}
		if c == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		if c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			return false
		}
		prevSpace = false
	}
	return true
}

// normalizeLower returns Normalize(s) and its ASCII-lower-cased copy, byte
// for byte the same length: templates match the copy and read their fields
// from the text. A text already normalized and in lower case is returned as
// both without copying.
func normalizeLower(s string) (text, lower string) {
	// Normalizing changes only white space: the capitals stay.
	normal, upper := scanText(s)
	if !normal {
		s = normalizeSpaces(s)
	}
	if !upper {
		return s, s
	}
	// Lowered a chunk at a time into the builder's one allocation: a
	// WriteByte per byte cost more than the lowering itself.
	var b strings.Builder
	b.Grow(len(s))
	var chunk [256]byte
	for at := 0; at < len(s); at += len(chunk) {
		part := s[at:min(len(s), at+len(chunk))]
		for i := 0; i < len(part); i++ {
			chunk[i] = lowerByte[part[i]]
		}
		b.Write(chunk[:len(part)])
	}
	return s, b.String()
}

// Byte classes for scanText.
const (
	classUpper = 1 << iota // an ASCII capital
	classSpace             // white space other than ' '
	classNonASCII
)

var byteClass, lowerByte = func() (class, lower [256]byte) {
	for c := 0; c < 256; c++ {
		lower[c] = byte(c)
		switch {
		case 'A' <= c && c <= 'Z':
			class[c] = classUpper
			lower[c] = byte(c + 'a' - 'A')
		case c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			class[c] = classSpace
		case c >= utf8.RuneSelf:
			class[c] = classNonASCII
		}
	}
	return class, lower
}()

// scanText reports whether s is already normalized (isNormal) and whether
// it holds an ASCII capital letter. Its loop has no branch on the bytes, so
// it runs at memory speed over an ordinary SMS.
func scanText(s string) (normal, upper bool) {
	var flags byte
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highBits != 0 {
			flags |= classNonASCII
		}
		if hasBetween(w, 'A'-1, 'Z'+1) {
			flags |= classUpper
		}
		if hasBetween(w, '\t'-1, '\r'+1) {
			flags |= classSpace
		}
	}
	for ; i < len(s); i++ {
		flags |= byteClass[s[i]]
	}
	upper = flags&classUpper != 0
	switch {
	case flags&classSpace != 0:
		return false, upper
	case s != "" && (s[0] == ' ' || s[len(s)-1] == ' '):
		return false, upper
	case strings.Contains(s, "  "):
		return false, upper
	case flags&classNonASCII != 0:
		return isNormal(s), upper
	}
	return true, upper
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// hasBetween reports whether a byte of w lies strictly between m and n
// (0 ≤ m < n ≤ 128), looking at its low seven bits: bytes of 0x80 and above
// are reported as non-ASCII by the caller, which then checks them apart.
func hasBetween(w uint64, m, n uint64) bool {
	x := w &^ highBits
	return (lowBits*(127+n)-x)&^w&(x+lowBits*(127-m))&highBits != 0
}
