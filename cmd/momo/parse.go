package main

import (
	"bufio"
	"encoding/json"

	"fmt"
	"io"
	"strings"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/risk"
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

func runParse(e *env, args []string) error {
	fs := e.flags("parse", parseUsage)
	jsonl := fs.Bool("jsonl", false, "read JSON lines from standard input")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if !*jsonl && fs.NArg() == 0 {
		return usageError(fmt.Errorf("give the SMS text as an argument, or use --jsonl"))
	}

	book, err := e.book()
	if err != nil {
		return err
	}
	r := reader{book: book, risk: riskConfig(book)}
	out := json.NewEncoder(e.stdout)
	out.SetEscapeHTML(false)
	if *jsonl {
		return r.stream(e.stdin, out)
	}

	m := momo.Message{Body: strings.Join(fs.Args(), " "), Source: momo.SourceCLI}
	for _, res := range book.ParseAll(m) {
		if err := out.Encode(r.view(m, []smsparse.Result{res})); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	return nil
}

// reader parses texts and judges each SMS alone for signs of a fake.
type reader struct {
	book *smsparse.Book
	risk risk.Config
}

// view is the output line of one text: what ParseAll read, with the
// fake-SMS verdict of each SMS in it.
func (r reader) view(m momo.Message, results []smsparse.Result) smsparse.View {
	v := smsparse.NewResultsView(results)
	judge := func(dst *smsparse.View, res smsparse.Result) {
		one := m
		one.Body = res.Text
		s := risk.Inspect(r.risk, one, res.Parse)
		dst.Suspicious, dst.Suspicion, dst.Unchecked = s.Suspicious, nonNil(s.Reasons), s.Unchecked
	}
	if len(results) > 0 {
		judge(&v, results[0])
	}
	for i := range v.Messages {
		judge(&v.Messages[i], results[i])
	}
	return v
}

// stream answers every input line with exactly one output line, so a bad
// line becomes an "invalid" result in its place instead of shifting every
// later answer.
func (r reader) stream(in io.Reader, out *json.Encoder) error {
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
		if err := out.Encode(r.view(m, r.book.ParseAll(m))); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return momo.E(momo.CodeInvalid, "standard input: "+err.Error(), err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
