package risk

import (
	"testing"
)

func TestLevelFor(t *testing.T) {
	tests := []struct {
		score int
		want  Level
	}{
		{-5, Low}, {0, Low}, {39, Low},
		{40, Medium}, {59, Medium},
		{60, High}, {79, High},
		{80, Critical}, {100, Critical},
	}
	for _, tt := range tests {
		if got := LevelFor(tt.score); got != tt.want {
			t.Errorf("LevelFor(%d) = %s, want %s", tt.score, got, tt.want)
		}
	}
}

func TestLevelOrder(t *testing.T) {
	tests := []struct {
		a, b Level
		want bool
	}{
		{Critical, High, true}, {High, High, true}, {Medium, High, false},
		{Low, Low, true}, {Level("BOGUS"), Low, false},
	}
	for _, tt := range tests {
		if got := tt.a.AtLeast(tt.b); got != tt.want {
			t.Errorf("%s.AtLeast(%s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestScoreBoundaries drives Assess to exact scores with a single rule
// whose points are the score, and checks the level it lands in.
func TestScoreBoundaries(t *testing.T) {
	tests := []struct {
		points    int
		wantScore int
		want      Level
	}{
		{39, 39, Low}, {40, 40, Medium}, {59, 59, Medium}, {60, 60, High},
		{79, 79, High}, {80, 80, Critical}, {100, 100, Critical}, {170, 100, Critical},
	}
	for _, tt := range tests {
		cfg := Config{Points: map[Rule]int{RuleNight: tt.points}, Bands: DefaultBands, NightFrom: 22, NightUntil: 5, Operators: DefaultOperators()}
		v := Assess(cfg, transfer(1_000, 9_000, clock(23, 0, 0)), settings(), History{})
		if v.Score != tt.wantScore || v.Level != tt.want {
			t.Errorf("%d points: score %d %s, want %d %s", tt.points, v.Score, v.Level, tt.wantScore, tt.want)
		}
	}
}

func TestCustomBands(t *testing.T) {
	b := Bands{Medium: 10, High: 20, Critical: 30}
	if b.Level(9) != Low || b.Level(10) != Medium || b.Level(29) != High || b.Level(30) != Critical {
		t.Errorf("custom bands misplace scores")
	}
}
