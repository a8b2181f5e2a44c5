package password

import (
	"strings"
	"testing"
)

// Hashes written by Werkzeug 3.1.8's generate_password_hash with the
// method pbkdf2:sha256:N, as the seed's Flask application called it.
var werkzeug = []struct {
	password, hash string
}{
	{"correct horse", "pbkdf2:sha256:150000$FfnVjRMUn8UQ8Woz$8bd9a644c23aee2c44e163b015f1d9bfaa2e1406435b77553d3c29d3b03d2d66"},
	{"hunter2hunter2", "pbkdf2:sha256:260000$slo7JZ87ZC9NTmUZ$34df56caf0de0add95928c5e31ef2b7ed44f2cf1846161152cc4b698df457442"},
	{" spaced pässwörd ", "pbkdf2:sha256:600000$7Wp97A129nTRV88W$9cef8703b7d6e9dd43dd915106fae2450764f468a821cc4b820a2ee07dc9efcb"},
	{" spaced pässwörd ", "pbkdf2:sha256:1000000$vaEIo0gropG2qsC1$4890263779128ca0114fb2c33fc8d7210abd20d87b49cc9bb8da7f7d6258ada4"},
}

func TestVerifyWerkzeugHashes(t *testing.T) {
	for _, w := range werkzeug {
		t.Run(w.hash[:22], func(t *testing.T) {
			ok, upgrade, err := Default.Verify(w.hash, w.password)
			if err != nil || !ok {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
			wantUpgrade := !strings.HasPrefix(w.hash, "pbkdf2:sha256:600000$") && !strings.HasPrefix(w.hash, "pbkdf2:sha256:1000000$")
			if upgrade != wantUpgrade {
				t.Errorf("upgrade = %v, want %v", upgrade, wantUpgrade)
			}
			// Exactly as received: trimmed or changed, it is another password.
			for _, wrong := range []string{strings.TrimSpace(w.password), w.password + "x", strings.ToUpper(w.password)} {
				if wrong == w.password {
					continue
				}
				if ok, up, err := Default.Verify(w.hash, wrong); ok || up || err != nil {
					t.Errorf("Verify(%q) = %v, %v, %v", wrong, ok, up, err)
				}
			}
		})
	}
}

func TestHashRoundTrip(t *testing.T) {
	h := Hasher{Iterations: MinIterations, Min: MinIterations, Max: MaxIterations}
	a, err := h.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.Hash("a long enough password")
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	parts := strings.Split(a, "$")
	if len(parts) != 3 || parts[0] != "pbkdf2:sha256:100000" || len(parts[1]) != saltLength || len(parts[2]) != 64 {
		t.Errorf("hash %q is not in Werkzeug's form", a)
	}
	for _, c := range parts[1] {
		if !strings.ContainsRune(saltAlphabet, c) {
			t.Errorf("salt %q has %q", parts[1], c)
		}
	}
	if ok, up, err := h.Verify(a, "a long enough password"); !ok || up || err != nil {
		t.Errorf("Verify = %v, %v, %v", ok, up, err)
	}
	if ok, up, err := Default.Verify(a, "a long enough password"); !ok || !up || err != nil {
		t.Errorf("Default.Verify of a 100,000-iteration hash = %v, %v, %v; want an upgrade", ok, up, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	valid := werkzeug[0].hash
	for _, bad := range []string{
		"",
		"plain",
		"pbkdf2:sha256$salt$00",
		"pbkdf2:sha1:260000$salt$" + strings.Repeat("0", 64),
		"scrypt:32768:8:1$salt$" + strings.Repeat("0", 64),
		"pbkdf2:sha256:99999$salt$" + strings.Repeat("0", 64),     // too weak to trust
		"pbkdf2:sha256:5000001$salt$" + strings.Repeat("0", 64),   // CPU denial of service
		"pbkdf2:sha256:260000$$" + strings.Repeat("0", 64),        // no salt
		"pbkdf2:sha256:260000$salt$" + strings.Repeat("0", 63),    // odd hex
		"pbkdf2:sha256:260000$salt$" + strings.Repeat("zz", 32),   // not hex
		"pbkdf2:sha256:260000$salt$" + strings.Repeat("00", 16),   // short key
		"pbkdf2:sha256:260000$salt$00$" + strings.Repeat("0", 64), // extra part
		strings.Replace(valid, "150000", "+150000", 1),
	} {
		if ok, _, err := Default.Verify(bad, "correct horse"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want ErrMalformed", bad, ok, err)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"short12", false},
		{"eight ch", true},
		{"aaaaaaaaaaaaaaaa", true}, // no composition rules
		{"password123", false},
		{"12345678", false},
		{"PassWord1", false}, // common, whatever the case
		{"qwertyuiop", false},
		{strings.Repeat("é", 128), true},
		{strings.Repeat("a", 129), false},
		{strings.Repeat("€", 400), false},
		{"\xff\xfe invalid utf8", false},
	}
	for _, tt := range tests {
		if err := Check(tt.password); (err == nil) != tt.ok {
			t.Errorf("Check(%.20q) = %v, want ok %v", tt.password, err, tt.ok)
		}
	}
}

// BenchmarkLoginHash is the deliberate cost of one sign-in: one PBKDF2 of
// 600,000 iterations.
func BenchmarkLoginHash(b *testing.B) {
	stored, err := Default.Hash("a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, _ := Default.Verify(stored, "a long enough password"); !ok {
			b.Fatal("no match")
		}
	}
}
