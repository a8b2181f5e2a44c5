package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"

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
		return r.stream(e.ctx, e.stdin, out)
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
// line (not JSON, no body, blank, too long) becomes an "invalid" result in
// its place instead of shifting every later answer. It stops when ctx is
// done.
func (r reader) stream(ctx context.Context, in io.Reader, out *json.Encoder) error {
	br := bufio.NewReaderSize(in, 64*1024)
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, tooLong, err := readLine(br, maxLineBytes)
		if errors.Is(err, io.EOF) && len(raw) == 0 && !tooLong {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return momo.E(momo.CodeInvalid, "standard input cannot be read", err)
		}
		if werr := out.Encode(r.answer(line, raw, tooLong)); werr != nil {
			return fmt.Errorf("write result: %w", werr)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// answer is the output line for one input line.
func (r reader) answer(line int, raw []byte, tooLong bool) any {
	invalid := func(why string) map[string]string {
		return map[string]string{"result": "invalid", "error": fmt.Sprintf("line %d: %s", line, why)}
	}
	switch {
	case tooLong:
		return invalid(fmt.Sprintf("longer than %d bytes", maxLineBytes))
	case len(bytes.TrimSpace(raw)) == 0:
		return invalid("empty line")
	}
	m, err := decodeParseInput(raw)
	if err != nil {
		return invalid(err.Error())
	}
	return r.view(m, r.book.ParseAll(m))
}

// readLine reads one line without its end, keeping at most limit bytes and
// reading past the rest so that the next line starts where it should.
func readLine(br *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > limit {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
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
	var in *parseInput
	if err := json.Unmarshal(line, &in); err != nil || in == nil || in.Body == "" {
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
