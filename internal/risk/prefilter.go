package risk

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"

	"github.com/momoanalytics/momo/internal/literal"
)

// The phrase rules are regular expressions that begin with a word
// boundary and an alternation, which gives Go's matcher no literal to skip
// to: it tries every position of every message, and an import spent more
// time there than in the database. A phrase therefore carries texts of
// which every match holds at least one, found in the expression itself, and
// runs only on messages that contain one of them.

// phrase is a regular expression with its cheap pre-check.
type phrase struct {
	re *regexp.Regexp
	// anyOf are texts of which every match contains one; nil when the
	// expression offers none worth checking. ids are their numbers in
	// phraseTexts.
	anyOf []string
	ids   []int
}

func newPhrase(expr string) phrase {
	re := regexp.MustCompile(expr)
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(err) // MustCompile accepted it
	}
	set, ok := required(tree.Simplify())
	if !ok || shortest(set) < 2 {
		set = nil
	}
	return phrase{re: re, anyOf: set, ids: number(set)}
}

// The texts of every phrase, numbered, so that one pass of a literal
// index over a message answers the pre-checks of all phrases. The phrases
// are package variables: the index is built on first use, once they all
// exist, over those numbered by then.
var (
	phraseMu    sync.Mutex
	phraseTexts []string
	phraseIndex = sync.OnceValue(func() phraseTable {
		phraseMu.Lock()
		defer phraseMu.Unlock()
		return phraseTable{index: literal.New(phraseTexts), n: len(phraseTexts)}
	})
)

// phraseTable is the index over the first n phrase texts; nil when they
// were too many, and then each is searched for.
type phraseTable struct {
	index *literal.Index
	n     int
}

func number(texts []string) []int {
	phraseMu.Lock()
	defer phraseMu.Unlock()
	ids := make([]int, len(texts))
	for i, t := range texts {
		ids[i] = len(phraseTexts)
		phraseTexts = append(phraseTexts, t)
	}
	return ids
}

// scanned is a text with the phrase texts it contains.
type scanned struct {
	text    string
	table   phraseTable
	present literal.Set
}

func scan(text string) scanned {
	s := scanned{text: text, table: phraseIndex()}
	if s.table.index != nil {
		s.table.index.Scan(text, &s.present)
	}
	return s
}

// has reports whether the text holds the phrase text numbered id.
func (s *scanned) has(id int, text string) bool {
	if s.table.index == nil || id >= s.table.n {
		return strings.Contains(s.text, text)
	}
	return s.present.Has(id)
}

// mayMatch reports whether the text holds one of the phrase's texts.
func (p phrase) mayMatch(s *scanned) bool {
	if p.anyOf == nil {
		return true
	}
	for i, id := range p.ids {
		if s.has(id, p.anyOf[i]) {
			return true
		}
	}
	return false
}

// maxSet bounds the sets of texts built, which grow as products.
const maxSet = 256

// required returns texts of which every match of re contains one.
func required(re *syntax.Regexp) ([]string, bool) {
	if set, ok := exact(re); ok {
		if slices.Contains(set, "") {
			return nil, false // re can match the empty text
		}
		return set, true
	}
	switch re.Op {
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpAlternate:
		var union []string
		for _, sub := range re.Sub {
			set, ok := required(sub)
			if !ok {
				return nil, false
			}
			union = append(union, set...)
		}
		return union, len(union) <= maxSet
	case syntax.OpConcat:
		return requiredInConcat(re.Sub)
	}
	return nil, false
}

// requiredInConcat picks, among the parts of a concatenation, the set
// whose shortest text is longest. Runs of parts that match only a few
// exact texts are joined first: "\." then "(?:com|net)" requires ".com"
// or ".net", which is rarer than either part alone.
func requiredInConcat(parts []*syntax.Regexp) ([]string, bool) {
	var best []string
	consider := func(set []string) {
		if len(set) > 0 && !slices.Contains(set, "") && (best == nil || shortest(set) > shortest(best)) {
			best = set
		}
	}
	run := []string{""}
	for _, p := range parts {
		if set, ok := exact(p); ok {
			if run = product(run, set); run == nil {
				run = []string{""}
			}
			consider(run)
			continue
		}
		run = []string{""}
		if set, ok := required(p); ok {
			consider(set)
		}
	}
	return best, best != nil
}

// exact returns every text re matches, when they are few.
func exact(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpEmptyMatch, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpCharClass:
		var set []string
		for i := 0; i < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(set) == 8 {
					return nil, false
				}
				set = append(set, string(r))
			}
		}
		return set, true
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		set, ok := exact(re.Sub[0])
		if !ok {
			return nil, false
		}
		return append(set, ""), true
	case syntax.OpAlternate:
		var union []string
		for _, sub := range re.Sub {
			set, ok := exact(sub)
			if !ok {
				return nil, false
			}
			union = append(union, set...)
		}
		return union, len(union) <= maxSet
	case syntax.OpConcat:
		set := []string{""}
		for _, sub := range re.Sub {
			part, ok := exact(sub)
			if !ok {
				return nil, false
			}
			if set = product(set, part); set == nil {
				return nil, false
			}
		}
		return set, true
	}
	return nil, false
}

// product joins every text of a with every text of b; nil when there
// would be more than maxSet.
func product(a, b []string) []string {
	if len(a)*len(b) > maxSet {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}
