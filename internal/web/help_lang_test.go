package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// englishHelp is a help paragraph marked as the English fallback.
var englishHelp = regexp.MustCompile(`<p class="(help|lead)"( id="[^"]*")? lang="en"`)

// TestHelpTextReadsInThePagesLanguage: issue 13. The questionnaire's help
// text (its descriptions) was English on every page; on Russian and
// Arabic pages the form now shows it as x-descriptions translate it, and
// none of the English.
func TestHelpTextReadsInThePagesLanguage(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.FocalPoint, "GHA"))
	q, ok := s.Registry.Get("implementation-v1")
	if !ok {
		t.Fatal("no implementation-v1")
	}
	page := "/cycles/" + implCycle + "/states/GHA"
	c.get(page) // the form's CSRF token, for choosing the language
	for _, lang := range []string{"ru", "ar"} {
		t.Run(lang, func(t *testing.T) {
			c.post("/language", url.Values{"lang": {lang}, "next": {page}})
			shown := 0
			for _, sec := range q.Sections {
				body := html.UnescapeString(c.get(page + "?section=" + url.QueryEscape(sec.ID)).Body)
				if !strings.Contains(body, `<html lang="`+lang+`"`) {
					t.Fatalf("section %s: the page is not in %s", sec.ID, lang)
				}
				if englishHelp.MatchString(body) {
					t.Errorf("section %s in %s: help text marked as an English fallback", sec.ID, lang)
				}
				texts := []questionnaire.Description{q.Description, sec.Description}
				for _, other := range q.Sections {
					texts = append(texts, other.Description)
				}
				for _, qq := range q.Questions {
					texts = append(texts, qq.Description)
				}
				for _, d := range texts {
					if d.Text != "" && strings.Contains(body, d.Text) {
						t.Errorf("section %s in %s shows the English help %q", sec.ID, lang, d.Text)
					}
				}
				if want := sec.Description.In(lang); !strings.Contains(body, want) {
					t.Errorf("section %s in %s lacks its help %q", sec.ID, lang, want)
				}
				for _, qq := range sec.Questions {
					if want := qq.Description.In(lang); want != "" && strings.Contains(body, want) {
						shown++
					}
				}
				if strings.Contains(body, "ГГГГ") || strings.Contains(body, "YYYY") {
					t.Errorf("section %s in %s: a date's help gives its format in letters beside the picker", sec.ID, lang)
				}
			}
			if shown < 60 {
				t.Errorf("%d questions show their help in %s, want most of them", shown, lang)
			}
		})
	}
}

// TestUntranslatedHelpIsMarkedEnglish: a questionnaire need not translate
// its help text; where it has none in the page's language, the English
// shows, marked lang="en" (and dir="ltr" on a right-to-left page) so that
// a screen reader reads it as English.
func TestUntranslatedHelpIsMarkedEnglish(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.FocalPoint, "KEN"))
	page := "/cycles/" + secondCycle + "/states/KEN"
	const help = "This section deliberately has no additionalProperties and no x-labels."
	c.get(page) // the form's CSRF token, for choosing the language
	for lang, want := range map[string]string{
		"ar": `<p class="lead" lang="en" dir="ltr">` + help + `</p>`,
		"ru": `<p class="lead" lang="en">` + help + `</p>`,
		"en": `<p class="lead">` + help + `</p>`,
	} {
		t.Run(lang, func(t *testing.T) {
			c.post("/language", url.Values{"lang": {lang}, "next": {page}})
			body := html.UnescapeString(c.get(page + "?section=needs").Body)
			if !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Fatalf("the page is not in %s", lang)
			}
			if !strings.Contains(body, want) {
				t.Errorf("the needs section in %s lacks %s", lang, want)
			}
		})
	}
}
