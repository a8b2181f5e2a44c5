package smsbackup

import "strings"

// mark is what follows a '<'.
type mark int

const (
	markText    mark = iota // a '<' that starts no markup: debris, skipped
	markSMS                 // <sms
	markMMS                 // <mms
	markRootEnd             // </smses
	markBang                // <! (comment, CDATA or a declaration)
	markPI                  // <? (processing instruction)
	markTag                 // any other start or end tag
)

// classify looks at the bytes after a consumed '<' and consumes the ones
// that identify the markup: the element name for sms, mms and the root's
// end tag, or the '!' / '?'. Other tags are left for skipTag.
func (r *Reader) classify() mark {
	p := r.s.peek(8)
	switch {
	case hasName(p, "sms"):
		r.s.discard(p[:3])
		return markSMS
	case hasName(p, "mms"):
		r.s.discard(p[:3])
		return markMMS
	case hasName(p, "/smses"):
		r.s.discard(p[:6])
		return markRootEnd
	case len(p) == 0:
		return markText
	case p[0] == '!':
		r.s.discard(p[:1])
		return markBang
	case p[0] == '?':
		r.s.discard(p[:1])
		return markPI
	case p[0] == '/' || isNameByte(p[0]):
		return markTag
	}
	return markText
}

// hasName reports whether p starts with name followed by a byte that ends
// a name, or by the end of the input (a cut-off file).
func hasName(p []byte, name string) bool {
	if len(p) < len(name) || string(p[:len(name)]) != name {
		return false
	}
	return len(p) == len(name) || isDelim(p[len(name)])
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '/', '>':
		return true
	}
	return false
}

// refusedDTD is the message for files that declare a DTD or entities. We
// never expand them: entity expansion is how XML bombs and external-entity
// reads work, and a real backup never has one.
const refusedDTD = "file declares entities or a DTD, which is refused"

// skipBang handles "<!" (already consumed): comments and CDATA sections
// are skipped, any declaration (DOCTYPE, ENTITY, ELEMENT, ATTLIST,
// NOTATION) ends reading, and anything else is debris.
func (r *Reader) skipBang() error {
	p := r.s.peek(9)
	switch {
	case len(p) >= 2 && string(p[:2]) == "--":
		r.s.discard(p[:2])
		r.s.skipPast("-->")
	case len(p) >= 7 && string(p[:7]) == "[CDATA[":
		r.s.discard(p[:7])
		r.s.skipPast("]]>")
	case isDeclaration(p):
		return invalid(refusedDTD)
	}
	return nil
}

// isDeclaration reports whether p starts with a DTD keyword, in any case so
// that a sloppy "<!doctype" is refused too.
func isDeclaration(p []byte) bool {
	word := strings.ToUpper(string(p))
	for _, k := range [...]string{"DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION"} {
		if strings.HasPrefix(word, k) {
			return true
		}
	}
	return false
}

// tagEnd says how a tag ended.
type tagEnd int

const (
	tagOpen       tagEnd = iota // ">": content may follow
	tagSelfClosed               // "/>"
	tagCut                      // a '<' started other markup inside it
	tagEOF                      // the input ended inside it
)

// scanTag consumes the rest of a tag, keeping its bytes in *keep up to
// limit (keep may be nil to skip). Quotes are honoured, so a '>' inside a
// value does not end the tag. A '<' always ends it, even inside a value:
// SMS Backup & Restore escapes '<' in values, so a raw one is the start of
// the next element after a splice, and stopping there keeps one damaged
// element from swallowing the next.
func (r *Reader) scanTag(keep *[]byte, limit int) (end tagEnd, overflow bool) {
	class, quote := stopInTag, byte(0)
	for {
		res := r.s.scan(class, keep, limit)
		overflow = overflow || res.overflow
		if !res.ok {
			return tagEOF, overflow
		}

		c := res.stop
		if c == '<' {
			r.pending, r.pendingLine = true, r.s.line
			return tagCut, overflow
		}
		if c == '>' {
			if res.prev == '/' {
				return tagSelfClosed, overflow
			}
			return tagOpen, overflow
		}

		// A quote opens or closes a value and belongs to the tag's text.
		if keep != nil && !keepByte(keep, c, limit) {
			overflow = true
		}
		class, quote = nextQuoteState(c, quote)
	}
}

// nextQuoteState returns the stop class and open quote after quote byte c.
func nextQuoteState(c, quote byte) (*byteClass, byte) {
	switch {
	case quote == 0 && c == '"':
		return stopInDouble, c
	case quote == 0 && c == '\'':
		return stopInSingle, c
	}
	return stopInTag, 0
}

// skipTag skips a tag we do not read (an end tag, or an element other than
// sms and mms). Its content, if any, is scanned like any other.
func (r *Reader) skipTag() {
	r.scanTag(nil, 0)
}
