package web

import (
	"context"

	"github.com/momoanalytics/momo"
)

// busyMessage answers a request that waited for a hashing slot until it
// ended.
const busyMessage = "The server is busy. Please try again in a moment."

// acquire takes a hashing slot, or gives up when ctx ends: PBKDF2 at
// 600,000 iterations costs a core for a good fraction of a second, and a
// flood of sign-ins must leave cores for everything else.
func (s *Server) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return momo.E(momo.CodeUnavailable, busyMessage, ctx.Err())
	}
}

func (s *Server) release() { <-s.hashing }

// verify checks a password within a hashing slot.
func (s *Server) verify(ctx context.Context, stored, pw string) (ok, upgrade bool, err error) {
	if err := s.acquire(ctx); err != nil {
		return false, false, err
	}
	defer s.release()
	return s.hasher.Verify(stored, limitPassword(pw))
}

// hash hashes a new password within a hashing slot.
func (s *Server) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return s.hasher.Hash(pw)
}
