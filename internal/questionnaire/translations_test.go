package questionnaire_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// label is one piece of text a person reads in one language, with the
// English it translates.
type label struct {
	at, lang, en, text string
}

// shippedLabels walks implementation-v1 as JSON, schema keyword by schema
// keyword (a property named "title" is not a title), and returns every
// label of every titled node and every option; it reports nodes and
// options that lack a language.
func shippedLabels(t *testing.T) []label {
	t.Helper()
	var doc any
	if err := json.Unmarshal(shipped(t).Raw, &doc); err != nil {
		t.Fatal(err)
	}
	var out []label
	others := []string{"ar", "zh", "fr", "ru", "es"}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		n, ok := v.(map[string]any)
		if !ok {
			return
		}
		if title, ok := n["title"].(string); ok {
			labels, _ := n["x-labels"].(map[string]any)
			for _, lang := range others {
				s, _ := labels[lang].(string)
				if s == "" {
					t.Errorf("%s (%q) has no label in %s", at, title, lang)
					continue
				}
				out = append(out, label{at, lang, title, s})
			}
		}
		if enum, ok := n["enum"].([]any); ok {
			cl, _ := n["x-choice-labels"].(map[string]any)
			if len(cl) != len(enum) {
				t.Errorf("%s: %d options and labels for %d", at, len(enum), len(cl))
			}
			for _, e := range enum {
				code := fmt.Sprint(e)
				byLang, _ := cl[code].(map[string]any)
				en, _ := byLang["en"].(string)
				if en == "" {
					t.Errorf("%s option %q has no English label", at, code)
				}
				for _, lang := range others {
					s, _ := byLang[lang].(string)
					if s == "" {
						t.Errorf("%s option %q has no label in %s", at, code, lang)
						continue
					}
					out = append(out, label{at + " option " + code, lang, en, s})
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
	return out
}

// Issue 13: implementation-v1 is translated into the six languages.
func TestShippedQuestionnaireIsTranslated(t *testing.T) {
	q := shipped(t)
	labels := shippedLabels(t) // reports every missing label

	t.Run("nothing is missing in any language", func(t *testing.T) {
		for _, lang := range questionnaire.Languages {
			if n := q.Missing(lang); n != 0 {
				t.Errorf("Missing(%s) = %d, want 0", lang, n)
			}
		}
		if len(labels) < 5*(200+190) {
			t.Errorf("found %d labels, want every titled node and option in five languages", len(labels))
		}
	})

	t.Run("choices carry their English labels, not humanized codes only", func(t *testing.T) {
		qq, _ := q.Question("/criminalization/electronic_evidence/assessment_criteria")
		i := slices.IndexFunc(qq.Choices, func(c questionnaire.Choice) bool { return c.Value == "legality" })
		if i < 0 || qq.Choices[i].Title != "Lawfulness of collection" || qq.Choices[i].Label("ru") != "Законность получения" {
			t.Errorf("assessment_criteria legality = %+v, want its labels from the file", qq.Choices)
		}
	})

	t.Run("the options of a question read differently from each other in every language", func(t *testing.T) {
		for _, qq := range q.Questions {
			for _, lang := range questionnaire.Languages {
				seen := map[string]string{}
				for _, c := range qq.Choices {
					l := c.Label(lang)
					if other, dup := seen[l]; dup {
						t.Errorf("%s in %s: options %q and %q both read %q", qq.Path, lang, other, c.Value, l)
					}
					seen[l] = c.Value
				}
			}
		}
	})

	// Words spelled alike in English and the language; any other label
	// equal to its English is a copy left untranslated.
	alike := map[string][]string{
		"fr": {"Extradition", "INTERPOL", "Ratification", "Administrative", "Police"},
		"es": {"No", "INTERPOL", "Civil", "UNODC"},
	}
	t.Run("no label is the English copied", func(t *testing.T) {
		for _, l := range labels {
			if l.text == l.en && !slices.Contains(alike[l.lang], l.text) {
				t.Errorf("%s in %s is the English %q", l.at, l.lang, l.text)
			}
		}
	})

	script := map[string]*unicode.RangeTable{"ar": unicode.Arabic, "zh": unicode.Han, "ru": unicode.Cyrillic}
	foreign := []*unicode.RangeTable{unicode.Arabic, unicode.Han, unicode.Cyrillic}
	question := map[string]string{"ar": "؟", "zh": "？", "fr": "?", "ru": "?", "es": "?"}
	digits := regexp.MustCompile(`[0-9]+`) // "24/7" may be spelled out: "24 heures sur 24, 7 jours sur 7"
	t.Run("labels are written in their language's script, with sane punctuation", func(t *testing.T) {
		for _, l := range labels {
			where := fmt.Sprintf("%s in %s (%q)", l.at, l.lang, l.text)
			if rt, ok := script[l.lang]; ok {
				if !strings.ContainsFunc(l.text, func(r rune) bool { return unicode.Is(rt, r) }) &&
					!(l.lang == "zh" && strings.Trim(l.text, "0123456789/") == "") {
					t.Errorf("%s has no character of its script", where)
				}
			} else if strings.ContainsFunc(l.text, func(r rune) bool { return unicode.In(r, foreign...) }) {
				t.Errorf("%s mixes in Arabic, Chinese or Cyrillic", where)
			}
			if strings.TrimSpace(l.text) != l.text || strings.Contains(l.text, "  ") || strings.ContainsAny(l.text, "{}%\t\n") {
				t.Errorf("%s has stray spaces or placeholder characters", where)
			}
			if strings.Count(l.text, "(")+strings.Count(l.text, "（") != strings.Count(l.text, ")")+strings.Count(l.text, "）") {
				t.Errorf("%s has unbalanced parentheses", where)
			}
			asks := strings.HasSuffix(l.en, "?")
			if got := strings.HasSuffix(l.text, question[l.lang]); got != asks {
				t.Errorf("%s: ends with %q = %v, want %v as the English %q", where, question[l.lang], got, asks, l.en)
			}
			for _, d := range digits.FindAllString(l.en, -1) {
				if !strings.Contains(l.text, d) {
					t.Errorf("%s lacks the English %q", where, d)
				}
			}
		}
	})
}

// Migration 00017 records the validation digest of implementation-v1 as
// shipped before its translations were completed, for the databases whose
// cycles use it; the translated file must have the same one, or those
// databases would refuse to start.
func TestShippedValidationDigestIsTheMigrations(t *testing.T) {
	sql, err := os.ReadFile("../../migrations/00017_translation_reviews.sql")
	if err != nil {
		t.Fatal(err)
	}
	if q := shipped(t); !strings.Contains(string(sql), "'"+q.ValidationSHA256+"'") {
		t.Errorf("migration 00017 does not record the validation digest %s of %s.json", q.ValidationSHA256, q.ID)
	}
}
