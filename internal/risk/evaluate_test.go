package risk

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFigures(t *testing.T) {
	tests := []struct {
		c    counts
		want Figures
	}{
		{counts{flagged: 4, actual: 5, correct: 3}, Figures{Precision: 0.75, Recall: 0.6, Flagged: 4, Actual: 5, Correct: 3}},
		{counts{flagged: 0, actual: 5}, Figures{Actual: 5}},
		{counts{flagged: 3, actual: 0}, Figures{Flagged: 3}},
		{counts{flagged: 3, actual: 3, correct: 2}, Figures{Precision: 0.667, Recall: 0.667, Flagged: 3, Actual: 3, Correct: 2}},
	}
	for _, tt := range tests {
		if got := tt.c.figures(); got != tt.want {
			t.Errorf("%+v: %+v, want %+v", tt.c, got, tt.want)
		}
	}
}

// TestTallyDefinitions checks what counts where on a handful of events.
func TestTallyDefinitions(t *testing.T) {
	var tl tally
	tl.add(Label{Scenario: "ordinary", Severity: Low}, Verdict{Level: Low})
	tl.add(Label{Scenario: "ordinary", Severity: Low}, Verdict{Level: Medium})
	tl.add(Label{Scenario: "drain", Severity: High}, Verdict{Level: Critical})
	tl.add(Label{Scenario: "drain", Severity: High}, Verdict{Level: Medium})
	tl.add(Label{Scenario: "fake", Severity: Critical, Fake: true}, Verdict{Level: Medium, FakeSMS: true})
	ev := tl.evaluation()

	want := map[Level]Figures{
		Low:      {Precision: 1, Recall: 0.5, Flagged: 1, Actual: 2, Correct: 1},
		Medium:   {Precision: 0.75, Recall: 1, Flagged: 4, Actual: 3, Correct: 3},
		High:     {Precision: 1, Recall: 0.333, Flagged: 1, Actual: 3, Correct: 1},
		Critical: {Precision: 0, Recall: 0, Flagged: 1, Actual: 1, Correct: 0},
	}
	for lv, w := range want {
		if got := ev.Levels[lv]; got != w {
			t.Errorf("%s: %+v, want %+v", lv, got, w)
		}
	}
	if ev.FakeSMS != (Figures{Precision: 1, Recall: 1, Flagged: 1, Actual: 1, Correct: 1}) {
		t.Errorf("fake: %+v", ev.FakeSMS)
	}
}

// TestEvaluationFigures guards the engine's quality on the default seed.
// The floors sit a little under today's figures, so a change that makes
// the engine worse fails here and has to say why.
func TestEvaluationFigures(t *testing.T) {
	ev := Evaluate(DefaultConfig(), Simulate(1))
	floors := []struct {
		name      string
		got, want float64
	}{
		{"LOW clearance recall", ev.Levels[Low].Recall, 0.97},
		{"MEDIUM precision", ev.Levels[Medium].Precision, 0.85},
		{"MEDIUM recall", ev.Levels[Medium].Recall, 0.85},
		{"HIGH precision", ev.Levels[High].Precision, 0.9},
		{"HIGH recall", ev.Levels[High].Recall, 0.55},
		{"fake precision", ev.FakeSMS.Precision, 0.8},
		{"fake recall", ev.FakeSMS.Recall, 0.95},
	}
	for _, f := range floors {
		if f.got < f.want {
			t.Errorf("%s = %.3f, below %.2f", f.name, f.got, f.want)
		}
	}
	t.Logf("\n%s", ev.Table())
}

func TestEvaluationJSON(t *testing.T) {
	ev := Evaluate(DefaultConfig(), Simulate(2))
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var shape struct {
		Levels map[string]struct {
			Precision *float64 `json:"precision"`
			Recall    *float64 `json:"recall"`
		} `json:"levels"`
		FakeSMS struct {
			Precision *float64 `json:"precision"`
			Recall    *float64 `json:"recall"`
		} `json:"fake_sms"`
	}
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatal(err)
	}
	for _, lv := range Levels {
		f, ok := shape.Levels[string(lv)]
		if !ok || f.Precision == nil || f.Recall == nil {
			t.Errorf("levels.%s missing precision or recall: %s", lv, data)
		}
	}
	if shape.FakeSMS.Precision == nil || shape.FakeSMS.Recall == nil {
		t.Errorf("fake_sms missing: %s", data)
	}
}

func TestEvaluationTable(t *testing.T) {
	ev := Evaluate(DefaultConfig(), Simulate(1))
	ev.Seed = 1
	table := ev.Table()
	for _, want := range []string{"seed 1", "HIGH+", "CRITICAL+", "fake SMS", "night_large_new", "send_back"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}
