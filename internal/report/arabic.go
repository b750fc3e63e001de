package report

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

// fpdf maps each character through the font's cmap and shapes nothing, so
// Arabic is shaped here: each letter becomes the presentation form
// (U+FB50–FDFF, U+FE70–FEFF) its neighbours call for, lam with alef the
// lam-alef ligature, and the line is then put in visual order by the
// Unicode bidirectional algorithm. Noto Sans Arabic maps those forms to
// the very glyphs its own OpenType tables substitute, so the result is
// what HarfBuzz draws (arabic_test.go checks it against hb-shape).

// arabicForms are a letter's isolated, final, initial and medial forms; 0
// where it has none (a right-joining letter has no initial or medial form).
// The isolated form is the letter itself, as HarfBuzz draws it.
type arabicForms struct{ isol, fina, init, medi rune }

var arabicLetters = map[rune]arabicForms{
	0x0621: {0x0621, 0, 0, 0}, // hamza: joins nothing
	0x0622: {0x0622, 0xFE82, 0, 0},
	0x0623: {0x0623, 0xFE84, 0, 0},
	0x0624: {0x0624, 0xFE86, 0, 0},
	0x0625: {0x0625, 0xFE88, 0, 0},
	0x0626: {0x0626, 0xFE8A, 0xFE8B, 0xFE8C},
	0x0627: {0x0627, 0xFE8E, 0, 0},
	0x0628: {0x0628, 0xFE90, 0xFE91, 0xFE92},
	0x0629: {0x0629, 0xFE94, 0, 0},
	0x062A: {0x062A, 0xFE96, 0xFE97, 0xFE98},
	0x062B: {0x062B, 0xFE9A, 0xFE9B, 0xFE9C},
	0x062C: {0x062C, 0xFE9E, 0xFE9F, 0xFEA0},
	0x062D: {0x062D, 0xFEA2, 0xFEA3, 0xFEA4},
	0x062E: {0x062E, 0xFEA6, 0xFEA7, 0xFEA8},
	0x062F: {0x062F, 0xFEAA, 0, 0},
	0x0630: {0x0630, 0xFEAC, 0, 0},
	0x0631: {0x0631, 0xFEAE, 0, 0},
	0x0632: {0x0632, 0xFEB0, 0, 0},
	0x0633: {0x0633, 0xFEB2, 0xFEB3, 0xFEB4},
	0x0634: {0x0634, 0xFEB6, 0xFEB7, 0xFEB8},
	0x0635: {0x0635, 0xFEBA, 0xFEBB, 0xFEBC},
	0x0636: {0x0636, 0xFEBE, 0xFEBF, 0xFEC0},
	0x0637: {0x0637, 0xFEC2, 0xFEC3, 0xFEC4},
	0x0638: {0x0638, 0xFEC6, 0xFEC7, 0xFEC8},
	0x0639: {0x0639, 0xFECA, 0xFECB, 0xFECC},
	0x063A: {0x063A, 0xFECE, 0xFECF, 0xFED0},
	0x0641: {0x0641, 0xFED2, 0xFED3, 0xFED4},
	0x0642: {0x0642, 0xFED6, 0xFED7, 0xFED8},
	0x0643: {0x0643, 0xFEDA, 0xFEDB, 0xFEDC},
	0x0644: {0x0644, 0xFEDE, 0xFEDF, 0xFEE0},
	0x0645: {0x0645, 0xFEE2, 0xFEE3, 0xFEE4},
	0x0646: {0x0646, 0xFEE6, 0xFEE7, 0xFEE8},
	0x0647: {0x0647, 0xFEEA, 0xFEEB, 0xFEEC},
	0x0648: {0x0648, 0xFEEE, 0, 0},
	0x0649: {0x0649, 0xFEF0, 0xFBE8, 0xFBE9},
	0x064A: {0x064A, 0xFEF2, 0xFEF3, 0xFEF4},
	0x0671: {0x0671, 0xFB51, 0, 0},
	0x067E: {0x067E, 0xFB57, 0xFB58, 0xFB59},
	0x0686: {0x0686, 0xFB7B, 0xFB7C, 0xFB7D},
	0x0698: {0x0698, 0xFB8B, 0, 0},
	0x06A9: {0x06A9, 0xFB8F, 0xFB90, 0xFB91},
	0x06AF: {0x06AF, 0xFB93, 0xFB94, 0xFB95},
	0x06CC: {0x06CC, 0xFBFD, 0xFBFE, 0xFBFF},
}

// lamAlef are the ligatures of lam with each alef: isolated and final.
var lamAlef = map[rune][2]rune{
	0x0622: {0xFEF5, 0xFEF6},
	0x0623: {0xFEF7, 0xFEF8},
	0x0625: {0xFEF9, 0xFEFA},
	0x0627: {0xFEFB, 0xFEFC},
}

const (
	lam     = 0x0644
	tatweel = 0x0640 // joins on both sides, has no forms
)

// transparent marks (harakat) sit on a letter without breaking its joins.
func transparent(r rune) bool { return unicode.Is(unicode.Mn, r) }

// joinsBefore: a letter that connects to the letter after it.
func joinsBefore(r rune) bool {
	if r == tatweel {
		return true
	}
	f, ok := arabicLetters[r]
	return ok && f.init != 0
}

// joinsAfter: a letter that connects to the letter before it.
func joinsAfter(r rune) bool {
	if r == tatweel {
		return true
	}
	f, ok := arabicLetters[r]
	return ok && f.fina != 0
}

func hasArabic(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x0600 && r <= 0x06FF })
}

// shapeArabic replaces Arabic letters by their contextual presentation
// forms, in logical order. Text without Arabic comes back as it is.
func shapeArabic(s string) string {
	if !hasArabic(s) {
		return s
	}
	rs := []rune(s)
	// prev/next non-transparent neighbour of i.
	prev := func(i int) rune {
		for j := i - 1; j >= 0; j-- {
			if !transparent(rs[j]) {
				return rs[j]
			}
		}
		return 0
	}
	nextIdx := func(i int) int {
		for j := i + 1; j < len(rs); j++ {
			if !transparent(rs[j]) {
				return j
			}
		}
		return -1
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		f, ok := arabicLetters[r]
		if !ok {
			out = append(out, r)
			continue
		}
		before := joinsBefore(prev(i)) // the letter before reaches this one
		n := nextIdx(i)
		if r == lam && n >= 0 {
			if lig, ok := lamAlef[rs[n]]; ok {
				form := lig[0]
				if before {
					form = lig[1]
				}
				out = append(out, form)
				out = append(out, rs[i+1:n]...) // marks on the lam
				i = n
				continue
			}
		}
		after := n >= 0 && f.init != 0 && joinsAfter(rs[n])
		switch {
		case before && after && f.medi != 0:
			out = append(out, f.medi)
		case before && f.fina != 0:
			out = append(out, f.fina)
		case after && f.init != 0:
			out = append(out, f.init)
		default:
			out = append(out, f.isol)
		}
	}
	return string(out)
}

// visualOrder puts a line in visual order (left to right) by the Unicode
// bidirectional algorithm: x/text's bidi resolves the runs of each
// direction, numbers that follow right-to-left text are raised to their
// own level (rules W2 and I1), and rule L2 reverses runs level by level;
// characters in right-to-left runs are mirrored (brackets). The paragraph
// direction is that of the first strong character (rule P2), or
// right-to-left when rtl and there is none.
func visualOrder(s string, rtl bool) string {
	if !strings.ContainsFunc(s, isRTL) {
		return s // all left to right (rule L2 changes nothing)
	}
	base := 0
	if rtl {
		base = 1
	}
	depth := 0 // inside an isolate, which P2 skips
	for _, r := range s {
		switch c := classOf(r); {
		case c == bidi.LRI || c == bidi.RLI || c == bidi.FSI:
			depth++
			continue
		case c == bidi.PDI:
			depth = max(depth-1, 0)
			continue
		case depth > 0:
			continue
		case c == bidi.L:
			base = 0
		case c == bidi.R || c == bidi.AL:
			base = 1
		default:
			continue
		}
		break
	}
	var p bidi.Paragraph
	opts := []bidi.Option{}
	if base == 1 {
		opts = append(opts, bidi.DefaultDirection(bidi.RightToLeft))
	}
	if _, err := p.SetString(s, opts...); err != nil {
		return s
	}
	o, err := p.Order()
	if err != nil {
		return s
	}
	var rs []rune
	var levels []int
	lastStrong := bidi.L // sos is the paragraph's direction
	if base == 1 {
		lastStrong = bidi.R
	}
	for i := range o.NumRuns() {
		run := o.Run(i)
		for _, r := range run.String() {
			c := classOf(r)
			lv := base
			switch {
			case run.Direction() == bidi.RightToLeft:
				lv = 1
			case base == 1:
				lv = 2
			case (c == bidi.EN || c == bidi.AN || c == bidi.CS || c == bidi.ES || c == bidi.ET) && lastStrong != bidi.L:
				lv = 2 // a number after right-to-left text (W2, I1)
			}
			switch c {
			case bidi.L, bidi.R, bidi.AL:
				lastStrong = c
			}
			rs = append(rs, r)
			levels = append(levels, lv)
		}
	}
	// Separators and terminators are numbers' only when digits follow: a
	// trailing full stop is not part of the number before it.
	for i := len(rs) - 1; i >= 0; i-- {
		c := classOf(rs[i])
		if levels[i] != 2 || base == 1 || c == bidi.EN || c == bidi.AN {
			continue
		}
		if i+1 >= len(rs) || levels[i+1] != 2 {
			levels[i] = 0 // x/text resolved it left to right, and it is no number's
		}
	}
	for i, r := range rs {
		if levels[i]%2 == 1 {
			if p, _ := bidi.LookupRune(r); p.IsBracket() {
				rs[i] = []rune(bidi.ReverseString(string(r)))[0]
			}
		}
	}
	// L2: from the highest level down to the lowest odd one, reverse every
	// sequence at that level or higher; a mark stays after its letter (L3).
	type cluster struct {
		rs    []rune
		level int
	}
	var cs []cluster
	for i, r := range rs {
		if len(cs) > 0 && transparent(r) {
			cs[len(cs)-1].rs = append(cs[len(cs)-1].rs, r)
			continue
		}
		cs = append(cs, cluster{[]rune{r}, levels[i]})
	}
	for lv := 2; lv >= 1; lv-- {
		for i := 0; i < len(cs); {
			if cs[i].level < lv {
				i++
				continue
			}
			j := i
			for j < len(cs) && cs[j].level >= lv {
				j++
			}
			slices.Reverse(cs[i:j])
			i = j
		}
	}
	out := make([]rune, 0, len(rs))
	for _, c := range cs {
		out = append(out, c.rs...)
	}
	return string(out)
}

func classOf(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

func isRTL(r rune) bool {
	c := classOf(r)
	return c == bidi.R || c == bidi.AL
}
