package risk

import (
	"fmt"
	"math"
	"strings"
)

// Figures are precision and recall of one prediction against the labels.
// Precision is 0 when nothing was flagged; Flagged and Actual tell.
type Figures struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	Flagged   int     `json:"flagged"` // events predicted positive
	Actual    int     `json:"actual"`  // events labelled positive
	Correct   int     `json:"correct"` // both
}

// ScenarioFigures tell how each kind of event fared.
type ScenarioFigures struct {
	Scenario  string  `json:"scenario"`
	Severity  Level   `json:"severity"`
	Events    int     `json:"events"`
	Caught    int     `json:"caught"` // at its severity or above; fakes: judged fake
	MeanScore float64 `json:"mean_score"`
}

// Evaluation is the engine measured on labelled histories.
//
// For MEDIUM, HIGH and CRITICAL, an event is predicted positive when its
// verdict is at that level or above, and labelled positive when its
// severity is at that level or above: "of what we flag HIGH or worse, how
// much deserves it, and how much of what deserves it do we flag". LOW reads
// the other way, as clearance: predicted when the verdict is LOW, labelled
// when the event is ordinary. FakeSMS compares Verdict.FakeSMS with the
// fake label.
type Evaluation struct {
	Seed        uint64            `json:"seed"`
	Subscribers int               `json:"subscribers"`
	Events      int               `json:"events"`
	Levels      map[Level]Figures `json:"levels"`
	FakeSMS     Figures           `json:"fake_sms"`
	Scenarios   []ScenarioFigures `json:"scenarios"`
}

// Evaluate replays each subscriber's events in order, each against the
// history before it, and scores the verdicts against the labels.
func Evaluate(cfg Config, subs []SimSubscriber) Evaluation {
	var t tally
	for _, sub := range subs {
		r := Replay{Config: cfg, Settings: sub.Settings}
		for _, e := range sub.Events {
			t.add(e.Label, r.Next(e.Candidate))
		}
	}
	ev := t.evaluation()
	ev.Subscribers = len(subs)
	return ev
}

// tally counts outcomes as the events are replayed.
type tally struct {
	events    int
	levels    map[Level]*counts
	fake      counts
	scenarios map[string]*scenarioCount
	order     []string
}

type counts struct{ flagged, actual, correct int }

func (c *counts) add(predicted, actual bool) {
	if predicted {
		c.flagged++
	}
	if actual {
		c.actual++
	}
	if predicted && actual {
		c.correct++
	}
}

type scenarioCount struct {
	severity       Level
	events, caught int
	scores         int
}

func (t *tally) add(l Label, v Verdict) {
	if t.levels == nil {
		t.levels = map[Level]*counts{}
		t.scenarios = map[string]*scenarioCount{}
	}
	t.events++
	for _, lv := range Levels {
		c := t.levels[lv]
		if c == nil {
			c = &counts{}
			t.levels[lv] = c
		}
		if lv == Low {
			c.add(v.Level == Low, l.Severity == Low && !l.Fake)
			continue
		}
		c.add(v.Level.AtLeast(lv), l.Severity.AtLeast(lv))
	}
	t.fake.add(v.FakeSMS, l.Fake)
	t.addScenario(l, v)
}

func (t *tally) addScenario(l Label, v Verdict) {
	sc := t.scenarios[l.Scenario]
	if sc == nil {
		sc = &scenarioCount{severity: l.Severity}
		t.scenarios[l.Scenario] = sc
		t.order = append(t.order, l.Scenario)
	}
	sc.events++
	sc.scores += v.Score
	caught := v.Level.AtLeast(l.Severity)
	switch {
	case l.Fake:
		caught = v.FakeSMS
	case l.Severity == Low:
		caught = v.Level == Low
	}
	if caught {
		sc.caught++
	}
}

func (t *tally) evaluation() Evaluation {
	ev := Evaluation{Events: t.events, Levels: map[Level]Figures{}, FakeSMS: t.fake.figures()}
	for lv, c := range t.levels {
		ev.Levels[lv] = c.figures()
	}
	for _, name := range t.order {
		sc := t.scenarios[name]
		ev.Scenarios = append(ev.Scenarios, ScenarioFigures{
			Scenario: name, Severity: sc.severity, Events: sc.events, Caught: sc.caught,
			MeanScore: round3(float64(sc.scores) / float64(sc.events)),
		})
	}
	return ev
}

func (c counts) figures() Figures {
	f := Figures{Flagged: c.flagged, Actual: c.actual, Correct: c.correct}
	if c.flagged > 0 {
		f.Precision = round3(float64(c.correct) / float64(c.flagged))
	}
	if c.actual > 0 {
		f.Recall = round3(float64(c.correct) / float64(c.actual))
	}
	return f
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// Table writes the evaluation for people: levels, fakes, then scenarios.
func (e Evaluation) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Risk evaluation: seed %d, %d subscribers, %d events\n\n", e.Seed, e.Subscribers, e.Events)
	fmt.Fprintf(&b, "%-10s %9s %7s %8s %7s\n", "", "precision", "recall", "flagged", "actual")
	for _, lv := range Levels {
		f := e.Levels[lv]
		name := string(lv) + "+"
		if lv == Low {
			name = "LOW (clear)"
		}
		fmt.Fprintf(&b, "%-10s %9.3f %7.3f %8d %7d\n", name, f.Precision, f.Recall, f.Flagged, f.Actual)
	}
	f := e.FakeSMS
	fmt.Fprintf(&b, "%-10s %9.3f %7.3f %8d %7d\n\n", "fake SMS", f.Precision, f.Recall, f.Flagged, f.Actual)

	fmt.Fprintf(&b, "%-18s %-9s %6s %6s %6s\n", "scenario", "severity", "events", "caught", "score")
	for _, s := range e.Scenarios {
		fmt.Fprintf(&b, "%-18s %-9s %6d %6d %6.1f\n", s.Scenario, s.Severity, s.Events, s.Caught, s.MeanScore)
	}
	b.WriteString("\nLevels count an event as flagged at a level when its score reaches that level or above, and as\n" +
		"deserving it when its label is that severe or more; LOW counts ordinary events left LOW.\n" +
		"\"caught\" is: at the labelled severity or above (ordinary: left LOW; fakes: judged fake).\n")
	return b.String()
}
