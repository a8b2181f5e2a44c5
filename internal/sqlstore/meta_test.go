package sqlstore

import (
	"context"
	"testing"
)

func TestMetaKeepsTheFirstValue(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := openOn(t, e)

		for _, tc := range []struct{ value, want string }{{"first", "first"}, {"second", "first"}} {
			got, err := s.Meta(ctx, "probe", tc.value)
			if err != nil || got != tc.want {
				t.Fatalf("Meta(probe, %q) = %q, %v; want %q", tc.value, got, err, tc.want)
			}
		}
		if got, err := s.Meta(ctx, "other", "x"); err != nil || got != "x" {
			t.Fatalf("another name: %q, %v", got, err)
		}
	})
}
