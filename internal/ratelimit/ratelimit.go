// Package ratelimit counts requests per client in fixed windows: in memory
// for one instance, or in Redis so that every instance behind a load
// balancer shares the counts. A window starts at a key's first request and
// lasts the limit's period, as in the limits library the seed's
// Flask-Limiter used.
package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Limit is N requests per period, under a name that keeps its counts apart
// from other limits'.
type Limit struct {
	Name string
	N    int
	Per  time.Duration
}

func (l Limit) String() string { return strconv.Itoa(l.N) + " per " + l.Per.String() }

// Result says whether a request may go on, and if not, when to retry.
type Result struct {
	Allowed    bool
	Remaining  int
	RetryAfter time.Duration // until the window ends
}

// Limiter counts one request of key against l. Peek tells whether key is
// still within l without counting anything: limits on failures (a wrong
// password) are checked with Peek before the attempt and counted with
// Allow after it fails.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Result, error)
	Peek(ctx context.Context, key string, l Limit) (Result, error)
}

// Memory is a Limiter for one process.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	windows map[string]window
	sweep   time.Time
}

type window struct {
	end   time.Time
	count int
}

// NewMemory returns an empty in-memory limiter; now is the clock (nil:
// time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, windows: map[string]window{}}
}

// sweepEvery bounds how often expired windows are dropped, so that the
// map holds only the clients of the last day or so.
const sweepEvery = time.Minute

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	now := m.now()
	k := l.Name + "|" + key

	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropExpired(now)
	w := m.windows[k]
	if !now.Before(w.end) {
		w = window{end: now.Add(l.Per)}
	}
	w.count++
	m.windows[k] = w
	return result(w.count, l.N, w.end.Sub(now)), nil
}

// Peek implements Limiter.
func (m *Memory) Peek(_ context.Context, key string, l Limit) (Result, error) {
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.windows[l.Name+"|"+key]
	if !now.Before(w.end) {
		return Result{Allowed: true, Remaining: l.N}, nil
	}
	return peekResult(w.count, l.N, w.end.Sub(now)), nil
}

func (m *Memory) dropExpired(now time.Time) {
	if now.Before(m.sweep) {
		return
	}
	m.sweep = now.Add(sweepEvery)
	for k, w := range m.windows {
		if !now.Before(w.end) {
			delete(m.windows, k)
		}
	}
}

func result(count, n int, left time.Duration) Result {
	if count <= n {
		return Result{Allowed: true, Remaining: n - count}
	}
	return Result{RetryAfter: left}
}

// peekResult is result for a count that the next request would add to: it
// is refused once the count has reached n.
func peekResult(count, n int, left time.Duration) Result {
	if count < n {
		return Result{Allowed: true, Remaining: n - count}
	}
	return Result{RetryAfter: left}
}
