package vault

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fernet/fernet-go"

	"github.com/momoanalytics/momo"
)

// fernetKeyLen is the length of a Fernet key as Python's
// Fernet.generate_key() writes it: 32 bytes in padded base64url.
const fernetKeyLen = 44

// CheckKeys reports whether encryptionKeys is a valid ENCRYPTION_KEY value,
// with the same *momo.Error New would give. Configuration loading uses it to
// report every problem at once.
func CheckKeys(encryptionKeys string) error {
	if _, problems := parseKeys(encryptionKeys); len(problems) > 0 {
		return configError(problems)
	}
	return nil
}

// CheckSecret reports whether secretKey is long enough to be SECRET_KEY.
func CheckSecret(secretKey string) error {
	if problem := checkSecret(secretKey); problem != "" {
		return configError([]string{problem})
	}
	return nil
}

// GenerateKey returns a new random Fernet key in the form ENCRYPTION_KEY
// takes (44 characters of padded base64url), as Python's
// Fernet.generate_key() would.
func GenerateKey() (string, error) {
	var k fernet.Key
	if err := k.Generate(); err != nil {
		return "", momo.E(momo.CodeInternal, "cannot generate an encryption key", fmt.Errorf("random source: %w", err))
	}
	return k.Encode(), nil
}

// GenerateSecret returns a new random SECRET_KEY: 32 bytes as unpadded
// base64url, 43 characters.
func GenerateSecret() (string, error) {
	b := make([]byte, minSecretSize)
	if _, err := rand.Read(b); err != nil {
		return "", momo.E(momo.CodeInternal, "cannot generate a secret", fmt.Errorf("random source: %w", err))
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// parseKeys splits and decodes ENCRYPTION_KEY. It returns one problem per
// bad key, naming the key by position and never quoting it.
func parseKeys(s string) ([]*fernet.Key, []string) {
	if strings.TrimSpace(s) == "" {
		return nil, []string{"ENCRYPTION_KEY is empty; it needs at least one Fernet key"}
	}

	parts := strings.Split(s, ",")
	keys := make([]*fernet.Key, 0, len(parts))
	var problems []string
	for i, part := range parts {
		k, why := decodeKey(strings.TrimSpace(part))
		if why != "" {
			problems = append(problems, keyProblem(i, len(parts), why))
			continue
		}
		keys = append(keys, k)
	}
	return keys, problems
}

func keyProblem(i, n int, why string) string {
	if n == 1 {
		return "ENCRYPTION_KEY is not a Fernet key: it " + why
	}
	return fmt.Sprintf("ENCRYPTION_KEY key %d of %d is not a Fernet key: it %s", i+1, n, why)
}

// decodeKey accepts exactly the Fernet key format and explains, in words
// fit for an operator, what is wrong with anything else. fernet.DecodeKey
// is not used because it also takes hex and standard base64, which Python
// refuses: a key that works here must work with the seed too.
func decodeKey(s string) (*fernet.Key, string) {
	if why := keyShapeProblem(s); why != "" {
		return nil, why
	}

	// Strict: the two spare bits of the last character must be zero, so one
	// key has exactly one spelling.
	b, err := base64.URLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(fernet.Key{}) {
		return nil, "does not decode to 32 bytes of base64url"
	}

	var k fernet.Key
	copy(k[:], b)
	return &k, ""
}

// keyShapeProblem looks at length and alphabet, most telling reason first.
func keyShapeProblem(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case s == "":
		return "is empty (two commas in a row, or a comma at either end?)"
	case strings.ContainsAny(s, "+/"):
		return "uses the standard base64 alphabet ('+' or '/'); a Fernet key is URL-safe base64, with '-' and '_'"
	case n == 64 && isHex(s):
		return "looks like hex; a Fernet key is 44 characters of URL-safe base64"
	case n == fernetKeyLen-1 && !strings.HasSuffix(s, "="):
		return "has 43 characters; a Fernet key has 44 (is the final '=' missing?)"
	case n != fernetKeyLen:
		return fmt.Sprintf("has %d characters; a Fernet key has 44", n)
	case s[fernetKeyLen-1] != '=' || !isBase64URL(s[:fernetKeyLen-1]):
		return "has characters outside URL-safe base64, or lacks its final '='"
	}
	return ""
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdefABCDEF") == ""
}

func isBase64URL(s string) bool {
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}

func checkSecret(secret string) string {
	if len(secret) < minSecretSize {
		return fmt.Sprintf("SECRET_KEY must be at least %d bytes long (it has %d)", minSecretSize, len(secret))
	}
	return ""
}

func configError(problems []string) error {
	return momo.E(momo.CodeConfig, strings.Join(problems, "; "), nil)
}
