package smsparse_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/momoanalytics/momo"
	"github.com/momoanalytics/momo/internal/corpus"
	"github.com/momoanalytics/momo/internal/smsparse"
)

func book(tb testing.TB) *smsparse.Book {
	tb.Helper()
	b, err := smsparse.Builtin()
	if err != nil {
		tb.Fatalf("built-in templates: %v", err)
	}
	return b
}

func message(c corpus.Case) momo.Message {
	m := momo.Message{Body: c.Body}
	if c.Sender != nil {
		m.Sender = *c.Sender
	}
	if c.ReceivedAt != nil {
		m.ReceivedAt, _ = time.Parse(time.RFC3339, *c.ReceivedAt)
	}
	return m
}

// TestLabelled requires every labelled field of every corpus message to
// come out of the parser exactly as labelled.
func TestLabelled(t *testing.T) {
	b := book(t)
	for _, file := range []string{"labelled.jsonl", "other-operators.jsonl"} {
		for _, c := range corpus.Load(t, file) {
			t.Run(fmt.Sprintf("%s:%d", file, c.Line), func(t *testing.T) {
				got := view(t, b.Parse(message(c)))
				if got["result"] != "parsed" {
					t.Fatalf("unrecognized: %q", c.Body)
				}
				if got["operator"] != c.Operator || got["country"] != c.Country {
					t.Errorf("operator %v %v, want %s %s (template %v)", got["operator"], got["country"], c.Operator, c.Country, got["template"])
				}
				for field, want := range c.Expect {
					if field == "companion_of" {
						continue // a property of a pair, checked by the store tests
					}
					if !same(field, want, got[field]) {
						t.Errorf("%s: want %v, got %v (template %v)", field, want, got[field], got["template"])
					}
				}
			})
		}
	}
}

func view(t *testing.T, p momo.Parse) map[string]any {
	t.Helper()
	raw, err := json.Marshal(smsparse.NewView(p))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

// same compares a labelled value with the parser's, as the project's
// check-parse tool does: names with white space collapsed, times on their
// local date and time.
func same(field string, want, got any) bool {
	if want == nil {
		return got == nil
	}
	if got == nil {
		return false
	}
	switch w := want.(type) {
	case string:
		g, ok := got.(string)
		if field == "occurred_at" {
			return ok && len(g) >= 19 && g[:19] == w[:19]
		}
		return ok && strings.Join(strings.Fields(w), " ") == strings.Join(strings.Fields(g), " ")
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	}
	return fmt.Sprint(want) == fmt.Sprint(got)
}

// BenchmarkParse parses the real Rwanda mix: every body of the export, in
// its own proportions of templates.
func BenchmarkParse(b *testing.B) {
	bk := book(b)
	msgs := rwandaBodies(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		if p := bk.Parse(m); p.Outcome != momo.OutcomeParsed {
			b.Fatalf("unrecognized: %q", m.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkParseMixed parses every operator's shapes: the other operators'
// labelled messages and the invented cases, each with its sender id and
// again without one (a forwarded SMS), plus a slice of the Rwanda export.
func BenchmarkParseMixed(b *testing.B) {
	bk := book(b)
	var msgs []momo.Message
	for _, c := range append(corpus.Load(b, "other-operators.jsonl"), loadCases(b)...) {
		m := message(c)
		msgs = append(msgs, m)
		m.Sender = ""
		msgs = append(msgs, m)
	}
	rw := rwandaBodies(b)
	msgs = append(msgs, rw[:len(msgs)/4]...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bk.Parse(msgs[i%len(msgs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
