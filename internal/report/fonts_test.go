package report

import (
	"errors"
	"testing"
)

func TestFontsCoverLatinGreekAndCyrillic(t *testing.T) {
	for _, s := range []string{"Côte d'Ivoire", "Türkiye", "Review Ω", "Российская Федерация", "Ελλάδα", "São Tomé and Príncipe", "Curaçao – “quoted” … ‘x’ • € ½ ≤ ≥ ±"} {
		if err := coverage.Check(s); err != nil {
			t.Errorf("Check(%q) = %v, want nil", s, err)
		}
	}
}

func TestInvisibleFormatCharactersAreLeftOut(t *testing.T) {
	s := "Act\u00adNo.\u200b5\ufeff"
	if err := coverage.Check(s); err != nil {
		t.Fatalf("Check(%q) = %v, want nil", s, err)
	}
	if got := printText(s); got != "ActNo.5" {
		t.Errorf("printText(%q) = %q, want %q", s, got, "ActNo.5")
	}
}

func TestMissingGlyphNamesTheText(t *testing.T) {
	for _, s := range []string{"中华人民共和国", "مصر", "party 🎉", "tab\there"} {
		err := coverage.Check(s)
		var mg *MissingGlyphError
		if !errors.As(err, &mg) || mg.Text != s {
			t.Errorf("Check(%q) = %v, want a MissingGlyphError naming the text", s, err)
		}
	}
}
