package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/sqlstore"
)

const backupUsage = `usage: momo backup [--force] FILE

Writes a snapshot of the whole database (SQLite or PostgreSQL, as
DATABASE_URL says) to FILE, while the service keeps running. Encrypted
columns stay encrypted: the file is as private as the database, and
restoring it needs the same SECRET_KEY and ENCRYPTION_KEY. FILE "-" writes
to standard output. An existing FILE is replaced only with --force.`

func runBackup(e *env, args []string) error {
	fs := e.flags("backup", backupUsage)
	force := fs.Bool("force", false, "replace FILE if it exists")
	files, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError(errors.New("backup takes one FILE"))
	}
	path := files[0]
	if _, err := os.Lstat(path); err == nil && path != "-" && !*force {
		return momo.E(momo.CodeConflict, path+" exists; pass --force to replace it", nil)
	}

	app, err := e.open()
	if err != nil {
		return err
	}
	var info sqlstore.BackupInfo
	write := func(w io.Writer) error {
		info, err = app.store.Backup(e.ctx, w)
		return err
	}
	if path == "-" {
		err = write(e.stdout)
	} else {
		err = writeFileAtomic(path, write)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "backup of schema version %d written: %s\n", info.Schema, rowCounts(info))
	return nil
}

const restoreUsage = `usage: momo restore [--replace] FILE

Loads a backup written by momo backup, from either database engine, into
the database DATABASE_URL names, which must be empty unless --replace is
given. The backup's keys must be the ones configured (SECRET_KEY,
ENCRYPTION_KEY). FILE "-" reads standard input.`

func runRestore(e *env, args []string) error {
	fs := e.flags("restore", restoreUsage)
	replace := fs.Bool("replace", false, "delete what the database holds before loading")
	files, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError(errors.New("restore takes one FILE"))
	}

	in := io.Reader(e.stdin)
	if path := files[0]; path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return momo.E(momo.CodeInvalid, "the backup file cannot be opened: "+pathProblem(err), err)
		}
		defer f.Close()
		in = f
	}
	// The keys are checked against the backup's proofs, not recorded in
	// the database on opening it: a refused restore leaves it unbound.
	e.keysFromData = true
	app, err := e.open()
	if err != nil {
		return err
	}
	info, err := app.store.Restore(e.ctx, in, sqlstore.RestoreOptions{
		Replace: *replace,
		CheckMeta: func(meta map[string]string) error {
			return keyProofsFit(app.cipher, meta, "this backup")
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored a %s backup of schema version %d: %s\n", info.Engine, info.Schema, rowCounts(info))
	return nil
}

// rowCounts says how many rows the main tables hold.
func rowCounts(info sqlstore.BackupInfo) string {
	return fmt.Sprintf("%d subscribers, %d messages, %d transactions, %d users",
		info.Rows["subscribers"], info.Rows["messages"], info.Rows["transactions"], info.Rows["users"])
}

// writeFileAtomic writes a new file at path through write: into a
// temporary file beside it (mode 0600), synced and then renamed, so that a
// failed or interrupted write never leaves a half file under the name.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return momo.E(momo.CodeInvalid, "the backup file cannot be created: "+pathProblem(err), err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove

	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("backup: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return momo.E(momo.CodeInvalid, "the backup file cannot be written: "+pathProblem(err), err)
	}
	return nil
}

// pathProblem says in words why a file could not be opened or created.
func pathProblem(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	case errors.Is(err, os.ErrExist):
		return "it exists"
	}
	return "the system refused it"
}
