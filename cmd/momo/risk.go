package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/ingest"
	"github.com/momoanalytics/momo/internal/risk"
)

const riskUsage = `usage: momo risk evaluate [--json] [--seed N]
       momo risk answer --name NAME [--number NUMBER] yes|no|block|trust

evaluate measures the fraud-risk engine on invented histories: four
subscribers (Rwanda and Ghana) living ordinary lives with frauds and fake
SMS injected, and prints precision and recall per risk level and for fake
SMS. The same seed gives the same figures. Nothing is read or stored.

answer records what you say about a counterparty, named and numbered as the
report shows it: yes (that was me), no (fraud), block, or trust. Later
scores for that counterparty follow it; run momo reparse to score the
stored history again. Only a keyed hash of the name and number is stored.`

// runRisk dispatches the risk subcommands.
func runRisk(env *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.stderr, riskUsage)
		if len(args) == 0 {
			return usageError(fmt.Errorf("name a subcommand: evaluate"))
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "evaluate":
		return riskEvaluate(env, args[1:])
	case "answer":
		return riskAnswer(env, args[1:])
	}
	return usageError(fmt.Errorf("unknown subcommand %q; use evaluate or answer", args[0]))
}

func riskAnswer(e *env, args []string) error {
	fs := e.flags("risk answer", riskUsage)
	name := fs.String("name", "", "the counterparty's name, as the report shows it")
	number := fs.String("number", "", "the counterparty's number, as the report shows it")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if fs.NArg() != 1 {
		return usageError(fmt.Errorf("give one answer: yes, no, block or trust"))
	}
	answer, err := answerWord(fs.Arg(0))
	if err != nil {
		return usageError(err)
	}

	app, sub, err := e.local()
	if err != nil {
		return err
	}
	key := ingest.CounterpartyKey(app.cipher, strings.TrimSpace(*name), strings.TrimSpace(*number))
	if key == "" {
		return usageError(fmt.Errorf("name the counterparty with --name, --number or both"))
	}
	if err := app.store.AddAnswer(e.ctx, sub.ID, momo.Answer{CounterpartyKey: key, Answer: answer}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Recorded %q: later scores for this counterparty follow it (momo reparse scores the stored history again).\n", answer)
	return nil
}

// answerWord reads an answer: trust, or one of the risk engine's replies.
func answerWord(word string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(word), answerTrust) {
		return answerTrust, nil
	}
	a, err := risk.ParseAnswer(word)
	if err != nil {
		return "", fmt.Errorf("answer yes, no, block or trust")
	}
	return string(a), nil
}

func riskEvaluate(env *env, args []string) error {
	fs := env.flags("risk evaluate", riskUsage)
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
