package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// The vectors of the Fernet specification (see testdata/README.md). The
// JSON keys are those of the spec files.
type generateVector struct {
	Token  string    `json:"token"`
	Now    time.Time `json:"now"`
	IVInts []int     `json:"iv"`
	Src    string    `json:"src"`
	Secret string    `json:"secret"`
}

type verifyVector struct {
	Token  string    `json:"token"`
	Now    time.Time `json:"now"`
	TTLSec int       `json:"ttl_sec"`
	Src    string    `json:"src"`
	Secret string    `json:"secret"`
}

type invalidVector struct {
	Desc   string    `json:"desc"`
	Token  string    `json:"token"`
	Now    time.Time `json:"now"`
	TTLSec int       `json:"ttl_sec"`
	Secret string    `json:"secret"`
}

// testSecret is a SECRET_KEY for tests; the spec vectors need none.
const testSecret = "test secret that is long enough for SECRET_KEY"

func readVectors(t *testing.T, name string, into any) {
	t.Helper()

	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

func mustVault(t testing.TB, keys string) *Vault {
	t.Helper()

	v, err := New(keys, testSecret)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// buildToken assembles a Fernet token from its parts with nothing but the
// standard library, following the spec's "Generating" steps. It is an
// independent reference for what fernet-go produces.
func buildToken(t testing.TB, version byte, key string, at time.Time, iv, msg []byte) string {
	t.Helper()

	k, err := base64.URLEncoding.DecodeString(key)
	if err != nil || len(k) != 32 {
		t.Fatalf("bad test key")
	}
	signKey, cryptKey := k[:16], k[16:]

	// PKCS #7: always pad, with 1 to 16 bytes of the pad length.
	n := aes.BlockSize - len(msg)%aes.BlockSize
	padded := append(bytes.Clone(msg), bytes.Repeat([]byte{byte(n)}, n)...)
	block, err := aes.NewCipher(cryptKey)
	if err != nil {
		t.Fatal(err)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(padded, padded)

	tok := []byte{version}
	tok = binary.BigEndian.AppendUint64(tok, uint64(at.Unix()))
	tok = append(tok, iv...)
	tok = append(tok, padded...)
	mac := hmac.New(sha256.New, signKey)
	mac.Write(tok)
	tok = mac.Sum(tok)
	return base64.URLEncoding.EncodeToString(tok)
}

func TestSpecGenerate(t *testing.T) {
	var vectors []generateVector
	readVectors(t, "generate.json", &vectors)
	if len(vectors) == 0 {
		t.Fatal("no vectors")
	}

	for _, vec := range vectors {
		iv := make([]byte, len(vec.IVInts))
		for i, b := range vec.IVInts {
			iv[i] = byte(b)
		}

		// The reference construction must give the published token …
		got := buildToken(t, tokenVersion, vec.Secret, vec.Now, iv, []byte(vec.Src))
		if got != vec.Token {
			t.Errorf("built token\n have %s\n want %s", got, vec.Token)
		}

		// … and the vault must open it, with and without a TTL.
		v := mustVault(t, vec.Secret)
		msg, err := v.Open(momo.Sealed(vec.Token))
		if err != nil || string(msg) != vec.Src {
			t.Errorf("Open = %q, %v; want %q", msg, err, vec.Src)
		}
		msg, err = v.OpenWithTTL(momo.Sealed(vec.Token), time.Minute, vec.Now)
		if err != nil || string(msg) != vec.Src {
			t.Errorf("OpenWithTTL = %q, %v; want %q", msg, err, vec.Src)
		}
	}
}

// TestSealMatchesReference checks what Seal writes against the reference
// construction, byte for byte, given the IV and time Seal chose.
func TestSealMatchesReference(t *testing.T) {
	key := "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	v := mustVault(t, key)

	for _, msg := range []string{"", "hello", "exactly16 bytes!", "Payment received for GHS 100.00 from KOFI MENSAH 0241234567"} {
		before := time.Now().Add(-time.Second)
		tok, err := v.Seal([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}

		raw, err := base64.URLEncoding.DecodeString(string(tok))
		if err != nil {
			t.Fatal(err)
		}
		at := time.Unix(int64(binary.BigEndian.Uint64(raw[1:9])), 0)
		if at.Before(before.Truncate(time.Second)) || at.After(time.Now()) {
			t.Errorf("%q: timestamp %v is not now", msg, at)
		}

		want := buildToken(t, tokenVersion, key, at, raw[9:25], []byte(msg))
		if string(tok) != want {
			t.Errorf("%q: Seal\n have %s\n want %s", msg, tok, want)
		}
	}
}

func TestSpecVerify(t *testing.T) {
	var vectors []verifyVector
	readVectors(t, "verify.json", &vectors)
	if len(vectors) == 0 {
		t.Fatal("no vectors")
	}

	for _, vec := range vectors {
		v := mustVault(t, vec.Secret)
		ttl := time.Duration(vec.TTLSec) * time.Second
		msg, err := v.OpenWithTTL(momo.Sealed(vec.Token), ttl, vec.Now)
		if err != nil || string(msg) != vec.Src {
			t.Errorf("OpenWithTTL = %q, %v; want %q", msg, err, vec.Src)
		}
	}
}

func TestSpecInvalid(t *testing.T) {
	var vectors []invalidVector
	readVectors(t, "invalid.json", &vectors)
	if len(vectors) < 8 {
		t.Fatalf("only %d vectors", len(vectors))
	}

	for _, vec := range vectors {
		t.Run(vec.Desc, func(t *testing.T) {
			v := mustVault(t, vec.Secret)
			ttl := time.Duration(vec.TTLSec) * time.Second
			msg, err := v.OpenWithTTL(momo.Sealed(vec.Token), ttl, vec.Now)
			assertRefused(t, msg, err)

			// Two vectors are invalid only because of their age. Stored data
			// is opened without a TTL, so there they must open; every other
			// vector must fail without a TTL too.
			msg, err = v.Open(momo.Sealed(vec.Token))
			timeOnly := strings.Contains(vec.Desc, "TTL") || strings.Contains(vec.Desc, "clock skew")
			if timeOnly {
				if err != nil || msg == nil {
					t.Errorf("Open without TTL = %q, %v; want it to open", msg, err)
				}
				return
			}
			assertRefused(t, msg, err)
		})
	}
}

// assertRefused checks the clean-failure contract of Open.
func assertRefused(t *testing.T, msg []byte, err error) {
	t.Helper()

	if err == nil {
		t.Fatalf("opened, got %q", msg)
	}
	if msg != nil {
		t.Errorf("returned %d bytes with the error", len(msg))
	}
	if code := momo.ErrorCode(err); code != momo.CodeInvalid {
		t.Errorf("code %q, want %q (%v)", code, momo.CodeInvalid, err)
	}
}
