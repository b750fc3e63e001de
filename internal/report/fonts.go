package report

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// The Go fonts (golang.org/x/image/font/gofont) ship as Go byte slices, so
// no font file lives in the repository. They cover WGL4: Latin with its
// accents, Greek and Cyrillic — every UN Member State's name, "Türkiye",
// "Côte d'Ivoire", a cycle named "Review Ω". Not Arabic or Chinese: the
// reports are in English, and a label outside the fonts fails the render
// (MissingGlyphError) instead of printing a gap.
const family = "Go"

var faces = []struct {
	style string
	ttf   []byte
}{
	{"", goregular.TTF},
	{"B", gobold.TTF},
	{"I", goitalic.TTF},
}

// MissingGlyphError is a text the embedded fonts cannot print.
type MissingGlyphError struct {
	Text string
	Rune rune
}

func (e *MissingGlyphError) Error() string {
	return fmt.Sprintf("cannot print %q: the report fonts have no glyph for %U %q", e.Text, e.Rune, e.Rune)
}

// glyphs answers whether every face has a glyph for a rune. The answer
// for the Basic Multilingual Plane is computed once per process.
type glyphs struct {
	fonts []*sfnt.Font
	once  sync.Once
	err   error
	mu    sync.Mutex
	seen  map[rune]bool
	buf   sfnt.Buffer
}

var coverage = &glyphs{seen: map[rune]bool{}}

func (g *glyphs) load() error {
	g.once.Do(func() {
		for _, f := range faces {
			ft, err := sfnt.Parse(f.ttf)
			if err != nil {
				g.err = fmt.Errorf("parse embedded font: %w", err)
				return
			}
			g.fonts = append(g.fonts, ft)
		}
	})
	return g.err
}

// has reports whether every face can draw r.
func (g *glyphs) has(r rune) bool {
	if r >= 0x20 && r < 0x7f {
		return true // ASCII: every face has it
	}
	if g.load() != nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if ok, known := g.seen[r]; known {
		return ok
	}
	if unicode.Is(unicode.Cf, r) {
		return true // invisible by definition (zero-width space, soft hyphen): printText drops it
	}
	ok := r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0)
	for _, f := range g.fonts {
		if !ok {
			break
		}
		i, err := f.GlyphIndex(&g.buf, r)
		ok = err == nil && i != 0
	}
	g.seen[r] = ok
	return ok
}

// Check returns a *MissingGlyphError for the first rune of s the fonts
// cannot draw.
func (g *glyphs) Check(s string) error {
	for _, r := range s {
		if !g.has(r) {
			return &MissingGlyphError{Text: s, Rune: r}
		}
	}
	return nil
}

// printText is s as drawn: format characters (Unicode Cf), which have no
// visible form, are left out rather than drawn as a missing-glyph box.
func printText(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && unicode.Is(unicode.Cf, r) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
}
