package chart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// HBars is a list of horizontal bars with their labels, such as the top
// counterparties or the fees and taxes paid. Each row puts the label and the
// formatted value on one line and the bar under them, so long names keep the
// full width on a phone. Items keep their order; negative values grow left
// from the zero line.
type HBars struct {
	Title  string
	Items  []Item
	Format func(int64) string // minor units to text; nil prints the integer
}

const (
	rowHeight = 30.0
	barHeight = 10.0
	maxDesc   = 12 // items named in <desc> before "and N more"
)

// SVG renders the chart; each bar is a <rect class="bar CLASS"> with
// data-label and data-value, and a <title> holding the uncut label.
func (h HBars) SVG() template.HTML {
	if len(h.Items) == 0 {
		return noData(h.Title)
	}

	format := formatter(h.Format)
	var lo, hi int64
	for _, it := range h.Items {
		lo, hi = min(lo, it.Value), max(hi, it.Value)
	}
	x := newScale(float64(lo), float64(hi), pad, width-pad)

	var c canvas
	c.b.Grow(300 * len(h.Items))
	for i, it := range h.Items {
		h.row(&c, x, pad+float64(i)*rowHeight, it, format(it.Value))
	}

	height := 2*pad + float64(len(h.Items))*rowHeight
	return document(height, h.Title, h.describe(format), c.b.Bytes())
}

// row draws one item from the top edge y; the label is cut to leave room for
// the value text on its right.
func (h HBars) row(c *canvas, x scale, y float64, it Item, value string) {
	room := width - 2*pad - textWidth(value) - 12
	label := cut(it.Label, max(4, int(room/charW)))
	c.text("name", "start", pad, y+12, label)
	c.text("tick", "end", width-pad, y+12, value)

	zero, end := x.at(0), x.at(float64(it.Value))
	c.rect("bar "+class(it.Class, 0), math.Min(zero, end), y+16, math.Abs(end-zero), barHeight)
	c.data(it.Label, "", it.Value)
	c.b.WriteString(`><title>`)
	escape(&c.b, it.Label+": "+value)
	c.b.WriteString(`</title></rect>`)
}

// describe lists the items in order, which is usually largest first.
func (h HBars) describe(format func(int64) string) string {
	var d strings.Builder
	d.WriteString("Horizontal bar chart, " + strconv.Itoa(len(h.Items)) + " items:")
	for i, it := range h.Items[:min(len(h.Items), maxDesc)] {
		if i > 0 {
			d.WriteString(";")
		}
		d.WriteString(" " + it.Label + " " + format(it.Value))
	}
	if n := len(h.Items) - maxDesc; n > 0 {
		d.WriteString("; and " + strconv.Itoa(n) + " more")
	}
	d.WriteString(".")
	return d.String()
}
