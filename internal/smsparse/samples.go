package smsparse

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/momoanalytics/momo"
)

// samples are the invented test messages of testdata/cases.jsonl, one or
// more for every built-in template, in the labelled corpus's JSON-lines
// shape. They ship in the binary so that `momo templates test` can check a
// template file against every known shape without the source tree.
//
//go:embed testdata/cases.jsonl
var samples []byte

// Samples returns the built-in labelled samples as JSON lines.
func Samples() []byte { return samples }

// Mismatches compares a parsed view with a labelled "expect" object the way
// the corpus checker does: a null label means absent or null, names are
// compared with white space collapsed, occurred_at on its local date and
// time, numbers by value. It returns one line per field that differs.
func (v View) Mismatches(expect map[string]any) []string {
	got := v.fields()
	var out []string
	for field, want := range expect {
		if field == "companion_of" || field == "note" {
			continue
		}
		g, known := got[field]
		if !known {
			continue
		}
		if !sameValue(field, want, g) {
			out = append(out, fmt.Sprintf("%s: want %s, got %s", field, show(want), show(g)))
		}
	}
	return out
}

// fields gives the view's labelled fields as JSON would decode them.
func (v View) fields() map[string]any {
	str := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	money := func(a momo.Amount) any {
		if !a.Known {
			return nil
		}
		return float64(a.Minor)
	}
	f := map[string]any{
		"amount": money(v.Amount), "fee": money(v.Fee), "tax": money(v.Tax), "balance": money(v.Balance),
		"counterparty": str(v.Counterparty), "counterparty_number": str(v.CounterpartyNumber),
		"transaction_id": str(v.TransactionID), "occurred_at": str(v.OccurredAt),
		"operator": str(v.Operator), "country": str(v.Country), "template": str(v.Template),
		"kind": nil, "direction": nil, "status": nil, "currency": nil,
	}
	if v.Kind != nil {
		f["kind"] = string(*v.Kind)
	}
	if v.Direction != nil {
		f["direction"] = string(*v.Direction)
	}
	if v.Status != nil {
		f["status"] = string(*v.Status)
	}
	if v.Currency != nil {
		f["currency"] = string(*v.Currency)
	}
	return f
}

func sameValue(field string, want, got any) bool {
	if want == nil {
		return got == nil || got == ""
	}
	if got == nil {
		return false
	}
	switch w := want.(type) {
	case string:
		g, ok := got.(string)
		if !ok {
			return false
		}
		if field == "occurred_at" {
			return len(g) >= 19 && len(w) >= 19 && g[:19] == w[:19]
		}
		return strings.Join(strings.Fields(w), " ") == strings.Join(strings.Fields(g), " ")
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	}
	return fmt.Sprint(want) == fmt.Sprint(got)
}

func show(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
