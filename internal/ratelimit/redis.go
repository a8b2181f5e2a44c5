package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Limiter on a Redis server shared by every instance. When
// Redis fails, it counts in memory instead and logs it: limits never
// silently switch off, and an outage of Redis does not stop the service.
type Redis struct {
	client   redis.UniversalClient
	prefix   string
	fallback *Memory
	log      *slog.Logger
}

// NewRedis returns a limiter on client whose keys all start with prefix.
func NewRedis(client redis.UniversalClient, prefix string, log *slog.Logger) *Redis {
	return &Redis{client: client, prefix: prefix, fallback: NewMemory(nil), log: log}
}

// Open connects to the Redis server at url (redis://, rediss:// or
// unix://) and checks that it answers.
func Open(ctx context.Context, url, prefix string, log *slog.Logger) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: REDIS_URL: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("ratelimit: redis does not answer: %w", err)
	}
	return NewRedis(client, prefix, log), nil
}

// Close closes the connection.
func (r *Redis) Close() error { return r.client.Close() }

// count increments the key and gives it its period on the first request,
// in one script so that a key can never be left without an expiry (which
// would lock its client out for good). It returns the count and the time
// left in milliseconds.
var count = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	k := r.prefix + l.Name + "|" + key
	v, err := count.Run(ctx, r.client, []string{k}, l.Per.Milliseconds()).Int64Slice()
	if err != nil || len(v) != 2 {
		r.log.Error("Rate-limit store unavailable; counting in memory", "event", "ratelimit.store_unavailable", "error", err)
		return r.fallback.Allow(ctx, key, l)
	}
	return result(int(v[0]), l.N, time.Duration(v[1])*time.Millisecond), nil
}

// peek reads a key's count and the time left, without counting.
var peek = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
return {n, ttl}
`)

// Peek implements Limiter.
func (r *Redis) Peek(ctx context.Context, key string, l Limit) (Result, error) {
	k := r.prefix + l.Name + "|" + key
	v, err := peek.Run(ctx, r.client, []string{k}).Int64Slice()
	if err != nil || len(v) != 2 {
		r.log.Error("Rate-limit store unavailable; counting in memory", "event", "ratelimit.store_unavailable", "error", err)
		return r.fallback.Peek(ctx, key, l)
	}
	if v[0] == 0 || v[1] <= 0 {
		return Result{Allowed: true, Remaining: l.N}, nil
	}
	return peekResult(int(v[0]), l.N, time.Duration(v[1])*time.Millisecond), nil
}
