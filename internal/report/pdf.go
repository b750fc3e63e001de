package report

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/i18n"
)

// Page geometry in points (A4).
const (
	pageW, pageH = 595.28, 841.89
	marginX      = 50.0
	marginTop    = 56.0
	contentBot   = pageH - 72 // content stops here; the footer is below
	contentW     = pageW - 2*marginX
)

// Colours.
var (
	inkColor    = chart.Color{R: 33, G: 33, B: 33}
	mutedColor  = chart.Color{R: 97, G: 97, B: 97}
	brandColor  = chart.Color{R: 0, G: 62, B: 116}
	ruleColor   = chart.Color{R: 200, G: 200, B: 200}
	zebraColor  = chart.Color{R: 243, G: 246, B: 250}
	headerColor = chart.Color{R: 0, G: 62, B: 116}
	whiteColor  = chart.Color{R: 255, G: 255, B: 255}
)

type tocEntry struct {
	level int
	label string // "1", "1.2", "Annex A"
	title string
	page  int
	link  int
}

// writer lays a document out on A4 pages with fpdf.
type writer struct {
	pdf   *fpdf.Fpdf
	doc   *document
	opt   renderOptions
	stamp string // the footer's second line
	err   error
	y     float64 // top of the next block
	toc   []tocEntry
	sec   int // number of the current section
	sub   int // number of the current subsection
	annex int
	l     *locale         // the document's language
	rtl   bool            // a right-to-left document: every x mirrored
	added map[string]bool // fonts added to the PDF
	font  fontKey         // the font set last
	// missing are the characters no font has, drawn as placeholder.
	missing map[rune]bool
}

// renderOptions are the knobs of a render that tests set.
type renderOptions struct {
	compress bool
	warnings *[]i18n.Message                               // when set, receives the render's warnings
	trace    func(page int, x, y, width float64, s string) // every text drawn, for tests
}

// writePDF prints doc, stamped with the render time and the fingerprint,
// and returns the PDF's bytes and its number of pages.
func writePDF(ctx context.Context, doc *document, now time.Time, fingerprint string, opt renderOptions) ([]byte, int, error) {
	l, err := localeFor(doc.Language)
	if err != nil {
		return nil, 0, err
	}
	pdf := fpdf.New("P", "pt", "A4", "")
	now = now.UTC()
	pdf.SetCompression(opt.compress)
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(doc.Title, true)
	pdf.SetSubject(doc.Subtitle, true)
	pdf.SetCreator("IRM", true)
	pdf.SetAuthor(l.t("author"), true)
	pdf.SetLang(l.lang)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetLineCapStyle("butt")
	pdf.SetLineJoinStyle("round")

	w := &writer{pdf: pdf, doc: doc, opt: opt, l: l, rtl: l.rtl, added: map[string]bool{}, missing: map[rune]bool{},
		stamp: l.t("stamp", "time", now.Format("2006-01-02 15:04:05"), "fingerprint", fingerprint)}
	pdf.SetFooterFunc(w.footer)

	w.titlePage(now, fingerprint)
	// Reserve the contents pages: their number follows from the number of
	// entries, known before any section is laid out.
	// entries, known before any section is laid out, and from how many
	// lines each wraps to.
	tocFirst := pdf.PageNo() + 1
	tocPages := 1
	for _, at := range w.tocPlaces(w.plannedContents()) {
		tocPages = at.page + 1
	}
	for range tocPages {
		w.newPage()
	}
	for _, s := range doc.Sections {
		if err := ctx.Err(); err != nil { // a render given up on stops early
			return nil, 0, err
		}
		w.section(s)
		if w.err != nil {
			return nil, 0, w.err
		}
	}
	last := pdf.PageNo()
	w.contents(tocFirst, tocPages)
	pdf.SetPage(last)
	if w.err != nil {
		return nil, 0, w.err
	}
	var buf bytes.Buffer
	// The page count, written as the language writes numbers, replaces the
	// alias in every footer when fpdf writes the pages out.
	pdf.RegisterAlias(w.nbAlias(), w.l.int(pdf.PageCount()))
	if err := pdf.Output(&buf); err != nil {
		return nil, 0, fmt.Errorf("write pdf: %w", err)
	}
	if w.err != nil { // set by the last footer
		return nil, 0, w.err
	}
	if opt.warnings != nil {
		*opt.warnings = missingWarnings(w.missing)
	}
	return buf.Bytes(), pdf.PageCount(), nil
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// setFont selects a family's face, adding it to the PDF the first time a
// page needs it: a font nothing prints is not embedded.
func (w *writer) setFont(fam int, size float64, bold bool) {
	f := families[fam]
	style := ""
	if bold && f.bold != nil {
		style = "B"
	}
	if key := f.name + style; !w.added[key] {
		ttf := f.regular
		if style == "B" {
			ttf = f.bold
		}
		w.pdf.AddUTF8FontFromBytes(f.name, style, ttf)
		w.added[key] = true
	}
	// fpdf writes a font change into the page even when nothing changes:
	// measuring would fill the pages with them.
	if cur := (fontKey{f.name, style, size}); cur != w.font {
		w.pdf.SetFont(f.name, style, size)
		w.font = cur
	}
}

type fontKey struct {
	family, style string
	size          float64
}

func (w *writer) runs(s string) []textRun {
	return visualRuns(s, w.rtl, func(r rune) { w.missing[r] = true })
}

func (w *writer) measure(s string, size float64, bold bool) float64 {
	return w.runsWidth(w.runs(strings.ReplaceAll(s, w.nbAlias(), nbWidth)), size, bold)
}

func (w *writer) runsWidth(runs []textRun, size float64, bold bool) float64 {
	width := 0.0
	for _, r := range runs {
		w.setFont(r.family, size, bold)
		width += w.pdf.GetStringWidth(r.text)
	}
	return width
}

// text draws s with its baseline at y, starting at x; in a right-to-left
// document x is mirrored, so that the text ends at pageW-x.
func (w *writer) text(x, y float64, s string, size float64, bold bool, c chart.Color) {
	width := w.measure(s, size, bold)
	if w.rtl {
		x = pageW - x - width
	}
	w.textAt(x, y, s, width, size, bold, c)
}

// textAt draws s from x, never mirrored (charts keep their own layout).
func (w *writer) textAt(x, y float64, s string, width, size float64, bold bool, c chart.Color) {
	w.pdf.SetTextColor(int(c.R), int(c.G), int(c.B))
	cx := x
	for _, r := range w.runs(s) {
		w.setFont(r.family, size, bold)
		w.pdf.Text(cx, y, r.text)
		cx += w.pdf.GetStringWidth(strings.ReplaceAll(r.text, w.nbAlias(), nbWidth))
	}
	if w.opt.trace != nil {
		w.opt.trace(w.pdf.PageNo(), x, y, width, s)
	}
}

// mx is a left edge x of a box width wide, mirrored in a right-to-left
// document.
func (w *writer) mx(x, width float64) float64 {
	if w.rtl {
		return pageW - x - width
	}
	return x
}

func (w *writer) rect(x, y, width, h float64, style string) {
	w.pdf.Rect(w.mx(x, width), y, width, h, style)
}

func (w *writer) line(x1, y1, x2, y2 float64) {
	w.pdf.Line(w.mx(x1, 0), y1, w.mx(x2, 0), y2)
}

func (w *writer) fill(c chart.Color)   { w.pdf.SetFillColor(int(c.R), int(c.G), int(c.B)) }
func (w *writer) stroke(c chart.Color) { w.pdf.SetDrawColor(int(c.R), int(c.G), int(c.B)) }

func (w *writer) newPage() {
	w.pdf.AddPage()
	w.y = marginTop
}

// need starts a new page unless h points fit below the cursor.
func (w *writer) need(h float64) {
	if w.y+h > contentBot && w.y > marginTop {
		w.newPage()
	}
}

// nbAlias stands for the page count, which fpdf writes in at the end,
// and nbWidth for its width when measuring: three digits. The alias is
// letters of one direction, so that the bidirectional algorithm keeps it
// whole, drawn in the font that draws the digits replacing it (a PDF's
// font holds only the glyphs drawn, and every digit of the count is drawn
// in the last page's footer): Latin letters in the Go fonts for Western
// digits; for Arabic-Indic digits, tatweels in the Arabic font.
const (
	nbAlias       = "NBPAGES"
	nbAliasArabic = "\u0640\u0640\u0640\u0640\u0640"
	nbWidth       = "000"
)

func (w *writer) nbAlias() string {
	if w.l.lang == "ar" {
		return nbAliasArabic
	}
	return nbAlias
}

func (w *writer) footer() {
	y := pageH - 52
	w.stroke(ruleColor)
	w.pdf.SetLineWidth(0.5)
	w.line(marginX, y, pageW-marginX, y)
	page := w.l.t("page", "page", w.l.int(w.pdf.PageNo()), "pages", w.nbAlias())
	pw := w.measure(page, 7.5, false)
	w.text(marginX, y+12, chart.Fit(w.doc.Footer, contentW-pw-20, 7.5, false, w.measure), 7.5, false, inkColor)
	w.text(pageW-marginX-pw, y+12, page, 7.5, false, inkColor)
	w.text(marginX, y+23, chart.Fit(w.stamp, contentW, 6.5, false, w.measure), 6.5, false, mutedColor)
}

func (w *writer) titlePage(now time.Time, fingerprint string) {
	w.newPage()
	d := w.doc
	facts := append(append([][2]string{}, d.Facts...),
		[2]string{w.l.t("fact.rendered"), w.l.t("fact.renderedValue", "date", w.l.date(now), "time", now.Format("15:04:05"))},
		[2]string{w.l.t("fact.fingerprint"), fingerprint})
	w.fill(brandColor)
	w.pdf.Rect(0, 0, pageW, 10, "F")
	y := 110.0
	w.text(marginX, y, w.l.t("title.conference1"), 10, false, mutedColor)
	w.text(marginX, y+13, w.l.t("title.conference2"), 10, false, mutedColor)
	y += 70
	w.text(marginX, y, strings.ToUpper(d.Kind), 11, true, brandColor)
	y += 14
	for _, l := range chart.Wrap(d.Title, contentW, 26, true, w.measure, 4) {
		y += 32
		w.text(marginX, y, l, 26, true, inkColor)
	}
	y += 12
	for _, l := range chart.Wrap(d.Subtitle, contentW, 14, false, w.measure, 3) {
		y += 19
		w.text(marginX, y, l, 14, false, inkColor)
	}
	y += 30
	w.stroke(brandColor)
	w.pdf.SetLineWidth(1.2)
	w.line(marginX, y, marginX+80, y)
	y += 24
	keyW := 0.0
	for _, f := range facts {
		keyW = math.Max(keyW, w.measure(f[0], 9.5, true))
	}
	for _, f := range facts {
		lines := chart.Wrap(f[1], contentW-keyW-14, 9.5, false, w.measure, 3)
		w.text(marginX, y, f[0], 9.5, true, inkColor)
		for i, l := range lines {
			w.text(marginX+keyW+14, y+float64(i)*12.5, l, 9.5, false, inkColor)
		}
		y += float64(len(lines))*12.5 + 5
	}
	y += 16
	for _, n := range d.Notes {
		for _, l := range chart.Wrap(n, contentW, 8.5, false, w.measure, 0) {
			w.text(marginX, y, l, 8.5, false, mutedColor)
			y += 11
		}
		y += 5
	}
}

// Contents layout.
const (
	tocLineH = 15.0
	tocLines = 47 // (contentBot - marginTop) / tocLineH
)

// tocLine is how one contents entry is laid out: its indent, label width,
// font, and its title wrapped to the width left beside the page number.
type tocLine struct {
	x, labelW, size float64
	bold            bool
	lines           []string
}

// tocLayout lays e out. The width kept for the page number is that of
// the widest three-digit number, so that the contents wrap the same when
// the pages are reserved (numbers not yet known) and when drawn.
func (w *writer) tocLayout(e tocEntry) tocLine {
	t := tocLine{x: marginX, size: 10, bold: true}
	if e.level > 0 {
		t.x, t.size, t.bold = marginX+22, 9, false
	}
	if e.label != "" {
		t.labelW = w.measure(e.label+"  ", t.size, t.bold)
		if e.level == 0 {
			t.labelW = math.Max(t.labelW, 22)
		} else {
			t.labelW = math.Max(t.labelW, 28)
		}
	}
	avail := pageW - marginX - w.measure(w.l.int(888), 10, true) - 24 - t.x - t.labelW
	t.lines = chart.Wrap(e.title, avail, t.size, t.bold, w.measure, 4)
	return t
}

// tocPlace is where an entry goes: its contents page (0 the first) and
// the top of its first line.
type tocPlace struct {
	page int
	y    float64
	t    tocLine
}

// tocPlaces puts entries on the contents pages: an entry of several lines
// stays on one page.
func (w *writer) tocPlaces(entries []tocEntry) []tocPlace {
	out := make([]tocPlace, len(entries))
	page, y := 0, marginTop+40
	for i, e := range entries {
		t := w.tocLayout(e)
		h := float64(len(t.lines)) * tocLineH
		if y+h > marginTop+float64(tocLines)*tocLineH {
			page, y = page+1, marginTop
		}
		out[i] = tocPlace{page: page, y: y, t: t}
		y += h
	}
	return out
}

// plannedContents are the contents entries of w.doc with the labels
// section and heading will give them, before any page is laid out.
func (w *writer) plannedContents() []tocEntry {
	var out []tocEntry
	sec, annex := 0, 0
	for _, s := range w.doc.Sections {
		var label, prefix string
		if s.Annex {
			annex++
			label = w.l.t("annex", "letter", string(rune('A'+annex-1)))
			prefix = string(rune('A' + annex - 1))
		} else {
			sec++
			label = w.l.int(sec)
			prefix = label
		}
		out = append(out, tocEntry{level: 0, label: label, title: s.Title})
		sub := 0
		for _, b := range s.Blocks {
			if h, ok := b.(heading); ok {
				sub++
				out = append(out, tocEntry{level: 1, label: prefix + "." + w.l.int(sub), title: h.Title})
			}
		}
	}
	return out
}

// contents draws the contents on the pages reserved from first on: each
// title whole, wrapped under itself, its page number on its last line.
func (w *writer) contents(first, pages int) {
	places := w.tocPlaces(w.toc)
	if n := len(places); n > 0 && places[n-1].page >= pages {
		w.err = fmt.Errorf("the contents take %d pages, %d were reserved", places[n-1].page+1, pages)
		return
	}
	w.pdf.SetPage(first)
	w.text(marginX, marginTop+16, w.l.t("contents"), 18, true, brandColor)
	page := 0
	for i, at := range places {
		e, t := w.toc[i], at.t
		if at.page != page {
			page = at.page
			w.pdf.SetPage(first + page)
		}
		num := w.l.int(e.page)
		numW := w.measure(num, t.size, t.bold)
		y := at.y
		for k, line := range t.lines {
			base := y + tocLineH - 4
			if k == 0 {
				w.text(t.x, base, e.label, t.size, t.bold, inkColor)
			}
			w.text(t.x+t.labelW, base, line, t.size, t.bold, inkColor)
			if k == len(t.lines)-1 {
				w.text(pageW-marginX-numW, base, num, t.size, t.bold, inkColor)
				// Dotted leader from the title to the page number.
				tx := t.x + t.labelW + w.measure(line, t.size, t.bold) + 4
				if tx < pageW-marginX-numW-8 {
					w.stroke(ruleColor)
					w.pdf.SetLineWidth(0.6)
					w.pdf.SetDashPattern([]float64{0.6, 2.4}, 0)
					w.line(tx, base, pageW-marginX-numW-4, base)
					w.pdf.SetDashPattern(nil, 0)
				}
			}
			y += tocLineH
		}
		h := float64(len(t.lines)) * tocLineH
		w.pdf.Link(w.mx(t.x, pageW-marginX-t.x), at.y, pageW-marginX-t.x, h, e.link)
	}
}

func (w *writer) anchor(level int, label, title string) {
	link := w.pdf.AddLink()
	w.pdf.SetLink(link, w.y, w.pdf.PageNo())
	bm := title
	if label != "" {
		bm = label + " " + title
	}
	w.pdf.Bookmark(cleanText(bm, false), level, w.y)
	w.toc = append(w.toc, tocEntry{level: level, label: label, title: title, page: w.pdf.PageNo(), link: link})
}

func (w *writer) section(s section) {
	w.newPage()
	var label string
	if s.Annex {
		w.annex++
		label = w.l.t("annex", "letter", string(rune('A'+w.annex-1)))
	} else {
		w.sec++
		label = w.l.int(w.sec)
	}
	w.sub = 0
	w.anchor(0, label, s.Title)
	w.text(marginX, w.y+12, strings.ToUpper(label), 9, true, mutedColor)
	w.y += 16
	for _, l := range chart.Wrap(s.Title, contentW, 17, true, w.measure, 3) {
		w.y += 21
		w.text(marginX, w.y, l, 17, true, brandColor)
	}
	w.y += 8
	w.stroke(brandColor)
	w.pdf.SetLineWidth(0.8)
	w.line(marginX, w.y, pageW-marginX, w.y)
	w.y += 14
	for _, b := range s.Blocks {
		if w.err != nil {
			return
		}
		switch b := b.(type) {
		case heading:
			w.heading(label, b.Title, s.Annex)
		case para:
			w.para(b)
		case rule:
			w.need(20)
			w.y += 4
			w.stroke(ruleColor)
			w.pdf.SetLineWidth(0.5)
			w.line(marginX, w.y, pageW-marginX, w.y)
			w.y += 6
		case table:
			w.table(b)
		case barChart:
			w.localize(&b.Chart.Number, nil)
			w.drawing(b.Chart.Layout(contentW, w.measure))
		case lineChart:
			h := b.Height
			if h == 0 {
				h = 210
			}
			w.localize(&b.Chart.Number, &b.Chart.Year)
			w.drawing(b.Chart.Layout(contentW, h, w.measure))
		case chartGrid:
			for _, c := range b.Charts {
				w.localize(&c.Number, &c.Year)
			}
			w.grid(b.Charts)
		}
	}
}

func (w *writer) heading(secLabel, title string, annex bool) {
	w.sub++
	label := secLabel + "." + w.l.int(w.sub)
	if annex {
		label = string(rune('A'+w.annex-1)) + "." + w.l.int(w.sub)
	}
	lines := chart.Wrap(title, contentW-34, 11.5, true, w.measure, 4)
	w.need(float64(len(lines))*15 + 130) // keep the heading with what follows
	if w.y > marginTop {
		w.y += 8
	}
	w.anchor(1, label, title)
	for i, l := range lines {
		w.y += 15
		if i == 0 {
			w.text(marginX, w.y, label, 11.5, true, brandColor)
		}
		w.text(marginX+34, w.y, l, 11.5, true, brandColor)
	}
	w.y += 8
}

func (w *writer) para(p para) {
	size, bold, color, indent, after := 9.5, false, inkColor, 0.0, 6.0
	switch p.Style {
	case muted:
		size, color = 8, mutedColor
	case label:
		bold, after = true, 2
	case answer:
		indent = 14
	case groupTitle:
		size, bold, color, after = 10.5, true, brandColor, 3
	}
	lineH := size * 1.35
	var lines []string // the author's line breaks are kept
	for _, part := range strings.Split(strings.ReplaceAll(p.Text, "\r\n", "\n"), "\n") {
		lines = append(lines, chart.Wrap(part, contentW-indent, size, bold, w.measure, 0)...)
	}
	switch p.Style {
	case label:
		w.need(float64(len(lines))*lineH + 2*lineH) // with the first line of its answer
	case groupTitle:
		w.need(float64(len(lines))*lineH + 60) // with its first question
		w.y += 6
	}
	for _, l := range lines {
		w.need(lineH)
		w.y += lineH
		w.text(marginX+indent, w.y-lineH*0.25, l, size, bold, color)
	}
	w.y += after
}

// Table layout.
const (
	cellSize   = 8.0
	cellPad    = 3.5
	cellLineH  = cellSize * 1.3
	maxCellLns = 40
)

func (w *writer) table(t table) {
	if len(t.Columns) == 0 {
		return
	}
	total := 0.0
	for _, c := range t.Columns {
		total += c.Weight
	}
	widths := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = contentW * c.Weight / total
	}
	wrapRow := func(cells []string, bold bool, maxLines int) ([][]string, float64) {
		out := make([][]string, len(t.Columns))
		n := 1
		for i := range t.Columns {
			s := ""
			if i < len(cells) {
				s = cells[i]
			}
			out[i] = chart.Wrap(s, widths[i]-2*cellPad, cellSize, bold, w.measure, maxLines)
			n = max(n, len(out[i]))
		}
		return out, float64(n)*cellLineH + 2*cellPad
	}
	titles := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		titles[i] = c.Title
	}
	head, headH := wrapRow(titles, true, 3)
	drawRow := func(lines [][]string, h float64, bold bool, fg chart.Color) {
		x := marginX
		for i, c := range t.Columns {
			for j, l := range lines[i] {
				tx := x + cellPad
				if c.Right {
					tx = x + widths[i] - cellPad - w.measure(l, cellSize, bold)
				}
				w.text(tx, w.y+cellPad+float64(j+1)*cellLineH-2.6, l, cellSize, bold, fg)
			}
			x += widths[i]
		}
		w.y += h
	}
	drawHead := func() {
		w.fill(headerColor)
		w.rect(marginX, w.y, contentW, headH, "F")
		drawRow(head, headH, true, whiteColor)
	}
	rows := make([][][]string, len(t.Rows))
	heights := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		rows[i], heights[i] = wrapRow(r, t.Bold[i], maxCellLns)
	}
	// A table that fits on a page starts on one where it fits whole; a
	// longer one starts where its header and first row fit.
	height := headH
	for _, h := range heights {
		height += h
	}
	if height > contentBot-marginTop && len(rows) > 0 {
		height = headH + heights[0]
	}
	w.need(height)
	drawHead()
	for i := range rows {
		if w.y+heights[i] > contentBot {
			w.newPage()
			drawHead()
		}
		if i%2 == 1 {
			w.fill(zebraColor)
			w.rect(marginX, w.y, contentW, heights[i], "F")
		}
		drawRow(rows[i], heights[i], t.Bold[i], inkColor)
		w.stroke(ruleColor)
		w.pdf.SetLineWidth(0.3)
		w.line(marginX, w.y, pageW-marginX, w.y)
	}
	w.y += 10
}

// localize has a chart print its figures and years as the document's
// language does; English charts keep chart.Format, as the web pages do.
func (w *writer) localize(number *func(float64, string) string, year *func(int) string) {
	if w.l.lang == "en" {
		return
	}
	if *number == nil {
		*number = w.l.withUnit
	}
	if year != nil && *year == nil {
		*year = w.l.int
	}
}

func (w *writer) drawing(d *chart.Drawing) {
	w.need(d.H + 4)
	if w.rtl {
		d.Mirror()
	}
	w.paint(d, w.mx(marginX, d.W), w.y)
	w.y += d.H + 10
}

func (w *writer) grid(charts []*chart.Line) {
	const gap = 14.0
	cw := (contentW - gap) / 2
	for i := 0; i < len(charts); i += 2 {
		var ds []*chart.Drawing
		h := 0.0
		for j := i; j < i+2 && j < len(charts); j++ {
			d := charts[j].Layout(cw, 150, w.measure)
			if w.rtl {
				d.Mirror()
			}
			ds = append(ds, d)
			h = math.Max(h, d.H)
		}
		w.need(h + 4)
		for j, d := range ds {
			w.paint(d, w.mx(marginX+float64(j)*(cw+gap), d.W), w.y)
		}
		w.y += h + 10
	}
}

// paint draws a laid-out chart with its top left corner at (x0, y0).
func (w *writer) paint(d *chart.Drawing, x0, y0 float64) {
	for _, s := range d.Shapes {
		switch s := s.(type) {
		case chart.Rect:
			if s.W <= 0 || s.H <= 0 {
				continue
			}
			w.fill(s.Fill)
			w.pdf.Rect(x0+s.X, y0+s.Y, s.W, s.H, "F")
		case chart.Segment:
			w.stroke(s.Stroke)
			w.pdf.SetLineWidth(s.Width)
			w.pdf.Line(x0+s.X1, y0+s.Y1, x0+s.X2, y0+s.Y2)
		case chart.Polyline:
			w.stroke(s.Stroke)
			w.pdf.SetLineWidth(s.Width)
			for i, p := range s.Points {
				if i == 0 {
					w.pdf.MoveTo(x0+p.X, y0+p.Y)
				} else {
					w.pdf.LineTo(x0+p.X, y0+p.Y)
				}
			}
			w.pdf.DrawPath("D")
		case chart.Circle:
			w.fill(s.Fill)
			w.pdf.Circle(x0+s.X, y0+s.Y, s.R, "F")
		case chart.Text:
			x := x0 + s.X
			width := w.measure(s.S, s.Size, s.Bold)
			switch s.Anchor {
			case chart.Middle:
				x -= width / 2
			case chart.End:
				x -= width
			}
			w.textAt(x, y0+s.Y, s.S, width, s.Size, s.Bold, s.Fill)
		}
	}
}
