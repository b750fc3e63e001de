package report

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/cosp-ict/irm/internal/i18n"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// The report fonts, tried in this order for each character:
//
//   - the Go fonts (golang.org/x/image/font/gofont, shipped as Go byte
//     slices): Latin with its accents, Greek, Cyrillic (WGL4);
//   - Noto Sans Arabic (fonts/, SIL OFL 1.1), which maps the Arabic
//     presentation forms our shaping produces (arabic.go);
//   - Droid Sans Fallback (fonts/, Apache 2.0): Simplified and Traditional
//     Chinese, with no bold face (bold Chinese prints regular).
//
// All three are TrueType (glyf) fonts, which fpdf subsets: a PDF embeds
// only the glyphs it prints, and a font nothing on the page needs is not
// added to the PDF at all. A character none of them has is drawn as
// placeholder and listed in the run's warnings; it never fails a render.
var (
	//go:embed fonts/NotoSansArabic-Regular.ttf
	arabicRegular []byte
	//go:embed fonts/NotoSansArabic-Bold.ttf
	arabicBold []byte
	//go:embed fonts/DroidSansFallback.ttf
	cjkRegular []byte
)

// fontFamily is one family of the fallback list: fpdf's family name and
// its faces.
type fontFamily struct {
	name          string
	regular, bold []byte // bold nil: bold text prints regular
}

var families = []fontFamily{
	{"Go", goregular.TTF, gobold.TTF},
	{"NotoSansArabic", arabicRegular, arabicBold},
	{"DroidSansFallback", cjkRegular, nil},
}

// placeholder is drawn for a character no font has.
const placeholder = '\u25a1' // □, in the Go fonts

// noFont is a rune's family when no family has it.
const noFont = -1

// glyphs answers which family draws a rune. The answers are computed once
// per process and rune.
type glyphs struct {
	once  sync.Once
	err   error
	fonts [][]*sfnt.Font // per family: its faces
	mu    sync.Mutex
	seen  map[rune]int
	buf   sfnt.Buffer
}

var coverage = &glyphs{seen: map[rune]int{}}

func (g *glyphs) load() error {
	g.once.Do(func() {
		for _, fam := range families {
			var faces []*sfnt.Font
			for _, ttf := range [][]byte{fam.regular, fam.bold} {
				if ttf == nil {
					continue
				}
				ft, err := sfnt.Parse(ttf)
				if err != nil {
					g.err = fmt.Errorf("parse embedded font %s: %w", fam.name, err)
					return
				}
				faces = append(faces, ft)
			}
			g.fonts = append(g.fonts, faces)
		}
	})
	return g.err
}

// family is the first family whose every face has a glyph for r, or
// noFont.
func (g *glyphs) family(r rune) int {
	if isHyphen(r) {
		return hyphenFamily
	}
	if r >= 0x20 && r < 0x7f {
		return 0 // ASCII: the Go fonts have it
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || g.load() != nil {
		return noFont
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, known := g.seen[r]; known {
		return f
	}
	found := noFont
	for i, faces := range g.fonts {
		ok := true
		for _, f := range faces {
			gi, err := f.GlyphIndex(&g.buf, r)
			if err != nil || gi == 0 {
				ok = false
				break
			}
		}
		if ok {
			found = i
			break
		}
	}
	g.seen[r] = found
	return found
}

// hyphenFamily draws hyphens: the Go fonts' hyphen is as wide as a digit
// and reads as a dash ("2027–04–01", "capacity–building"); Noto Sans's is
// a hyphen. TestHyphensAreHyphens keeps the choice honest.
const hyphenFamily = 1

// isHyphen: the hyphen-minus, the hyphen and the non-breaking hyphen.
func isHyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '\u2011' }

// has reports whether some font draws r.
func (g *glyphs) has(r rune) bool { return g.family(r) != noFont }

// glyphIndex is r's glyph in the regular face of family fam (tests compare
// it with HarfBuzz's).
func (g *glyphs) glyphIndex(fam int, r rune) (int, error) {
	if err := g.load(); err != nil {
		return 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	i, err := g.fonts[fam][0].GlyphIndex(&g.buf, r)
	return int(i), err
}

// cleanText is s as drawn: format characters (Unicode Cf), which have no
// visible form, are left out rather than drawn as a box, but for the
// bidirectional isolates when keepIsolates (visualOrder reads them); tabs
// and other white space are spaces.
func cleanText(s string, keepIsolates bool) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x80 && unicode.Is(unicode.Cf, r)) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case keepIsolates && isolate(r):
			return r
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// isolate: LRI, RLI, FSI, PDI.
func isolate(r rune) bool { return r >= 0x2066 && r <= 0x2069 }

// textRun is a piece of a line in visual order, printed in one family.
type textRun struct {
	family int
	text   string
}

// visualRuns lays s out as a line: cleaned, Arabic shaped, reordered by
// the bidirectional algorithm (base direction from the text's first
// strong character, rtl when it has none), and split into runs by the
// family that draws each character. A character no family draws becomes
// the placeholder and is passed to missing.
func visualRuns(s string, rtl bool, missing func(rune)) []textRun {
	s = cleanText(s, true)
	if s == "" {
		return nil
	}
	s = cleanText(visualOrder(shapeArabic(s), rtl), false)
	var runs []textRun
	var b strings.Builder
	cur := noFont
	for _, r := range s {
		f := coverage.family(r)
		if f == noFont {
			if missing != nil {
				missing(r)
			}
			r, f = placeholder, 0
		}
		if f != cur && b.Len() > 0 {
			runs = append(runs, textRun{cur, b.String()})
			b.Reset()
		}
		cur = f
		b.WriteRune(r)
	}
	return append(runs, textRun{cur, b.String()})
}

// missingWarnings are the run's warnings for characters no font has, in
// code point order.
func missingWarnings(missing map[rune]bool) []i18n.Message {
	rs := make([]rune, 0, len(missing))
	for r := range missing {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	out := make([]i18n.Message, len(rs))
	for i, r := range rs {
		out[i] = MissingGlyph(r)
	}
	return out
}

// MissingGlyph is the warning for a character no embedded font has: the
// character as itself, its code point (U+1F389) and the placeholder
// printed instead, to be read in the reader's language (issue 13).
func MissingGlyph(r rune) i18n.Message {
	return i18n.M("no embedded font has {codepoint} \"{character}\": printed as \"{placeholder}\"",
		"codepoint", fmt.Sprintf("%U", r), "character", string(r), "placeholder", string(placeholder))
}
