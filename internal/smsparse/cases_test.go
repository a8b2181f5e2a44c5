package smsparse_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/momoanalytics/momo/internal/corpus"
)

// loadCases reads testdata/cases.jsonl: invented messages (names, numbers
// and ids made up) in the wording of each real shape, labelled the way the
// shared corpus is, plus the template each must match.
func loadCases(tb testing.TB) []corpus.Case {
	tb.Helper()
	f, err := os.Open("testdata/cases.jsonl")
	if err != nil {
		tb.Fatalf("open cases: %v", err)
	}
	defer f.Close()
	var cases []corpus.Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c corpus.Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("cases.jsonl line %d: %v", line, err)
		}
		c.Line = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return cases
}

// TestCases requires every invented case to parse to its labels, through
// the template it was written for.
func TestCases(t *testing.T) {
	b := book(t)
	for _, c := range loadCases(t) {
		t.Run(fmt.Sprintf("%d:%s", c.Line, c.Template), func(t *testing.T) {
			got := view(t, b.Parse(message(c)))
			if got["result"] != "parsed" {
				t.Fatalf("unrecognized: %q", c.Body)
			}
			if got["template"] != c.Template {
				t.Errorf("template %v, want %s", got["template"], c.Template)
			}
			if got["operator"] != c.Operator || got["country"] != c.Country {
				t.Errorf("operator %v %v, want %s %s", got["operator"], got["country"], c.Operator, c.Country)
			}
			for field, want := range c.Expect {
				if !same(field, want, got[field]) {
					t.Errorf("%s: want %v, got %v", field, want, got[field])
				}
			}
			// Read as a paste, it is still one SMS, read the same way.
			rs := b.ParseAll(message(c))
			if len(rs) != 1 || rs[0].Transaction.Template != c.Template {
				t.Errorf("ParseAll: %d results, first %q (%s)", len(rs), rs[0].Transaction.Template, rs[0].Why)
			}
		})
	}
}

// TestEveryTemplateHasACase: a template no labelled message exercises is a
// template nobody has checked.
func TestEveryTemplateHasACase(t *testing.T) {
	b := book(t)
	seen := map[string]bool{}
	for _, c := range loadCases(t) {
		seen[c.Template] = true
	}
	for _, file := range []string{"labelled.jsonl", "other-operators.jsonl"} {
		for _, c := range corpus.Load(t, file) {
			if p := b.Parse(message(c)); p.Transaction.Template != "" {
				seen[p.Transaction.Template] = true
			}
		}
	}
	n := 0
	for _, op := range b.Operators() {
		for _, tpl := range op.Templates {
			n++
			if !seen[tpl.Name] {
				t.Errorf("template %s (%s) has no test case", tpl.Name, op.Key)
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d templates in the book", n)
	}
}
