package chart

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Point is a position in points, y growing downwards.
type Point struct{ X, Y float64 }

// Shape is one thing to paint: Rect, Segment, Polyline, Circle or Text.
type Shape interface{ shape() }

// Rect is a filled rectangle.
type Rect struct {
	X, Y, W, H float64
	Fill       Color
}

// Segment is a straight line.
type Segment struct {
	X1, Y1, X2, Y2 float64
	Width          float64
	Stroke         Color
}

// Polyline is an open path through Points.
type Polyline struct {
	Points []Point
	Width  float64
	Stroke Color
}

// Circle is a filled disc.
type Circle struct {
	X, Y, R float64
	Fill    Color
}

// Anchor says which point of a text X is.
type Anchor int

const (
	Start Anchor = iota
	Middle
	End
)

// Text is one line of text; Y is its baseline.
type Text struct {
	X, Y   float64
	Size   float64
	S      string
	Anchor Anchor
	Fill   Color
	Bold   bool
}

func (Rect) shape()     {}
func (Segment) shape()  {}
func (Polyline) shape() {}
func (Circle) shape()   {}
func (Text) shape()     {}

// Drawing is a laid-out chart.
type Drawing struct {
	W, H   float64
	Title  string // the chart's title, for <title>
	Desc   string // its description, for <desc>
	Shapes []Shape
}

// Mirror flips the drawing left to right, for a right-to-left document:
// bars grow leftwards, category labels, ticks and legends sit on the
// right, time runs from right to left. Texts keep their own reading
// direction; only the side they are anchored on flips.
func (d *Drawing) Mirror() {
	for i, s := range d.Shapes {
		switch s := s.(type) {
		case Rect:
			s.X = d.W - s.X - s.W
			d.Shapes[i] = s
		case Segment:
			s.X1, s.X2 = d.W-s.X1, d.W-s.X2
			d.Shapes[i] = s
		case Polyline:
			pts := make([]Point, len(s.Points))
			for j, p := range s.Points {
				pts[j] = Point{X: d.W - p.X, Y: p.Y}
			}
			s.Points = pts
			d.Shapes[i] = s
		case Circle:
			s.X = d.W - s.X
			d.Shapes[i] = s
		case Text:
			s.X = d.W - s.X
			switch s.Anchor {
			case Start:
				s.Anchor = End
			case End:
				s.Anchor = Start
			}
			d.Shapes[i] = s
		}
	}
}

// Measure gives the width in points of s at a font size.
type Measure func(s string, size float64, bold bool) float64

// ApproxMeasure estimates widths for a browser's sans-serif font, on the
// generous side so SVG labels do not collide.
func ApproxMeasure(s string, size float64, bold bool) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il.,:;'|!", r):
			w += 0.3
		case r == ' ':
			w += 0.3
		case r >= 'A' && r <= 'Z', r == 'm', r == 'w', r == 'M', r == 'W':
			w += 0.72
		case wide(r):
			w += 1 // Chinese, Japanese, Korean and full-width forms: one em

		default:
			w += 0.58
		}
	}
	if bold {
		w *= 1.07
	}
	return w * size
}

// wide reports whether r is an East Asian wide character, drawn one em
// wide by every font.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xff60)
}

// Sizes and colours shared by every chart.
const (
	titleSize = 9
	labelSize = 7.5
	tickSize  = 7
	pad       = 4
)

var (
	ink   = Color{33, 33, 33}
	muted = Color{97, 97, 97}
	grid  = Color{221, 221, 221}
	axis  = Color{117, 117, 117}
)

// Ellipsis ends a label shortened to fit.
const Ellipsis = "…"

// Fit shortens s, at a word boundary where it can, until it is at most
// width wide, ending it with Ellipsis. s is returned as is when it fits.
func Fit(s string, width, size float64, bold bool, m Measure) string {
	if m(s, size, bold) <= width {
		return s
	}
	rs := []rune(s)
	for n := len(rs) - 1; n > 0; n-- {
		t := strings.TrimRight(string(rs[:n]), " ,;:-") + Ellipsis
		if m(t, size, bold) <= width {
			return t
		}
	}
	return Ellipsis
}

// Wrap breaks s into lines at most width wide, at spaces and between
// Chinese and Japanese characters, which need no space to break; a word
// wider than the line is broken between letters. At most maxLines lines
// (0: no limit); the last line kept is shortened with Fit when text
// remains.
func Wrap(s string, width, size float64, bold bool, m Measure, maxLines int) []string {
	var lines []string
	words, glued := breakable(s)
	cur := ""
	flush := func() {
		lines = append(lines, cur)
		cur = ""
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		try := w
		if cur != "" {
			if glued[i] {
				try = cur + w
			} else {
				try = cur + " " + w
			}
		}
		if m(try, size, bold) <= width {
			cur = try
			continue
		}
		if cur != "" {
			flush()
			i--
			continue
		}
		// One word wider than the line: break it after a hyphen if one
		// fits, else between letters.
		rs := []rune(w)
		n := len(rs)
		for n > 1 && m(string(rs[:n]), size, bold) > width {
			n--
		}
		for h := n; h > 1; h-- {
			if rs[h-1] == '-' && h < len(rs) {
				n = h
				break
			}
		}
		cur = string(rs[:n])
		flush()
		if n < len(rs) {
			words[i] = string(rs[n:])
			glued[i] = false
			i--
		}
	}
	if cur != "" || len(lines) == 0 {
		flush()
	}
	if maxLines > 0 && len(lines) > maxLines {
		rest := strings.Join(lines[maxLines-1:], " ")
		lines = append(lines[:maxLines-1], Fit(rest+" "+Ellipsis, width, size, bold, m))
		if last := lines[maxLines-1]; strings.HasSuffix(last, " "+Ellipsis) {
			lines[maxLines-1] = strings.TrimSuffix(last, " "+Ellipsis) + Ellipsis
		}
	}
	return lines
}

// breakable splits s at spaces and around each ideograph, so a line may
// break between two Chinese characters; glued[i] says that word i follows
// the one before without a space. Closing punctuation stays with the
// character before it, opening punctuation with the one after.
func breakable(s string) (words []string, glued []bool) {
	for _, f := range strings.Fields(s) {
		start, gluedNext := 0, false
		rs := []rune(f)
		for i := 1; i < len(rs); i++ {
			if !ideographic(rs[i-1]) && !ideographic(rs[i]) ||
				strings.ContainsRune(noLineStart, rs[i]) || strings.ContainsRune(noLineEnd, rs[i-1]) {
				continue
			}
			words, glued = append(words, string(rs[start:i])), append(glued, gluedNext)
			start, gluedNext = i, true
		}
		words, glued = append(words, string(rs[start:])), append(glued, gluedNext)
	}
	return words, glued
}

// ideographic: Han, kana, CJK symbols and full-width forms.
func ideographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// Punctuation that may not start or end a line (kinsoku).
const (
	noLineStart = "，。、：；！？）」』】》〉’”…%,.:;!?)]"
	noLineEnd   = "（「『【《〈‘“(["
)

// header lays out the title (up to three lines) and, with more than one
// series, a legend; it returns the y below them.
func header(d *Drawing, title string, series []Series, m Measure) float64 {
	y := float64(pad)
	if title != "" {
		for _, l := range Wrap(title, d.W-2*pad, titleSize, true, m, 3) {
			y += titleSize + 2
			d.Shapes = append(d.Shapes, Text{X: pad, Y: y, Size: titleSize, S: l, Fill: ink, Bold: true})
		}
		y += 4
	}
	if len(series) > 1 {
		x, sw := float64(pad), float64(labelSize)
		y += labelSize
		for i, s := range series {
			name := Fit(s.Name, d.W/2, labelSize, false, m)
			w := sw + 3 + m(name, labelSize, false) + 10
			if x+w > d.W-pad && x > pad {
				x = pad
				y += labelSize + 4
			}
			d.Shapes = append(d.Shapes,
				Rect{X: x, Y: y - sw + 1, W: sw, H: sw, Fill: SeriesColor(i)},
				Text{X: x + sw + 3, Y: y, Size: labelSize, S: name, Fill: ink})
			x += w
		}
		y += 6
	}
	return y
}

// Layout lays the bar chart out width points wide; its height follows
// from the number of categories and series.
func (c *Bar) Layout(width float64, m Measure) *Drawing {
	d := &Drawing{W: width, Title: c.Title, Desc: c.describe()}
	top := header(d, c.Title, c.Series, m)

	lo, hi := 0.0, 0.0
	valueW := 0.0
	for _, s := range c.Series {
		for i := range c.Categories {
			v := value(s.Values, i)
			if math.IsNaN(v) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			valueW = math.Max(valueW, m(number(c.Number, v, c.Unit), tickSize, false))
		}
	}
	if c.Unit == "%" && hi <= 100 && lo >= 0 {
		hi = 100
	}
	ticks := Ticks(lo, hi, 5)
	lo, hi = ticks[0], ticks[len(ticks)-1]

	labelW := 0.0
	for _, cat := range c.Categories {
		labelW = math.Max(labelW, m(cat, labelSize, false))
	}
	labelW = math.Min(labelW, width*0.38)
	plotX := pad + labelW + 6
	plotW := width - plotX - valueW - 4 - pad
	if plotW < 40 {
		plotW = 40
	}
	x := func(v float64) float64 { return plotX + (v-lo)/(hi-lo)*plotW }

	barH := 8.0 // a value label (tickSize) fits beside each bar
	lineH := labelSize + 1.5
	y := top
	var body []Shape
	for i, cat := range c.Categories {
		lines := Wrap(cat, labelW, labelSize, false, m, 2)
		band := math.Max(float64(len(c.Series))*barH, float64(len(lines))*lineH) + 6
		ly := y + band/2 - float64(len(lines))*lineH/2 + labelSize - 0.5
		for j, l := range lines {
			body = append(body, Text{X: plotX - 6, Y: ly + float64(j)*lineH, Size: labelSize, S: l, Anchor: End, Fill: ink})
		}
		by := y + (band-float64(len(c.Series))*barH)/2
		for j, s := range c.Series {
			v := value(s.Values, i)
			if !math.IsNaN(v) {
				x0, x1 := x(0), x(v)
				if x1 < x0 {
					x0, x1 = x1, x0
				}
				body = append(body, Rect{X: x0, Y: by + 0.5, W: x1 - x0, H: barH - 1, Fill: SeriesColor(j)})
				body = append(body, Text{X: math.Max(x(v), x(0)) + 3, Y: by + barH/2 + tickSize/2 - 1, Size: tickSize, S: number(c.Number, v, c.Unit), Fill: muted})
			}
			by += barH
		}
		y += band
	}
	bottom := y
	for _, t := range ticks {
		d.Shapes = append(d.Shapes,
			Segment{X1: x(t), Y1: top, X2: x(t), Y2: bottom, Width: 0.4, Stroke: grid},
			Text{X: x(t), Y: bottom + tickSize + 3, Size: tickSize, S: number(c.Number, t, c.Unit), Anchor: Middle, Fill: muted})
	}
	d.Shapes = append(d.Shapes, body...)
	d.Shapes = append(d.Shapes, Segment{X1: x(0), Y1: top, X2: x(0), Y2: bottom, Width: 0.7, Stroke: axis})
	d.H = bottom + tickSize + 3 + pad
	return d
}

// Layout lays the line chart out in width × height points.
func (c *Line) Layout(width, height float64, m Measure) *Drawing {
	d := &Drawing{W: width, H: height, Title: c.Title, Desc: c.describe()}
	top := header(d, c.Title, c.Series, m) + 6

	lo, hi := 0.0, math.Inf(-1)
	for _, s := range c.Series {
		for i := range c.Years {
			if v := value(s.Values, i); !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(hi, -1) {
		hi = 1
	}
	ticks := Ticks(lo, hi, 4)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	tickW := 0.0
	for _, t := range ticks {
		tickW = math.Max(tickW, m(number(c.Number, t, c.Unit), tickSize, false))
	}
	plotX := pad + tickW + 4
	plotW := width - plotX - pad - 8
	bottom := height - pad - tickSize - 4
	if bottom < top+30 {
		bottom = top + 30
		d.H = bottom + pad + tickSize + 4
	}
	y := func(v float64) float64 { return bottom - (v-lo)/(hi-lo)*(bottom-top) }
	first, last := 0, 1
	if len(c.Years) > 0 {
		first, last = c.Years[0], c.Years[len(c.Years)-1]
	}
	x := func(year int) float64 {
		if last == first {
			return plotX + plotW/2
		}
		return plotX + 4 + float64(year-first)/float64(last-first)*(plotW-8)
	}

	for _, t := range ticks {
		d.Shapes = append(d.Shapes,
			Segment{X1: plotX, Y1: y(t), X2: plotX + plotW, Y2: y(t), Width: 0.4, Stroke: grid},
			Text{X: plotX - 3, Y: y(t) + tickSize/2 - 1, Size: tickSize, S: number(c.Number, t, c.Unit), Anchor: End, Fill: muted})
	}
	d.Shapes = append(d.Shapes, Segment{X1: plotX, Y1: bottom, X2: plotX + plotW, Y2: bottom, Width: 0.7, Stroke: axis})
	// Year labels: every k-th, so that they never touch.
	if n := len(c.Years); n > 0 {
		yw := m("0000", tickSize, false) + 6
		k := 1
		if n > 1 {
			span := (plotW - 8) / float64(last-first) // points per year
			for float64(k)*span < yw {
				k++
			}
		}
		for _, yr := range c.Years {
			if (yr-first)%k != 0 {
				continue
			}
			d.Shapes = append(d.Shapes,
				Segment{X1: x(yr), Y1: bottom, X2: x(yr), Y2: bottom + 2, Width: 0.5, Stroke: axis},
				Text{X: x(yr), Y: bottom + tickSize + 3, Size: tickSize, S: year(c.Year, yr), Anchor: Middle, Fill: muted})
		}
	}
	for j, s := range c.Series {
		col := SeriesColor(j)
		var run []Point
		end := func() {
			if len(run) > 1 {
				d.Shapes = append(d.Shapes, Polyline{Points: run, Width: 1.2, Stroke: col})
			}
			run = nil
		}
		for i, yr := range c.Years {
			v := value(s.Values, i)
			if math.IsNaN(v) {
				end()
				continue
			}
			run = append(run, Point{x(yr), y(v)})
		}
		end()
		for i, yr := range c.Years {
			if v := value(s.Values, i); !math.IsNaN(v) {
				d.Shapes = append(d.Shapes, Circle{X: x(yr), Y: y(v), R: 1.4, Fill: col})
			}
		}
	}
	return d
}

// year is a year as a tick label: no grouping.
func year(f func(int) string, y int) string {
	if f == nil {
		return strconv.Itoa(y)
	}
	return f(y)
}
