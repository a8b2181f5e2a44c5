package chart

import (
	"html/template"
	"strconv"
	"strings"
)

// Line draws one line per series over the labels, such as the balance per
// day. Values may be negative. A Missing value leaves a gap in the line and
// no point; values beyond the last label are ignored. The value axis runs
// from the gridline at or below the lowest value to the one at or above the
// highest, not from zero, so a balance moving between 900 and 1,000 still
// shows its movement; a baseline closes the plot at the bottom.
type Line struct {
	Title  string
	Labels []string
	Series []Series
	Format func(int64) string // minor units to text; nil prints the integer
}

// SVG renders the chart: a <path class="line CLASS"> per series and a
// <circle class="pt CLASS"> per known value, carrying data-label,
// data-series and data-value.
func (l Line) SVG() template.HTML {
	lo, hi, ok := valueRange(l.Series, len(l.Labels))
	if !ok {
		return noData(l.Title)
	}

	format := formatter(l.Format)
	var c canvas
	c.b.Grow(200 + 140*len(l.Labels)*len(l.Series))
	f := draw(&c, l.Labels, l.Series, lo, hi, format, false)
	for s, ser := range l.Series {
		l.path(&c, f, s, ser)
	}
	for s, ser := range l.Series {
		l.points(&c, f, s, ser)
	}

	return document(plotHeight, l.Title, l.describe(format), c.b.Bytes())
}

// path writes the series as one path whose segments restart after each gap.
func (l Line) path(c *canvas, f frame, s int, ser Series) {
	c.b.WriteString(`<path class="line ` + class(ser.Class, s) + `" d="`)
	move := true
	for i := range l.Labels {
		if i >= len(ser.Values) || ser.Values[i] == Missing {
			move = true
			continue
		}
		if move {
			c.b.WriteByte('M')
		} else {
			c.b.WriteByte('L')
		}
		move = false
		c.coord(f.x(i))
		c.b.WriteByte(' ')
		c.coord(f.y.at(float64(ser.Values[i])))
	}
	c.b.WriteString(`"/>`)
}

// points marks every known value; the dots also show values that have no
// neighbour to draw a segment to.
func (l Line) points(c *canvas, f frame, s int, ser Series) {
	r := min(max((f.right-f.left)/float64(len(l.Labels))/3, 0.8), 3)
	cls := "pt " + class(ser.Class, s)
	for i, label := range l.Labels {
		if i >= len(ser.Values) || ser.Values[i] == Missing {
			continue
		}
		c.b.WriteString(`<circle class="` + cls + `"`)
		c.attr("cx", f.x(i))
		c.attr("cy", f.y.at(float64(ser.Values[i])))
		c.attr("r", r)
		c.data(label, ser.Name, ser.Values[i])
		c.b.WriteString(`/>`)
	}
}

// describe summarises each series by its first, last, lowest and highest
// known value and how many are missing.
func (l Line) describe(format func(int64) string) string {
	var d strings.Builder
	d.WriteString("Line chart, " + strconv.Itoa(len(l.Labels)) + " points")
	d.WriteString(span(l.Labels) + ".")

	for _, s := range l.Series {
		first, last, missing := -1, -1, 0
		lo, hi := -1, -1
		for i := range l.Labels {
			if i >= len(s.Values) || s.Values[i] == Missing {
				missing++
				continue
			}
			if first < 0 {
				first = i
			}
			last = i
			if lo < 0 || s.Values[i] < s.Values[lo] {
				lo = i
			}
			if hi < 0 || s.Values[i] > s.Values[hi] {
				hi = i
			}
		}
		d.WriteString(" " + named(s.Name) + ": ")
		if first < 0 {
			d.WriteString("no values.")
			continue
		}
		d.WriteString("from " + format(s.Values[first]) + " to " + format(s.Values[last]))
		d.WriteString(", lowest " + format(s.Values[lo]) + " (" + l.Labels[lo] + ")")
		d.WriteString(", highest " + format(s.Values[hi]) + " (" + l.Labels[hi] + ")")
		if missing > 0 {
			d.WriteString(", " + strconv.Itoa(missing) + " missing")
		}
		d.WriteString(".")
	}
	return d.String()
}
