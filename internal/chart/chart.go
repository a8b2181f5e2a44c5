// Package chart draws small charts as inline SVG on the server.
//
// The dashboard runs under a Content-Security-Policy that forbids scripts and
// inline styles, so a chart is plain markup: shapes carry CSS classes (see
// chart.css) and every number a browser test or screen reader may want sits
// in data-label, data-series and data-value attributes. All text that comes
// from data (titles, labels, series names, and whatever Format returns) is
// cleaned and escaped: SMS counterparty names can hold anything.
package chart

import (
	"bytes"
	"hash/crc32"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Series is one row of values, one value per label. Class is the CSS class
// that colours it ("in", "out", "fee", "tax", "balance"); an empty or unsafe
// class falls back to "s1", "s2", … by position.
type Series struct {
	Name   string
	Class  string
	Values []int64
}

// Item is one horizontal bar. Class colours it like a series' class; an
// empty or unsafe one falls back to "s1".
type Item struct {
	Label string
	Value int64
	Class string
}

// Geometry shared by all charts, in viewBox units. The font size is set as a
// presentation attribute rather than in CSS so the width estimates below
// stay true whatever the page's stylesheet does; 400 units wide keeps 11-unit
// text near 10 px on a 360 px phone.
const (
	width    = 400.0
	fontSize = 11.0
	charW    = 6.5 // a generous average glyph width at fontSize
	pad      = 6.0
	maxAxis  = 16 // runes of an axis label before it is cut
)

// formatter returns f, or plain integer formatting when f is nil.
func formatter(f func(int64) string) func(int64) string {
	if f != nil {
		return f
	}
	return func(v int64) string { return strconv.FormatInt(v, 10) }
}

// canvas accumulates the body of one SVG document.
type canvas struct {
	b   bytes.Buffer
	num []byte
}

// coord writes a coordinate with one decimal, enough for a 400-unit box.
// Integer tenths are several times faster than strconv's float formatting,
// which matters with a thousand shapes per chart.
func (c *canvas) coord(x float64) {
	tenths := math.Round(x * 10)
	if math.IsNaN(tenths) || math.IsInf(tenths, 0) {
		tenths = 0 // unreachable by construction; never emit "NaN" into a path
	}
	t := int64(tenths)
	if t < 0 {
		c.b.WriteByte('-')
		t = -t
	}
	c.num = strconv.AppendInt(c.num[:0], t/10, 10)
	c.num = append(c.num, '.', byte('0'+t%10))
	c.b.Write(c.num)
}

func (c *canvas) attr(name string, x float64) {
	c.b.WriteByte(' ')
	c.b.WriteString(name)
	c.b.WriteString(`="`)
	c.coord(x)
	c.b.WriteByte('"')
}

// data writes the attributes a test or a script-less reader uses to recover
// the chart's numbers.
func (c *canvas) data(label, series string, v int64) {
	c.b.WriteString(` data-label="`)
	escape(&c.b, label)
	if series != "" {
		c.b.WriteString(`" data-series="`)
		escape(&c.b, series)
	}
	c.b.WriteString(`" data-value="`)
	c.num = strconv.AppendInt(c.num[:0], v, 10)
	c.b.Write(c.num)
	c.b.WriteByte('"')
}

func (c *canvas) rect(class string, x, y, w, h float64) {
	c.b.WriteString(`<rect class="`)
	c.b.WriteString(class)
	c.b.WriteByte('"')
	c.attr("x", x)
	c.attr("y", y)
	c.attr("width", math.Max(w, 0))
	c.attr("height", math.Max(h, 0))
}

func (c *canvas) line(class string, x1, y1, x2, y2 float64) {
	c.b.WriteString(`<line class="` + class + `"`)
	c.attr("x1", x1)
	c.attr("y1", y1)
	c.attr("x2", x2)
	c.attr("y2", y2)
	c.b.WriteString(`/>`)
}

// text writes escaped text; anchor is "start", "middle" or "end".
func (c *canvas) text(class, anchor string, x, y float64, s string) {
	c.b.WriteString(`<text class="` + class + `" text-anchor="` + anchor + `"`)
	c.attr("x", x)
	c.attr("y", y)
	c.b.WriteByte('>')
	escape(&c.b, s)
	c.b.WriteString(`</text>`)
}

// document wraps a body in the <svg> element. The id that ties the element
// to its <title> and <desc> is a hash of the content, so output stays
// deterministic and two different charts on one page get different ids.
func document(height float64, title, desc string, body []byte) template.HTML {
	h := crc32.NewIEEE() // hardware-assisted; a page holds a handful of charts
	io.WriteString(h, title)
	h.Write([]byte{0})
	io.WriteString(h, desc)
	h.Write([]byte{0})
	h.Write(body)
	id := "chart-" + strconv.FormatUint(uint64(h.Sum32()), 36)

	var head bytes.Buffer
	head.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 400 `)
	head.WriteString(strconv.FormatFloat(height, 'f', 1, 64))
	head.WriteString(`" font-size="11" role="img" aria-labelledby="` + id + `-t" aria-describedby="` + id + `-d">`)
	head.WriteString(`<title id="` + id + `-t">`)
	escape(&head, title)
	head.WriteString(`</title><desc id="` + id + `-d">`)
	escape(&head, desc)
	head.WriteString(`</desc>`)

	// A strings.Builder hands over its bytes without the copy that
	// bytes.Buffer.String makes: the body is most of the output.
	var b strings.Builder
	b.Grow(head.Len() + len(body) + len(`</svg>`))
	b.Write(head.Bytes())
	b.Write(body)
	b.WriteString(`</svg>`)
	// Every string from data above and in body went through escape.
	return template.HTML(b.String())
}

// noData is the small chart drawn when there is nothing to plot.
func noData(title string) template.HTML {
	var c canvas
	c.text("empty", "middle", width/2, 24, "No data")
	return document(40, title, "No data.", c.b.Bytes())
}

// escape writes s as text that is safe both in element content and inside a
// double- or single-quoted attribute, in HTML and in XML.
func escape(b *bytes.Buffer, s string) {
	if plain(s) {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		switch r = shown(r); r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
}

// plain reports whether s is printable ASCII that needs no escaping, as
// dates and most names are.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '&', c == '<', c == '>', c == '"', c == '\'':
			return false
		}
	}
	return true
}

// shown maps a rune to the one the chart draws. Ranging over a string already
// turns invalid UTF-8 into U+FFFD; control characters become spaces and
// non-characters become U+FFFD because XML 1.0 cannot carry them even as
// character references, and a chart must parse as XML.
func shown(r rune) rune {
	switch {
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return ' '
	case r == 0xfffe || r == 0xffff:
		return utf8.RuneError
	}
	return r
}

// clean returns s as the chart shows it, before escaping: what a browser
// reads back from a data-label or a <text>.
func clean(s string) string {
	return strings.Map(shown, s)
}

// cut shortens s to at most n runes, marking the cut with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n-1 {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// class returns c when it is a plain CSS class name, else the fallback for
// series number i. Classes come from our code today, but a class attribute
// is the one place escaping would not make a bad value harmless.
func class(c string, i int) string {
	ok := c != ""
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			ok = false
			break
		}
	}
	if ok {
		return c
	}
	return "s" + strconv.Itoa(i%4+1)
}

// textWidth estimates the drawn width of s.
func textWidth(s string) float64 {
	return float64(utf8.RuneCountInString(s)) * charW
}
