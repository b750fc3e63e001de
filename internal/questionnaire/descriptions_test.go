package questionnaire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// Issue 13: help text reads in the six languages (x-descriptions), with
// English where a questionnaire has no translation.
func TestDescriptions(t *testing.T) {
	q, err := inline(t, `{
		"name": {"type": "string", "title": "Name", "description": "Name of the official.",
			"x-descriptions": {"fr": "Nom du fonctionnaire.", "RU": "Имя должностного лица."}},
		"plain": {"type": "string", "title": "Plain", "description": "Only in English."},
		"ref": {"$ref": "#/$defs/yn", "title": "Ref"},
		"own": {"$ref": "#/$defs/yn", "title": "Own", "description": "Said here."},
		"list": {"type": "array", "title": "List", "items": {"type": "object", "properties": {
			"law": {"type": "string", "description": "The law.", "x-descriptions": {"es": "La ley."}}}}}
	}`, `{"yn": {"type": "boolean", "description": "Yes or no.", "x-descriptions": {"zh": "是或否。"}}}`)
	if err != nil {
		t.Fatalf("Compile = %v, want no error", err)
	}
	get := func(path string) questionnaire.Description {
		qq, ok := q.Question(path)
		if !ok {
			t.Fatalf("no question %s", path)
		}
		return qq.Description
	}
	for _, tt := range []struct {
		name, path, lang, want string
		translated             bool
	}{
		{"English is the description", "/s/name", "en", "Name of the official.", true},
		{"x-descriptions give a translation", "/s/name", "fr", "Nom du fonctionnaire.", true},
		{"a language code is read in lower case", "/s/name", "ru", "Имя должностного лица.", true},
		{"a language without a translation falls back to English", "/s/name", "ar", "Name of the official.", false},
		{"a node without x-descriptions reads English everywhere", "/s/plain", "zh", "Only in English.", false},
		{"translations come through a $ref", "/s/ref", "zh", "是或否。", true},
		{"a description beside a $ref does not take the target's translations", "/s/own", "zh", "Said here.", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := get(tt.path)
			if got := d.In(tt.lang); got != tt.want || d.Translated(tt.lang) != tt.translated {
				t.Errorf("%s in %s = %q (translated %v), want %q (%v)", tt.path, tt.lang, got, d.Translated(tt.lang), tt.want, tt.translated)
			}
		})
	}
	t.Run("a list's fields read theirs", func(t *testing.T) {
		qq, _ := q.Question("/s/list")
		if f := qq.Control.Item.Fields[0]; f.Description.In("es") != "La ley." || f.Description.In("fr") != "The law." {
			t.Errorf("field law = %+v, want La ley. in Spanish, English in French", f.Description)
		}
	})
	t.Run("sections and groups read theirs", func(t *testing.T) {
		g, err := questionnaire.Compile("g", []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema",
			"type": "object", "title": "Q", "description": "Reply.", "x-descriptions": {"ar": "أجب."},
			"properties": {"s": {"type": "object", "title": "S", "description": "Section.", "x-descriptions": {"fr": "Section."},
				"properties": {"g": {"type": "object", "title": "G", "description": "Group.", "x-descriptions": {"ru": "Группа."},
					"properties": {"a": {"type": "string", "title": "A"}}}}}}}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Description.In("ar"); got != "أجب." {
			t.Errorf("root in ar = %q", got)
		}
		if got := g.Sections[0].Description; !got.Translated("fr") || got.In("es") != "Section." {
			t.Errorf("section = %+v, want French translated, Spanish falling back", got)
		}
		if got := g.GroupDescription("/s/g").In("ru"); got != "Группа." {
			t.Errorf("group in ru = %q", got)
		}
	})
}

func TestBadDescriptionsStopTheLoad(t *testing.T) {
	for _, tt := range []struct {
		name, props string
		want        []string // in the error
	}{
		{"an unknown language", `{"a": {"type": "string", "description": "D", "x-descriptions": {"de": "Beschreibung"}}}`,
			[]string{"/properties/s/properties/a", `"de"`}},
		{"English, which is the description", `{"a": {"type": "string", "description": "D", "x-descriptions": {"en": "D"}}}`,
			[]string{"/properties/s/properties/a", `"en"`}},
		{"a text that is not a string", `{"a": {"type": "string", "description": "D", "x-descriptions": {"fr": 1}}}`,
			[]string{"/properties/s/properties/a", `"fr"`}},
		{"an empty text", `{"a": {"type": "string", "description": "D", "x-descriptions": {"fr": "D", "es": " "}}}`,
			[]string{"/properties/s/properties/a", `"es"`, "non-empty"}},
		{"not an object", `{"a": {"type": "string", "description": "D", "x-descriptions": ["D"]}}`,
			[]string{"/properties/s/properties/a", "must be an object"}},
		{"no description to translate", `{"a": {"type": "string", "x-descriptions": {"fr": "D"}}}`,
			[]string{"/properties/s/properties/a", "description beside it"}},
		{"inside a list's items", `{"l": {"type": "array", "items": {"type": "object", "properties": {
			"f": {"type": "string", "description": "D", "x-descriptions": {"xx": "D"}}}}}}`,
			[]string{"/properties/s/properties/l/items/properties/f", `"xx"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inline(t, tt.props, "")
			if err == nil {
				t.Fatal("Compile = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Compile = %v, want an error naming %s", err, w)
				}
			}
		})
	}
}

// x-descriptions are what a person reads: a translation of help text can
// be added or corrected while cycles use the file (the validation digest
// is the same), and it makes a reviewed translation a draft again (the
// labels digest changes, in that language only).
func TestDescriptionsAndTheDigests(t *testing.T) {
	orig := readFile(t, "testdata/second/training-survey-v2.json")
	base := second(t)
	old := `"description": "A second, deliberately differently shaped questionnaire used by the tests of internal/questionnaire."`
	if !bytes.Contains(orig, []byte(old)) {
		t.Fatalf("the fixture has no %s", old)
	}
	compile := func(t *testing.T, new string) *questionnaire.Questionnaire {
		t.Helper()
		q, err := questionnaire.Compile("training-survey-v2", bytes.Replace(orig, []byte(old), []byte(new), 1), knownWorkingGroups(t))
		if err != nil {
			t.Fatalf("Compile(edited) = %v", err)
		}
		return q
	}
	added := compile(t, old+`, "x-descriptions": {"fr": "Un second questionnaire, de forme délibérément différente, utilisé par les tests."}`)
	corrected := compile(t, old+`, "x-descriptions": {"fr": "Un deuxième questionnaire, de forme délibérément différente, utilisé par les tests."}`)
	if added.SHA256 == base.SHA256 || added.SHA256 == corrected.SHA256 {
		t.Fatal("the edits left the file's SHA-256 unchanged")
	}
	if added.ValidationSHA256 != base.ValidationSHA256 || corrected.ValidationSHA256 != base.ValidationSHA256 {
		t.Errorf("validation digest changed by x-descriptions: %s, %s, want %s", added.ValidationSHA256, corrected.ValidationSHA256, base.ValidationSHA256)
	}
	if added.LabelsSHA256("fr") == base.LabelsSHA256("fr") || corrected.LabelsSHA256("fr") == added.LabelsSHA256("fr") {
		t.Error("the French labels digest ignores the French help text")
	}
	if added.LabelsSHA256("es") != base.LabelsSHA256("es") {
		t.Error("a French help text changed the Spanish labels digest")
	}
	if changed := compile(t, `"description": "A second questionnaire used by the tests."`); changed.LabelsSHA256("en") == base.LabelsSHA256("en") {
		t.Error("the English labels digest ignores the English help text")
	}
}

// Issue 13: every help text of implementation-v1 reads in the five other
// languages: all five present, non-empty, in the language's script, not
// the English copied, keeping the English's figures.
func TestShippedDescriptionsAreTranslated(t *testing.T) {
	q := shipped(t)
	var doc any
	if err := json.Unmarshal(q.Raw, &doc); err != nil {
		t.Fatal(err)
	}
	others := []string{"ar", "zh", "fr", "ru", "es"}
	script := map[string]*unicode.RangeTable{"ar": unicode.Arabic, "zh": unicode.Han, "ru": unicode.Cyrillic}
	foreign := []*unicode.RangeTable{unicode.Arabic, unicode.Han, unicode.Cyrillic}
	digits := regexp.MustCompile(`[0-9]+`)
	described := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		n, ok := v.(map[string]any)
		if !ok {
			return
		}
		if en, ok := n["description"].(string); ok {
			described++
			byLang, _ := n["x-descriptions"].(map[string]any)
			for _, lang := range others {
				s, _ := byLang[lang].(string)
				where := fmt.Sprintf("%s in %s (%q)", at, lang, s)
				switch {
				case s == "":
					t.Errorf("%s has no help text in %s", at, lang)
					continue
				case s == en:
					t.Errorf("%s is the English copied", where)
				}
				if rt, ok := script[lang]; ok {
					if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(rt, r) }) {
						t.Errorf("%s has no character of its script", where)
					}
				} else if strings.ContainsFunc(s, func(r rune) bool { return unicode.In(r, foreign...) }) {
					t.Errorf("%s mixes in Arabic, Chinese or Cyrillic", where)
				}
				if strings.TrimSpace(s) != s || strings.Contains(s, "  ") || strings.ContainsAny(s, "{}%\t\n") {
					t.Errorf("%s has stray spaces or placeholder characters", where)
				}
				if strings.Count(s, "(")+strings.Count(s, "（") != strings.Count(s, ")")+strings.Count(s, "）") {
					t.Errorf("%s has unbalanced parentheses", where)
				}
				for _, d := range digits.FindAllString(en, -1) {
					if !strings.Contains(s, d) {
						t.Errorf("%s lacks the English %q", where, d)
					}
				}
			}
			for lang := range byLang {
				if !slices.Contains(others, lang) {
					t.Errorf("%s has help text in %q", at, lang)
				}
			}
		}
		for k, child := range n {
			switch k {
			case "properties", "patternProperties", "$defs", "dependentSchemas":
				m, _ := child.(map[string]any)
				for name, s := range m {
					walk(s, at+"/"+k+"/"+name)
				}
			case "allOf", "anyOf", "oneOf", "prefixItems":
				a, _ := child.([]any)
				for i, s := range a {
					walk(s, fmt.Sprintf("%s/%s/%d", at, k, i))
				}
			case "items", "additionalProperties", "contains", "not", "if", "then", "else":
				walk(child, at+"/"+k)
			}
		}
	}
	walk(doc, "")
	if described < 160 {
		t.Errorf("found %d descriptions, want every one of the file's (about 170)", described)
	}
	t.Run("the loaded questionnaire reads them", func(t *testing.T) {
		for _, lang := range others {
			if !q.Description.Translated(lang) {
				t.Errorf("the root's help text is not translated into %s", lang)
			}
			for _, s := range q.Sections {
				if s.Description.Text != "" && !s.Description.Translated(lang) {
					t.Errorf("section %s: help text not translated into %s", s.ID, lang)
				}
			}
			for _, qq := range q.Questions {
				if qq.Description.Text != "" && !qq.Description.Translated(lang) {
					t.Errorf("%s: help text not translated into %s", qq.Path, lang)
				}
			}
		}
		qq, _ := q.Question("/general_provisions/national_focal_point/email")
		if got := qq.Description.In("fr"); !strings.HasPrefix(got, "Si possible, une adresse institutionnelle") {
			t.Errorf("the focal point's e-mail help in French = %q", got)
		}
	})
}
