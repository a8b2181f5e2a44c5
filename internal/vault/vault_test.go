package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
)

// Fixed keys for tests, in the form Python's Fernet.generate_key() writes.
const (
	keyA = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	keyB = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	keyC = "_-7dzLuqmYh3ZlVEMyIRAP_u3cy7qpmId2ZVRDMiEQA="
)

func TestSealOpenRoundTrip(t *testing.T) {
	v := mustVault(t, keyA)
	tests := []struct {
		name string
		msg  []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"one byte", []byte("x")},
		{"one block less one", bytes.Repeat([]byte("a"), 15)},
		{"one block", bytes.Repeat([]byte("a"), 16)},
		{"one block and one", bytes.Repeat([]byte("a"), 17)},
		{"binary", []byte{0, 1, 2, 0xff, 0x80, 0}},
		{"unicode", []byte("Wohereje 5,000 RWF — murakoze ₵ ✓")},
		{"large", bytes.Repeat([]byte("SMS "), 10000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := v.Seal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(tok), "gAAAAA") {
				t.Errorf("token %q does not look like Fernet", tok)
			}

			got, err := v.Open(tok)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !bytes.Equal(got, tt.msg) {
				t.Errorf("Open = %q, want %q", got, tt.msg)
			}
		})
	}
}

func TestSealUsesFreshIV(t *testing.T) {
	v := mustVault(t, keyA)

	a, _ := v.Seal([]byte("same"))
	b, _ := v.Seal([]byte("same"))
	if a == b {
		t.Error("two seals of the same value are equal")
	}
}

func TestOpenTruncated(t *testing.T) {
	v := mustVault(t, keyA)
	tok, err := v.Seal([]byte("Payment received for GHS 100.00"))
	if err != nil {
		t.Fatal(err)
	}

	for n := 0; n < len(tok); n++ {
		msg, err := v.Open(tok[:n])
		if err == nil || msg != nil {
			t.Fatalf("prefix of %d characters: Open = %q, %v", n, msg, err)
		}
	}
}

// TestOpenTruncatedRaw cuts the decoded token, then re-encodes it properly,
// so each length reaches the structural checks rather than base64.
func TestOpenTruncatedRaw(t *testing.T) {
	v := mustVault(t, keyA)
	tok, _ := v.Seal([]byte("hello"))
	raw, _ := base64.URLEncoding.DecodeString(string(tok))

	for n := 0; n < len(raw); n++ {
		cut := momo.Sealed(base64.URLEncoding.EncodeToString(raw[:n]))
		msg, err := v.Open(cut)
		assertRefused(t, msg, err)
	}
}

func TestOpenMalformed(t *testing.T) {
	v := mustVault(t, keyA)
	good, _ := v.Seal([]byte("hello"))
	raw, _ := base64.URLEncoding.DecodeString(string(good))
	at := time.Unix(int64(binary.BigEndian.Uint64(raw[1:9])), 0)

	tests := []struct {
		name  string
		token string
		cause error
	}{
		{"empty", "", ErrMalformed},
		{"version byte only", "gA==", ErrMalformed},
		{"version and zeros", "gAAAAA==", ErrMalformed},
		{"nine bytes", base64.URLEncoding.EncodeToString(append([]byte{0x80}, make([]byte, 8)...)), ErrMalformed},
		{"57 bytes, no ciphertext", base64.URLEncoding.EncodeToString(append([]byte{0x80}, make([]byte, 56)...)), ErrMalformed},
		{"ciphertext not whole blocks", base64.URLEncoding.EncodeToString(append(bytes.Clone(raw), 1)), ErrMalformed},
		{"bad base64", "%%%%" + string(good[4:]), ErrMalformed},
		{"newline inside", string(good[:20]) + "\n" + string(good[20:]), ErrMalformed},
		{"trailing newline", string(good) + "\n", ErrMalformed},
		{"leading space", " " + string(good), ErrMalformed},
		{"unpadded", strings.TrimRight(string(good), "="), ErrMalformed},
		{"standard alphabet", standardAlphabet(t, v), ErrMalformed},
		{"trailing data", string(good) + "AAAA", ErrMalformed},
		{"version 0x81, correctly signed", buildToken(t, 0x81, keyA, at, raw[9:25], []byte("hello")), ErrMalformed},
		{"version 0x00", base64.URLEncoding.EncodeToString(append([]byte{0}, raw[1:]...)), ErrMalformed},
		{"another key", buildToken(t, tokenVersion, keyB, at, raw[9:25], []byte("hello")), ErrUnverified},
		{"doubled", string(good) + string(good), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := v.Open(momo.Sealed(tt.token))
			assertRefused(t, msg, err)
			if !errors.Is(err, tt.cause) {
				t.Errorf("err = %v, want %v", err, tt.cause)
			}
		})
	}
}

// TestOpenTampered flips every bit of a valid token's bytes in turn.
func TestOpenTampered(t *testing.T) {
	v := mustVault(t, keyA)
	tok, _ := v.Seal([]byte("You have received GHS 50.00"))
	raw, _ := base64.URLEncoding.DecodeString(string(tok))

	for i := range raw {
		for bit := range 8 {
			bad := bytes.Clone(raw)
			bad[i] ^= 1 << bit
			msg, err := v.Open(momo.Sealed(base64.URLEncoding.EncodeToString(bad)))
			if err == nil || msg != nil {
				t.Fatalf("byte %d bit %d flipped: Open = %q, %v", i, bit, msg, err)
			}
		}
	}
}

func TestOpenWithTTL(t *testing.T) {
	v := mustVault(t, keyA)
	sealedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok, err := v.sealAt([]byte("otp"), sealedAt)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		now  time.Time
		ttl  time.Duration
		ok   bool
	}{
		{"fresh", sealedAt.Add(time.Second), time.Minute, true},
		{"exactly ttl old", sealedAt.Add(time.Minute), time.Minute, true},
		{"one second too old", sealedAt.Add(time.Minute + time.Second), time.Minute, false},
		{"years old, no ttl", sealedAt.AddDate(10, 0, 0), 0, true},
		{"from 59 s in the future", sealedAt.Add(-59 * time.Second), time.Minute, true},
		{"from 61 s in the future", sealedAt.Add(-61 * time.Second), time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := v.OpenWithTTL(tok, tt.ttl, tt.now)
			if tt.ok {
				if err != nil || string(msg) != "otp" {
					t.Errorf("OpenWithTTL = %q, %v", msg, err)
				}
				return
			}
			assertRefused(t, msg, err)
			if !errors.Is(err, ErrExpired) {
				t.Errorf("err = %v, want ErrExpired", err)
			}
		})
	}
}

func TestOpenAbsurdTimestamp(t *testing.T) {
	v := mustVault(t, keyA)
	iv := make([]byte, 16)
	// A correctly signed token dated near the end of uint64 time must not
	// overflow the age computation.
	tok := buildTokenAtSeconds(t, keyA, ^uint64(0), iv, []byte("x"))

	msg, err := v.OpenWithTTL(momo.Sealed(tok), time.Hour, time.Now())
	assertRefused(t, msg, err)
	if msg, err := v.Open(momo.Sealed(tok)); err != nil || string(msg) != "x" {
		t.Errorf("without TTL: %q, %v", msg, err)
	}
}

// buildTokenAtSeconds is buildToken with a raw timestamp field.
// standardAlphabet returns a valid token re-encoded with '+' and '/'. About
// one token in twenty has neither '-' nor '_', and would read the same in
// both alphabets, so it seals until the two encodings differ.
func standardAlphabet(t *testing.T, v *Vault) string {
	t.Helper()

	for range 1000 {
		tok, err := v.Seal([]byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(string(tok), "-_") {
			raw, _ := base64.URLEncoding.DecodeString(string(tok))
			return base64.StdEncoding.EncodeToString(raw)
		}
	}
	t.Fatal("no token with '-' or '_' in 1000 seals")
	return ""
}

func buildTokenAtSeconds(t *testing.T, key string, ts uint64, iv, msg []byte) string {
	t.Helper()

	tok := buildToken(t, tokenVersion, key, time.Unix(0, 0), iv, msg)
	raw, _ := base64.URLEncoding.DecodeString(tok)
	binary.BigEndian.PutUint64(raw[1:9], ts)
	k, _ := base64.URLEncoding.DecodeString(key)
	mac := hmac.New(sha256.New, k[:16])
	mac.Write(raw[:len(raw)-32])
	copy(raw[len(raw)-32:], mac.Sum(nil))
	return base64.URLEncoding.EncodeToString(raw)
}

func TestRotation(t *testing.T) {
	old := mustVault(t, keyA)
	rotated := mustVault(t, keyB+", "+keyA)
	onlyNew := mustVault(t, keyB)

	oldTok, _ := old.Seal([]byte("sealed before rotation"))
	newTok, _ := rotated.Seal([]byte("sealed after rotation"))

	// Old data stays readable; new data uses the new key only.
	if msg, err := rotated.Open(oldTok); err != nil || string(msg) != "sealed before rotation" {
		t.Errorf("rotated vault on old token: %q, %v", msg, err)
	}
	if msg, err := onlyNew.Open(newTok); err != nil || string(msg) != "sealed after rotation" {
		t.Errorf("new key on new token: %q, %v", msg, err)
	}
	msg, err := old.Open(newTok)
	assertRefused(t, msg, err)
	if !errors.Is(err, ErrUnverified) {
		t.Errorf("old key on new token: %v, want ErrUnverified", err)
	}
	msg, err = mustVault(t, keyC).Open(oldTok)
	assertRefused(t, msg, err)
}

func TestRotate(t *testing.T) {
	old := mustVault(t, keyA)
	rotated := mustVault(t, keyB+","+keyA)
	sealedAt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	oldTok, _ := old.sealAt([]byte("re-seal me"), sealedAt)

	newTok, err := rotated.Rotate(oldTok)
	if err != nil {
		t.Fatal(err)
	}
	if newTok == oldTok {
		t.Fatal("Rotate left an old-key token unchanged")
	}
	if msg, err := mustVault(t, keyB).Open(newTok); err != nil || string(msg) != "re-seal me" {
		t.Errorf("new key on rotated token: %q, %v", msg, err)
	}
	raw, _ := base64.URLEncoding.DecodeString(string(newTok))
	if got := time.Unix(int64(binary.BigEndian.Uint64(raw[1:9])), 0); !got.Equal(sealedAt) {
		t.Errorf("rotated timestamp %v, want %v", got, sealedAt)
	}

	again, err := rotated.Rotate(newTok)
	if err != nil || again != newTok {
		t.Errorf("Rotate of a current token = %q, %v; want it unchanged", again, err)
	}
	if _, err := old.Rotate(newTok); !errors.Is(err, ErrUnverified) {
		t.Errorf("Rotate with the wrong key: %v", err)
	}
	if _, err := rotated.Rotate("gAAAAA=="); momo.ErrorCode(err) != momo.CodeInvalid {
		t.Errorf("Rotate of garbage: %v", err)
	}
}

func TestHash(t *testing.T) {
	v := mustVault(t, keyA)
	other, err := New(keyA, testSecret+"!")
	if err != nil {
		t.Fatal(err)
	}

	h := v.Hash("counterparty", "0241234567")
	if len(h) != 32 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("Hash = %q, want 32 lowercase hex characters", h)
	}

	// The documented construction, computed here independently.
	k := hmac.New(sha256.New, []byte(testSecret))
	k.Write([]byte("momo keyed hash v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte("counterparty\x000241234567"))
	if want := hex.EncodeToString(m.Sum(nil)[:16]); h != want {
		t.Errorf("Hash = %s, want %s", h, want)
	}

	// The raw secret must not key the hash directly.
	raw := hmac.New(sha256.New, []byte(testSecret))
	raw.Write([]byte("counterparty\x000241234567"))
	if hex.EncodeToString(raw.Sum(nil)[:16]) == h {
		t.Error("Hash is keyed with the raw secret")
	}

	tests := []struct {
		name         string
		d1, v1       string
		d2, v2       string
		wantSame     bool
		otherVaultV2 bool
	}{
		{"stable", "sms", "hello", "sms", "hello", true, false},
		{"domains separate", "sms", "0241234567", "counterparty", "0241234567", false, false},
		{"boundary moves", "ab", "c", "a", "bc", false, false},
		{"values differ", "sms", "a", "sms", "b", false, false},
		{"empty value", "sms", "", "sms", " ", false, false},
		{"secret matters", "sms", "hello", "sms", "hello", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h1 := v.Hash(tt.d1, tt.v1)
			second := v
			if tt.otherVaultV2 {
				second = other
			}
			h2 := second.Hash(tt.d2, tt.v2)
			if (h1 == h2) != tt.wantSame {
				t.Errorf("Hash(%q,%q)=%s, Hash(%q,%q)=%s", tt.d1, tt.v1, h1, tt.d2, tt.v2, h2)
			}
		})
	}
}

func TestHashRejectsBadDomain(t *testing.T) {
	v := mustVault(t, keyA)

	for _, domain := range []string{"", "a\x00b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Hash(%q, …) did not panic", domain)
				}
			}()
			v.Hash(domain, "x")
		}()
	}
}

func TestNewKeyFormats(t *testing.T) {
	hexKey := hex.EncodeToString(make([]byte, 32))
	stdKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 16))

	tests := []struct {
		name  string
		keys  string
		ok    bool
		wants []string // substrings of the message
	}{
		{"one key", keyA, true, nil},
		{"three keys with spaces", " " + keyA + " ,\t" + keyB + " , " + keyC + "\n", true, nil},
		{"empty", "", false, []string{"ENCRYPTION_KEY is empty"}},
		{"blank", "  ", false, []string{"ENCRYPTION_KEY is empty"}},
		{"standard base64", stdKey, false, []string{"standard base64"}},
		{"hex", hexKey, false, []string{"looks like hex"}},
		{"unpadded", strings.TrimSuffix(keyA, "="), false, []string{"final '=' missing"}},
		{"too long", keyA + "A", false, []string{"has 45 characters"}},
		{"16-byte key", base64.URLEncoding.EncodeToString(make([]byte, 16)), false, []string{"has 24 characters"}},
		{"bad character", "*" + keyA[1:], false, []string{"outside URL-safe base64"}},
		{"no padding, 44 characters", keyA[:43] + "A", false, []string{"outside URL-safe base64"}},
		{"non-canonical last character", keyA[:42] + "5=", false, []string{"does not decode"}},
		{"trailing comma", keyA + ",", false, []string{"key 2 of 2", "is empty"}},
		{"double comma", keyA + ",," + keyB, false, []string{"key 2 of 3"}},
		{"second of three bad", keyA + "," + hexKey + "," + keyB, false, []string{"key 2 of 3", "hex"}},
		{"two bad", stdKey + "," + keyA + "," + hexKey, false, []string{"key 1 of 3", "key 3 of 3"}},
		{"secret pasted as key", strings.Repeat("A", 43), false, []string{"43 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := New(tt.keys, testSecret)
			if tt.ok {
				if err != nil || v == nil {
					t.Fatalf("New: %v", err)
				}
				if err := CheckKeys(tt.keys); err != nil {
					t.Errorf("CheckKeys: %v", err)
				}
				return
			}

			if err == nil || v != nil {
				t.Fatalf("New accepted %q", tt.keys)
			}
			if code := momo.ErrorCode(err); code != momo.CodeConfig {
				t.Errorf("code %q, want config", code)
			}
			msg := momo.ErrorMessage(err)
			for _, want := range tt.wants {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			assertNoKeyIn(t, err.Error(), tt.keys)
			if CheckKeys(tt.keys) == nil {
				t.Error("CheckKeys accepted what New refused")
			}
		})
	}
}

// assertNoKeyIn fails when text quotes any comma-separated part of keys.
func assertNoKeyIn(t *testing.T, text, keys string) {
	t.Helper()

	for part := range strings.SplitSeq(keys, ",") {
		part = strings.TrimSpace(part)
		if len(part) >= 8 && strings.Contains(text, part) {
			t.Errorf("message quotes a key: %q", text)
		}
	}
}

func TestNewSecret(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"empty", "", false},
		{"31 bytes", strings.Repeat("s", 31), false},
		{"32 bytes", strings.Repeat("s", 32), true},
		{"seed's token_hex(32)", strings.Repeat("ab", 32), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(keyA, tt.secret)
			if tt.ok != (err == nil) {
				t.Fatalf("New: %v", err)
			}
			if tt.ok != (CheckSecret(tt.secret) == nil) {
				t.Errorf("CheckSecret disagrees with New")
			}
			if err == nil {
				return
			}
			if momo.ErrorCode(err) != momo.CodeConfig || !strings.Contains(err.Error(), "SECRET_KEY") {
				t.Errorf("err = %v", err)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("message quotes the secret: %v", err)
			}
		})
	}
}

func TestNewReportsKeyAndSecretTogether(t *testing.T) {
	_, err := New("", "short")

	msg := momo.ErrorMessage(err)
	if !strings.Contains(msg, "ENCRYPTION_KEY") || !strings.Contains(msg, "SECRET_KEY") {
		t.Errorf("message %q should name both variables", msg)
	}
}

func TestGenerate(t *testing.T) {
	k1, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := GenerateKey()
	s1, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := GenerateSecret()

	if len(k1) != 44 || k1 == k2 || CheckKeys(k1) != nil {
		t.Errorf("GenerateKey gave %d characters, unique %v, valid %v", len(k1), k1 != k2, CheckKeys(k1))
	}
	if len(s1) != 43 || s1 == s2 || CheckSecret(s1) != nil {
		t.Errorf("GenerateSecret gave %d characters, unique %v", len(s1), s1 != s2)
	}
	if b, err := base64.RawURLEncoding.DecodeString(s1); err != nil || len(b) != 32 {
		t.Errorf("secret decodes to %d bytes, %v", len(b), err)
	}
	if _, err := New(k1+","+k2, s1); err != nil {
		t.Errorf("generated values refused: %v", err)
	}
}

func TestVaultPrintsNoKeys(t *testing.T) {
	v := mustVault(t, keyA+","+keyB)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("vault", "vault", v)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("vault", "vault", v)

	var nilVault *Vault
	k, _ := base64.URLEncoding.DecodeString(keyA)
	for _, out := range []string{
		fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v),
		fmt.Sprintf("%v", *v), fmt.Sprintf("%+v", *v), fmt.Sprintf("%#v", *v),
		fmt.Sprint(nilVault), logged.String(),
	} {
		for _, secret := range [][]byte{k, v.hashKey} {
			if strings.Contains(out, fmt.Sprint(secret[:4])[1:8]) || strings.Contains(out, hex.EncodeToString(secret[:4])) {
				t.Errorf("printed key material: %s", out)
			}
		}
		if strings.Contains(out, keyA[:20]) || !strings.Contains(out, "vault(") && out != "<nil>" {
			t.Errorf("unexpected output: %s", out)
		}
	}
}

func FuzzOpen(f *testing.F) {
	v := mustVault(f, keyA)
	good, _ := v.Seal([]byte("hello"))
	f.Add(string(good))
	f.Add("")
	f.Add("gAAAAA==")
	f.Add("gA==")
	f.Add("gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==")
	f.Add(string(good) + "trailing")
	f.Add(string(good[:len(good)-4]))

	f.Fuzz(func(t *testing.T, s string) {
		msg, err := v.Open(momo.Sealed(s))
		if err != nil {
			if msg != nil {
				t.Fatalf("data returned with an error: %q, %v", msg, err)
			}
			if code := momo.ErrorCode(err); code != momo.CodeInvalid {
				t.Fatalf("code %q for %q", code, s)
			}
		}
		if err == nil && msg == nil {
			t.Fatalf("no data and no error for %q", s)
		}

		// Whatever the input, as plaintext it must survive a round trip.
		tok, err := v.Seal([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		back, err := v.Open(tok)
		if err != nil || string(back) != s {
			t.Fatalf("round trip of %q gave %q, %v", s, back, err)
		}
	})
}
