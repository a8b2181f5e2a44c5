package smsparse

import (
	"encoding/json"
	"maps"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/momoanalytics/momo/internal/literal"
)

// contained is what the index must answer: each literal, looked for alone.
func contained(texts []string, text string) map[int]bool {
	want := map[int]bool{}
	for id, l := range texts {
		if strings.Contains(text, l) {
			want[id] = true
		}
	}
	return want
}

func indexed(x *literal.Index, n int, text string) map[int]bool {
	var present literal.Set
	x.Scan(text, &present)
	got := map[int]bool{}
	for id := range n {
		if present.Has(id) {
			got[id] = true
		}
	}
	return got
}

// TestLiteralIndexBook compares the built-in book's index with a search for
// each literal, over the example messages and random splices of them.
func TestLiteralIndexBook(t *testing.T) {
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if b.literals == nil {
		t.Fatal("the built-in book has no literal index")
	}
	texts := map[int]string{}
	for _, op := range b.operators {
		for _, l := range op.hints {
			texts[l.id] = l.text
		}
		for _, tpl := range op.Templates {
			for _, l := range tpl.literals {
				texts[l.id] = l.text
			}
		}
	}
	lits := make([]string, len(texts))
	for id, text := range texts {
		lits[id] = text
	}

	data, err := os.ReadFile("testdata/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var samples []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c struct{ Body string }
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, strings.ToLower(c.Body))
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		a, c := samples[rng.Intn(len(samples))], samples[rng.Intn(len(samples))]
		if len(a) == 0 || len(c) == 0 {
			continue
		}
		samples = append(samples, a[:rng.Intn(len(a))]+c[rng.Intn(len(c)):])
	}
	for _, text := range samples {
		if got, want := indexed(b.literals, len(lits), text), contained(lits, text); !maps.Equal(got, want) {
			t.Fatalf("%q: found %v, want %v", text, got, want)
		}
	}
}

// TestFindAnchoredAsUnanchored: trying only the starts an anchor allows
// finds what the unanchored regexp finds, on the example messages, splices
// of them, and texts with the message repeated or prefixed.
func TestFindAnchoredAsUnanchored(t *testing.T) {
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c struct{ Body string }
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		_, lower := normalizeLower(c.Body)
		texts = append(texts, lower, "fwd: "+lower, lower+" "+lower, "xx"+lower[min(3, len(lower)):])
	}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 1000; i++ {
		a, c := texts[rng.Intn(len(texts))], texts[rng.Intn(len(texts))]
		texts = append(texts, a[:rng.Intn(len(a)+1)]+c[rng.Intn(len(c)+1):])
	}

	anchored := 0
	for _, op := range b.operators {
		for _, tpl := range op.Templates {
			if tpl.anchoredRe == nil {
				continue
			}
			anchored++
			for _, text := range texts {
				got, want := tpl.find(text, 0), tpl.re.FindStringSubmatchIndex(text)
				if !slices.Equal(got, want) {
					t.Fatalf("%s on %q: found %v, the regexp finds %v", tpl.Name, text, got, want)
				}
			}
		}
	}
	if anchored < 50 {
		t.Errorf("only %d templates have an anchor", anchored)
	}
}
