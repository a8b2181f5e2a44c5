package smsparse

import (
	"math/rand"
	"testing"
)

// TestProgramsFitBacktracker keeps every built-in template small enough for
// Go's backtracking matcher on an ordinary SMS: past 500 instructions Go
// falls back to its much slower NFA, and the parse rate drops several times.
func TestProgramsFitBacktracker(t *testing.T) {
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range b.operators {
		for _, tpl := range op.Templates {
			if tpl.size > 460 || tpl.window < 500 {
				t.Errorf("%s: %d instructions, backtracks over %d bytes at most", tpl.Name, tpl.size, tpl.window)
			}
		}
	}
}

func TestParseMinor(t *testing.T) {
	tests := []struct {
		in   string
		exp  int
		want int64
		ok   bool
	}{
		{"1,250.00", 2, 125000, true}, {"1250", 2, 125000, true}, {"0.5", 2, 50, true},
		{"1000000.00", 0, 1000000, true}, {"100.0", 0, 100, true}, {"12,366.80", 2, 1236680, true},
		{"1,000,000", 0, 1000000, true}, {"0", 2, 0, true},
		{"12,34", 2, 0, false}, {"1234,567", 2, 0, false}, {"5,00,0", 2, 0, false}, {"1.", 2, 0, false},
		{".5", 2, 0, false}, {"0.505", 2, 0, false}, {"1.5", 0, 0, false}, {"-5", 2, 0, false},
		{"1e9", 2, 0, false}, {"99999999999999999999", 0, 0, false}, {"92233720368547758.08", 2, 0, false},
		{"١٠", 0, 0, false}, {"", 2, 0, false}, {"1,2.3", 2, 0, false},
	}
	for _, tc := range tests {
		got, ok := parseMinor(tc.in, tc.exp)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseMinor(%q, %d) = %d, %v; want %d, %v", tc.in, tc.exp, got, ok, tc.want, tc.ok)
		}
	}
}

// TestScanTextAgrees checks the word-at-a-time scan against the plain
// definitions on random texts rich in the bytes it must tell apart.
func TestScanTextAgrees(t *testing.T) {
	plain := func(s string) (normal, upper bool) {
		for i := 0; i < len(s); i++ {
			upper = upper || ('A' <= s[i] && s[i] <= 'Z')
		}
		return isNormal(s), upper
	}
	r := rand.New(rand.NewSource(1))
	alphabet := []byte("aZ AzM\t\n\r\v\f @[`{09\x7f\x80\xc2\xa0\x08\x0e")
	for k := 0; k < 100000; k++ {
		b := make([]byte, r.Intn(40))
		for i := range b {
			if r.Intn(3) == 0 {
				b[i] = byte(r.Intn(256))
			} else {
				b[i] = alphabet[r.Intn(len(alphabet))]
			}
		}
		s := string(b)
		n1, u1 := scanText(s)
		n2, u2 := plain(s)
		if n1 != n2 || u1 != u2 {
			t.Fatalf("%q: scanText %v %v, want %v %v", s, n1, u1, n2, u2)
		}
	}
}

// TestNormalizeLower checks the one-pass normalizer against Normalize and
// a plain lowering, on texts with every kind of space, capitals, invalid
// UTF-8 and multi-byte letters.
func TestNormalizeLower(t *testing.T) {
	pieces := []string{"A", "b", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "É", "é", "\xff", "GHS", "1,250.00", "₵", "\r\n", "x"}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		var s string
		for n := rng.Intn(12); n >= 0; n-- {
			s += pieces[rng.Intn(len(pieces))]
		}
		text, lower := normalizeLower(s)
		want := Normalize(s)
		var wantLower []byte
		for j := 0; j < len(want); j++ {
			wantLower = append(wantLower, lowerByte[want[j]])
		}
		if text != want || lower != string(wantLower) {
			t.Fatalf("normalizeLower(%q) = %q, %q; want %q, %q", s, text, lower, want, wantLower)
		}
	}
}
