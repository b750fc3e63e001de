package report

import (
	"encoding/json"
	"os/exec"
	"slices"
	"testing"
)

// TestArabicShapingMatchesHarfBuzz shapes a sentence as the PDF writer
// does and maps each character through Noto Sans Arabic's cmap: the glyphs,
// in visual order, must be the ones HarfBuzz's hb-shape picks with the
// font's own OpenType tables (joining forms, lam-alef, marks).
func TestArabicShapingMatchesHarfBuzz(t *testing.T) {
	hb, err := exec.LookPath("hb-shape")
	if err != nil {
		t.Fatal("hb-shape not found: install libharfbuzz-bin")
	}
	const fam = 1 // Noto Sans Arabic
	if families[fam].name != "NotoSansArabic" {
		t.Fatalf("family %d is %s", fam, families[fam].name)
	}
	for _, sentence := range []string{
		"أجابت الدولة الطرف عن الاستبيان، ولا سلام إلا بالتعاون",
		"تقرير قُطري: مكافحة استخدام تكنولوجيا المعلومات والاتصالات لأغراض إجرامية",
		"سؤالاً لا لأ لإ لآ ى بى ء ة ئ",
	} {
		out, err := exec.Command(hb, "--output-format=json", "--no-glyph-names", "--no-clusters", "--no-positions",
			"fonts/NotoSansArabic-Regular.ttf", sentence).Output()
		if err != nil {
			t.Fatalf("hb-shape: %v", err)
		}
		var glyphs []struct{ G int }
		if err := json.Unmarshal(out, &glyphs); err != nil {
			t.Fatalf("hb-shape output %s: %v", out, err)
		}
		want := make([]int, len(glyphs))
		for i, g := range glyphs {
			want[i] = g.G
		}
		// HarfBuzz lists a mark before its letter in a right-to-left run
		// and moves it with GPOS offsets; fpdf has no offsets, so we keep a
		// mark after its letter, where the font's zero-width mark, drawn
		// to the left of its origin, lands on the letter. Compare clusters.
		var got []int
		visual := []rune(visualOrder(shapeArabic(sentence), true))
		for i := 0; i < len(visual); {
			j := i + 1
			for j < len(visual) && transparent(visual[j]) {
				j++
			}
			cluster := append(slices.Clone(visual[i+1:j]), visual[i])
			for _, r := range cluster {
				g, err := coverage.glyphIndex(fam, r)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, g)
			}
			i = j
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\ngot glyphs  %v,\nwant (hb-shape) %v", sentence, got, want)
		}
	}
}

func TestBidiOrdersMixedRuns(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"digits inside Arabic keep their order", "عن 12 سؤال", "لاؤس 12 نع"},
		{"a Latin name inside Arabic reads left to right", "مع Interpol اليوم", "مويلا Interpol عم"},
		{"brackets are mirrored in right-to-left text", "تقرير (أ)", "(أ) ريرقت"},
		{"Arabic inside an English line", "Egypt: مصر 2027.", "Egypt: 2027 رصم."},
		{"Latin only is left as it is", "Côte d'Ivoire 2027", "Côte d'Ivoire 2027"},
		{"an isolated Latin value leading Arabic text leaves it right to left", "\u2068Mutual (x)\u2069 حسب", "بسح \u2069Mutual (x)\u2068"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := visualOrder(tt.in, true); got != tt.want {
				t.Errorf("visualOrder(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestALatinValueInArabicIsIsolated(t *testing.T) {
	ar, err := localeFor("ar")
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, r := range visualRuns(ar.t("footer.cycle", "name", "Review Ω", "id", "2027"), true, nil) {
		text += r.text
	}
	// Visually, right to left: "الدورة", then "Review Ω", then "(2027)".
	if want := "(2027) Review Ω " + visualOrder(shapeArabic("الدورة"), true); text != want {
		t.Errorf("got %q, want %q", text, want)
	}
}
