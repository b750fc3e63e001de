package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

func TestFontsCoverEveryOfficialScript(t *testing.T) {
	for _, s := range []string{"Côte d'Ivoire", "Türkiye", "Review Ω", "Российская Федерация", "Ελλάδα", "São Tomé and Príncipe",
		"Curaçao – “quoted” … ‘x’ • € ½ ≤ ≥ ±", "中华人民共和国", "中國", "مصر", shapeArabic("العربية، لا"), "¿Año?", string(placeholder)} {
		for _, r := range s {
			if !coverage.has(r) {
				t.Errorf("no font has %U %q of %q", r, r, s)
			}
		}
	}
}

func TestInvisibleFormatCharactersAreLeftOut(t *testing.T) {
	s := "Act\u00adNo.\u200b5\ufeff\tx"
	if got := cleanText(s, false); got != "ActNo.5 x" {
		t.Errorf("cleanText(%q) = %q, want %q", s, got, "ActNo.5 x")
	}
}

func TestACharacterNoFontHasIsAPlaceholder(t *testing.T) {
	var missing []rune
	runs := visualRuns("party 🎉 中国", false, func(r rune) { missing = append(missing, r) })
	var text []string
	for _, r := range runs {
		text = append(text, r.text)
	}
	if got, want := strings.Join(text, "|"), "party □ |中国"; got != want {
		t.Errorf("runs = %q, want %q", got, want)
	}
	if !slices.Equal(missing, []rune{'🎉'}) {
		t.Errorf("missing = %q, want the emoji", missing)
	}
	if w := missingWarnings(map[rune]bool{'🎉': true}); len(w) != 1 || !strings.Contains(w[0].In("en"), "U+1F389") {
		t.Errorf("warnings = %v, want one naming U+1F389", w)
	}
}

// A missing character's warning is a message of the catalogue (issue
// 13): the character as itself, its code point and the placeholder as
// parameters, read in each language; its English is what the run's
// English column keeps.
func TestMissingGlyphWarningsReadInEachLanguage(t *testing.T) {
	w := missingWarnings(map[rune]bool{'🎉': true, 'Ʃ': true})
	if len(w) != 2 || w[0].Params["codepoint"] != "U+01A9" || w[1].Params["character"] != "🎉" || w[1].Params["placeholder"] != "□" {
		t.Fatalf("warnings = %+v, want Ʃ then 🎉 with their code points and the placeholder", w)
	}
	if got, want := w[1].In("en"), `no embedded font has U+1F389 "🎉": printed as "□"`; got != want {
		t.Errorf("English: got %q, want %q", got, want)
	}
	for _, lang := range []string{"ar", "zh", "fr", "ru", "es"} {
		got := w[1].In(lang)
		if got == w[1].In("en") || !strings.Contains(got, "U+1F389") || !strings.Contains(got, "🎉") || !strings.Contains(got, "□") {
			t.Errorf("%s: %q, want a translation naming U+1F389, 🎉 and □", lang, got)
		}
	}
}

// A hyphen prints as a hyphen, not as a dash: dates (2027-04-01) and
// compounds (capacity-building) read with hyphens (issue 17). The Go
// fonts' hyphen is as wide as a digit and reads as a dash.
func TestHyphensAreHyphens(t *testing.T) {
	w := &writer{pdf: fpdf.New("P", "pt", "A4", ""), l: english(), added: map[string]bool{}, missing: map[rune]bool{}}
	for _, bold := range []bool{false, true} {
		hyphen, dash, digit := w.measure("-", 10, bold), w.measure("–", 10, bold), w.measure("0", 10, bold)
		if hyphen >= 0.7*dash || hyphen >= 0.7*digit {
			t.Errorf("bold %v: a hyphen is %.2f pt wide, an en dash %.2f, a digit %.2f: it reads as a dash", bold, hyphen, dash, digit)
		}
		if runs := w.runs("2027-04-01"); len(runs) != 5 || runs[1].text != "-" {
			t.Errorf("runs of a date: %+v", runs)
		}
	}
	if w.err != nil || len(w.missing) > 0 {
		t.Fatalf("err %v, missing %v", w.err, w.missing)
	}
}
