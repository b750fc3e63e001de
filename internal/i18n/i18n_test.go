package i18n

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// pluralForms are the CLDR cardinal forms of each language's integers: a
// plural message must give each of them.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"fr": {"one", "other"},
	"es": {"one", "other"},
	"ru": {"one", "few", "many", "other"},
	"ar": {"zero", "one", "two", "few", "many", "other"},
	"zh": {"other"},
}

// Every language has every key and no other, and a translation keeps the
// English message's placeholders: none dropped, none added.
func TestCataloguesAreComplete(t *testing.T) {
	en := catalogues[Default]
	if len(en) < 150 {
		t.Fatalf("the English catalogue has %d keys, want the whole interface", len(en))
	}
	for _, l := range Languages {
		c := catalogues[l.Code]
		for key, m := range en {
			tm, ok := c[key]
			if !ok {
				t.Errorf("%s.json: %q is missing", l.Code, key)
				continue
			}
			want := KeyPlaceholders(key)
			if len(m) > 1 || len(tm) > 1 {
				checkPlural(t, l.Code, key, tm, want)
				continue
			}
			if got := Placeholders(tm["other"]); !slices.Equal(got, want) {
				t.Errorf("%s.json: %q has placeholders %v, want %v", l.Code, key, got, want)
			}
		}
		for key := range c {
			if _, ok := en[key]; !ok {
				t.Errorf("%s.json: %q is not a key of en.json", l.Code, key)
			}
		}
	}
}

// checkPlural: a plural message gives each of the language's forms; every
// form keeps the placeholders, except that a form for exactly one number
// (zero, one, two) may spell the number out instead of {count}.
func checkPlural(t *testing.T, lang, key string, m message, want []string) {
	t.Helper()
	if len(m) == 1 {
		// One sentence for every number is a plural message too (Chinese).
		if got := Placeholders(m["other"]); !slices.Equal(got, want) {
			t.Errorf("%s.json: %q has placeholders %v, want %v", lang, key, got, want)
		}
		return
	}
	for _, f := range pluralForms[lang] {
		if _, ok := m[f]; !ok {
			t.Errorf("%s.json: %q lacks the plural form %q", lang, key, f)
		}
	}
	for f, text := range m {
		got := Placeholders(text)
		w := want
		if f == "zero" || f == "one" || f == "two" {
			if !slices.Contains(got, "count") {
				w = slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == "count" })
			}
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s.json: %q form %s has placeholders %v, want %v", lang, key, f, got, w)
		}
	}
}

func TestPluralFormsFollowCLDR(t *testing.T) {
	key := "{count} rows have a problem; nothing was stored."
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 row has a problem; nothing was stored."},
		{"en", 2, "2 rows have a problem; nothing was stored."},
		{"fr", 0, "0 ligne pose problème ; rien n'a été enregistré."},
		{"ru", 1, "В 1 строке есть ошибка; ничего не сохранено."},
		{"ru", 3, "В 3 строках есть ошибки; ничего не сохранено."},
		{"ru", 21, "В 21 строке есть ошибка; ничего не сохранено."},
		{"ar", 2, "صفان بهما مشكلة؛ لم يُحفظ أي شيء."},
		{"ar", 5, "٥ صفوف بها مشكلة؛ لم يُحفظ أي شيء."},
		{"ar", 11, "١١ صفاً بها مشكلة؛ لم يُحفظ أي شيء."},
		{"ar", 100, "١٠٠ صف بها مشكلة؛ لم يُحفظ أي شيء."},
		{"zh", 7, "7 行有问题；未保存任何内容。"},
	} {
		if got := T(tc.lang, key, "count", tc.n); got != tc.want {
			t.Errorf("%s, %d: got %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestMatchPicksTheBestOfTheSix(t *testing.T) {
	for header, want := range map[string]string{
		"":                        "en",
		"fr-CA,fr;q=0.9,en;q=0.8": "fr",
		"de-DE,de;q=0.9":          "en",
		"de,ru;q=0.5":             "ru",
		"zh-Hant-TW":              "zh",
		"zh-CN,zh;q=0.9":          "zh",
		"ar-EG":                   "ar",
		"es-419":                  "es",
		"pt-BR,es;q=0.4,en;q=0.3": "es",
		"*":                       "en",
		"garbage;;q=x":            "en",
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestLanguagesNameThemselves(t *testing.T) {
	var names []string
	for _, l := range Languages {
		names = append(names, l.Name)
		if (l.Dir == "rtl") != (l.Code == "ar") {
			t.Errorf("%s is %s", l.Code, l.Dir)
		}
	}
	if got, want := strings.Join(names, " "), "العربية 中文 English Français Русский Español"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	codes := []string{}
	for _, l := range Languages {
		codes = append(codes, l.Code)
	}
	sort.Strings(codes)
	if !slices.Equal(codes, []string{"ar", "en", "es", "fr", "ru", "zh"}) {
		t.Errorf("languages %v, want the six", codes)
	}
}

// A count in a sentence is written with the digits of the sentence's
// language: an Arabic page reads ٣, not 3 (the reports' and the pages'
// figures already do).
func TestCountsInASentenceTakeTheLanguagesDigits(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    any
		want string
	}{
		{"ar", 3, "٣"},
		{"ar", 2027, "٢٠٢٧"},
		{"ar", 12345, "١٢٬٣٤٥"},
		{"en", 12345, "12,345"},
		{"en", 2027, "2027"},
		{"fr", 12345, "12\u00a0345"},
		{"zh", 7, "7"},
		{"ar", int64(40), "٤٠"},
		{"ar", 2.5, "٢٫٥"},
		{"ar", "2027-03-31", "2027-03-31"}, // a string is the caller's
	} {
		if got := format(c.lang, c.n); got != c.want {
			t.Errorf("format(%s, %v) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	for _, c := range []struct{ lang, in, want string }{
		{"ar", "9223372036854775807", "٩٢٢٣٣٧٢٠٣٦٨٥٤٧٧٥٨٠٧"},
		{"ar", "-0.5", "-٠٫٥"},
		{"fr", "0.25", "0,25"},
		{"en", "0.25", "0.25"},
		{"zh", "50", "50"},
		{"ar", "+50", "+50"}, // not a plain number: as given
	} {
		if got := Numeral(c.lang, c.in); got != c.want {
			t.Errorf("Numeral(%s, %s) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}

	// Through a catalogue message, plural form and all.
	key := "{count} still required"
	if !Has(key) {
		t.Fatalf("catalogue lacks %q", key)
	}
	ar := T("ar", key, "count", 3)
	if !strings.Contains(ar, "٣") || strings.ContainsAny(ar, "0123456789") {
		t.Errorf("Arabic count written %q: want Arabic-Indic digits only", ar)
	}
	if en := T("en", key, "count", 3); !strings.Contains(en, "3") {
		t.Errorf("English count written %q", en)
	}
}

// A message kept as data reads in each language, its parameters filled,
// and its count chooses the plural form, as T does.
func TestMessageReadsInTheReadersLanguage(t *testing.T) {
	m := M("{count} rows have a problem; nothing was stored.", "count", 3)
	if got, want := m.In("en"), "3 rows have a problem; nothing was stored."; got != want {
		t.Errorf("en: got %q, want %q", got, want)
	}
	if got, want := m.In("ru"), "В 3 строках есть ошибки; ничего не сохранено."; got != want {
		t.Errorf("ru: got %q, want %q", got, want)
	}
	if m.Params["count"] != "3" {
		t.Errorf("params %v, want count as text", m.Params)
	}
}

// A browser asking only for languages outside the six is told that the
// pages fall back to English; one asking for any of the six is not.
func TestUnofferedLanguages(t *testing.T) {
	for header, want := range map[string][]string{
		"de-CH, de;q=0.9, it;q=0.5": {"de", "it"},
		"de":                        {"de"},
		"de, en;q=0.5":              nil,
		"en-US":                     nil,
		"zh-Hant-TW":                nil,
		"pt-BR, fr;q=0.2":           nil,
		"*":                         nil,
		"":                          nil,
		";;;":                       nil,
	} {
		if got := Unoffered(header); !slices.Equal(got, want) {
			t.Errorf("Unoffered(%q) = %v, want %v", header, got, want)
		}
	}
}
