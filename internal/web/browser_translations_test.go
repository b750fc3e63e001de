package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/translation"
)

// The Translations page as the secretariat meets it (issue 13): the
// table of languages, a refused upload's problems in the page's language,
// a stored upload confirmed; each page checked with axe-core, in English,
// French and Arabic (right to left).
func TestBrowserTranslationsPage(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.signIn(s.token(t, auth.Secretariat, ""))
	q, _ := s.Registry.Get("implementation-v1")
	kit, err := translation.Kit(q, "fr", false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	upload := func(name, lang, body string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		b.open("/translations")
		b.do(chromedp.SetValue("#lang-implementation-v1", lang), chromedp.SetUploadFiles("#file-implementation-v1", []string{path}))
		b.submit(`form[action="/translations/implementation-v1"] button[type=submit]`)
	}

	b.open("/translations")
	if n := eval[int](b, `document.querySelectorAll('a[href$=".xlf"]').length`); n != 10 {
		t.Errorf("%d kits to download, want 10 (two questionnaires, five languages)", n)
	}
	b.page("translations-01-list")

	b.chooseLanguage("fr")
	first := q.Sections[0].Questions[0].Path
	upload("bad.xlf", "fr", strings.Replace(string(kit), `<trans-unit id="`+first+`#title"`, `<trans-unit id="/nulle-part#title"`, 1))
	if got := b.text(".error-summary"); !strings.Contains(got, "/nulle-part#title") || !strings.Contains(got, "n'est pas un texte de ce questionnaire") {
		t.Errorf("a refused upload: %q", got)
	}
	if got := eval[string](b, `document.querySelector("#lang-implementation-v1").value`); got != "fr" {
		t.Errorf("after a refused French upload the form has %q chosen, want fr", got)
	}
	b.page("translations-02-refused")

	b.chooseLanguage("ar")
	upload("good.xlf", "fr", withTarget(t, string(kit), first+"#title", "Intitulé révisé"))
	if got := b.text(".banner.ok"); !strings.Contains(got, "حُفظت الترجمة") {
		t.Errorf("a stored upload: %q", got)
	}
	b.page("translations-03-stored")
}
