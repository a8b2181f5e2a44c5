// Package password hashes and checks passwords with PBKDF2-HMAC-SHA256 in
// the form Werkzeug writes, pbkdf2:sha256:ITERATIONS$SALT$HEX, so that the
// accounts of the seed's Flask application sign in unchanged, and hashes
// made with fewer iterations than today's are upgraded at the next sign-in.
//
// It also holds the password policy: length bounds and the list of the
// most common passwords, which are refused.
package password

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Iterations is OWASP's current figure for PBKDF2-HMAC-SHA256 (Password
// Storage Cheat Sheet; ASVS 5.0 appendix C): 600,000.
const Iterations = 600_000

// Bounds on the iteration count read from a stored hash: below the lower
// one a hash is too weak to trust (Werkzeug has written at least 150,000
// since 2.0), above the upper one a tampered row could make every sign-in
// burn seconds of CPU.
const (
	MinIterations = 100_000
	MaxIterations = 5_000_000
)

// saltLength is Werkzeug's: 16 characters of [A-Za-z0-9], about 95 bits,
// whose ASCII bytes are the salt.
const saltLength = 16

const saltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Hasher hashes with Iterations and accepts stored counts within [Min,
// Max]. The zero Hasher is not usable; use Default, or a cheaper one in
// tests.
type Hasher struct {
	Iterations int
	Min, Max   int
}

// Default is the hasher of the service.
var Default = Hasher{Iterations: Iterations, Min: MinIterations, Max: MaxIterations}

// ErrMalformed reports a stored hash that is not pbkdf2:sha256 in
// Werkzeug's form, or whose iteration count is out of bounds.
var ErrMalformed = errors.New("password: malformed or unsupported hash")

// Hash returns the stored form of password with a new random salt.
func (h Hasher) Hash(password string) (string, error) {
	salt, err := newSalt()
	if err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, password, []byte(salt), h.Iterations, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return "pbkdf2:sha256:" + strconv.Itoa(h.Iterations) + "$" + salt + "$" + hex.EncodeToString(key), nil
}

// Verify reports whether password matches stored, comparing in constant
// time, and whether stored should be replaced by a new hash because it was
// made with fewer iterations than h's. The password is used exactly as
// received: no trimming, no normalisation.
func (h Hasher) Verify(stored, password string) (ok, upgrade bool, err error) {
	iter, salt, want, err := h.parse(stored)
	if err != nil {
		return false, false, err
	}
	got, err := pbkdf2.Key(sha256.New, password, []byte(salt), iter, len(want))
	if err != nil {
		return false, false, fmt.Errorf("password: verify: %w", err)
	}
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && iter < h.Iterations, nil
}

// parse splits pbkdf2:sha256:N$salt$hex.
func (h Hasher) parse(stored string) (iter int, salt string, key []byte, err error) {
	method, rest, ok := strings.Cut(stored, "$")
	if !ok {
		return 0, "", nil, ErrMalformed
	}
	salt, digest, ok := strings.Cut(rest, "$")
	if !ok || salt == "" || strings.Contains(digest, "$") {
		return 0, "", nil, ErrMalformed
	}
	n, ok := strings.CutPrefix(method, "pbkdf2:sha256:")
	if !ok {
		return 0, "", nil, ErrMalformed
	}
	iter, err = strconv.Atoi(n)
	if err != nil || !allDigits(n) || iter < h.Min || iter > h.Max {
		return 0, "", nil, ErrMalformed
	}
	key, err = hex.DecodeString(digest)
	if err != nil || len(key) != sha256.Size {
		return 0, "", nil, ErrMalformed
	}
	return iter, salt, key, nil
}

// allDigits refuses the signs and spaces strconv would accept: Werkzeug
// writes none.
func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// newSalt draws saltLength characters of saltAlphabet without bias: 62
// does not divide 256, so bytes from 248 up are drawn again.
func newSalt() (string, error) {
	const limit = 256 - 256%len(saltAlphabet)
	var b strings.Builder
	buf := make([]byte, 32)
	for b.Len() < saltLength {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("password: salt: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit && b.Len() < saltLength {
				b.WriteByte(saltAlphabet[int(c)%len(saltAlphabet)])
			}
		}
	}
	return b.String(), nil
}
