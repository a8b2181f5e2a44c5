package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"
)

// Hash returns a keyed hash of value in domain: 32 lowercase hex characters
// (the first 128 bits of HMAC-SHA256 over domain, a zero byte and value).
// The same value hashes the same way on every instance sharing SECRET_KEY,
// and differently in two domains, so a phone number's hash cannot be matched
// against an SMS hash.
//
// Domains are names fixed in code ("sms", "counterparty", …). An empty
// domain, or one holding a zero byte, would make two domains collide; that
// is a programming error and panics.
func (v *Vault) Hash(domain, value string) string {
	if domain == "" || strings.IndexByte(domain, 0) >= 0 {
		panic("vault: hash domain must be a non-empty name without zero bytes")
	}

	mac := v.macs.Get().(hash.Hash)
	defer v.macs.Put(mac)
	mac.Reset()

	io.WriteString(mac, domain)
	mac.Write([]byte{0})
	io.WriteString(mac, value)
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0])[:hashBytes])
}

// deriveHashKey gives the hashes a key of their own, so that the raw
// SECRET_KEY, which also signs sessions, never keys a hash whose output is
// stored next to the data.
func deriveHashKey(secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(hashKeyLabel))
	return mac.Sum(nil)
}
