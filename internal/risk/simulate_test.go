package risk

import (
	"reflect"
	"testing"

	"github.com/momoanalytics/momo"
)

func TestSimulateIsDeterministic(t *testing.T) {
	a, b := Simulate(42), Simulate(42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different histories")
	}
	if reflect.DeepEqual(a, Simulate(43)) {
		t.Fatal("different seeds gave the same histories")
	}
	if !reflect.DeepEqual(Evaluate(DefaultConfig(), a), Evaluate(DefaultConfig(), b)) {
		t.Fatal("the same histories evaluated differently")
	}
}

// TestSimulatedRwandaParses: every Rwanda message the generator writes is
// read by the real parser as the generator says, and every near miss is
// left unrecognized with MTN MoMo guessed. The evaluation is only as good
// as this agreement.
func TestSimulatedRwandaParses(t *testing.T) {
	for _, sub := range Simulate(1) {
		if sub.Currency != "RWF" {
			continue
		}
		for i, e := range sub.Events {
			got := parser(t).Parse(e.Message)
			if got.Outcome != e.Parse.Outcome || got.Operator != e.Parse.Operator {
				t.Fatalf("%s event %d (%s): parser says %s/%q, generator %s/%q", sub.Name, i, e.Label.Scenario, got.Outcome, got.Operator, e.Parse.Outcome, e.Parse.Operator)
			}
			if got.Outcome == momo.OutcomeParsed {
				compareTx(t, sub.Name, i, got.Transaction, e.Parse.Transaction)
			}
		}
	}
}

func compareTx(t *testing.T, who string, i int, got, want momo.Transaction) {
	t.Helper()
	same := got.Kind == want.Kind && got.Direction == want.Direction && got.Amount == want.Amount &&
		got.Fee == want.Fee && got.Balance == want.Balance && got.TransactionID == want.TransactionID &&
		got.Counterparty == want.Counterparty && got.CounterpartyNumber == want.CounterpartyNumber &&
		got.OccurredAt.Equal(want.OccurredAt) && got.Template == want.Template && got.Currency == want.Currency
	if !same {
		t.Fatalf("%s event %d:\n parser    %+v\n generator %+v", who, i, got, want)
	}
}

// TestSimulationShape: every scenario is present in both countries where it
// applies, and the genuine messages keep a balance chain.
func TestSimulationShape(t *testing.T) {
	subs := Simulate(1)
	if len(subs) != 4 {
		t.Fatalf("%d subscribers", len(subs))
	}
	seen := map[momo.Currency]map[string]int{}
	for _, sub := range subs {
		if seen[sub.Currency] == nil {
			seen[sub.Currency] = map[string]int{}
		}
		for _, e := range sub.Events {
			seen[sub.Currency][e.Label.Scenario]++
		}
	}
	for _, sc := range scenarios {
		if seen["RWF"][sc.name] == 0 || (sc.ghana && seen["GHS"][sc.name] == 0) {
			t.Errorf("scenario %s missing: RWF %d, GHS %d", sc.name, seen["RWF"][sc.name], seen["GHS"][sc.name])
		}
	}
	for _, cur := range []momo.Currency{"RWF", "GHS"} {
		if seen[cur]["ordinary"] < 500 || seen[cur]["send_back"] == 0 {
			t.Errorf("%s: %d ordinary, %d send-backs", cur, seen[cur]["ordinary"], seen[cur]["send_back"])
		}
	}
}
