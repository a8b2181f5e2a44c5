package smsbackup

import (
	"unicode/utf16"
	"unicode/utf8"
)

// appendText appends the decoded text of a raw attribute value to dst.
//
// SMS Backup & Restore writes a line break inside a message as &#10;, so a
// literal line break inside a value can only come from re-wrapping the file
// (a PDF or a text editor). Comparing the wrapped corpus with the clean one
// shows how to undo it: the wrapper broke lines at spaces, dropping the
// space, and after the hyphen of a hyphenated word or date ("2024-" then
// "05-12"). So a break after a hyphen that sits between letters or digits is
// removed, and any other break becomes the space it replaced. Plain XML
// would turn every such break into a space; only the hyphen case differs.
//
// References are decoded afterwards (see appendRef), so a &#10; written by
// the app survives as a real line break.
func appendText(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case '\r', '\n':
			i = skipBreaks(raw, i)
			if !joinsHyphen(dst, raw, i) {
				dst = append(dst, ' ')
			}
		case '&':
			var n int
			dst, n = appendRef(dst, raw[i:])
			i += n
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// skipBreaks returns the index after the run of CR and LF bytes at i. A
// page break can leave more than one, and they stand for one lost space.
func skipBreaks(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == '\r' || raw[i] == '\n') {
		i++
	}
	return i
}

// joinsHyphen reports whether a line break between out (text so far) and
// raw[next:] split a hyphenated word: letter-or-digit, hyphen, break,
// letter-or-digit. A hyphen standing alone ("Message: - -") keeps a space.
func joinsHyphen(out, raw []byte, next int) bool {
	n := len(out)
	if n < 2 || out[n-1] != '-' || !isWordByte(out[n-2]) {
		return false
	}
	return next < len(raw) && isWordByte(raw[next])
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// appendDigits appends the decimal digits of a numeric value, dropping the
// line breaks (and any spaces) that wrapping put inside it.
func appendDigits(dst, raw []byte) []byte {
	for _, c := range raw {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			dst = append(dst, c)
		}
	}
	return dst
}

// appendRef decodes the reference that starts raw (raw[0] is '&') and
// returns dst and how many bytes of raw it used. What is not a reference we
// know is copied as it stands: a bare "&", an unknown "&name;" or a
// malformed "&#...;".
func appendRef(dst, raw []byte) ([]byte, int) {
	if r, n, ok := charRef(raw); ok {
		return appendCharRef(dst, raw, r, n)
	}
	if s, n := namedRef(raw); n > 0 {
		return append(dst, s), n
	}
	return append(dst, '&'), 1
}

// appendCharRef appends the code point of a numeric reference. The app
// writes characters outside the Basic Multilingual Plane (emoji) as two
// references to UTF-16 surrogates; a high one followed by a low one is
// combined, and a surrogate without its partner becomes U+FFFD.
func appendCharRef(dst, raw []byte, r rune, n int) ([]byte, int) {
	if utf16.IsSurrogate(r) && r < 0xDC00 {
		if low, m, ok := charRef(raw[n:]); ok {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return utf8.AppendRune(dst, pair), n + m
			}
		}
	}
	if utf16.IsSurrogate(r) || r == 0 || r > utf8.MaxRune {
		r = utf8.RuneError
	}
	return utf8.AppendRune(dst, r), n
}

// maxRefLen bounds the search for the ';' of a reference: "&#x0010FFFF;"
// with a few leading zeros fits, and a stray '&' costs no long scan.
const maxRefLen = 16

// charRef parses "&#123;" or "&#x1F;" at the start of raw and returns the
// code point and the reference's length. Values beyond Unicode are returned
// as utf8.MaxRune+1 rather than overflowing.
func charRef(raw []byte) (rune, int, bool) {
	if len(raw) < 4 || raw[0] != '&' || raw[1] != '#' {
		return 0, 0, false
	}
	base, i := 10, 2
	if raw[2] == 'x' || raw[2] == 'X' {
		base, i = 16, 3
	}

	var v int64
	start := i
	for ; i < len(raw) && i < maxRefLen; i++ {
		d := digitValue(raw[i], base)
		if d < 0 {
			break
		}
		if v <= utf8.MaxRune {
			v = v*int64(base) + int64(d)
		}
	}

	if i == start || i >= len(raw) || raw[i] != ';' {
		return 0, 0, false
	}
	if v > utf8.MaxRune {
		v = utf8.MaxRune + 1
	}
	return rune(v), i + 1, true
}

// digitValue returns the value of c as a digit in base 10 or 16, or -1.
func digitValue(c byte, base int) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case base == 16 && c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case base == 16 && c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// namedRef recognises the five entities XML predefines. No other name is
// ever expanded: a backup has no DTD that could define one, and we refuse
// files that try.
func namedRef(raw []byte) (byte, int) {
	for _, e := range predefined {
		if len(raw) >= len(e.ref) && string(raw[:len(e.ref)]) == e.ref {
			return e.char, len(e.ref)
		}
	}
	return 0, 0
}

var predefined = [...]struct {
	ref  string
	char byte
}{
	{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''},
}
