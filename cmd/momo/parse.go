package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/smsparse"
)

const parseUsage = `usage: momo parse [--jsonl] [SMS TEXT]

Reads SMS and prints what each says, one JSON object a line, without
storing anything. With an argument, the argument is the text: forwarding
headers, quotes and notes are skipped, and a pasted batch of several SMS
prints one line per SMS. With --jsonl, each line of standard input is
{"body": "...", "sender": "...", "received_at": "RFC 3339"} (sender and
received_at may be null or absent) and gives exactly one output line, in
order: when a body holds several SMS, that line has the first one's fields
and all of them, in order, under "messages". An unrecognized message says
why under "why".`

// parseInput is one line of `momo parse --jsonl`.
type parseInput struct {
	Body       string  `json:"body"`
	Sender     *string `json:"sender"`
	ReceivedAt *string `json:"received_at"`
}

func runParse(env *env, args []string) error {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { fmt.Fprintln(env.stderr, parseUsage) }
	jsonl := fs.Bool("jsonl", false, "read JSON lines from standard input")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}

	book, err := env.book()
	if err != nil {
		return err
	}
	out := json.NewEncoder(env.stdout)
	out.SetEscapeHTML(false)
	if !*jsonl {
		if fs.NArg() == 0 {
			return usageError(fmt.Errorf("give the SMS text as an argument, or use --jsonl"))
		}
		m := momo.Message{Body: strings.Join(fs.Args(), " "), Source: momo.SourceCLI}
		for _, r := range book.ParseAll(m) {
			if err := out.Encode(smsparse.NewResultsView([]smsparse.Result{r})); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
		}
		return nil
	}
	return parseStream(env.stdin, out, book)
}

// parseStream answers every input line with exactly one output line, so a
// bad line becomes an "invalid" result in its place instead of shifting
// every later answer.
func parseStream(in io.Reader, out *json.Encoder, book *smsparse.Book) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLineBytes)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		m, err := decodeParseInput(sc.Bytes())
		if err != nil {
			if err := out.Encode(map[string]string{"result": "invalid", "error": fmt.Sprintf("line %d: %v", line, err)}); err != nil {
				return err
			}
			continue
		}
		if err := out.Encode(smsparse.NewResultsView(book.ParseAll(m))); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return momo.E(momo.CodeInvalid, "standard input: "+err.Error(), err)
	}
	return nil
}

// maxLineBytes bounds one input line; an SMS is far smaller.
const maxLineBytes = 1 << 20

func decodeParseInput(line []byte) (momo.Message, error) {
	var in parseInput
	if err := json.Unmarshal(line, &in); err != nil {
		return momo.Message{}, fmt.Errorf("not a JSON object with a body")
	}
	m := momo.Message{Body: in.Body, Source: momo.SourceCLI}
	if in.Sender != nil {
		m.Sender = *in.Sender
	}
	if in.ReceivedAt != nil && *in.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339, *in.ReceivedAt)
		if err != nil {
			return momo.Message{}, fmt.Errorf("received_at is not RFC 3339")
		}
		m.ReceivedAt = t.UTC()
	}
	return m, nil
}
