package smsparse

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
)

// patternEnv is what an operator lends its templates' placeholders.
type patternEnv struct {
	currencyWords []string
	timeLayouts   []string
}

// moneyExpr matches an amount as operators write it: digits with optional
// comma grouping and decimals. It never takes a sign or a trailing comma, so
// "-50" or "1,000," cannot be read as something else.
const moneyExpr = `(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`

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

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

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
	out := placeholder.ReplaceAllStringFunc(pattern, func(m string) string {
		name := m[1 : len(m)-1]
		switch name {
		case "cur":
			return "(?:" + alternation(env.currencyWords) + ")"
		case "time":
			return "(?P<time>" + timeAlternation(env.timeLayouts) + ")"
		case "_":
			return fieldExpr["_"]
		}
		expr, ok := fields[name]
		if !ok {
			expr, ok = fieldExpr[name]
		}
		if !ok {
			bad = append(bad, m)
			return m
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
	sorted := append([]string(nil), words...)
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
	collect := func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral && len(r.Rune) >= 3 && isASCII(r.Rune) {
			lits = append(lits, strings.ToLower(string(r.Rune)))
		}
	}
	if re.Op == syntax.OpConcat {
		for _, sub := range re.Sub {
			collect(sub)
		}
	} else {
		collect(re)
	}
	if len(lits) > 0 && leads(re) {
		lead = lits[0]
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

// groups holds the submatch index of each field, -1 when the template does
// not capture it.
type groups struct {
	amount, fee, tax, balance        int
	counterparty, counterpartyNumber int
	txid, time                       int
}

func indexGroups(re *regexp.Regexp) groups {
	return groups{
		amount: re.SubexpIndex("amount"), fee: re.SubexpIndex("fee"),
		tax: re.SubexpIndex("tax"), balance: re.SubexpIndex("balance"),
		counterparty:       re.SubexpIndex("counterparty"),
		counterpartyNumber: re.SubexpIndex("counterparty_number"),
		txid:               re.SubexpIndex("txid"), time: re.SubexpIndex("time"),
	}
}

func isASCII(rs []rune) bool {
	for _, r := range rs {
		if r >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, so every byte offset in the
// result is the same as in s.
func asciiLower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
