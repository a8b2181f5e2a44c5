package smsparse

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
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

// requiredLiterals returns lower-cased texts that every match of expr must
// contain, longest first, at most three: checking them with strings.Contains
// rejects almost every non-matching message before the regexp runs. When
// the expression begins with a literal, lead is that literal: the regexp
// then starts its search where the literal first occurs. Only ASCII
// literals count, so that lower-casing keeps byte offsets.
func requiredLiterals(expr string) (lits []string, lead string) {
	re, err := syntax.Parse("(?i)"+expr, syntax.Perl)
	if err != nil {
		return nil, ""
	}
	re = re.Simplify()
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

// lowerRegexp compiles expr, a case-insensitive pattern, into a regexp that
// matches the ASCII-lower-cased text case-sensitively: its ASCII literals
// are lower-cased and lose their case folding, which lets the engine use
// plain rune comparisons and literal prefixes. Non-ASCII literals keep
// folding. anchored reports a pattern that must match at the start.
func lowerRegexp(expr string) (re *regexp.Regexp, anchored bool, err error) {
	tree, err := syntax.Parse(expr, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, false, err
	}
	lowerTree(tree)
	anchored = startsWithBeginText(tree)
	re, err = regexp.Compile(tree.String())
	return re, anchored, err
}

func lowerTree(re *syntax.Regexp) {
	if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase != 0 {
		ascii := true
		for i, r := range re.Rune {
			if r >= utf8.RuneSelf {
				ascii = false
				continue
			}
			if 'A' <= r && r <= 'Z' {
				re.Rune[i] = r + 'a' - 'A'
			}
		}
		if ascii {
			re.Flags &^= syntax.FoldCase
		}
	}
	for _, sub := range re.Sub {
		lowerTree(sub)
	}
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
func programSize(re *regexp.Regexp) (size, window int) {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return 0, 0
	}
	prog, err := syntax.Compile(tree.Simplify())
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
