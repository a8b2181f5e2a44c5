package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/config"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/risk"
	"github.com/momoanalytics/momo/internal/smsparse"
	"github.com/momoanalytics/momo/internal/sqlstore"
	"github.com/momoanalytics/momo/internal/vault"
)

// app holds what commands that touch the database share.
type app struct {
	cfg      config.Config
	store    *sqlstore.Store
	cipher   *vault.Vault
	book     *smsparse.Book
	importer *ingest.Importer
}

// open loads the configuration, the keys and the database once per run.
func (e *env) open() (*app, error) {
	if e.app != nil {
		return e.app, nil
	}
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return nil, err
	}
	e.log = newLogger(e.stderr, cfg)
	if err := cfg.EnsureKeys(e.log); err != nil {
		return nil, err
	}
	cipher, err := vault.New(cfg.EncryptionKey.Reveal(), cfg.SecretKey.Reveal())
	if err != nil {
		return nil, err
	}
	book, err := e.book()
	if err != nil {
		return nil, err
	}
	store, err := openStore(e.ctx, cfg, e.log)
	if err != nil {
		return nil, openError(err)
	}
	if !e.keysFromData {
		if err := checkKeys(e.ctx, store, cipher); err != nil {
			store.Close()
			return nil, err
		}
	}

	e.app = &app{
		cfg: cfg, store: store, cipher: cipher, book: book,
		importer: &ingest.Importer{
			Parser: book, Cipher: cipher, Store: store, Log: e.log,
			NewRisk: riskFor(e.ctx, book, store),
		},
	}
	e.closers = append(e.closers, store.Close)
	return e.app, nil
}

// flags makes a command's flag set; errors and usage go to standard error.
func (e *env) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, usage) }
	return fs
}

// parseAll parses flags wherever they stand among the arguments ("restore
// FILE --replace" as well as "restore --replace FILE"), as people type
// them, and returns the other arguments. After "--" everything is an
// argument.
func parseAll(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError(err)
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// local opens the database and returns the subscriber the command line
// acts for.
func (e *env) local() (*app, momo.Subscriber, error) {
	app, err := e.open()
	if err != nil {
		return nil, momo.Subscriber{}, err
	}
	sub, err := app.cliSubscriber(e.ctx)
	return app, sub, err
}

// openStore opens the database DATABASE_URL names, SQLite or PostgreSQL.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*sqlstore.Store, error) {
	if cfg.Database.Engine == config.EnginePostgres {
		return sqlstore.OpenPostgres(ctx, cfg.Database.DSN,
			sqlstore.PostgresOptions{Production: cfg.Production(), Log: log})
	}
	return sqlstore.Open(ctx, cfg.Database.DSN)
}

// openError classifies a failure to open the database: a path that is
// not a database, or not writable, is the operator's configuration to fix.
func openError(err error) error {
	if momo.ErrorCode(err) != momo.CodeInternal {
		return err
	}
	return momo.E(momo.CodeConfig, "the database cannot be opened: check DATABASE_URL or MOMO_DATA_DIR and their permissions", err)
}

// keyChecker keeps small values that prove which keys a database was
// written with.
type keyChecker interface {
	// Meta stores value under name unless a value is there already, and
	// returns the stored one.
	Meta(ctx context.Context, name, value string) (string, error)
}

// checkKeys refuses keys that differ from those the database was written
// with, before anything is stored under them: a lost key file or a changed
// variable would otherwise double every total (new hashes) or leave the
// data unreadable (another encryption key).
func checkKeys(ctx context.Context, store keyChecker, c *vault.Vault) error {
	probe := c.Hash("key check", "momo")
	stored, err := store.Meta(ctx, "secret_key_check", probe)
	if err != nil {
		return err
	}
	sealed, err := c.Seal([]byte("momo key check"))
	if err != nil {
		return err
	}
	storedSeal, err := store.Meta(ctx, "encryption_key_check", string(sealed))
	if err != nil {
		return err
	}
	return keyProofsFit(c, map[string]string{"secret_key_check": stored, "encryption_key_check": storedSeal},
		"this database")
}

// keyProofsFit checks the proofs a database (or a backup of one) keeps of
// the keys its data was written with against the keys configured now.
// holder names what keeps the proofs ("this database"), for the message.
func keyProofsFit(c *vault.Vault, meta map[string]string, holder string) error {
	secret, hasSecret := meta["secret_key_check"]
	sealed, hasSealed := meta["encryption_key_check"]
	if !hasSecret || !hasSealed {
		return momo.E(momo.CodeConfig, holder+" has no proof of the keys its data was written with, so it cannot be checked against SECRET_KEY and ENCRYPTION_KEY", nil)
	}
	if secret != c.Hash("key check", "momo") {
		return momo.E(momo.CodeConfig, "SECRET_KEY is not the key "+holder+" was written with; "+
			"set the original one (in development it is in the momo-keys.env file of the data directory)", nil)
	}
	if _, err := c.Open(momo.Sealed(sealed)); err != nil {
		return momo.E(momo.CodeConfig, "ENCRYPTION_KEY cannot read "+holder+"'s data: add the key it was written with "+
			"(keys are comma-separated; the first encrypts, all decrypt)", nil)
	}
	return nil
}

// cliSubscriber is the person running the command line: one subscriber
// per database, in the timezone MOMO_TIMEZONE names (or each operator's).
func (a *app) cliSubscriber(ctx context.Context) (momo.Subscriber, error) {
	return a.store.Subscriber(ctx, momo.SourceCLI, "local", momo.Subscriber{Timezone: a.cfg.Timezone})
}

// zone is where a time of money in currency cur is shown: in MOMO_TIMEZONE
// when set, else in the timezone of the operators that use cur.
func (a *app) zone(cur momo.Currency) *time.Location {
	if a.cfg.Timezone != "" {
		if loc, err := time.LoadLocation(a.cfg.Timezone); err == nil {
			return loc
		}
	}
	return operatorZone(a.book)(cur)
}

// operatorZone is where a time of money in a currency is shown when no
// timezone was chosen: the country of the operators that use it.
func operatorZone(book *smsparse.Book) func(momo.Currency) *time.Location {
	return func(cur momo.Currency) *time.Location {
		for _, op := range book.Operators() {
			if op.Currency == cur {
				return op.Location
			}
		}
		return time.UTC
	}
}

// riskFor starts each run's risk assessment with the default rules, told
// which senders each operator of the template tables really uses.
func riskFor(ctx context.Context, book *smsparse.Book, store answerStore) func(momo.Subscriber) (ingest.Assessor, error) {
	cfg := riskConfig(book)
	return func(sub momo.Subscriber) (ingest.Assessor, error) {
		s, err := riskSettings(ctx, store, sub)
		if err != nil {
			return nil, err
		}
		if sub.Timezone != "" {
			loc, err := time.LoadLocation(sub.Timezone)
			if err != nil {
				return nil, momo.E(momo.CodeConfig, "unknown timezone "+sub.Timezone, err)
			}
			s.Location = loc
		}
		return ingest.NewReplay(cfg, s), nil
	}
}

// answerStore keeps a subscriber's answers about counterparties.
type answerStore interface {
	AddAnswer(ctx context.Context, sub momo.SubscriberID, a momo.Answer) error
	Answers(ctx context.Context, sub momo.SubscriberID) ([]momo.Answer, error)
}

// riskSettings is what the subscriber told us, replayed in order: budget,
// and blocked, trusted and answered counterparties.
func riskSettings(ctx context.Context, store answerStore, sub momo.Subscriber) (risk.Settings, error) {
	s := risk.Settings{DailyBudget: sub.DailyBudget, Currency: sub.Currency}
	answers, err := store.Answers(ctx, sub.ID)
	if err != nil {
		return s, err
	}
	for _, a := range answers {
		if a.Answer == answerTrust {
			s.Trust(a.CounterpartyKey)
			continue
		}
		s.Record(a.CounterpartyKey, risk.Answer(a.Answer))
	}
	return s, nil
}

// answerTrust puts a counterparty on the trusted list; the other answers
// are the risk engine's own.
const answerTrust = "trust"

// riskConfig is the default rule set, told which sender ids each operator
// of the template tables really uses: the tables are the one list of them.
func riskConfig(book *smsparse.Book) risk.Config {
	cfg := risk.DefaultConfig()
	for _, op := range book.Operators() {
		cfg.Cover(op.Name, op.Country, op.Senders...)
	}
	return cfg
}

// newLogger writes warnings and errors to standard error and, unless
// LOG_FILE is "-", everything from Info up to a rotating file (10 MB × 10,
// as the seed promised). The vocabulary of keys is the same everywhere:
// source, position, reason, error, path, command.
func newLogger(stderr io.Writer, cfg config.Config) *slog.Logger {
	console := slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	if cfg.LogFile == "" || cfg.LogFile == "-" {
		return slog.New(console)
	}
	if err := os.MkdirAll(dirOf(cfg.LogFile), 0o700); err != nil {
		return slog.New(console)
	}
	file := &lumberjack.Logger{Filename: cfg.LogFile, MaxSize: 10, MaxBackups: 10}
	return slog.New(slog.NewMultiHandler(console, slog.NewJSONHandler(file, &slog.HandlerOptions{Level: slog.LevelInfo})))
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i]
		}
	}
	return "."
}
