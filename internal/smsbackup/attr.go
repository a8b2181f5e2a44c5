package smsbackup

// attrFlaws records what was wrong with a tag's attribute syntax. Each flaw
// is reported in words that never quote the file, since a misplaced quote
// can turn message text into an attribute name.
type attrFlaws struct {
	stray    bool   // text that is not name="value"
	badValue bool   // a value without quotes, or without its closing one
	repeated string // a known attribute that appears twice, or "" if none
}

// eachAttr calls visit with every name="value" pair of p, the inside of a
// tag after the element name, in order. Values are raw: references and
// line breaks are still in them. It is lenient where re-wrapped files break
// XML: attributes need no space between them (`"null"read="1"`), line
// breaks may sit anywhere between tokens, and text that is not an
// attribute is skipped and noted. It holds nothing, so a huge tag full of
// tiny attributes costs time in proportion to its size and no memory.
func eachAttr(p []byte, visit func(name, value []byte)) attrFlaws {
	var f attrFlaws
	var seen uint64 // knownAttrs met so far, by index
	for i := skipSpace(p, 0); i < len(p); i = skipSpace(p, i) {
		name, j := readAttrName(p, i)
		if len(name) == 0 {
			i = skipStray(p, i, &f)
			continue
		}

		j = skipSpace(p, j)
		if j >= len(p) || p[j] != '=' {
			f.stray = true
			i = j
			continue
		}

		value, k, ok := readAttrValue(p, skipSpace(p, j+1))
		f.badValue = f.badValue || !ok
		seen = noteRepeat(seen, name, &f)
		visit(name, value)
		i = k
	}
	return f
}

// skipSpace returns the index of the first byte at or after i that is not
// white space. The '/' of a self-closing tag counts as space here.
func skipSpace(p []byte, i int) int {
	for i < len(p) {
		switch p[i] {
		case ' ', '\t', '\r', '\n', '/':
			i++
		default:
			return i
		}
	}
	return i
}

// readAttrName returns the name that starts at i, and the index after it.
func readAttrName(p []byte, i int) ([]byte, int) {
	start := i
	for i < len(p) && isNameByte(p[i]) {
		i++
	}
	return p[start:i], i
}

// isNameByte accepts the ASCII subset of XML name characters, which is all
// SMS Backup & Restore uses.
func isNameByte(c byte) bool {
	return isWordByte(c) || c == '_' || c == '-' || c == '.' || c == ':'
}

// skipStray steps over one byte of text that cannot start an attribute. A
// quote opens a value that has no name; it is skipped whole so its text is
// not mistaken for attributes.
func skipStray(p []byte, i int, f *attrFlaws) int {
	f.stray = true
	if q := p[i]; q == '"' || q == '\'' {
		_, k, _ := readAttrValue(p, i)
		return k
	}
	return i + 1
}

// readAttrValue reads a quoted value starting at i; ok is false when it is
// not well quoted. A value cut off by the end of the tag runs to the end.
// An unquoted value (not XML, but seen in hand-edited files) runs to the
// next space.
func readAttrValue(p []byte, i int) (value []byte, next int, ok bool) {
	if i >= len(p) {
		return nil, i, false
	}
	q := p[i]
	if q != '"' && q != '\'' {
		start := i
		for i < len(p) && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n' {
			i++
		}
		return p[start:i], i, false
	}

	start := i + 1
	for i = start; i < len(p); i++ {
		if p[i] == q {
			return p[start:i], i + 1, true
		}
	}
	return p[start:], len(p), false
}

// noteRepeat records a known attribute met twice: elements spliced
// together by a page break typically carry some attributes twice. seen has
// one bit per entry of knownAttrs.
func noteRepeat(seen uint64, name []byte, f *attrFlaws) uint64 {
	k := knownIndex(name)
	if k < 0 {
		return seen
	}
	bit := uint64(1) << k
	if seen&bit != 0 && f.repeated == "" {
		f.repeated = knownAttrs[k]
	}
	return seen | bit
}

// knownIndex returns the index of name in knownAttrs, or -1. Only known
// names may appear in a damage report.
func knownIndex(name []byte) int {
	for i, k := range knownAttrs {
		if string(name) == k {
			return i
		}
	}
	return -1
}

// knownAttrs are the attributes SMS Backup & Restore writes on <sms> and
// <mms>; at most 64, one bit each in noteRepeat.
var knownAttrs = [...]string{
	"protocol", "address", "date", "type", "subject", "body", "toa", "sc_toa",
	"service_center", "read", "status", "locked", "date_sent", "sub_id",
	"readable_date", "contact_name", "m_type", "m_id", "ct_t", "msg_box",
	"text_only", "seen", "creator", "m_size", "tr_id", "ct_l", "exp", "pri",
	"rr", "d_rpt", "sim_slot", "sim_imsi",
}
