package chart

import _ "embed" // for Stylesheet

// Stylesheet colours the charts: they are inline SVG styled only by
// class, so that a Content-Security-Policy without inline styles lets
// them through. A page serves it beside its own stylesheet.
//
//go:embed chart.css
var Stylesheet string
