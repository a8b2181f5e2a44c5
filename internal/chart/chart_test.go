package chart

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/momoanalytics/momo"
)

// node is a parsed SVG element, enough to check structure and attributes.
type node struct {
	name     string
	attr     map[string]string
	text     string
	children []*node
}

// parse reads a chart as strict XML and fails the test when it is not.
func parse(t testing.TB, h template.HTML) *node {
	t.Helper()
	root, err := parseSVG(string(h))
	if err != nil {
		t.Fatalf("chart is not well-formed XML: %v\n%s", err, h)
	}
	return root
}

func parseSVG(s string) (*node, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("second root element <%s>", n.name)
				}
				root = n
			} else {
				stack[len(stack)-1].children = append(stack[len(stack)-1].children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				return nil, fmt.Errorf("text outside the root: %q", tok)
			}
			stack[len(stack)-1].text += string(tok)
		default:
			return nil, fmt.Errorf("unexpected token %T", tok)
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// find returns the elements below n, in document order, that have the
// given name and, if cls is not empty, that CSS class.
func (n *node) find(name, cls string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name && (cls == "" || hasClass(c.attr["class"], cls)) {
			out = append(out, c)
		}
		out = append(out, c.find(name, cls)...)
	}
	return out
}

func hasClass(list, cls string) bool {
	for _, c := range strings.Fields(list) {
		if c == cls {
			return true
		}
	}
	return false
}

func num(t testing.TB, n *node, attr string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr[attr], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.name, attr, n.attr[attr], err)
	}
	return f
}

// values lists data-series/data-label=data-value of the elements in order.
func values(ns []*node) string {
	var parts []string
	for _, n := range ns {
		p := n.attr["data-label"] + "=" + n.attr["data-value"]
		if s, ok := n.attr["data-series"]; ok {
			p = s + "/" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func ghs(v int64) string { return "GHS " + momo.Currency("GHS").Format(v) }

func TestBarsStructure(t *testing.T) {
	tests := []struct {
		name string
		bars Bars
		want string // data attributes of the bars, in order
	}{
		{
			name: "two series",
			bars: Bars{Labels: []string{"2026-01", "2026-02"}, Series: []Series{
				{Name: "In", Class: "in", Values: []int64{120000, 0}},
				{Name: "Out", Class: "out", Values: []int64{3000, 45050}},
			}},
			want: "In/2026-01=120000 Out/2026-01=3000 In/2026-02=0 Out/2026-02=45050",
		},
		{
			name: "missing and short series draw nothing",
			bars: Bars{Labels: []string{"a", "b", "c"}, Series: []Series{
				{Name: "In", Values: []int64{1, Missing, 3}},
				{Name: "Out", Values: []int64{4}},
			}},
			want: "In/a=1 Out/a=4 In/c=3",
		},
		{
			name: "values past the labels are ignored",
			bars: Bars{Labels: []string{"a"}, Series: []Series{{Name: "In", Values: []int64{5, 999}}}},
			want: "In/a=5",
		},
		{
			name: "negative values",
			bars: Bars{Labels: []string{"a", "b"}, Series: []Series{{Name: "Net", Values: []int64{-20, 10}}}},
			want: "Net/a=-20 Net/b=10",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := parse(t, tt.bars.SVG())
			if got := values(svg.find("rect", "bar")); got != tt.want {
				t.Errorf("bars = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBarsScale(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
	}{
		{"positive", []int64{100, 250, 0, 40}},
		{"with negatives", []int64{-300, 250, 0, 40}},
		{"all negative", []int64{-300, -20}},
		{"huge", []int64{math.MaxInt64, 1, math.MinInt64 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := make([]string, len(tt.values))
			for i := range labels {
				labels[i] = strconv.Itoa(i)
			}
			svg := parse(t, Bars{Labels: labels, Series: []Series{{Values: tt.values}}}.SVG())
			zero := num(t, svg.find("line", "axis")[0], "y1")
			top, bottom := math.Inf(1), math.Inf(-1)
			for _, r := range svg.find("rect", "bar") {
				y, h := num(t, r, "y"), num(t, r, "height")
				v, _ := strconv.ParseInt(r.attr["data-value"], 10, 64)
				top, bottom = math.Min(top, y), math.Max(bottom, y+h)
				// Zero is the baseline: every bar starts or ends on it.
				edge := y + h
				if v < 0 {
					edge = y
				}
				if math.Abs(edge-zero) > 0.11 {
					t.Errorf("bar %d spans %.1f..%.1f, not from the zero line at %.1f", v, y, y+h, zero)
				}
			}

			// The extremes reach the edges of the plot, which the
			// gridlines span.
			plotTop := pad + fontSize/2
			if math.Abs(top-plotTop) > 0.11 {
				t.Errorf("tallest bar reaches %.1f, want the plot top %.1f", top, plotTop)
			}
			wantBottom := zero
			if slicesMin(tt.values) < 0 {
				wantBottom = plotHeight - labelRow
			}
			if math.Abs(bottom-wantBottom) > 0.11 {
				t.Errorf("lowest bar edge %.1f, want %.1f", bottom, wantBottom)
			}
		})
	}
}

func slicesMin(v []int64) int64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func TestBarsGridAndFormat(t *testing.T) {
	b := Bars{Labels: []string{"Jan"}, Series: []Series{{Name: "In", Values: []int64{123450}}}, Format: ghs}
	svg := parse(t, b.SVG())

	var ticks []string
	for _, n := range svg.find("text", "tick") {
		ticks = append(ticks, n.text)
	}
	want := "GHS 0.00|GHS 500.00|GHS 1,000.00|Jan"
	if got := strings.Join(ticks, "|"); got != want {
		t.Errorf("axis texts = %q, want %q", got, want)
	}
	if got := len(svg.find("line", "grid")); got != 3 {
		t.Errorf("%d gridlines, want 3", got)
	}
	if d := svg.find("desc", "")[0].text; !strings.Contains(d, "highest GHS 1,234.50 (Jan)") {
		t.Errorf("desc %q does not state the highest value", d)
	}
	if got := len(svg.find("rect", "key")); got != 0 {
		t.Errorf("a single series drew %d legend keys", got)
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name     string
		values   []int64
		points   string
		segments int
	}{
		{"all known", []int64{5, -3, 8}, "B/a=5 B/b=-3 B/c=8", 1},
		{"gap splits the line", []int64{5, Missing, 8, 9}, "B/a=5 B/c=8 B/d=9", 2},
		{"short series", []int64{5}, "B/a=5", 1},
		{"all missing but one", []int64{Missing, Missing, 7, Missing}, "B/c=7", 1},
	}
	labels := []string{"a", "b", "c", "d"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Line{Labels: labels[:max(3, len(tt.values))], Series: []Series{{Name: "B", Class: "balance", Values: tt.values}}}
			svg := parse(t, l.SVG())
			if got := values(svg.find("circle", "pt")); got != tt.points {
				t.Errorf("points = %q, want %q", got, tt.points)
			}
			paths := svg.find("path", "line")
			if len(paths) != 1 || !hasClass(paths[0].attr["class"], "balance") {
				t.Fatalf("want one path of class balance, got %d", len(paths))
			}
			if got := strings.Count(paths[0].attr["d"], "M"); got != tt.segments {
				t.Errorf("path %q has %d segments, want %d", paths[0].attr["d"], got, tt.segments)
			}
		})
	}
}

func TestLineScale(t *testing.T) {
	l := Line{Labels: []string{"a", "b", "c"}, Series: []Series{{Values: []int64{-500, 200, 1000}}}}
	svg := parse(t, l.SVG())
	pts := svg.find("circle", "pt")

	top, bottom := pad+fontSize/2, plotHeight-labelRow
	if y := num(t, pts[2], "cy"); math.Abs(y-top) > 0.11 {
		t.Errorf("highest point at %.1f, want the plot top %.1f", y, top)
	}
	if y := num(t, pts[0], "cy"); math.Abs(y-bottom) > 0.11 {
		t.Errorf("lowest point at %.1f, want the plot bottom %.1f", y, bottom)
	}
	if x0, x2 := num(t, pts[0], "cx"), num(t, pts[2], "cx"); !(x0 < x2) {
		t.Errorf("points run right to left: %.1f, %.1f", x0, x2)
	}
	if len(svg.find("line", "axis")) != 1 {
		t.Error("a range across zero must draw the zero line")
	}
}

func TestHBars(t *testing.T) {
	long := "KWAME NKRUMAH MEMORIAL TRADING ENTERPRISE LIMITED ACCRA BRANCH"
	h := HBars{Format: ghs, Items: []Item{
		{Label: long, Value: 500000, Class: "out"},
		{Label: "Ama", Value: 125000},
		{Label: "Refund", Value: 0},
	}}
	svg := parse(t, h.SVG())
	bars := svg.find("rect", "bar")

	if got, want := values(bars), long+"=500000 Ama=125000 Refund=0"; got != want {
		t.Errorf("bars = %q, want %q", got, want)
	}
	if w := num(t, bars[0], "width"); math.Abs(w-(width-2*pad)) > 0.11 {
		t.Errorf("largest bar is %.1f wide, want the full %.1f", w, width-2*pad)
	}
	if w := num(t, bars[1], "width"); math.Abs(w-(width-2*pad)/4) > 0.11 {
		t.Errorf("quarter bar is %.1f wide, want %.1f", w, (width-2*pad)/4)
	}
	if !hasClass(bars[0].attr["class"], "out") || !hasClass(bars[1].attr["class"], "s1") {
		t.Errorf("classes %q, %q", bars[0].attr["class"], bars[1].attr["class"])
	}

	names := svg.find("text", "name")
	if !strings.HasSuffix(names[0].text, "…") || len(names[0].text) >= len(long) {
		t.Errorf("long label drawn uncut: %q", names[0].text)
	}
	if tip := bars[0].find("title", ""); len(tip) != 1 || tip[0].text != long+": GHS 5,000.00" {
		t.Errorf("bar tooltip = %+v", tip)
	}
}

func TestEmpty(t *testing.T) {
	tests := []struct {
		name   string
		svg    template.HTML
		noData bool
	}{
		{"bars zero value", Bars{}.SVG(), true},
		{"bars no series", Bars{Labels: []string{"a"}}.SVG(), true},
		{"bars no labels", Bars{Series: []Series{{Values: []int64{1}}}}.SVG(), true},
		{"bars all missing", Bars{Labels: []string{"a"}, Series: []Series{{Values: []int64{Missing}}}}.SVG(), true},
		{"bars all zero", Bars{Labels: []string{"a", "b"}, Series: []Series{{Values: []int64{0, 0}}}}.SVG(), false},
		{"bars one label", Bars{Labels: []string{"a"}, Series: []Series{{Values: []int64{7}}}}.SVG(), false},
		{"bars extremes", Bars{Labels: []string{"a", "b"}, Series: []Series{{Values: []int64{math.MaxInt64, math.MinInt64 + 1}}}}.SVG(), false},
		{"line zero value", Line{}.SVG(), true},
		{"line all missing", Line{Labels: []string{"a"}, Series: []Series{{Values: []int64{Missing}}}}.SVG(), true},
		{"line single point", Line{Labels: []string{"a"}, Series: []Series{{Values: []int64{-42}}}}.SVG(), false},
		{"line flat", Line{Labels: []string{"a", "b"}, Series: []Series{{Values: []int64{5, 5}}}}.SVG(), false},
		{"line negative", Line{Labels: []string{"a", "b"}, Series: []Series{{Values: []int64{-5, -9}}}}.SVG(), false},
		{"hbars zero value", HBars{}.SVG(), true},
		{"hbars all zero", HBars{Items: []Item{{Label: "a"}}}.SVG(), false},
		{"hbars negative", HBars{Items: []Item{{Label: "a", Value: -3}, {Label: "b", Value: 2}}}.SVG(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := parse(t, tt.svg)
			empty := svg.find("text", "empty")
			if tt.noData != (len(empty) == 1) {
				t.Fatalf("no-data text present = %v, want %v:\n%s", len(empty) == 1, tt.noData, tt.svg)
			}
			if strings.Contains(string(tt.svg), "NaN") || strings.Contains(string(tt.svg), "Inf") {
				t.Errorf("a coordinate is not a number:\n%s", tt.svg)
			}
		})
	}
}

func TestSVGElement(t *testing.T) {
	charts := map[string]template.HTML{
		"bars":  Bars{Title: "In and out", Labels: []string{"a"}, Series: []Series{{Values: []int64{1}}}}.SVG(),
		"line":  Line{Title: "Balance", Labels: []string{"a"}, Series: []Series{{Values: []int64{1}}}}.SVG(),
		"hbars": HBars{Title: "Top", Items: []Item{{Label: "a", Value: 1}}}.SVG(),
		"empty": Bars{Title: "Nothing"}.SVG(),
	}
	for name, h := range charts {
		t.Run(name, func(t *testing.T) {
			svg := parse(t, h)
			if svg.name != "svg" || svg.attr["class"] != "chart" || svg.attr["role"] != "img" {
				t.Fatalf("root = <%s class=%q role=%q>", svg.name, svg.attr["class"], svg.attr["role"])
			}
			if len(svg.children) < 2 || svg.children[0].name != "title" || svg.children[1].name != "desc" {
				t.Fatal("the first children must be <title> and <desc>")
			}
			if got, want := svg.attr["aria-labelledby"], svg.children[0].attr["id"]; got != want || want == "" {
				t.Errorf("aria-labelledby=%q, title id=%q", got, want)
			}
			if got, want := svg.attr["aria-describedby"], svg.children[1].attr["id"]; got != want || want == "" {
				t.Errorf("aria-describedby=%q, desc id=%q", got, want)
			}
			if strings.Contains(string(h), "style") || strings.Contains(string(h), "<script") {
				t.Error("chart carries a style or a script")
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	evil := "<script>alert(\"x\")</script> O'Neil & Sons\x00\x1b\r\n\xff\xfe end"
	want := clean(evil)
	if strings.ContainsAny(want, "\x00\x1b\r\n") || !strings.Contains(want, "\uFFFD") {
		t.Fatalf("clean(%q) = %q", evil, want)
	}

	charts := []template.HTML{
		Bars{Title: evil, Labels: []string{evil}, Series: []Series{{Name: evil, Class: `in" onload="x`, Values: []int64{1}}, {Name: evil, Values: []int64{2}}}}.SVG(),
		Line{Title: evil, Labels: []string{evil}, Series: []Series{{Name: evil, Values: []int64{1}}}}.SVG(),
		HBars{Title: evil, Items: []Item{{Label: evil, Value: 1, Class: "<b>"}}, Format: func(int64) string { return evil }}.SVG(),
	}
	for i, h := range charts {
		if strings.Contains(string(h), "<script") || strings.Contains(string(h), "onload") {
			t.Errorf("chart %d lets markup through:\n%s", i, h)
		}
		svg := parse(t, h)
		if got := svg.find("title", "")[0].text; got != want {
			t.Errorf("chart %d title = %q, want %q", i, got, want)
		}
		for _, n := range append(svg.find("rect", "bar"), svg.find("circle", "pt")...) {
			if n.attr["data-label"] != want {
				t.Errorf("chart %d data-label = %q, want %q", i, n.attr["data-label"], want)
			}
			if s, ok := n.attr["data-series"]; ok && s != want {
				t.Errorf("chart %d data-series = %q, want %q", i, s, want)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	b := year(2)
	first := b.SVG()
	for range 3 {
		if b.SVG() != first {
			t.Fatal("the same bars rendered differently")
		}
	}

	other := year(2)
	other.Series[0].Values[0]++
	if idOf(t, other.SVG()) == idOf(t, first) {
		t.Error("different charts share an element id")
	}
}

func idOf(t *testing.T, h template.HTML) string {
	t.Helper()
	return parse(t, h).children[0].attr["id"]
}

func TestLabelThinning(t *testing.T) {
	b := year(2)
	svg := parse(t, b.SVG())
	var shown []string
	for _, n := range svg.find("text", "tick") {
		if strings.HasPrefix(n.text, "2026-") {
			shown = append(shown, n.text)
		}
	}
	if len(shown) < 3 || len(shown) > 8 {
		t.Errorf("%d of 365 day labels shown, want 3 to 8: %v", len(shown), shown)
	}
	if shown[0] != "2026-01-01" {
		t.Errorf("first label shown = %q, want the first day", shown[0])
	}
	if got := len(svg.find("rect", "bar")); got != 730 {
		t.Errorf("%d bars, want 730", got)
	}
}

// year returns a Bars of 365 days with n series, like a yearly dashboard.
func year(n int) Bars {
	b := Bars{Title: "Per day", Format: ghs}
	start := 1767225600 // 2026-01-01 UTC
	for d := range 365 {
		b.Labels = append(b.Labels, unixDay(int64(start+d*86400)))
	}
	for s := range n {
		ser := Series{Name: "S" + strconv.Itoa(s), Class: []string{"in", "out", "fee"}[s%3]}
		for d := range 365 {
			ser.Values = append(ser.Values, int64((d*7919+s*104729)%500000))
		}
		b.Series = append(b.Series, ser)
	}
	return b
}

func BenchmarkBars365x2(b *testing.B) {
	bars := year(2)
	b.ReportAllocs()
	for b.Loop() {
		_ = bars.SVG()
	}
}

func BenchmarkLine365x2(b *testing.B) {
	y := year(2)
	l := Line(y) // same data drawn as lines
	b.ReportAllocs()
	for b.Loop() {
		_ = l.SVG()
	}
}

func BenchmarkHBars20(b *testing.B) {
	h := HBars{Title: "Top", Format: ghs}
	for i := range 20 {
		h.Items = append(h.Items, Item{Label: "Counterparty " + strconv.Itoa(i), Value: int64(100000 - i*4000)})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.SVG()
	}
}

// TestLineGridEnclosesData: the top gridline is at or above the highest
// point and the bottom one at or below the lowest, wherever the values
// fall between round numbers; a baseline closes the plot; the x labels
// shown are evenly spaced, by index and on the page.
func TestLineGridEnclosesData(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
	}{
		{"peak between ticks", []int64{63450, 39150, 20900, 88230, 71000}},
		{"just above a round number", []int64{900, 1001, 950}},
		{"negative", []int64{-1230, -560, -990}},
		{"across zero", []int64{-17, 3, 26}},
		{"flat", []int64{5000, 5000, 5000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := make([]string, len(tt.values))
			for i := range labels {
				labels[i] = "d" + strconv.Itoa(i)
			}
			svg := parse(t, Line{Labels: labels, Series: []Series{{Values: tt.values}}}.SVG())
			top, bottom := math.Inf(1), math.Inf(-1)
			for _, g := range svg.find("line", "grid") {
				top, bottom = math.Min(top, num(t, g, "y1")), math.Max(bottom, num(t, g, "y1"))
			}
			for _, p := range svg.find("circle", "pt") {
				if y := num(t, p, "cy"); y < top-0.11 || y > bottom+0.11 {
					t.Errorf("point %s at y %.1f outside the gridlines %.1f..%.1f", p.attr["data-value"], y, top, bottom)
				}
			}
			base := svg.find("line", "base")
			if len(base) != 1 || num(t, base[0], "y1") < bottom-0.11 {
				t.Errorf("want one baseline at or under the lowest gridline %.1f, got %d", bottom, len(base))
			}
		})
	}

	// 60 labels thin out to every k-th: equal steps of index and of x.
	l := Line(year(1))
	l.Labels, l.Series[0].Values = l.Labels[:60], l.Series[0].Values[:60]
	var idx []int
	var xs []float64
	for _, n := range parse(t, l.SVG()).find("text", "tick") {
		if i := slices.Index(l.Labels, n.text); i >= 0 {
			idx, xs = append(idx, i), append(xs, num(t, n, "x"))
		}
	}
	if len(idx) < 3 || idx[0] != 0 {
		t.Fatalf("labels shown at %v", idx)
	}
	for i := 2; i < len(idx); i++ {
		if idx[i]-idx[i-1] != idx[1]-idx[0] || math.Abs((xs[i]-xs[i-1])-(xs[1]-xs[0])) > 0.11 {
			t.Errorf("labels not evenly spaced: indexes %v, x %v", idx, xs)
			break
		}
	}
}
