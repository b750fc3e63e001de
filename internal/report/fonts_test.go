package report

import (
	"slices"
	"strings"
	"testing"
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
	if w := missingWarnings(map[rune]bool{'🎉': true}); len(w) != 1 || !strings.Contains(w[0], "U+1F389") {
		t.Errorf("warnings = %q, want one naming U+1F389", w)
	}
}
