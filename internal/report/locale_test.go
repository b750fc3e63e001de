package report

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/state"
)

// optionalKeys are keys a language may have and English has not.
var optionalKeys = []string{"date.first"}

var placeholderRE = regexp.MustCompile(`\{[a-zA-Z]+\}`)

func TestEveryCatalogueHasEveryKeyWithItsPlaceholders(t *testing.T) {
	en, err := localeFor("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		l, err := localeFor(lang)
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range en.msgs {
			got, ok := l.msgs[key]
			if !ok {
				t.Errorf("%s.json lacks %q", lang, key)
				continue
			}
			wp, gp := placeholderRE.FindAllString(want, -1), placeholderRE.FindAllString(got, -1)
			slices.Sort(wp)
			slices.Sort(gp)
			if !slices.Equal(wp, gp) {
				t.Errorf("%s.json %q has placeholders %v, want %v", lang, key, gp, wp)
			}
			if lang != "en" && got == "" {
				t.Errorf("%s.json %q is empty", lang, key)
			}
		}
		for key := range l.msgs {
			if _, ok := en.msgs[key]; !ok && !slices.Contains(optionalKeys, key) {
				t.Errorf("%s.json has %q, which English has not", lang, key)
			}
		}
	}
}

func TestNumbersAndDatesAsEachLanguageWritesThem(t *testing.T) {
	day := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ lang, num, pct, date, short string }{
		{"en", "1,234,567.89", "41.2%", "1 March 2027", "2027-03-01"},
		{"fr", "1\u00a0234\u00a0567,89", "41,2\u00a0%", "1er mars 2027", "01/03/2027"},
		{"es", "1.234.567,89", "41,2\u00a0%", "1 de marzo de 2027", "01/03/2027"},
		{"ru", "1\u00a0234\u00a0567,89", "41,2\u00a0%", "1 марта 2027 г.", "01.03.2027"},
		{"zh", "1,234,567.89", "41.2%", "2027年3月1日", "2027/03/01"},
		{"ar", "١٬٢٣٤٬٥٦٧٫٨٩", "٤١٫٢٪\u061c", "١ آذار/مارس ٢٠٢٧", "٠١/٠٣/٢٠٢٧"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			l, err := localeFor(tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.num(1234567.891); got != tt.num {
				t.Errorf("num = %q, want %q", got, tt.num)
			}
			if got := l.pct(0.412); got != tt.pct {
				t.Errorf("pct = %q, want %q", got, tt.pct)
			}
			if got := l.date(day); got != tt.date {
				t.Errorf("date = %q, want %q", got, tt.date)
			}
			if got := l.shortDate(&day); got != tt.short {
				t.Errorf("shortDate = %q, want %q", got, tt.short)
			}
		})
	}
}

// englishHeadings are the English catalogue's headings: section titles,
// report kinds, the contents, the title page's first line.
func englishHeadings(t *testing.T) []string {
	en, err := localeFor("en")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(en.msgs)) {
		if strings.HasPrefix(k, "section.") || strings.HasPrefix(k, "kind.") || k == "contents" || k == "title.conference1" ||
			strings.HasPrefix(k, "col.") && len(en.msgs[k]) > 12 {
			out = append(out, en.msgs[k])
		}
	}
	return out
}

// TestReportsInEachLanguage renders every kind in the six languages:
// no page of a report in another language holds an English heading, and
// the language's own headings are there (Chinese, French, Russian,
// Spanish; pdftotext gives Arabic in its presentation forms).
func TestReportsInEachLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	populate(t, f)
	// Headings the questionnaire's own English words hold too (its section
	// "Technical assistance") are its to translate, not the catalogue's.
	var own strings.Builder
	for _, sec := range f.q.Sections {
		own.WriteString(sec.Title + "\n")
	}
	for _, q := range f.q.Questions {
		own.WriteString(q.Title + "\n")
	}
	for _, g := range f.reg.WorkingGroups() {
		own.WriteString(g.Name + "\n")
	}
	var headings []string
	for _, h := range englishHeadings(t) {
		if !strings.Contains(own.String(), h) {
			headings = append(headings, h)
		}
	}
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			l, _ := localeFor(lang)
			for _, req := range []Request{
				{Kind: CycleSynthesis, CycleID: cycleID, Language: lang},
				{Kind: CountryProfile, CycleID: cycleID, State: "CIV", Language: lang},
				{Kind: TechnicalAssistance, CycleID: cycleID, Language: lang},
			} {
				doc, text := f.render(t, req)
				if want := strings.TrimSuffix(FileName(Request{Kind: req.Kind, CycleID: cycleID, State: req.State}), "-en.pdf") + "-" + lang + ".pdf"; doc.FileName != want {
					t.Errorf("file name %q, want %q", doc.FileName, want)
				}
				flat := flatten(text)
				// The page count in every footer, as the language writes it.
				wantIn(t, string(req.Kind), flat, " "+l.int(doc.Pages))
				if lang == "en" {
					wantIn(t, string(req.Kind), flat, "Contents", "Statistics")
					continue
				}
				for _, h := range headings {
					if strings.Contains(flat, h) {
						t.Errorf("%s %s: the %s report holds the English heading %q", req.Kind, lang, lang, h)
					}
				}
				if lang != "ar" {
					wantIn(t, string(req.Kind), flat, l.t("contents"), l.t("section.statistics"), l.t("fact.fingerprint"))
					// The State's UN name in the language, on the profile
					// and in the synthesis's annex.
					if req.Kind != TechnicalAssistance {
						civ, _ := state.NameIn("CIV", lang)
						wantIn(t, string(req.Kind), flat, civ)
					}
					// The catalogue's names in the language: the working
					// group (technical assistance) and an indicator.
					if req.Kind == TechnicalAssistance {
						g, _ := f.reg.WorkingGroup(TechnicalAssistanceGroup)
						wantIn(t, string(req.Kind), flat, flatten(g.NameIn(lang)))
					}
					if req.Kind == CycleSynthesis {
						wantIn(t, string(req.Kind), flat, flatten(f.cat.Indicators[0].NameIn(lang)))
					}
					// A choice question's options by their labels in the
					// language (x-choice-labels), in the synthesis's counts.
					if req.Kind == CycleSynthesis {
						q, _ := f.q.Question("/prevention/national_strategy")
						for _, c := range q.Choices {
							wantIn(t, string(req.Kind), flat, flatten(c.Label(lang)))
						}
					}
					// The questionnaire's own words in the language, where it
					// has them (x-labels).
					if tr := f.q.Sections[0].Translations[lang]; tr != "" && req.Kind == CountryProfile {
						wantIn(t, string(req.Kind), flat, flatten(tr))
					}
				}
			}
		})
	}
}
