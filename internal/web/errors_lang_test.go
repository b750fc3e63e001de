package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
)

// The pages show domain errors in their language (issue 13): an error
// page says what went wrong in a sentence of the catalogue with its
// details filled in, and the statistics upload gives each row's reason in
// the page's language.
func TestDomainErrorsReadInThePagesLanguage(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.FocalPoint, "GHA"))
	page := "/states/GHA/statistics"
	c.get("/")
	for lang, want := range map[string]string{
		"en": "there is no page at /no/such/page",
		"fr": "il n'y a pas de page à l'adresse /no/such/page",
		"ar": "لا توجد صفحة في العنوان /no/such/page",
		"zh": "/no/such/page 处没有页面",
	} {
		t.Run("an error page in "+lang, func(t *testing.T) {
			c.post("/language", url.Values{"lang": {lang}, "next": {"/"}})
			r := c.get("/no/such/page")
			if r.Status != http.StatusNotFound || !strings.Contains(html.UnescapeString(r.Body), want) {
				t.Fatalf("HTTP %d, want 404 saying %q:\n%s", r.Status, want, r.Body)
			}
		})
	}
	for lang, want := range map[string]string{
		"fr": "indicateur inconnu « NO_SUCH_INDICATOR »",
		"ar": "مؤشر غير معروف «NO_SUCH_INDICATOR»",
		"ru": "неизвестный показатель «NO_SUCH_INDICATOR»",
	} {
		t.Run("an upload's row reasons in "+lang, func(t *testing.T) {
			c.post("/language", url.Values{"lang": {lang}, "next": {page}})
			c.get(page)
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf", c.csrf) //nolint:errcheck
			fw, _ := mw.CreateFormFile("file", "gha.csv")
			fw.Write([]byte("indicator,year,value\nNO_SUCH_INDICATOR,2020,1\n")) //nolint:errcheck
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, c.s.URL+page, &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			r := c.do(req)
			text := html.UnescapeString(r.Body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text, want) || strings.Contains(text, "unknown indicator") {
				t.Fatalf("HTTP %d, want 422 with %q:\n%s", r.Status, want, r.Body)
			}
		})
	}
}
