package config

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/vault"
)

// KeyFileName is the development key file in the data directory: KEY=value
// lines, '#' comments, mode 0600.
const KeyFileName = "momo-keys.env"

// maxKeyFileSize bounds what we read: the file holds two short lines.
const maxKeyFileSize = 64 << 10

// EnsureKeys makes sure SECRET_KEY and ENCRYPTION_KEY are set.
//
// In production it refuses to go on without SECRET_KEY, ENCRYPTION_KEY and
// DATABASE_URL, naming each one missing. In development it takes whichever
// of the two keys the environment lacks from the key file in the data
// directory, creating that file with new keys the first time, so a restart
// never makes stored data unreadable. A value set in the environment always
// wins over the file's. It logs one warning when it used the file, with the
// path and never a key.
func (c *Config) EnsureKeys(logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}

	if c.Env == Production {
		if missing := c.missingInProduction(); len(missing) > 0 {
			return momo.E(momo.CodeConfig, productionMessage(missing), nil)
		}
		return c.checkKeys("the environment")
	}
	if c.SecretKey != "" && c.EncryptionKey != "" {
		return c.checkKeys("the environment")
	}

	path, generated, err := c.loadKeyFile()
	if err != nil {
		return err
	}

	// Said loudly once, when the keys are made; every later command would
	// otherwise repeat it on the terminal.
	level := slog.LevelInfo
	if generated {
		level = slog.LevelWarn
	}
	logger.Log(context.Background(), level, "Using development keys from a local file; set SECRET_KEY and ENCRYPTION_KEY in the environment to use others",
		slog.String("path", path), slog.Bool("generated", generated))
	return nil
}

// checkKeys validates the final values, telling where they came from.
func (c *Config) checkKeys(source string) error {
	var problems []string
	for _, err := range []error{vault.CheckKeys(c.EncryptionKey.Reveal()), vault.CheckSecret(c.SecretKey.Reveal())} {
		if err != nil {
			problems = append(problems, momo.ErrorMessage(err))
		}
	}
	if len(problems) > 0 {
		return momo.E(momo.CodeConfig, "keys from "+source+": "+strings.Join(problems, "; "), nil)
	}
	return nil
}

// loadKeyFile fills the missing keys from the key file, creating it first
// when there is none. It reports the path and whether it was created now.
func (c *Config) loadKeyFile() (string, bool, error) {
	if c.DataDir == "" {
		return "", false, momo.E(momo.CodeConfig, "cannot keep development keys: set MOMO_DATA_DIR (HOME is not set), or set SECRET_KEY and ENCRYPTION_KEY", nil)
	}
	path := filepath.Join(c.DataDir, KeyFileName)

	generated, err := createKeyFile(c.DataDir, path)
	if err != nil {
		return path, false, err
	}

	// Read back even what we just wrote: whoever won a race to create the
	// file, every process ends up with the keys that are on disk.
	values, err := readKeyFile(path)
	if err != nil {
		return path, false, err
	}
	if err := c.adopt(values, path); err != nil {
		return path, false, err
	}
	return path, generated, nil
}

// adopt takes from the file each key the environment did not set.
func (c *Config) adopt(values map[string]string, path string) error {
	fields := []struct {
		name  string
		field *Secret
	}{
		{"SECRET_KEY", &c.SecretKey},
		{"ENCRYPTION_KEY", &c.EncryptionKey},
	}
	for _, f := range fields {
		if *f.field != "" {
			continue
		}
		v, ok := values[f.name]
		if !ok || v == "" {
			// Never add a key to an existing file: data may already be
			// sealed with keys we cannot see.
			return momo.E(momo.CodeConfig, fmt.Sprintf("key file %s has no %s: set it in the environment, or move the file away to start with new keys (data sealed with old keys becomes unreadable)", path, f.name), nil)
		}
		*f.field = Secret(v)
	}
	return c.checkKeys("the key file " + path)
}

// createKeyFile writes a new key file unless one exists. The keys go to a
// private temporary file first, which is then hard-linked to the final
// name: link fails when the name exists, so two processes starting together
// cannot both install keys, and no reader ever sees a half-written file
// (creating the final name with O_EXCL and then writing would allow that).
func createKeyFile(dir, path string) (bool, error) {
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, momo.E(momo.CodeConfig, "cannot create the data directory "+dir, err)
	}

	tmp, err := writeTempKeys(dir)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)

	err = os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return false, nil // another process was first: use its keys
	}
	if err != nil {
		return false, momo.E(momo.CodeConfig, "cannot install the key file "+path+"; set SECRET_KEY and ENCRYPTION_KEY instead", err)
	}
	syncDir(dir)
	return true, nil
}

// writeTempKeys generates both keys into a new 0600 file in dir, flushed to
// disk, and returns its path.
func writeTempKeys(dir string) (string, error) {
	secret, err := vault.GenerateSecret()
	if err != nil {
		return "", err
	}
	key, err := vault.GenerateKey()
	if err != nil {
		return "", err
	}

	f, err := os.CreateTemp(dir, ".momo-keys-*.tmp") // created 0600
	if err != nil {
		return "", momo.E(momo.CodeConfig, "cannot write a key file in "+dir, err)
	}
	content := fmt.Sprintf("# MoMo Analytics development keys, generated %s.\n"+
		"# Keep this file private and keep it: without ENCRYPTION_KEY the stored SMS cannot be read.\n"+
		"# In production set both variables in the environment instead.\n"+
		"SECRET_KEY=%s\nENCRYPTION_KEY=%s\n", time.Now().UTC().Format(time.RFC3339), secret, key)

	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", momo.E(momo.CodeConfig, "cannot write a key file in "+dir, err)
	}
	return f.Name(), nil
}

// syncDir makes the new name durable. It is best effort: a crash before it
// at worst loses a file that no data depends on yet.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// readKeyFile reads KEY=value lines from the key file after checking that
// it is a regular file (not a link someone could point elsewhere) that
// nobody but its owner can read or change.
func readKeyFile(path string) (map[string]string, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, momo.E(momo.CodeConfig, "cannot read the key file "+path, err)
	}
	if !before.Mode().IsRegular() {
		return nil, momo.E(momo.CodeConfig, "the key file "+path+" must be a regular file, not a link or anything else", nil)
	}

	f, err := os.Open(path)
	if err != nil {
		return nil, momo.E(momo.CodeConfig, "cannot read the key file "+path, err)
	}
	defer f.Close()

	// Check the file we opened, not the name: it may have been swapped.
	info, err := f.Stat()
	if err != nil || !os.SameFile(before, info) {
		return nil, momo.E(momo.CodeConfig, "the key file "+path+" changed while it was being read", err)
	}
	if perm := info.Mode().Perm(); perm&^0o600 != 0 {
		return nil, momo.E(momo.CodeConfig, fmt.Sprintf("the key file %s has mode %04o, so others may read it; run chmod 600 %s", path, perm, path), nil)
	}

	return parseKeyFile(io.LimitReader(f, maxKeyFileSize), path)
}

// parseKeyFile reads KEY=value lines; blank lines and '#' comments are
// skipped. Problems name the line, never its value.
func parseKeyFile(r io.Reader, path string) (map[string]string, error) {
	values := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, momo.E(momo.CodeConfig, fmt.Sprintf("key file %s, line %d: expected NAME=value", path, n), nil)
		}
		values[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, momo.E(momo.CodeConfig, "cannot read the key file "+path, err)
	}
	return values, nil
}
