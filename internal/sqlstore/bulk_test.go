package sqlstore

import (
	"slices"
	"testing"
)

func TestChunks(t *testing.T) {
	tests := []struct {
		n    int
		want []int // sizes, in order
	}{
		{0, nil},
		{1, []int{1}},
		{maxRows, []int{maxRows}},
		{maxRows + 1, []int{maxRows, 1}},
		{100, []int{64, 32, 4}},
		{2*maxRows + 63, []int{64, 64, 32, 16, 8, 4, 2, 1}},
	}
	for _, tt := range tests {
		var got []int
		next := 0
		err := chunks(tt.n, func(lo, hi int) error {
			if lo != next {
				t.Errorf("n=%d: chunk starts at %d, want %d", tt.n, lo, next)
			}
			next = hi
			got = append(got, hi-lo)
			return nil
		})
		if err != nil || !slices.Equal(got, tt.want) || next != tt.n {
			t.Errorf("n=%d: sizes %v, end %d, %v; want %v", tt.n, got, next, err, tt.want)
		}
	}
}
