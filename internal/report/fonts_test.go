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

func TestMissingGlyphNamesTheText(t *testing.T) {
	for _, s := range []string{"中华人民共和国", "مصر", "party 🎉", "tab\there"} {
		err := coverage.Check(s)
		var mg *MissingGlyphError
		if !errors.As(err, &mg) || mg.Text != s {
			t.Errorf("Check(%q) = %v, want a MissingGlyphError naming the text", s, err)
		}
	}
}
