package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/momoanalytics/momo/internal/corpus"
)

// TestParseJSONL: one output line per input line, in order, whatever the
// input line holds; sender and time may be null or absent.
func TestParseJSONL(t *testing.T) {
	input := strings.Join([]string{
		`{"body": "*165*S*1000 RWF transferred to Eric Sample (250788000011) from 40000001 at 2025-03-02 10:00:00 . Fee was: 20 RWF. New balance: 5000 RWF.", "sender": "M-Money", "received_at": "2025-03-02T08:00:09Z"}`,
		`{"body": "Yello!Umaze kugura 500FRW(800MB) igura 500 RWF", "sender": null, "received_at": null}`,
		`{"body": "hello, how are you?"}`,
		`not json at all`,
		`{"body": "x", "received_at": "yesterday"}`,
	}, "\n")
	r := momoRun(t, t.TempDir(), nil, input, "parse", "--jsonl")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d output lines for 5 input lines:\n%s", len(lines), r.stdout)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"result": "parsed", "kind": "sent", "direction": "out", "amount": 1000.0, "fee": 20.0,
		"balance": 5000.0, "currency": "RWF", "counterparty": "Eric Sample", "tax": nil,
		"counterparty_number": "250788000011", "transaction_id": nil, "status": "completed",
		"occurred_at": "2025-03-02T10:00:00+02:00", "operator": "MTN MoMo", "country": "RW",
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s: got %v, want %v", k, first[k], v)
		}
	}
	for i, want := range []string{`"result":"parsed"`, `"result":"unrecognized"`, `"result":"invalid"`, `"result":"invalid"`} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("line %d: %s, want %s", i+2, lines[i+1], want)
		}
	}
}

func TestParseArgument(t *testing.T) {
	r := momoRun(t, t.TempDir(), nil, "", "parse", "A reversal has been initiated for your transaction to Eric Sample (250788000011) with 3000 RWF.")
	if r.code != 0 || !strings.Contains(r.stdout, `"kind":"reversal"`) || !strings.Contains(r.stdout, `"status":"pending"`) {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := momoRun(t, t.TempDir(), nil, "", "parse"); r.code != 2 || !strings.Contains(r.stderr, "give the SMS text") {
		t.Errorf("parse with nothing to parse: exit %d, %q; want 2 and what to do", r.code, r.stderr)
	}
}

// TestParseLabelled runs the labelled corpus through the command, the way
// ../shared/tools/check-parse does, and compares every labelled field.
func TestParseLabelled(t *testing.T) {
	cases := corpus.Load(t, "labelled.jsonl")
	var in strings.Builder
	for _, c := range cases {
		line, _ := json.Marshal(map[string]any{"body": c.Body, "sender": c.Sender, "received_at": c.ReceivedAt})
		in.Write(line)
		in.WriteByte('\n')
	}
	r := momoRun(t, t.TempDir(), nil, in.String(), "parse", "--jsonl")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != len(cases) {
		t.Fatalf("exit %d, %d lines for %d cases: %s", r.code, len(lines), len(cases), r.stderr)
	}
	for i, c := range cases {
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		for field, want := range c.Expect {
			if field == "companion_of" {
				continue
			}
			g := got[field]
			if field == "occurred_at" && want != nil && g != nil {
				g = g.(string)[:19]
			}
			if !equalJSON(want, g) {
				t.Errorf("line %d %s: want %v, got %v", c.Line, field, want, got[field])
			}
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestParseOddLines: blank, null, empty-object and over-long lines each
// still get their one answer, and the lines after them theirs.
func TestParseOddLines(t *testing.T) {
	long := `{"body": "` + strings.Repeat("x", maxLineBytes+10) + `"}`
	input := strings.Join([]string{"", "null", "{}", long, `{"body": "Yello!Umaze kugura 500FRW(800MB) igura 500 RWF"}`}, "\n") + "\n"
	r := momoRun(t, t.TempDir(), nil, input, "parse", "--jsonl")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 5 {
		t.Fatalf("exit %d, %d lines for 5: %s", r.code, len(lines), r.stderr)
	}
	for i := 0; i < 4; i++ {
		if !strings.Contains(lines[i], `"result":"invalid"`) {
			t.Errorf("line %d: %s", i+1, lines[i])
		}
	}
	if !strings.Contains(lines[4], `"kind":"bundle"`) {
		t.Errorf("the line after the odd ones: %s", lines[4])
	}
}
