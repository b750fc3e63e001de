package chart

import (
	"encoding/xml"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTicks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		want   []float64
	}{
		{"a range from zero gets round steps", 0, 87, []float64{0, 20, 40, 60, 80, 100}},
		{"percentages to 100 step by 20", 0, 100, []float64{0, 20, 40, 60, 80, 100}},
		{"small values step by fractions", 0, 0.9, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{"negative ranges start below the lowest value", -12, 30, []float64{-20, -10, 0, 10, 20, 30}},
		{"an empty range becomes zero to one", 0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{"large values step by a power of ten", 0, 41234, []float64{0, 10000, 20000, 30000, 40000, 50000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Ticks(tt.lo, tt.hi, 5)
			if len(got) != len(tt.want) {
				t.Fatalf("Ticks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Fatalf("Ticks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
				}
			}
		})
	}
}

func TestTicksCoverTheRange(t *testing.T) {
	for _, r := range [][2]float64{{0, 1}, {3, 7}, {0, 193}, {-5, -1}, {0.001, 0.0042}, {1e6, 1.7e9}, {17, 17}} {
		ts := Ticks(r[0], r[1], 5)
		if ts[0] > r[0] || ts[len(ts)-1] < r[1] {
			t.Errorf("Ticks(%v, %v) = %v, do not cover the range", r[0], r[1], ts)
		}
		if len(ts) < 3 || len(ts) > 8 {
			t.Errorf("Ticks(%v, %v) = %v, want 3 to 8 ticks", r[0], r[1], ts)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{1234567, "", "1,234,567"},
		{12.5, "%", "12.5%"},
		{0.333333, "", "0.33"},
		{-1500, "USD", "-1,500 USD"},
		{100, "", "100"},
		{math.NaN(), "", "–"},
	}
	for _, tt := range tests {
		if got := Format(tt.v, tt.unit); got != tt.want {
			t.Errorf("Format(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestWrapAndFit(t *testing.T) {
	m := func(s string, size float64, bold bool) float64 { return float64(len([]rune(s))) } // one point per rune
	t.Run("wrapping keeps every word within the width", func(t *testing.T) {
		lines := Wrap("the quick brown fox jumps over the lazy dog", 10, 1, false, m, 0)
		if strings.Join(lines, " ") != "the quick brown fox jumps over the lazy dog" {
			t.Fatalf("got %q, lost words", lines)
		}
		for _, l := range lines {
			if len(l) > 10 {
				t.Errorf("line %q is wider than 10", l)
			}
		}
	})
	t.Run("a word wider than the line is broken", func(t *testing.T) {
		lines := Wrap("Telecommunications", 5, 1, false, m, 0)
		if strings.Join(lines, "") != "Telecommunications" || len(lines) != 4 {
			t.Fatalf("got %q", lines)
		}
	})
	t.Run("a hyphenated word breaks after its hyphen", func(t *testing.T) {
		lines := Wrap("Asia-Pacific", 8, 1, false, m, 0)
		if len(lines) != 2 || lines[0] != "Asia-" || lines[1] != "Pacific" {
			t.Fatalf("got %q, want [Asia- Pacific]", lines)
		}
	})
	t.Run("too many lines end with an ellipsis", func(t *testing.T) {
		lines := Wrap("one two three four five six", 9, 1, false, m, 2)
		if len(lines) != 2 || !strings.HasSuffix(lines[1], Ellipsis) || len([]rune(lines[1])) > 9 {
			t.Fatalf("got %q, want two lines, the last ending in %q within 9", lines, Ellipsis)
		}
	})
	t.Run("fit leaves short text alone and shortens long text", func(t *testing.T) {
		if got := Fit("short", 10, 1, false, m); got != "short" {
			t.Errorf("got %q", got)
		}
		if got := Fit("Côte d'Ivoire and more", 10, 1, false, m); len([]rune(got)) > 10 || !strings.HasSuffix(got, Ellipsis) {
			t.Errorf("got %q, want at most 10 runes ending in an ellipsis", got)
		}
	})
}

func TestBarLayoutKeepsTextInside(t *testing.T) {
	c := &Bar{
		Title:      "Completeness by regional group",
		Categories: []string{"African States", "Asia-Pacific States", "Eastern European States", "Latin American and Caribbean States", "Western European and other States", "All States Parties with an unusually long label that must wrap"},
		Series:     []Series{{Name: "Submitted", Values: []float64{40, 55.5, 100, 0, 12, Missing}}, {Name: "Accepted", Values: []float64{10, 5, 0, 0, 3, 7}}},
		Unit:       "%",
	}
	d := c.Layout(300, ApproxMeasure)
	if d.H <= 0 {
		t.Fatalf("height %v", d.H)
	}
	bars := 0
	for _, s := range d.Shapes {
		switch s := s.(type) {
		case Text:
			w := ApproxMeasure(s.S, s.Size, s.Bold)
			x0 := s.X
			switch s.Anchor {
			case Middle:
				x0 -= w / 2
			case End:
				x0 -= w
			}
			if x0 < -0.01 || x0+w > d.W+0.01 || s.Y > d.H {
				t.Errorf("text %q at [%.1f, %.1f] overflows the %.0f×%.0f drawing", s.S, x0, x0+w, d.W, d.H)
			}
		case Rect:
			if s.X+s.W > d.W || s.X < 0 {
				t.Errorf("bar %+v overflows", s)
			}
			if s.H > 0 {
				bars++
			}
		}
	}
	// 12 values, one missing; zero-length bars are still drawn; plus the legend's two swatches.
	if bars != 11+2 {
		t.Errorf("got %d filled rectangles, want 13 (11 bars and 2 legend swatches)", bars)
	}
}

func TestLineLayoutSplitsAtGaps(t *testing.T) {
	c := &Line{Title: "Offences", Years: []int{2016, 2017, 2018, 2019, 2020}, Series: []Series{{Name: "ALL", Values: []float64{1, 2, Missing, 4, 5}}}}
	d := c.Layout(300, 120, ApproxMeasure)
	var lines, dots int
	for _, s := range d.Shapes {
		switch s := s.(type) {
		case Polyline:
			lines++
			for _, p := range s.Points {
				if p.X < 0 || p.X > d.W || p.Y < 0 || p.Y > d.H {
					t.Errorf("point %v outside the drawing", p)
				}
			}
		case Circle:
			dots++
		}
	}
	if lines != 2 || dots != 4 {
		t.Errorf("got %d lines and %d markers, want 2 lines (split at the gap) and 4 markers", lines, dots)
	}
}

func TestSVGIsAccessibleAndEscaped(t *testing.T) {
	c := &Bar{
		Title:      `Answers <script>alert("x")</script> & more`,
		Categories: []string{"Yes & no", "Côte d'Ivoire", "Review Ω"},
		Series:     []Series{{Name: "States", Values: []float64{3, 1, 2}}},
	}
	svg := string(c.SVG())
	if strings.Contains(svg, "<script>") {
		t.Fatalf("title not escaped: %s", svg)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="`, "<title id=", "<desc id=", "Côte d&#39;Ivoire", "Review Ω", "Yes &amp; no: 3"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q:\n%s", want, svg)
		}
	}
	// Well-formed XML throughout.
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v\n%s", err, svg)
		}
	}
	line := &Line{Title: "Trend", Years: []int{2020, 2021}, Series: []Series{{Name: "ALL", Values: []float64{1, 2}}, {Name: "African", Values: []float64{Missing, 1}}}}
	ls := string(line.SVG())
	if !strings.Contains(ls, "<polyline") || !strings.Contains(ls, "African: 2020 –, 2021 1") {
		t.Errorf("line SVG lacks its polyline or description:\n%s", ls)
	}
}

func TestWrapBreaksBetweenChineseCharacters(t *testing.T) {
	m := func(s string, _ float64, _ bool) float64 { return float64(utf8.RuneCountInString(s)) }
	got := Wrap("中华人民共和国的答复：网络犯罪 IRM报告", 5, 10, false, m, 0)
	want := []string{"中华人民共", "和国的答", "复：网络犯", "罪 IRM", "报告"} // "：" never starts a line
	if !slices.Equal(got, want) {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
	if got := Wrap("international cooperation", 14, 10, false, m, 0); !slices.Equal(got, []string{"international", "cooperation"}) {
		t.Errorf("Latin words wrap at spaces only, got %q", got)
	}
}

func TestMirrorFlipsADrawingButNotItsTexts(t *testing.T) {
	d := &Drawing{W: 100, H: 50, Shapes: []Shape{
		Rect{X: 10, Y: 0, W: 30, H: 5},
		Segment{X1: 0, X2: 20},
		Polyline{Points: []Point{{X: 5, Y: 1}, {X: 95, Y: 2}}},
		Circle{X: 25, R: 2},
		Text{X: 4, S: "title", Anchor: Start},
		Text{X: 50, S: "tick", Anchor: Middle},
		Text{X: 30, S: "label", Anchor: End},
	}}
	d.Mirror()
	want := []Shape{
		Rect{X: 60, Y: 0, W: 30, H: 5},
		Segment{X1: 100, X2: 80},
		Polyline{Points: []Point{{X: 95, Y: 1}, {X: 5, Y: 2}}},
		Circle{X: 75, R: 2},
		Text{X: 96, S: "title", Anchor: End},
		Text{X: 50, S: "tick", Anchor: Middle},
		Text{X: 70, S: "label", Anchor: Start},
	}
	for i := range want {
		if got := d.Shapes[i]; !reflect.DeepEqual(got, want[i]) {
			t.Errorf("shape %d: got %+v, want %+v", i, got, want[i])
		}
	}
}
