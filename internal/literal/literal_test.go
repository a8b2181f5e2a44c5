package literal

import (
	"maps"
	"strings"
	"testing"
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

func indexed(x *Index, n int, text string) map[int]bool {
	var present Set
	x.Scan(text, &present)
	got := map[int]bool{}
	for id := range n {
		if present.Has(id) {
			got[id] = true
		}
	}
	return got
}

// TestIndex covers literals inside others, sharing prefixes and suffixes,
// and texts of bytes no literal uses.
func TestIndex(t *testing.T) {
	lits := []string{"he", "she", "his", "hers", "m-pesa", "new m-pesa balance", "rwf", "fee was", "was"}
	x := New(lits)
	if x == nil {
		t.Fatal("no index")
	}
	tests := []string{
		"", "ushers", "ahishers", "new m-pesa balance is ksh1,000", "m-pes", "new m-pesa",
		"the fee was 20 rwf", "fee wa", "€€€ ¢ \x00\xff", "SHE", "hehehe", "shis",
	}
	for _, text := range tests {
		if got, want := indexed(x, len(lits), text), contained(lits, text); !maps.Equal(got, want) {
			t.Errorf("%q: found %v, want %v", text, got, want)
		}
	}
}

// TestIndexRefuses: more literals than a Set holds, or more bytes than the
// table has columns for, leave the caller to search for each.
func TestIndexRefuses(t *testing.T) {
	many := make([]string, MaxIDs+1)
	for i := range many {
		many[i] = "x"
	}
	if New(many) != nil {
		t.Errorf("%d literals: an index was built", len(many))
	}
	var every strings.Builder
	for c := range 256 {
		every.WriteByte(byte(c))
	}
	if New([]string{every.String()}) != nil {
		t.Error("a literal of every byte value: an index was built")
	}
}
