package config

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/vault"
)

// devEnv is a development environment whose data directory is dir.
func devEnv(dir string, pairs ...string) map[string]string {
	return with(map[string]string{"MOMO_DATA_DIR": dir}, pairs...)
}

// ensure runs Load and EnsureKeys and returns the config and what was
// logged, as JSON lines.
func ensure(t *testing.T, m map[string]string) (Config, []map[string]any, error) {
	t.Helper()

	c := mustLoad(t, m)
	var buf bytes.Buffer
	err := c.EnsureKeys(slog.New(slog.NewJSONHandler(&buf, nil)))

	var lines []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		lines = append(lines, rec)
	}
	if strings.Contains(buf.String(), c.SecretKey.Reveal()) && c.SecretKey != "" ||
		strings.Contains(buf.String(), c.EncryptionKey.Reveal()) && c.EncryptionKey != "" {
		t.Errorf("a key was logged: %s", buf.String())
	}
	return c, lines, err
}

func TestEnsureKeysProduction(t *testing.T) {
	tests := []struct {
		name    string
		missing []string
	}{
		{"all set", nil},
		{"no secret", []string{"SECRET_KEY"}},
		{"no keys", []string{"SECRET_KEY", "ENCRYPTION_KEY"}},
		{"no database", []string{"DATABASE_URL"}},
		{"nothing", []string{"SECRET_KEY", "ENCRYPTION_KEY", "DATABASE_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := Config{
				Env: Production, DataDir: dir, SecretKey: testSecret, EncryptionKey: testKey,
				DatabaseURL: "postgres://db/momo",
			}
			for _, name := range tt.missing {
				switch name {
				case "SECRET_KEY":
					c.SecretKey = ""
				case "ENCRYPTION_KEY":
					c.EncryptionKey = ""
				case "DATABASE_URL":
					c.DatabaseURL = ""
				}
			}

			err := c.EnsureKeys(slog.New(slog.DiscardHandler))
			if len(tt.missing) == 0 {
				if err != nil {
					t.Fatalf("EnsureKeys: %v", err)
				}
				return
			}
			if momo.ErrorCode(err) != momo.CodeConfig {
				t.Fatalf("err = %v, want a config error", err)
			}
			for _, name := range tt.missing {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
			// Production never falls back to a key file.
			if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !os.IsNotExist(err) {
				t.Errorf("production wrote a key file: %v", err)
			}
		})
	}
}

func TestEnsureKeysGeneratesOnceAndReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")

	first, logs, err := ensure(t, devEnv(dir))
	if err != nil {
		t.Fatalf("first EnsureKeys: %v", err)
	}
	if vault.CheckKeys(first.EncryptionKey.Reveal()) != nil || vault.CheckSecret(first.SecretKey.Reveal()) != nil {
		t.Fatal("generated keys are not valid")
	}
	if len(logs) != 1 || logs[0]["level"] != "WARN" || logs[0]["path"] != filepath.Join(dir, KeyFileName) || logs[0]["generated"] != true {
		t.Errorf("logs = %v, want one warning naming the file", logs)
	}

	assertMode(t, filepath.Join(dir, KeyFileName), 0o600)
	assertMode(t, dir, 0o700|os.ModeDir)
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".momo-keys-*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}

	second, logs, err := ensure(t, devEnv(dir))
	if err != nil {
		t.Fatalf("second EnsureKeys: %v", err)
	}
	if second.SecretKey != first.SecretKey || second.EncryptionKey != first.EncryptionKey {
		t.Error("a restart changed the keys")
	}
	if len(logs) != 1 || logs[0]["generated"] != false {
		t.Errorf("logs = %v, want one warning, not generated", logs)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode() & (os.ModeDir | os.ModePerm); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

func TestEnsureKeysEnvironmentWins(t *testing.T) {
	tests := []struct {
		name     string
		pairs    []string
		fromFile []string // keys that must come from the file
		noFile   bool
	}{
		{"both set: no file at all", []string{"SECRET_KEY=" + testSecret, "ENCRYPTION_KEY=" + testKey}, nil, true},
		{"only secret set", []string{"SECRET_KEY=" + testSecret}, []string{"ENCRYPTION_KEY"}, false},
		{"only keys set", []string{"ENCRYPTION_KEY=" + testKey2 + "," + testKey}, []string{"SECRET_KEY"}, false},
		{"neither set", nil, []string{"SECRET_KEY", "ENCRYPTION_KEY"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeKeyFile(t, dir, 0o600, "SECRET_KEY=file-secret-that-is-at-least-32-bytes\nENCRYPTION_KEY="+testKey2+"\n")
			if tt.noFile {
				os.Remove(file)
			}

			c, logs, err := ensure(t, devEnv(dir, tt.pairs...))
			if err != nil {
				t.Fatalf("EnsureKeys: %v", err)
			}

			fileValue := map[string]Secret{"SECRET_KEY": "file-secret-that-is-at-least-32-bytes", "ENCRYPTION_KEY": testKey2}
			got := map[string]Secret{"SECRET_KEY": c.SecretKey, "ENCRYPTION_KEY": c.EncryptionKey}
			envValue := devEnv(dir, tt.pairs...)
			for name, v := range got {
				want := Secret(envValue[name])
				if want == "" {
					want = fileValue[name]
				}
				if v != want {
					t.Errorf("%s came from the wrong place", name)
				}
			}
			if (len(logs) == 1) != (len(tt.fromFile) > 0) || len(logs) > 1 {
				t.Errorf("logs = %v", logs)
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFileName)); tt.noFile && !os.IsNotExist(err) {
				t.Error("a key file was created although the environment had both keys")
			}
		})
	}
}

func writeKeyFile(t *testing.T, dir string, mode os.FileMode, content string) string {
	t.Helper()

	path := filepath.Join(dir, KeyFileName)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is cut by umask
		t.Fatal(err)
	}
	return path
}

func TestEnsureKeysRefusesBadFile(t *testing.T) {
	good := "SECRET_KEY=" + testSecret + "\nENCRYPTION_KEY=" + testKey + "\n"
	tests := []struct {
		name    string
		mode    os.FileMode
		content string
		setup   func(t *testing.T, dir string) // replaces writing the file
		want    string
	}{
		{"group readable", 0o640, good, nil, "chmod 600"},
		{"world readable", 0o644, good, nil, "mode 0644"},
		{"executable", 0o700, good, nil, "mode 0700"},
		{"missing key", 0o600, "SECRET_KEY=" + testSecret + "\n", nil, "has no ENCRYPTION_KEY"},
		{"bad key", 0o600, "SECRET_KEY=" + testSecret + "\nENCRYPTION_KEY=" + strings.Repeat("ab", 32) + "\n", nil, "looks like hex"},
		{"short secret", 0o600, "SECRET_KEY=short\nENCRYPTION_KEY=" + testKey + "\n", nil, "SECRET_KEY must be at least 32 bytes"},
		{"not key=value", 0o600, "# ok\nnot a setting\n", nil, "line 2: expected NAME=value"},
		{"symlink", 0, "", func(t *testing.T, dir string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			os.WriteFile(target, []byte(good), 0o600)
			os.Symlink(target, filepath.Join(dir, KeyFileName))
		}, "must be a regular file"},
		{"directory", 0, "", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, KeyFileName), 0o700)
		}, "must be a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			} else {
				writeKeyFile(t, dir, tt.mode, tt.content)
			}

			_, _, err := ensure(t, devEnv(dir))
			if momo.ErrorCode(err) != momo.CodeConfig || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a config error about %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), strings.Repeat("ab", 32)) {
				t.Errorf("error quotes a key: %v", err)
			}
		})
	}
}

func TestEnsureKeysAcceptsReadOnlyFile(t *testing.T) {
	dir := t.TempDir()
	writeKeyFile(t, dir, 0o400, "# comment\n\n SECRET_KEY = "+testSecret+" \nENCRYPTION_KEY="+testKey+"\nOTHER=ignored\n")

	c, _, err := ensure(t, devEnv(dir))
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKey != testSecret || c.EncryptionKey != testKey {
		t.Error("keys not read from a 0400 file")
	}
}

func TestEnsureKeysNoDataDir(t *testing.T) {
	c := Config{Env: Development}

	err := c.EnsureKeys(nil)
	if momo.ErrorCode(err) != momo.CodeConfig || !strings.Contains(err.Error(), "MOMO_DATA_DIR") {
		t.Errorf("err = %v", err)
	}
}

// TestEnsureKeysConcurrent starts several first runs together on an empty
// data directory: exactly one file must be written and all must agree.
func TestEnsureKeysConcurrent(t *testing.T) {
	for round := range 20 {
		dir := filepath.Join(t.TempDir(), "data")
		const n = 4
		results := make([]Config, n)
		errs := make([]error, n)

		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				c := mustLoad(t, devEnv(dir))
				<-start
				errs[i] = c.EnsureKeys(slog.New(slog.DiscardHandler))
				results[i] = c
			})
		}
		close(start)
		wg.Wait()

		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, goroutine %d: %v", round, i, errs[i])
			}
			if results[i].SecretKey != results[0].SecretKey || results[i].EncryptionKey != results[0].EncryptionKey {
				t.Fatalf("round %d: goroutines disagree on the keys", round)
			}
		}
		onDisk, err := readKeyFile(filepath.Join(dir, KeyFileName))
		if err != nil || Secret(onDisk["ENCRYPTION_KEY"]) != results[0].EncryptionKey {
			t.Fatalf("round %d: the file does not hold the keys in use (%v)", round, err)
		}
	}
}
