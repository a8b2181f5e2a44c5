package ratelimit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// limiterCase runs the same checks on every Limiter.
func checkLimiter(t *testing.T, l Limiter, advance func(time.Duration)) {
	ctx := context.Background()
	login := Limit{Name: "login", N: 5, Per: time.Minute}
	// Peeking counts nothing: a client that only peeks is never refused.
	for range 10 {
		if r, err := l.Peek(ctx, "192.0.2.1", login); err != nil || !r.Allowed || r.Remaining != 5 {
			t.Fatalf("peek before any request: %+v, %v", r, err)
		}
	}
	for i := range 5 {
		r, err := l.Allow(ctx, "192.0.2.1", login)
		if err != nil || !r.Allowed || r.Remaining != 4-i {
			t.Fatalf("request %d: %+v, %v", i+1, r, err)
		}
	}
	r, err := l.Allow(ctx, "192.0.2.1", login)
	if err != nil || r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > time.Minute {
		t.Fatalf("6th request: %+v, %v; want refused with a retry within a minute", r, err)
	}
	if r, err := l.Peek(ctx, "192.0.2.1", login); err != nil || r.Allowed || r.RetryAfter <= 0 {
		t.Fatalf("peek once the limit is reached: %+v, %v; want refused", r, err)
	}
	// Another client, or another limit, counts apart.
	if r, _ := l.Allow(ctx, "192.0.2.2", login); !r.Allowed {
		t.Error("another client was refused")
	}
	if r, _ := l.Allow(ctx, "192.0.2.1", Limit{Name: "register", N: 3, Per: time.Hour}); !r.Allowed {
		t.Error("another limit was refused")
	}
	advance(time.Minute + 10*time.Millisecond)
	if r, _ := l.Allow(ctx, "192.0.2.1", login); !r.Allowed {
		t.Error("refused after the window ended")
	}
}

func TestMemory(t *testing.T) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })
	checkLimiter(t, m, func(d time.Duration) { now = now.Add(d) })

	now = now.Add(2 * time.Hour)
	m.Allow(context.Background(), "x", Limit{Name: "a", N: 1, Per: time.Second})
	if len(m.windows) != 1 {
		t.Errorf("%d windows kept after they expired, want 1", len(m.windows))
	}
}

// redisURL is the test server: TEST_REDIS_URL, required in CI.
func redisURL(t *testing.T) string {
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TEST_REDIS_URL is not set; CI must run the Redis tests")
		}
		t.Skip("TEST_REDIS_URL is not set")
	}
	return u
}

func TestRedis(t *testing.T) {
	prefix := fmt.Sprintf("momo-test-%d-%s|", time.Now().UnixNano(), t.Name())
	r, err := Open(context.Background(), redisURL(t), prefix, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		keys, _ := r.client.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			r.client.Del(context.Background(), keys...)
		}
		r.Close()
	})
	// Redis keeps real time: shrink the minute so the test does not wait.
	short := &shortened{r}
	checkLimiter(t, short, func(d time.Duration) { time.Sleep(d / 60) })

	keys, err := r.client.Keys(context.Background(), prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v, %v", keys, err)
	}
	for _, k := range keys {
		// PTTL answers -1 for a key without expiry, and -2 for a key that
		// has expired since it was listed (periods here are a second).
		if ttl := r.client.PTTL(context.Background(), k).Val(); ttl == -1 {
			t.Errorf("key %s has no expiry", k)
		}
	}
}

// shortened divides every period by 60: a minute becomes a second.
type shortened struct{ l Limiter }

func (s *shortened) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	l.Per /= 60
	r, err := s.l.Allow(ctx, key, l)
	r.RetryAfter *= 60
	return r, err
}

func (s *shortened) Peek(ctx context.Context, key string, l Limit) (Result, error) {
	l.Per /= 60
	r, err := s.l.Peek(ctx, key, l)
	r.RetryAfter *= 60
	return r, err
}

// TestRedisDown: with Redis unreachable, limits still hold (in memory) and
// the outage is logged.
func TestRedisDown(t *testing.T) {
	var log bytes.Buffer
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	r := NewRedis(client, "x|", slog.New(slog.NewTextHandler(&log, nil)))
	defer r.Close()
	l := Limit{Name: "login", N: 1, Per: time.Minute}
	if res, err := r.Allow(context.Background(), "c", l); err != nil || !res.Allowed {
		t.Fatalf("first: %+v, %v", res, err)
	}
	if res, _ := r.Allow(context.Background(), "c", l); res.Allowed {
		t.Error("second request allowed while Redis is down: the limiter failed open")
	}
	if !strings.Contains(log.String(), "ratelimit.store_unavailable") {
		t.Errorf("log = %q", log.String())
	}
}
