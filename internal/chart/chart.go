// Package chart is the small chart model shared by the web pages (inline
// SVG) and the PDF reports (vector graphics drawn with fpdf): bar charts
// (one or several series per category, drawn horizontally so long labels
// stay readable) and line charts over years.
//
// A chart is laid out once into a Drawing — rectangles, lines, polylines
// and text in points, y growing downwards — by Layout, given a width and a
// function that measures text in the target's font. Each target then only
// paints the shapes: WriteSVG here, the report package's PDF painter
// there. So a chart looks the same on a page and in a report.
package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Missing marks a value that is not there (a year a State did not report):
// a gap in a line, no bar.
var Missing = math.NaN()

// Series is one named row of values, one per category or year.
type Series struct {
	Name   string
	Values []float64 // Missing for no value
}

// Bar is a bar chart: for each category, one bar per series.
type Bar struct {
	Title      string
	Desc       string // what the chart shows, for screen readers; derived when empty
	Categories []string
	Series     []Series
	Unit       string // printed after values; "%" for percentages (0–100)
	// Number prints the figures drawn (values, ticks) as the document's
	// language writes them; nil is Format.
	Number func(v float64, unit string) string
}

// Line is a line chart over years: one line per series.
type Line struct {
	Title  string
	Desc   string
	Years  []int
	Series []Series // Values aligned with Years
	Unit   string
	// Number prints the figures drawn (ticks) and Year the years as the
	// document's language writes them; nil is Format and strconv.Itoa.
	Number func(v float64, unit string) string
	Year   func(y int) string
}

// number is f, or Format when f is nil.
func number(f func(float64, string) string, v float64, unit string) string {
	if f == nil {
		return Format(v, unit)
	}
	return f(v, unit)
}

// Color is an RGB colour.
type Color struct{ R, G, B uint8 }

// Hex is the colour as #rrggbb.
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// palette is the series colours in order: Okabe and Ito's palette, told
// apart by people with colour-vision deficiencies, darkened where it would
// be too pale on white.
var palette = []Color{
	{0, 114, 178},   // blue
	{213, 94, 0},    // vermillion
	{0, 158, 115},   // bluish green
	{204, 121, 167}, // reddish purple
	{230, 159, 0},   // orange
	{86, 180, 233},  // sky blue
	{120, 120, 120}, // grey
	{180, 160, 0},   // dark yellow
}

// SeriesColor is the colour of the i-th series.
func SeriesColor(i int) Color { return palette[i%len(palette)] }

// Ticks returns between about n/2 and n+1 evenly spaced "nice" values (1, 2,
// 2.5 or 5 times a power of ten) covering [lo, hi]. The first tick is ≤ lo
// and the last ≥ hi. An empty or degenerate range gets [lo, lo+1] or
// [0, 1] with sensible ticks.
func Ticks(lo, hi float64, n int) []float64 {
	if n < 2 {
		n = 2
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else {
			d := math.Abs(lo) * 0.1
			lo, hi = lo-d, hi+d
		}
	}
	step := niceStep((hi - lo) / float64(n))
	start := math.Floor(lo/step) * step
	var ticks []float64
	for i := 0; ; i++ {
		v := start + float64(i)*step
		// Round away float noise (0.1+0.2) so labels print clean.
		v = math.Round(v/step*1e6) / 1e6 * step
		if v == 0 {
			v = 0 // no negative zero
		}
		ticks = append(ticks, v)
		if v >= hi-step*1e-9 || i > 1000 {
			break
		}
	}
	return ticks
}

func niceStep(raw float64) float64 {
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	f := raw / pow
	switch {
	case f <= 1:
		f = 1
	case f <= 2:
		f = 2
	case f <= 2.5:
		f = 2.5
	case f <= 5:
		f = 5
	default:
		f = 10
	}
	return f * pow
}

// Format prints a value for a label: thousands separated by commas,
// at most two decimals, trailing zeros dropped; unit appended ("%" without
// a space). Missing prints as "–".
func Format(v float64, unit string) string {
	if math.IsNaN(v) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteString("-")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(".")
		b.WriteString(frac)
	}
	switch unit {
	case "":
	case "%":
		b.WriteString("%")
	default:
		b.WriteString(" ")
		b.WriteString(unit)
	}
	return b.String()
}

// describe is the default accessible description of a bar chart: every
// figure, so a screen reader user reads what a sighted one sees.
func (c *Bar) describe() string {
	if c.Desc != "" {
		return c.Desc
	}
	var b strings.Builder
	b.WriteString("Bar chart")
	if len(c.Series) > 1 {
		b.WriteString(" of ")
		for i, s := range c.Series {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s.Name)
		}
	}
	b.WriteString(". ")
	for i, cat := range c.Categories {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(cat)
		b.WriteString(": ")
		for j, s := range c.Series {
			if j > 0 {
				b.WriteString(", ")
			}
			if len(c.Series) > 1 {
				b.WriteString(s.Name + " ")
			}
			b.WriteString(Format(value(s.Values, i), c.Unit))
		}
	}
	b.WriteString(".")
	return b.String()
}

func (c *Line) describe() string {
	if c.Desc != "" {
		return c.Desc
	}
	var b strings.Builder
	b.WriteString("Line chart")
	if len(c.Years) > 0 {
		fmt.Fprintf(&b, " from %d to %d", c.Years[0], c.Years[len(c.Years)-1])
	}
	b.WriteString(". ")
	for j, s := range c.Series {
		if j > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s.Name)
		b.WriteString(": ")
		for i, y := range c.Years {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d %s", y, Format(value(s.Values, i), c.Unit))
		}
	}
	b.WriteString(".")
	return b.String()
}

func value(vs []float64, i int) float64 {
	if i < len(vs) {
		return vs[i]
	}
	return Missing
}
