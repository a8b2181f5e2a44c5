package main

import (
	"fmt"
)

const reparseUsage = `usage: momo reparse

Runs the current templates over every stored message and rebuilds the
transactions from them: messages that were unrecognized before are parsed
if a template now knows them.`

func runReparse(e *env, args []string) error {
	fs := e.flags("reparse", reparseUsage)
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}

	app, sub, err := e.local()
	if err != nil {
		return err
	}
	counts, err := app.importer.Reparse(e.ctx, sub)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reparsed: %s\n", countsLine(counts))
	return nil
}

const migrateUsage = `usage: momo migrate

Brings the database schema up to date. Every command does this on start;
this command does only that, for operators who want it as a separate step.`

func runMigrate(e *env, args []string) error {
	fs := e.flags("migrate", migrateUsage)
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}

	app, err := e.open()
	if err != nil {
		return err
	}
	from, to, err := app.store.Migrate(e.ctx)
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(e.stdout, "schema is up to date at version %d\n", to)
		return nil
	}
	fmt.Fprintf(e.stdout, "schema migrated from version %d to %d\n", from, to)
	return nil
}
