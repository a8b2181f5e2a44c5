package chart

import "math"

// Missing marks a value that is not known, such as a day without a balance
// SMS. Line breaks its line there and Bars draws no bar; neither emits an
// element for it. It is the smallest int64, which no real amount reaches.
const Missing int64 = math.MinInt64

// scale maps values in [lo, hi] onto positions in [p0, p1]; p1 may be less
// than p0, as on a vertical axis where larger values sit higher.
type scale struct {
	lo, hi, p0, p1 float64
}

// newScale refuses an empty domain by widening it, so that at never divides
// by zero; callers pick the widening that suits their chart first.
func newScale(lo, hi, p0, p1 float64) scale {
	if !(hi > lo) {
		hi = lo + 1
	}
	return scale{lo: lo, hi: hi, p0: p0, p1: p1}
}

func (s scale) at(v float64) float64 {
	return s.p0 + (v-s.lo)/(s.hi-s.lo)*(s.p1-s.p0)
}

// ticks returns about five round values (1, 2 or 5 times a power of ten,
// never below one minor unit) between lo and hi for gridlines. Floats keep
// the arithmetic safe from overflow at the ends of the int64 range.
func ticks(lo, hi int64) []int64 {
	if lo >= hi {
		return []int64{lo}
	}
	return ticksEvery(lo, hi, tickStep(lo, hi))
}

// tickStep is the distance between ticks over lo < hi.
func tickStep(lo, hi int64) float64 {
	span := float64(hi) - float64(lo)
	raw := span / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	return math.Max(step, 1)
}

func ticksEvery(lo, hi int64, step float64) []int64 {
	var out []int64
	for t := math.Ceil(float64(lo)/step) * step; t <= float64(hi) && len(out) < 12; t += step {
		out = append(out, toInt(t))
	}
	return out
}

// roundOut widens lo..hi to the ticks just outside it and returns those
// ticks, so that the top gridline is at or above the highest value and
// the bottom one at or below the lowest: a line would otherwise rise
// above its highest label.
func roundOut(lo, hi int64) (int64, int64, []int64) {
	if lo >= hi {
		return lo, hi, []int64{lo}
	}
	step := tickStep(lo, hi)
	l := toInt(math.Floor(float64(lo)/step) * step)
	h := toInt(math.Ceil(float64(hi)/step) * step)
	return l, h, ticksEvery(l, h, step)
}

// toInt converts a float that lies within the int64 range, clamping the
// rounding at either end that would otherwise make the conversion undefined.
func toInt(f float64) int64 {
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// valueRange returns the smallest and largest known value of the first n
// values of every series, and false when there is none.
func valueRange(series []Series, n int) (lo, hi int64, ok bool) {
	lo, hi = math.MaxInt64, math.MinInt64
	for _, s := range series {
		for _, v := range s.Values[:min(n, len(s.Values))] {
			if v == Missing {
				continue
			}
			lo, hi, ok = min(lo, v), max(hi, v), true
		}
	}
	return lo, hi, ok
}
