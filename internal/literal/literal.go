// Package literal answers, in one pass over a text, which of a fixed set
// of literals it contains. The parser asks again and again whether a
// message holds one of its literals (an operator's hints before its
// templates are tried, a template's required words before its regexp
// runs), and the risk rules whether it holds a word their phrases need.
// Asked one at a time with strings.Contains, those questions cost a fifth
// of a parse, most of it in scans for literals that are absent. An Index is
// an Aho-Corasick automaton, compiled into a dense transition table, that
// reports every literal occurring in the text, overlapping ones included.
package literal

// MaxIDs bounds the literals an Index answers for; the parser's number
// about 500.
const MaxIDs = 1024

// Set holds literal ids, as Scan reports them.
type Set [MaxIDs / 64]uint64

// Has reports whether id is in the set.
func (s *Set) Has(id int) bool {
	return id >= 0 && id < MaxIDs && s[id/64]&(1<<(id%64)) != 0
}

// Index finds which of its numbered literals a text contains.
type Index struct {
	// class maps a byte to its column in next: bytes that no literal uses
	// share column 0, which keeps the table small.
	class   [256]uint8
	columns int
	// next[state*columns+class] is the state after reading a byte of that
	// class; state 0 is the start. The table is built with state numbers
	// and then rewritten for the scan: each entry holds the next state's
	// row offset (state*columns) shifted left by one, with the low bit set
	// when some literal ends there, so that a byte costs one lookup.
	next []uint32
	// found[state] lists the literal ids that end at state, its own and
	// those of every shorter suffix.
	found [][]uint16
}

// maxStates bounds the automaton so that states fit found's uint16. The
// parser's templates need about a tenth of it.
const maxStates = 1 << 16

// New builds the index of texts, where texts[id] is the literal numbered
// id. It returns nil when the literals are more than MaxIDs, or too many or
// too long for the table: the caller then searches for each one.
func New(texts []string) *Index {
	if len(texts) > MaxIDs {
		return nil
	}
	x := &Index{}
	for _, t := range texts {
		for i := 0; i < len(t); i++ {
			if x.class[t[i]] == 0 {
				x.columns++
				x.class[t[i]] = uint8(x.columns)
			}
		}
		if x.columns >= 255 {
			return nil
		}
	}
	x.columns++

	children, ok := x.trie(texts)
	if !ok {
		return nil
	}
	x.link(children)
	x.premultiply()
	return x
}

// trie lays the literals out as a tree of states, one per distinct prefix,
// and records which literal ends where.
func (x *Index) trie(texts []string) (children []map[uint8]uint16, ok bool) {
	children = []map[uint8]uint16{{}}
	x.found = [][]uint16{nil}
	for id, t := range texts {
		s := uint16(0)
		for i := 0; i < len(t); i++ {
			c := x.class[t[i]]
			child, exists := children[s][c]
			if !exists {
				if len(children) == maxStates {
					return nil, false
				}
				child = uint16(len(children))
				children[s][c] = child
				children = append(children, map[uint8]uint16{})
				x.found = append(x.found, nil)
			}
			s = child
		}
		x.found[s] = append(x.found[s], uint16(id))
	}
	return children, true
}

// link fills the transition table breadth first: where the tree has no
// edge, a state goes where its longest proper suffix that is a state goes,
// which is already known because that suffix is shallower. Each state
// inherits the literals found at that suffix.
func (x *Index) link(children []map[uint8]uint16) {
	x.next = make([]uint32, len(children)*x.columns)
	suffix := make([]uint16, len(children))
	queue := make([]uint16, 0, len(children))
	for c, child := range children[0] {
		x.next[int(c)] = uint32(child)
		queue = append(queue, child)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		x.found[s] = append(x.found[s], x.found[suffix[s]]...)
		row := int(s) * x.columns
		copy(x.next[row:row+x.columns], x.next[int(suffix[s])*x.columns:])
		for c, child := range children[s] {
			x.next[row+int(c)] = uint32(child)
			suffix[child] = uint16(x.next[int(suffix[s])*x.columns+int(c)])
			queue = append(queue, child)
		}
	}
}

// premultiply rewrites next from state numbers into what scan reads.
func (x *Index) premultiply() {
	for i, state := range x.next {
		entry := state * uint32(x.columns) << 1
		if len(x.found[state]) > 0 {
			entry |= 1
		}
		x.next[i] = entry
	}
}

// Scan adds to present every literal that text contains.
func (x *Index) Scan(text string, present *Set) {
	next, class := x.next, &x.class
	row := uint32(0)
	for i := 0; i < len(text); i++ {
		entry := next[row+uint32(class[text[i]])]
		row = entry >> 1
		if entry&1 != 0 {
			for _, id := range x.found[int(row)/x.columns] {
				present[id/64] |= 1 << (id % 64)
			}
		}
	}
}
