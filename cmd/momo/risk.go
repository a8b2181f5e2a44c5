package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/momoanalytics/momo/internal/risk"
)

const riskUsage = `usage: momo risk evaluate [--json] [--seed N]

Measures the fraud-risk engine on invented histories: four subscribers
(Rwanda and Ghana) living ordinary lives with frauds and fake SMS injected,
and prints precision and recall per risk level and for fake SMS. The same
seed gives the same figures. Nothing is read or stored.`

// runRisk dispatches the risk subcommands; evaluate is the only one.
func runRisk(env *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.stderr, riskUsage)
		if len(args) == 0 {
			return usageError(fmt.Errorf("name a subcommand: evaluate"))
		}
		return flag.ErrHelp
	}
	if args[0] != "evaluate" {
		return usageError(fmt.Errorf("unknown subcommand %q; the only one is evaluate", args[0]))
	}
	return riskEvaluate(env, args[1:])
}

func riskEvaluate(env *env, args []string) error {
	fs := flag.NewFlagSet("risk evaluate", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { fmt.Fprintln(env.stderr, riskUsage) }
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	seed := fs.Uint64("seed", 1, "seed of the invented histories")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}

	ev := risk.Evaluate(risk.DefaultConfig(), risk.Simulate(*seed))
	ev.Seed = *seed
	if *asJSON {
		return writeJSON(env.stdout, ev)
	}
	if _, err := io.WriteString(env.stdout, ev.Table()); err != nil {
		return fmt.Errorf("write evaluation: %w", err)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write evaluation: %w", err)
	}
	return nil
}
