package chart

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// DefaultWidth is the width in points of charts drawn by SVG().
const DefaultWidth = 560

// SVG is the bar chart as inline SVG, DefaultWidth wide, text measured
// with ApproxMeasure.
func (c *Bar) SVG() template.HTML {
	return svgHTML(c.Layout(DefaultWidth, ApproxMeasure))
}

// SVG is the line chart as inline SVG, DefaultWidth × DefaultWidth/2.2.
func (c *Line) SVG() template.HTML {
	return svgHTML(c.Layout(DefaultWidth, DefaultWidth/2.2, ApproxMeasure))
}

func svgHTML(d *Drawing) template.HTML {
	var b strings.Builder
	_ = d.WriteSVG(&b) // a strings.Builder does not fail
	// Every text in it is escaped by WriteSVG.
	return template.HTML(b.String()) //nolint:gosec
}

// WriteSVG writes the drawing as one <svg> element: role="img", labelled
// by its <title> and described by its <desc>, every text escaped. Its ids
// derive from its content, so a page with several charts keeps them apart.
func (d *Drawing) WriteSVG(w io.Writer) error {
	bw := bufio.NewWriter(w)
	h := fnv.New64a()
	io.WriteString(h, d.Title+"\x00"+d.Desc)
	id := fmt.Sprintf("chart-%x", h.Sum64())
	title := d.Title
	if title == "" {
		title = "Chart"
	}
	// No width or height: the page sizes it (class "chart") and the
	// viewBox keeps its proportions, without a style attribute that a
	// strict Content-Security-Policy would block.
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="'Go', 'Noto Sans', 'DejaVu Sans', sans-serif">`,
		num(d.W), num(d.H), id, id)
	fmt.Fprintf(bw, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(title), id, esc(d.Desc))
	// The shapes repeat what <desc> says: hide them from screen readers.
	bw.WriteString(`<g aria-hidden="true">`)
	for _, s := range d.Shapes {
		switch s := s.(type) {
		case Rect:
			fmt.Fprintf(bw, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(s.X), num(s.Y), num(s.W), num(s.H), s.Fill.Hex())
		case Segment:
			fmt.Fprintf(bw, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`, num(s.X1), num(s.Y1), num(s.X2), num(s.Y2), s.Stroke.Hex(), num(s.Width))
		case Polyline:
			bw.WriteString(`<polyline fill="none" points="`)
			for i, p := range s.Points {
				if i > 0 {
					bw.WriteByte(' ')
				}
				bw.WriteString(num(p.X) + "," + num(p.Y))
			}
			fmt.Fprintf(bw, `" stroke="%s" stroke-width="%s" stroke-linejoin="round"/>`, s.Stroke.Hex(), num(s.Width))
		case Circle:
			fmt.Fprintf(bw, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`, num(s.X), num(s.Y), num(s.R), s.Fill.Hex())
		case Text:
			anchor := ""
			switch s.Anchor {
			case Middle:
				anchor = ` text-anchor="middle"`
			case End:
				anchor = ` text-anchor="end"`
			}
			weight := ""
			if s.Bold {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(bw, `<text x="%s" y="%s" font-size="%s" fill="%s"%s%s>%s</text>`, num(s.X), num(s.Y), num(s.Size), s.Fill.Hex(), anchor, weight, esc(s.S))
		}
	}
	bw.WriteString(`</g></svg>`)
	return bw.Flush()
}

// num prints a coordinate with at most two decimals.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
