// Package vault seals values for storage with Fernet and computes keyed
// hashes of them, so that the database never holds an SMS, a name or a phone
// number in clear and equal values can still be found.
//
// Keys come from ENCRYPTION_KEY: one or more Fernet keys separated by commas.
// The first key seals, every key opens, so a key can be rotated without
// making stored data unreadable. Keyed hashes use a key derived from
// SECRET_KEY; the raw secret itself keys nothing.
//
// Tokens are the Fernet format (github.com/fernet/spec), so keys and tokens
// made by the Python seed's cryptography.fernet work here and back.
package vault

import (
	"crypto/aes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/fernet/fernet-go"

	"github.com/momoanalytics/momo"
)

// The reasons Open refuses a token. They reach callers wrapped in a
// *momo.Error with momo.CodeInvalid.
var (
	// ErrMalformed: the token is not a well-formed Fernet token (bad
	// base64url, wrong length, unknown version).
	ErrMalformed = errors.New("malformed token")
	// ErrUnverified: no configured key verifies the token; it was sealed
	// with another key or altered.
	ErrUnverified = errors.New("token does not verify with any configured key")
	// ErrExpired: the token is older than the TTL asked for, or dated too
	// far in the future.
	ErrExpired = errors.New("token outside its time to live")
)

// Token layout (Fernet version 0x80): version, timestamp, IV, ciphertext,
// HMAC. The ciphertext is at least one AES block because of padding.
const (
	tokenVersion  = 0x80
	headerLen     = 1 + 8 + aes.BlockSize
	macLen        = sha256.Size
	minTokenLen   = headerLen + aes.BlockSize + macLen
	maxClockSkew  = 60 * time.Second
	hashKeyLabel  = "momo keyed hash v1"
	hashBytes     = 16 // 128 bits: collisions are out of reach for dedup keys
	minSecretSize = 32
)

// Vault implements momo.Cipher. It is safe for concurrent use: it holds
// only keys that never change after New.
type Vault struct {
	keys    []*fernet.Key // keys[0] seals; all open
	hashKey []byte        // derived from SECRET_KEY, never the secret itself
	// macs holds HMACs keyed with hashKey, reset between uses: an import
	// hashes every message and counterparty, and keying a new HMAC each
	// time was a tenth of what it allocated.
	macs *sync.Pool
}

var _ momo.Cipher = (*Vault)(nil)

// New builds a Vault from the ENCRYPTION_KEY and SECRET_KEY values. Every
// problem with either is reported in one *momo.Error (momo.CodeConfig); no
// message ever contains a key.
func New(encryptionKeys, secretKey string) (*Vault, error) {
	keys, keyProblems := parseKeys(encryptionKeys)
	secretProblem := checkSecret(secretKey)

	problems := keyProblems
	if secretProblem != "" {
		problems = append(problems, secretProblem)
	}
	if len(problems) > 0 {
		return nil, configError(problems)
	}

	hashKey := deriveHashKey(secretKey)
	macs := &sync.Pool{New: func() any { return hmac.New(sha256.New, hashKey) }}
	return &Vault{keys: keys, hashKey: hashKey, macs: macs}, nil
}

// Seal encrypts plaintext with the first key and returns the Fernet token.
func (v *Vault) Seal(plaintext []byte) (momo.Sealed, error) {
	return v.sealAt(plaintext, time.Now())
}

func (v *Vault) sealAt(plaintext []byte, at time.Time) (momo.Sealed, error) {
	tok, err := fernet.EncryptAndSignAtTime(plaintext, v.keys[0], at)
	if err != nil {
		// Only the random source can fail here, and then nothing can be
		// sealed safely: that is ours to fix, not the user's.
		return "", momo.E(momo.CodeInternal, "cannot seal value", fmt.Errorf("fernet: %w", err))
	}
	return momo.Sealed(tok), nil
}

// Open verifies token with every configured key and returns the plaintext.
// Tokens do not expire: data at rest must stay readable for as long as it
// is kept. On any failure it returns nil and a *momo.Error with
// momo.CodeInvalid wrapping ErrMalformed or ErrUnverified.
func (v *Vault) Open(token momo.Sealed) ([]byte, error) {
	return v.OpenWithTTL(token, 0, time.Time{})
}

// OpenWithTTL is Open for short-lived tokens: when ttl > 0 it also refuses
// a token sealed more than ttl before now, or dated more than a minute after
// now (clock skew), with ErrExpired. now is a parameter so that callers and
// tests decide what time it is.
func (v *Vault) OpenWithTTL(token momo.Sealed, ttl time.Duration, now time.Time) ([]byte, error) {
	raw, err := decodeToken(token)
	if err != nil {
		return nil, openError(err)
	}

	if ttl > 0 {
		if err := checkAge(raw, ttl, now); err != nil {
			return nil, openError(err)
		}
	}

	// The library checks the HMAC in constant time before it decrypts; our
	// checks above guarantee it only ever sees tokens long enough for it.
	msg := fernet.VerifyAndDecrypt([]byte(token), 0, v.keys)
	if msg == nil {
		return nil, openError(ErrUnverified)
	}
	return msg, nil
}

// Rotate re-seals token with the first key, keeping its timestamp, as
// `momo rotate-key` needs. A token the first key already opens comes back
// unchanged, so the caller can skip writing it.
func (v *Vault) Rotate(token momo.Sealed) (momo.Sealed, error) {
	raw, err := decodeToken(token)
	if err != nil {
		return "", openError(err)
	}

	if fernet.VerifyAndDecrypt([]byte(token), 0, v.keys[:1]) != nil {
		return token, nil
	}

	msg := fernet.VerifyAndDecrypt([]byte(token), 0, v.keys)
	if msg == nil {
		return "", openError(ErrUnverified)
	}
	return v.sealAt(msg, time.Unix(int64(timestamp(raw)), 0))
}

// decodeToken returns the token's bytes after checking everything that can
// be checked without a key. It insists on the canonical base64url form
// because Go's decoder skips newlines and the library ignores decoding
// errors, which would let a token with trailing junk verify.
func decodeToken(token momo.Sealed) ([]byte, error) {
	raw, err := base64.URLEncoding.DecodeString(string(token))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url: %w", ErrMalformed, err)
	}
	if base64.URLEncoding.EncodeToString(raw) != string(token) {
		return nil, fmt.Errorf("%w: not canonical base64url", ErrMalformed)
	}

	if len(raw) > 0 && raw[0] != tokenVersion {
		return nil, fmt.Errorf("%w: unknown version 0x%02x", ErrMalformed, raw[0])
	}
	if len(raw) < minTokenLen || (len(raw)-headerLen-macLen)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: impossible length %d bytes", ErrMalformed, len(raw))
	}
	return raw, nil
}

// checkAge applies the spec's time rule. The timestamp is not yet
// authenticated here, as in the spec's order; a forged one fails the HMAC.
func checkAge(raw []byte, ttl time.Duration, now time.Time) error {
	ts := timestamp(raw)
	if ts > math.MaxInt64/2 {
		// Too large to be a time at all; also keeps time.Unix from overflowing.
		return fmt.Errorf("%w: dated in the future", ErrExpired)
	}

	sealed := time.Unix(int64(ts), 0)
	if sealed.After(now.Add(maxClockSkew)) {
		return fmt.Errorf("%w: dated in the future", ErrExpired)
	}
	if now.Sub(sealed) > ttl {
		return fmt.Errorf("%w: older than %s", ErrExpired, ttl)
	}
	return nil
}

func timestamp(raw []byte) uint64 {
	return binary.BigEndian.Uint64(raw[1:9])
}

func openError(cause error) error {
	return momo.E(momo.CodeInvalid, "sealed value cannot be opened", cause)
}

// String tells how many keys the vault holds and nothing about them, so a
// Vault printed or logged by mistake leaks nothing. The receivers are values
// so that a dereferenced Vault is covered too.
func (v Vault) String() string {
	return fmt.Sprintf("vault(%d keys)", len(v.keys))
}

// GoString keeps %#v from printing the key bytes.
func (v Vault) GoString() string { return v.String() }

// LogValue keeps slog from printing the key bytes.
func (v Vault) LogValue() slog.Value { return slog.StringValue(v.String()) }
