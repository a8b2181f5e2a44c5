package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
)

func TestMetaKeepsTheFirstValue(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "momo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	for _, tc := range []struct{ value, want string }{{"first", "first"}, {"second", "first"}} {
		got, err := s.Meta(ctx, "probe", tc.value)
		if err != nil || got != tc.want {
			t.Fatalf("Meta(probe, %q) = %q, %v; want %q", tc.value, got, err, tc.want)
		}
	}
	if got, err := s.Meta(ctx, "other", "x"); err != nil || got != "x" {
		t.Fatalf("another name: %q, %v", got, err)
	}
}
