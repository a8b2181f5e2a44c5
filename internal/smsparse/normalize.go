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
	s = strings.TrimSpace(s)
	if isNormal(s) {
		return s
	}

	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isNormal reports whether s has no white space other than single ASCII
// spaces.
func isNormal(s string) bool {
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
