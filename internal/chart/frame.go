package chart

import "math"

// frame is the plot area of a chart with a value axis on the left and one
// label per slot along the bottom, shared by Bars and Line.
type frame struct {
	left, right, top, bottom float64
	y                        scale
	n                        int
	slots                    bool // Bars: labels centre in n slots; Line: n points span the width
}

const (
	plotHeight = 240.0
	labelRow   = 24.0 // room under the plot for the x labels
	legendRow  = 16.0
)

// x returns the centre of slot i, or the position of point i.
func (f frame) x(i int) float64 {
	w := f.right - f.left
	if f.slots {
		return f.left + (float64(i)+0.5)*w/float64(f.n)
	}
	if f.n == 1 {
		return f.left + w/2
	}
	return f.left + float64(i)*w/float64(f.n-1)
}

// draw lays out and draws the legend, gridlines, value labels and thinned
// slot labels for values between lo and hi, and returns the frame so the
// caller can draw the data on top.
func draw(c *canvas, labels []string, series []Series, lo, hi int64, format func(int64) string, slots bool) frame {
	f := frame{n: len(labels), slots: slots, top: pad + fontSize/2, bottom: plotHeight - labelRow}
	if len(series) > 1 {
		f.top += legend(c, series)
	}

	marks := ticks(lo, hi)
	if !slots {
		lo, hi, marks = roundOut(lo, hi)
	}
	texts := make([]string, len(marks))
	widest := 0.0
	for i, t := range marks {
		texts[i] = format(t)
		widest = max(widest, textWidth(texts[i]))
	}
	labelW := 0.0
	for _, l := range labels {
		labelW = max(labelW, textWidth(cut(l, maxAxis)))
	}
	f.left = pad + min(max(widest+4, 20, labelW/2), 150)
	f.right = width - pad
	if !slots {
		f.right -= min(labelW/2, 40)
	}

	f.y = yScale(lo, hi, f)
	for i, t := range marks {
		y := f.y.at(float64(t))
		c.line("grid", f.left, y, f.right, y)
		c.text("tick", "end", f.left-4, y+4, texts[i])
	}
	if lo <= 0 && hi >= 0 {
		y := f.y.at(0)
		c.line("axis", f.left, y, f.right, y)
	}
	if !slots {
		// A line's scale starts where its data does, not at zero: the
		// baseline closes the plot under it.
		c.line("base", f.left, f.bottom, f.right, f.bottom)
	}

	f.xLabels(c, labels, labelW)
	return f
}

// yScale widens a flat range so it still has a height: upwards from zero
// when every value is zero, so zero stays the baseline, and evenly around a
// single value otherwise.
func yScale(lo, hi int64, f frame) scale {
	l, h := float64(lo), float64(hi)
	switch {
	case lo == hi && lo == 0:
		h = 1
	case lo == hi:
		l, h = l-math.Max(1, math.Abs(l)/10), h+math.Max(1, math.Abs(h)/10)
	}
	return newScale(l, h, f.bottom, f.top)
}

// xLabels writes every k-th label so that none overlap: 365 days on a phone
// become a label every month or so.
func (f frame) xLabels(c *canvas, labels []string, labelW float64) {
	fit := max(1, int((f.right-f.left)/(labelW+8)))
	step := (len(labels) + fit - 1) / fit
	for i := 0; i < len(labels); i += step {
		c.text("tick", "middle", f.x(i), f.bottom+18, cut(labels[i], maxAxis))
	}
}

// legend writes one swatch and name per series, wrapping onto more rows on a
// narrow box, and returns the height it used.
func legend(c *canvas, series []Series) float64 {
	x, y := pad, pad+fontSize/2
	for i, s := range series {
		name := cut(s.Name, 20)
		w := 14 + textWidth(name) + 10
		if x > pad && x+w > width-pad {
			x, y = pad, y+legendRow
		}
		c.rect("key "+class(s.Class, i), x, y-5, 10, 10)
		c.b.WriteString(`/>`)
		c.text("name", "start", x+14, y+4, name)
		x += w
	}
	return y - pad + legendRow - fontSize/2
}
