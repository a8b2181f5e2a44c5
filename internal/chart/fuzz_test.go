package chart

import (
	"strings"
	"testing"
	"time"
)

func unixDay(sec int64) string { return time.Unix(sec, 0).UTC().Format("2006-01-02") }

// The only elements and attributes a chart may contain. A label that opened
// an element or an attribute would show up as a name outside these sets.
var (
	allowedElements = map[string]bool{
		"svg": true, "title": true, "desc": true, "rect": true, "line": true,
		"path": true, "circle": true, "text": true,
	}
	allowedAttrs = map[string]bool{
		"xmlns": true, "class": true, "viewBox": true, "font-size": true, "role": true,
		"aria-labelledby": true, "aria-describedby": true, "id": true,
		"x": true, "y": true, "width": true, "height": true, "x1": true, "y1": true,
		"x2": true, "y2": true, "cx": true, "cy": true, "r": true, "d": true,
		"text-anchor": true, "data-label": true, "data-series": true, "data-value": true,
	}
)

func FuzzCharts(f *testing.F) {
	f.Add("2026-01", "In", "Money", int64(1250))
	f.Add("<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "a & b", int64(-3))
	f.Add("O'Neil \"Ltd\"", "x' onload='y", "]]><!--", int64(0))
	f.Add("\x00\x01\x1f\x7f\u0085\r\n\t", "\xff\xfe\xc3", "\ufffe\uffff", int64(-9223372036854775808))
	f.Add("&lt;&amp;", "</svg><svg onload=x>", "<title>", int64(9223372036854775807))

	f.Fuzz(func(t *testing.T, label, name, title string, v int64) {
		format := func(int64) string { return name + label }
		bars := Bars{Title: title, Labels: []string{label, name}, Format: format,
			Series: []Series{{Name: name, Class: label, Values: []int64{v, 1}}, {Name: label, Values: []int64{0, v}}}}
		line := Line{Title: title, Labels: []string{label, name, title}, Format: format,
			Series: []Series{{Name: name, Class: name, Values: []int64{v, Missing, -v}}}}
		hbars := HBars{Title: title, Format: format,
			Items: []Item{{Label: label, Value: v, Class: title}, {Label: name, Value: 3}}}

		for _, h := range []string{string(bars.SVG()), string(line.SVG()), string(hbars.SVG())} {
			root, err := parseSVG(h)
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, h)
			}
			checkTree(t, root, h)
			if got := root.find("title", "")[0].text; got != clean(title) {
				t.Fatalf("title %q, want %q", got, clean(title))
			}
			for _, n := range append(root.find("rect", "bar"), root.find("circle", "pt")...) {
				if l := n.attr["data-label"]; l != clean(label) && l != clean(name) && l != clean(title) {
					t.Fatalf("data-label %q is none of the labels", l)
				}
			}
			if strings.Contains(strings.ToLower(h), "<script") {
				t.Fatalf("script element in output:\n%s", h)
			}
		}
	})
}

// checkTree fails when any element or attribute is outside the allowed
// sets, or any element other than text, title and desc holds text.
func checkTree(t *testing.T, n *node, doc string) {
	t.Helper()
	if !allowedElements[n.name] {
		t.Fatalf("element <%s> in\n%s", n.name, doc)
	}
	for a := range n.attr {
		if !allowedAttrs[a] {
			t.Fatalf("attribute %s on <%s> in\n%s", a, n.name, doc)
		}
	}
	if n.text != "" && n.name != "text" && n.name != "title" && n.name != "desc" {
		t.Fatalf("<%s> holds text %q", n.name, n.text)
	}
	for _, c := range n.children {
		checkTree(t, c, doc)
	}
}
