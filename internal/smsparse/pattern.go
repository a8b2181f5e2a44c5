package smsparse

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// patternEnv is what an operator lends its templates' placeholders.
type patternEnv struct {
	currencyWords []string
	timeLayouts   []string // what {time} matches
	parseLayouts  []string // how a matched time is read
}

// moneyExpr matches an amount as operators write it: digits with optional
// comma grouping and decimals. It never takes a sign or a trailing comma, so
// "-50" or "1,000," cannot be read as something else. It is loose about the
// grouping ("12,34"), which parseMinor checks: the expression stays small,
// and a small program keeps Go's fast backtracking matcher.
const moneyExpr = `\d+(?:,\d+)*(?:\.\d+)?`

// fieldExpr holds each placeholder's default sub-pattern.
var fieldExpr = map[string]string{
	"amount":              moneyExpr,
	"fee":                 moneyExpr,
	"tax":                 moneyExpr,
	"balance":             moneyExpr,
	"counterparty":        `.+?`,
	"counterparty_number": `[^\s()]+`,
	"txid":                `\w(?:[\w.\-]*\w)?`,
	"_":                   `.*?`,
}

var placeholder = regexp.MustCompile(`\{(\$?[a-z_]+)\}`)

// moneyFields are the placeholders that read money. Written {$amount}, such
// a field takes the operator's currency on either side of the number, with
// or without a space: "GHS 1,250.00", "GHS1250", "1,250.00 GHS", "₵1,250".
var moneyFields = map[string]bool{"amount": true, "fee": true, "tax": true, "balance": true}

// altSuffix names the second capture of a {$field}: Go's regexp allows a
// name once, so the currency-after form captures into field+altSuffix.
const altSuffix = "__alt"

// expand turns a template pattern into a regular expression: {field}
// becomes a named group with the field's sub-pattern (overridden by
// fields[field]), {cur} the operator's currency words, {time} its time
// layouts, and {_} skips text.
func expand(pattern string, fields map[string]string, env patternEnv) (string, error) {
	if strings.TrimSpace(pattern) == "" {
		return "", fmt.Errorf("empty pattern")
	}
	for name := range fields {
		if _, ok := fieldExpr[name]; !ok || name == "_" {
			return "", fmt.Errorf("fields: unknown field %q", name)
		}
	}

	var bad []string
	cur := "(?:" + alternation(env.currencyWords) + ")"
	out := placeholder.ReplaceAllStringFunc(pattern, func(m string) string {
		name := m[1 : len(m)-1]
		switch name {
		case "cur":
			return cur
		case "time":
			return "(?P<time>" + timeAlternation(env.timeLayouts) + ")"
		case "_":
			return fieldExpr["_"]
		}
		either := strings.HasPrefix(name, "$")
		name = strings.TrimPrefix(name, "$")
		expr, ok := fields[name]
		if !ok {
			expr, ok = fieldExpr[name]
		}
		if !ok || (either && !moneyFields[name]) {
			bad = append(bad, m)
			return m
		}
		if either {
			return "(?:" + cur + " ?(?P<" + name + ">" + expr + ")|(?P<" + name + altSuffix + ">" + expr + ") ?" + cur + ")"
		}
		return "(?P<" + name + ">" + expr + ")"
	})
	if len(bad) > 0 {
		return "", fmt.Errorf("unknown placeholder %s", strings.Join(bad, ", "))
	}
	if strings.Contains(out, "(?P<time>") && len(env.timeLayouts) == 0 {
		return "", fmt.Errorf("{time} needs the operator's time_layouts")
	}
	return out, nil
}

// alternation quotes words for a regexp alternation, longest first so that
// "Kshs" is tried before "Ksh".
func alternation(words []string) string {
	// Patterns match case-insensitively: "Tsh" and "TSh" are one word.
	var sorted []string
	seen := map[string]bool{}
	for _, w := range words {
		if k := strings.ToLower(w); !seen[k] {
			seen[k] = true
			sorted = append(sorted, w)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	quoted := make([]string, len(sorted))
	for i, w := range sorted {
		quoted[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(quoted, "|")
}

func timeAlternation(layouts []string) string {
	parts := make([]string, len(layouts))
	for i, l := range layouts {
		parts[i] = layoutExpr(l)
	}
	return strings.Join(parts, "|")
}

// layoutTokens maps Go reference-time tokens to what they match, longest
// token first so that "2006" is not read as "2" then "006".
var layoutTokens = []struct{ token, expr string }{
	{"2006", `\d{4}`}, {"January", `[A-Za-z]+`}, {"Jan", `[A-Za-z]{3}`},
	{"Monday", `[A-Za-z]+`}, {"Mon", `[A-Za-z]{3}`},
	{"01", `\d{2}`}, {"02", `\d{2}`}, {"06", `\d{2}`}, {"15", `\d{2}`},
	{"03", `\d{2}`}, {"04", `\d{2}`}, {"05", `\d{2}`}, {"PM", `[AaPp][Mm]`},
	{"1", `\d{1,2}`}, {"2", `\d{1,2}`}, {"3", `\d{1,2}`},
}

// layoutExpr turns a Go time layout into a regular expression matching the
// texts it parses.
func layoutExpr(layout string) string {
	var b strings.Builder
	for len(layout) > 0 {
		matched := false
		for _, t := range layoutTokens {
			if strings.HasPrefix(layout, t.token) {
				b.WriteString(t.expr)
				layout = layout[len(t.token):]
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if layout[0] == ' ' {
			b.WriteString(` ?`)
		} else {
			b.WriteString(regexp.QuoteMeta(layout[:1]))
		}
		layout = layout[1:]
	}
	return b.String()
}

// requiredLiterals returns lower-cased texts that every match of re (parsed
// and simplified) must contain, longest first, at most three: checking them
// rejects almost every non-matching message before the regexp runs. When
// the expression begins with a literal, lead is that literal: the regexp
// then starts its search where the literal first occurs. Only ASCII
// literals count, so that lower-casing keeps byte offsets.
func requiredLiterals(re *syntax.Regexp) (lits []string, lead string) {
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	for i, r := range subs {
		if r.Op != syntax.OpLiteral || len(r.Rune) < 3 || !isASCII(r.Rune) {
			continue
		}
		text := strings.ToLower(string(r.Rune))
		if i == 0 && leads(re) {
			lead = text
		}
		// Spaces are the commonest byte of a message: a literal that
		// starts with one is slow to look for, and means no more trimmed.
		if t := strings.TrimSpace(text); len(t) >= 3 {
			lits = append(lits, t)
		}
	}
	sort.SliceStable(lits, func(i, j int) bool { return len(lits[i]) > len(lits[j]) })
	if len(lits) > 3 {
		lits = lits[:3]
	}
	return lits, lead
}

// leads reports whether re begins with a literal, so that every match
// starts where that literal does.
func leads(re *syntax.Regexp) bool {
	if re.Op == syntax.OpLiteral {
		return len(re.Rune) >= 3
	}
	return re.Op == syntax.OpConcat && re.Sub[0].Op == syntax.OpLiteral && len(re.Sub[0].Rune) >= 3
}

// field numbers the values a template can capture.
type field int

const (
	fAmount field = iota
	fFee
	fTax
	fBalance
	fCounterparty
	fCounterpartyNumber
	fTxID
	fTime
	nFields
)

var fieldNames = [nFields]string{"amount", "fee", "tax", "balance", "counterparty", "counterparty_number", "txid", "time"}

// groups holds, for each field, the submatch indexes that capture it: the
// plain one and, for {$money}, the currency-after one; -1 when absent.
type groups [nFields][2]int

func indexGroups(re *regexp.Regexp) groups {
	var g groups
	for f, name := range fieldNames {
		g[f] = [2]int{re.SubexpIndex(name), re.SubexpIndex(name + altSuffix)}
	}
	return g
}

// compiled is a template's expression made ready to match the
// ASCII-lower-cased text.
type compiled struct {
	re       *regexp.Regexp
	anchored bool // the pattern only matches at the start of a message
	size     int  // instructions in the program
	window   int  // longest text the backtracking matcher takes; 0: any
	literals []string
	lead     string
	// anchor is a literal every match holds after a prefix of preMin to
	// preMax bytes; anchoredRe is re matching only at the start of its
	// text. find tries the few starts that the anchor's places allow,
	// instead of every position of the message (see Template.find).
	anchor         string
	preMin, preMax int
	anchoredRe     *regexp.Regexp
}

// compilePattern compiles expr, a case-insensitive expression, into a
// regexp that matches the ASCII-lower-cased text case-sensitively, which
// lets the engine compare plain runes and use literal prefixes.
//
// The expression is lower-cased as text (lowerPattern) and parsed once for
// what the parse tells (anchoring, required literals, program size). It is
// never printed back from a parse tree: printing one walks every rune of
// its large character classes ([^\s()] is most of Unicode) through the case
// tables, and that made compiling the built-in templates take 0.4 s.
func compilePattern(expr string) (compiled, error) {
	lowered := lowerPattern(expr)
	tree, err := syntax.Parse(lowered, syntax.Perl)
	if err != nil {
		if _, orig := syntax.Parse(expr, syntax.Perl); orig != nil {
			return compiled{}, orig // the error quotes the pattern as written
		}
		return compiled{}, err
	}
	re, err := regexp.Compile(lowered)
	if err != nil {
		return compiled{}, err
	}

	c := compiled{re: re, anchored: startsWithBeginText(tree)}
	simple := tree.Simplify()
	c.literals, c.lead = requiredLiterals(simple)
	c.size, c.window = programSize(simple)
	if anchor, lo, hi, ok := anchorOf(simple); ok && !c.anchored {
		if c.anchoredRe, err = regexp.Compile(`^(?:` + lowered + `)`); err != nil {
			return compiled{}, err
		}
		c.anchor, c.preMin, c.preMax = anchor, lo, hi
	}
	return c, nil
}

// anchorOf finds the first literal of re (at least three ASCII bytes) that
// every match holds after a prefix whose length is bounded and which
// asserts nothing about the text before it (no \b, ^, $): a match then
// starts between preMax and preMin bytes before a place of the anchor.
func anchorOf(re *syntax.Regexp) (anchor string, preMin, preMax int, ok bool) {
	parts := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		parts = re.Sub
	}
	for _, p := range parts {
		if p.Op == syntax.OpLiteral && p.Flags&syntax.FoldCase == 0 && len(p.Rune) >= 3 && isASCII(p.Rune) {
			return string(p.Rune), preMin, preMax, true
		}
		lo, hi, bounded := width(p)
		if !bounded {
			return "", 0, 0, false
		}
		preMin, preMax = preMin+lo, preMax+hi
	}
	return "", 0, 0, false
}

// width returns the fewest and most bytes re matches; bounded is false when
// there is no most, or when re asserts something about its surroundings.
func width(re *syntax.Regexp) (lo, hi int, bounded bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return 0, 0, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return 0, 0, false
		}
		n := len(string(re.Rune))
		return n, n, true
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0, 0, false
		}
		return 1, utf8.RuneLen(re.Rune[len(re.Rune)-1]), true
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return 1, utf8.UTFMax, true
	case syntax.OpCapture:
		return width(re.Sub[0])
	case syntax.OpQuest:
		_, hi, ok := width(re.Sub[0])
		return 0, hi, ok
	case syntax.OpRepeat:
		lo, hi, ok := width(re.Sub[0])
		if !ok || re.Max < 0 {
			return 0, 0, false
		}
		return lo * re.Min, hi * re.Max, true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			l, h, ok := width(sub)
			if !ok {
				return 0, 0, false
			}
			lo, hi = lo+l, hi+h
		}
		return lo, hi, true
	case syntax.OpAlternate:
		lo = -1
		for _, sub := range re.Sub {
			l, h, ok := width(sub)
			if !ok {
				return 0, 0, false
			}
			if lo < 0 || l < lo {
				lo = l
			}
			hi = max(hi, h)
		}
		return lo, hi, true
	}
	return 0, 0, false // repetitions without bound, and assertions
}

// lowerPattern lower-cases the ASCII letters that expr matches, leaving
// its syntax alone: escapes (\D, \S, \pL, \p{Lu}, \x{1F4B0}), flag groups
// ((?i), (?U)) and group names keep their case, \Q…\E text is lowered but
// not its \E. A cased non-ASCII letter outside brackets becomes (?i:é), so
// that it still matches either case, as the text is lowered only in ASCII.
func lowerPattern(expr string) string {
	var b strings.Builder
	b.Grow(len(expr) + 8)
	inClass := false
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\':
			i += copyEscape(&b, expr[i:])
			continue
		case c == '(' && !inClass && strings.HasPrefix(expr[i:], "(?"):
			i += copyGroupSyntax(&b, expr[i:])
			continue
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			i++
			// A ']' first in the class ("[]a]", "[^]a]") is a literal.
			if strings.HasPrefix(expr[i:], "^") {
				b.WriteByte('^')
				i++
			}
			if strings.HasPrefix(expr[i:], "]") {
				b.WriteByte(']')
				i++
			}
			continue
		case c == '[' && inClass && strings.HasPrefix(expr[i:], "[:"):
			end := strings.Index(expr[i:], ":]")
			if end < 0 {
				end = len(expr) - i - 2
			}
			b.WriteString(expr[i : i+end+2])
			i += end + 2
			continue
		case c == ']' && inClass:
			inClass = false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(expr[i:])
			if !inClass && unicode.SimpleFold(r) != r {
				b.WriteString("(?i:" + expr[i:i+size] + ")")
			} else {
				b.WriteString(expr[i : i+size])
			}
			i += size
			continue
		}
		b.WriteByte(lowerByte[c])
		i++
	}
	return b.String()
}

// copyEscape copies the escape sequence at the start of s, which begins
// with a backslash, and returns its length.
func copyEscape(b *strings.Builder, s string) int {
	if len(s) < 2 {
		b.WriteString(s)
		return len(s)
	}
	n := 2
	switch s[1] {
	case 'Q': // quoted text up to \E, matched as lower-cased text
		end := strings.Index(s[2:], `\E`)
		if end < 0 {
			end = len(s) - 2
		}
		b.WriteString(`\Q`)
		for i := 2; i < 2+end; i++ {
			b.WriteByte(lowerByte[s[i]])
		}
		return 2 + end + copyPrefix(b, s[2+end:], `\E`)
	case 'p', 'P', 'x':
		if len(s) > 2 && s[2] == '{' {
			if end := strings.IndexByte(s, '}'); end > 0 {
				n = end + 1
			}
		} else if s[1] == 'x' {
			n = min(len(s), 4)
		} else {
			n = min(len(s), 3)
		}
	default:
		if s[1] >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(s[1:])
			n = 1 + size
		}
	}
	b.WriteString(s[:n])
	return n
}

// copyPrefix copies prefix when s starts with it and returns its length.
func copyPrefix(b *strings.Builder, s, prefix string) int {
	if !strings.HasPrefix(s, prefix) {
		return 0
	}
	b.WriteString(prefix)
	return len(prefix)
}

// copyGroupSyntax copies what follows "(?" up to where the group's
// content starts: flags ("(?i:", "(?U)"), or a group's name ("(?P<name>",
// "(?<name>").
func copyGroupSyntax(b *strings.Builder, s string) int {
	end := strings.IndexAny(s[2:], ":)>")
	if end < 0 {
		b.WriteString(s)
		return len(s)
	}
	n := 2 + end + 1
	b.WriteString(s[:n])
	return n
}

func startsWithBeginText(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginText, syntax.OpBeginLine:
		return true
	case syntax.OpConcat, syntax.OpCapture:
		return len(re.Sub) > 0 && startsWithBeginText(re.Sub[0])
	}
	return false
}

func isASCII(rs []rune) bool {
	for _, r := range rs {
		if r >= 0x80 {
			return false
		}
	}
	return true
}

// programSize returns how many instructions re compiles to and the longest
// text Go's backtracking matcher accepts for it (its bit-state limit is
// 256 Ki bits of instructions times text length, for programs of at most
// 500 instructions); 0 when the program is too big for that matcher.
func programSize(simple *syntax.Regexp) (size, window int) {
	prog, err := syntax.Compile(simple)
	if err != nil {
		return 0, 0
	}
	size = len(prog.Inst)
	if size > maxBacktrackProg {
		return size, 0
	}
	return size, maxBitState/size - 1
}

// The limits of Go's backtracking matcher (regexp/backtrack.go).
const (
	maxBacktrackProg = 500
	maxBitState      = 256 * 1024
)
