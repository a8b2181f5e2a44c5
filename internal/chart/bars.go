package chart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Bars is a grouped vertical bar chart: one group per label (a month, a
// day), one bar per series in each group, such as money in and out per
// month. Values beyond the last label are ignored, a series shorter than
// Labels has no bars for the rest, and Missing values draw nothing. Negative
// values hang below the zero line.
type Bars struct {
	Title  string
	Labels []string
	Series []Series
	Format func(int64) string // minor units to text; nil prints the integer
}

// SVG renders the chart; each bar is a <rect class="bar CLASS"> with
// data-label, data-series and data-value.
func (b Bars) SVG() template.HTML {
	lo, hi, ok := valueRange(b.Series, len(b.Labels))
	if !ok {
		return noData(b.Title)
	}
	lo, hi = min(lo, 0), max(hi, 0)

	format := formatter(b.Format)
	var c canvas
	c.b.Grow(200 + 150*len(b.Labels)*len(b.Series))
	f := draw(&c, b.Labels, b.Series, lo, hi, format, true)
	b.bars(&c, f)

	return document(plotHeight, b.Title, b.describe(format), c.b.Bytes())
}

func (b Bars) bars(c *canvas, f frame) {
	slot := (f.right - f.left) / float64(len(b.Labels))
	inner := slot * 0.8
	if slot < 3 {
		inner = slot // a gap would be thinner than a hairline
	}
	barW := inner / float64(len(b.Series))
	zero := f.y.at(0)
	classes := make([]string, len(b.Series))
	for s, ser := range b.Series {
		classes[s] = "bar " + class(ser.Class, s)
	}

	for i, label := range b.Labels {
		x0 := f.x(i) - inner/2
		for s, ser := range b.Series {
			if i >= len(ser.Values) || ser.Values[i] == Missing {
				continue
			}
			v := ser.Values[i]
			y := f.y.at(float64(v))
			c.rect(classes[s], x0+float64(s)*barW, math.Min(y, zero), barW, math.Abs(zero-y))
			c.data(label, ser.Name, v)
			c.b.WriteString(`/>`)
		}
	}
}

// describe summarises the chart for screen readers: the span of labels, and
// per series its total and its largest value.
func (b Bars) describe(format func(int64) string) string {
	var d strings.Builder
	d.WriteString("Bar chart, " + strconv.Itoa(len(b.Labels)) + " groups")
	d.WriteString(span(b.Labels) + ".")

	for _, s := range b.Series {
		var total int64
		top, at := Missing, ""
		for i, v := range s.Values[:min(len(s.Values), len(b.Labels))] {
			if v == Missing {
				continue
			}
			total = addSat(total, v)
			if top == Missing || v > top {
				top, at = v, b.Labels[i]
			}
		}
		if top == Missing {
			d.WriteString(" " + named(s.Name) + ": no values.")
			continue
		}
		d.WriteString(" " + named(s.Name) + ": total " + format(total) + ", highest " + format(top) + " (" + at + ").")
	}
	return d.String()
}

// span names the first and last label, as in " from 2026-01 to 2026-12".
func span(labels []string) string {
	switch len(labels) {
	case 0:
		return ""
	case 1:
		return " for " + labels[0]
	}
	return " from " + labels[0] + " to " + labels[len(labels)-1]
}

func named(name string) string {
	if name == "" {
		return "Series"
	}
	return name
}

// addSat adds without wrapping round: a summary that overflows says "at
// least this much" rather than a wrong sign.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64 + 1
	}
	return s
}
