package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/smsbackup"
)

const importUsage = `usage: momo import [--json] [--user NAME] FILE…

Imports SMS Backup & Restore XML exports into the database. Received SMS
are parsed and stored encrypted; sent SMS and MMS are counted and skipped;
damaged records are kept as rejected and reported by position. Importing a
file again adds nothing.

Without --user the messages are the command line's own, which momo report
reads. With --user they belong to that web account, as if its owner had
uploaded the files on the dashboard (for exports too large to upload).`

// maxShownProblems bounds the damaged records listed on standard error;
// the counts say how many there were in all.
const maxShownProblems = 20

func runImport(e *env, args []string) error {
	fs := e.flags("import", importUsage)
	asJSON := fs.Bool("json", false, "print the counts as one JSON object")
	user := fs.String("user", "", "the web account the messages belong to")
	paths, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError(errors.New("name at least one file"))
	}

	app, sub, err := e.importTarget(*user)
	if err != nil {
		return err
	}
	limitMemory(e)

	var total momo.Counts
	for _, path := range paths {
		counts, err := importFile(e, app, sub, path)
		total.Merge(counts)
		if !*asJSON && (err == nil || counts.Read > 0) {
			// A file that could not be read at all gets its error alone.
			fmt.Fprintf(e.stdout, "%s: %s\n", path, countsLine(counts))
		}
		if err != nil {
			return err
		}
	}

	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(total)
	}
	if len(paths) > 1 {
		fmt.Fprintf(e.stdout, "total: %s\n", countsLine(total))
	}
	if total.Parsed+total.Unrecognized+total.Rejected == 0 && total.Duplicate > 0 {
		fmt.Fprintln(e.stdout, "Nothing new: every message was already imported.")
	}
	return nil
}

// importTarget opens the database and returns the subscriber an import
// fills: the command line's, or the upload subscriber of a web account.
func (e *env) importTarget(user string) (*app, momo.Subscriber, error) {
	if user == "" {
		return e.local()
	}
	app, err := e.open()
	if err != nil {
		return nil, momo.Subscriber{}, err
	}
	u, err := app.userNamed(e.ctx, user)
	if err != nil {
		return nil, momo.Subscriber{}, err
	}
	sub, err := app.store.UploadSubscriber(e.ctx, u.ID)
	return app, sub, err
}

// importMemory is the soft limit on the Go heap of an import, unless
// GOMEMLIMIT sets another. The heap holds a few batches in flight, yet
// Go's default lets it grow to twice what it holds between collections;
// with SQLite's page cache beside it, a 100,000-message import then peaked
// at 107 MB, and with this limit at 93 MB, in the same time.
const importMemory = 56 << 20

func limitMemory(e *env) {
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemory)
	}
}

// importFile imports one export. A file that cannot be read at all is an
// error naming it; damaged records inside a readable file are not.
func importFile(e *env, app *app, sub momo.Subscriber, path string) (momo.Counts, error) {
	f, err := openRegular(path)
	if err != nil {
		return momo.Counts{}, err
	}
	defer f.Close()

	reader := smsbackup.NewReader(f, smsbackup.Options{})
	next := ingest.BackupItems(reader, momo.SourceBackup)
	var problems []string
	damaged := 0
	items := func() (ingest.Item, bool, error) {
		item, ok, err := next()
		if ok && item.Damage != "" {
			damaged++
			if len(problems) < maxShownProblems {
				problems = append(problems, item.Message.Position+": "+item.Damage)
			}
		}
		return item, ok, err
	}

	counts, err := app.importer.Import(e.ctx, sub, items)
	showProblems(e, path, problems, damaged)
	if err != nil {
		return counts, fileError(path, err)
	}
	if counts.Read > 0 && counts.Rejected == counts.Read {
		return counts, momo.E(momo.CodeInvalid, path+": no record could be read", nil)
	}
	return counts, nil
}

// openRegular opens a file for import, refusing what is not a regular file
// with a sentence a person can act on.
func openRegular(path string) (*os.File, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, momo.E(momo.CodeInvalid, path+": no such file", err)
	case err != nil:
		return nil, momo.E(momo.CodeInvalid, path+": cannot be read", err)
	case info.IsDir():
		return nil, momo.E(momo.CodeInvalid, path+": is a directory, not an SMS backup file", nil)
	case !info.Mode().IsRegular():
		return nil, momo.E(momo.CodeInvalid, path+": is not a regular file", nil)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, momo.E(momo.CodeInvalid, path+": cannot be opened", err)
	}
	return f, nil
}

// fileError prefixes the file name to a classified error's safe message.
func fileError(path string, err error) error {
	var me *momo.Error
	if errors.As(err, &me) {
		return momo.E(me.Code, path+": "+me.Message, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// showProblems lists the first damaged records and counts the rest: a file
// of a million broken records gets a screenful, not a million lines.
func showProblems(e *env, path string, problems []string, total int) {
	for _, p := range problems {
		fmt.Fprintf(e.stderr, "%s: %s\n", path, p)
	}
	if total > len(problems) {
		fmt.Fprintf(e.stderr, "%s: … and %d more damaged records\n", path, total-len(problems))
	}
}

func countsLine(c momo.Counts) string {
	parts := []string{
		fmt.Sprintf("read %d", c.Read),
		fmt.Sprintf("parsed %d", c.Parsed),
		fmt.Sprintf("unrecognized %d", c.Unrecognized),
		fmt.Sprintf("duplicate %d", c.Duplicate),
		fmt.Sprintf("skipped %d", c.Skipped),
		fmt.Sprintf("rejected %d", c.Rejected),
	}
	return strings.Join(parts, ", ")
}
