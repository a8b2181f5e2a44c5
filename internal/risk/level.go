package risk

// Level names a band of scores. The bands are the product's promise (LOW
// below 40, MEDIUM below 60, HIGH below 80, CRITICAL from 80); Config can
// move the boundaries for an experiment.
type Level string

// The four levels, from least to most alarming.
const (
	Low      Level = "LOW"
	Medium   Level = "MEDIUM"
	High     Level = "HIGH"
	Critical Level = "CRITICAL"
)

// Levels lists the levels from least to most alarming.
var Levels = []Level{Low, Medium, High, Critical}

// Rank orders levels: 0 for LOW up to 3 for CRITICAL, and -1 for a string
// that is no level, so comparisons on stored values fail safe.
func (l Level) Rank() int {
	for i, v := range Levels {
		if v == l {
			return i
		}
	}
	return -1
}

// AtLeast reports whether l is as alarming as other or more.
func (l Level) AtLeast(other Level) bool { return l.Rank() >= other.Rank() }

// Bands are the lowest scores of MEDIUM, HIGH and CRITICAL.
type Bands struct {
	Medium, High, Critical int
}

// DefaultBands are the product's bands.
var DefaultBands = Bands{Medium: 40, High: 60, Critical: 80}

// Level returns the level of a score under these bands.
func (b Bands) Level(score int) Level {
	switch {
	case score >= b.Critical:
		return Critical
	case score >= b.High:
		return High
	case score >= b.Medium:
		return Medium
	}
	return Low
}

// LevelFor returns the level of a score under the product's bands.
func LevelFor(score int) Level { return DefaultBands.Level(score) }
