// Command momo parses mobile-money SMS into transactions, keeps them
// encrypted, and reports where the money went.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

const usage = `usage: momo COMMAND [ARGS]

Commands:
  import FILE…   import SMS Backup & Restore XML exports
  report         money in and out, by month, kind and counterparty
  parse          parse SMS without storing them
  reparse        parse every stored message again
  migrate        bring the database schema up to date
  templates      list the templates, or test a template file
  unrecognized   print the messages no template knows
  risk           evaluate the fraud-risk rules on synthetic histories
  serve          serve the web application
  user           create and manage web accounts
  backup FILE    write a snapshot of the whole database
  restore FILE   load a snapshot into an empty database

Run 'momo COMMAND -h' for a command's options. Configuration comes from
environment variables; see the README.`

// env is what a command runs with: its streams, environment and
// lazily-built dependencies. Tests build one around buffers.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	log    *slog.Logger

	parser  *smsparse.Book
	app     *app
	closers []func() error
	// keysFromData skips checking (and recording) the keys when the
	// database opens: momo restore checks them against the backup's proofs
	// instead, so that a refused restore leaves a new database unbound.
	keysFromData bool
}

type command func(*env, []string) error

var commands = map[string]command{
	"import":  runImport,
	"report":  runReport,
	"parse":   runParse,
	"reparse": runReparse,
	"migrate": runMigrate,
	"risk":    runRisk,
	"serve":   runServe,
	"user":    runUser,
	"backup":  runBackup,
	"restore": runRestore,

	"templates":    runTemplates,
	"unrecognized": runUnrecognized,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{
		ctx: ctx, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	code := run(e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches a command line and turns its error into a message and an
// exit status: the one place where that happens.
func run(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "momo: unknown command %q\n\n%s\n", args[0], usage)
		return 2
	}
	err := cmd(e, args[1:])
	for _, c := range e.closers {
		if cerr := c(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return exitStatus(e, args[0], err)
}

// usageErr marks a command line that was wrong, with what was wrong.
type usageErr struct{ err error }

func (u usageErr) Error() string { return u.err.Error() }
func (u usageErr) Unwrap() error { return u.err }

func usageError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp
	}
	return usageErr{err}
}

func exitStatus(e *env, name string, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageErr)):
		fmt.Fprintf(e.stderr, "momo %s: %v\n", name, err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "momo %s: interrupted; what was stored stays stored, and running it again completes it\n", name)
		return 130
	}

	code := momo.ErrorCode(err)
	if code == momo.CodeInternal {
		e.log.Error("Command failed", "command", name, "error", err)
	}
	fmt.Fprintf(e.stderr, "momo %s: %s\n", name, momo.ErrorMessage(err))
	return exitCodes[code]
}

// exitCodes gives each error code its exit status, so scripts can tell a
// bad file (1) from a bad configuration (3) or an outage (4).
var exitCodes = map[momo.Code]int{
	momo.CodeInvalid:      1,
	momo.CodeNotFound:     1,
	momo.CodeConflict:     1,
	momo.CodeConfig:       3,
	momo.CodeUnauthorized: 3,
	momo.CodeUnavailable:  4,
	momo.CodeInternal:     5,
}

// book compiles the templates once: built-in, plus MOMO_TEMPLATES.
func (e *env) book() (*smsparse.Book, error) {
	if e.parser != nil {
		return e.parser, nil
	}
	extra, err := extraTemplates(e.getenv("MOMO_TEMPLATES"))
	if err != nil {
		return nil, err
	}
	b, err := smsparse.Load(nil, extra)
	if err != nil {
		return nil, err
	}
	b.SetCeiling(ceiling(e.getenv("MOMO_MAX_AMOUNT")))
	e.parser = b
	return b, nil
}

// ceiling reads MOMO_MAX_AMOUNT for commands that need no configuration
// otherwise (momo parse); commands that open the database validate it
// with the rest of the configuration.
func ceiling(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return defaultMaxAmount
	}
	return n
}

// defaultMaxAmount is the MOMO_MAX_AMOUNT default, in major units.
const defaultMaxAmount = 100_000_000

// maxTemplateFile bounds one MOMO_TEMPLATES file: a table of a hundred
// templates is a few tens of kilobytes.
const maxTemplateFile = 1 << 20

func extraTemplates(paths string) (map[string][]byte, error) {
	if strings.TrimSpace(paths) == "" {
		return nil, nil
	}
	extra := map[string][]byte{}
	for _, p := range strings.Split(paths, string(os.PathListSeparator)) {
		data, err := readTemplateFile(p)
		if err != nil {
			return nil, err
		}
		extra[p] = data
	}
	return extra, nil
}

// readTemplateFile reads one regular file of at most maxTemplateFile bytes:
// a device or a pipe named by mistake must not hang or fill memory.
func readTemplateFile(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, momo.E(momo.CodeConfig, "MOMO_TEMPLATES: "+momo.ErrorMessage(err), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTemplateFile+1))
	if err != nil {
		return nil, momo.E(momo.CodeConfig, "MOMO_TEMPLATES: cannot read "+path, err)
	}
	if len(data) > maxTemplateFile {
		return nil, momo.E(momo.CodeConfig, fmt.Sprintf("MOMO_TEMPLATES: %s is larger than %d bytes", path, maxTemplateFile), nil)
	}
	return data, nil
}
