package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
)

// A browser that asks only for languages the service does not offer gets
// the pages in English, and the pages say so, naming what it asked for
// (they used to fall back silently); a browser asking for any of the six,
// or a person who chose one, is not told. A language other than the six
// sent to the switcher is refused with the six named.
func TestPagesSayWhenTheyFallBackToEnglish(t *testing.T) {
	s := newSite(t)
	note := "which this service does not offer: they are shown in English"
	open := func(c *client, path, accept string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		r := c.do(req)
		if r.Status != http.StatusOK {
			t.Fatalf("%s (Accept-Language %q): HTTP %d", path, accept, r.Status)
		}
		return html.UnescapeString(r.Body)
	}

	c := newClient(t, s)
	body := open(c, "/sign-in", "de-CH, de;q=0.9, it;q=0.4")
	if !strings.Contains(body, `<html lang="en"`) || !strings.Contains(body, "Your browser asks for pages in de, it, "+note) {
		t.Errorf("a German and Italian browser: no fallback note on the English sign-in page")
	}
	c.signIn(s.token(t, auth.FocalPoint, "GHA"))
	if body := open(c, "/", "de"); !strings.Contains(body, "pages in de, "+note) {
		t.Error("a German browser, signed in: no fallback note on the home page")
	}
	for _, accept := range []string{"", "fr-CH, de;q=0.9", "en-GB", "de, en;q=0.1", "*"} {
		if body := open(newClient(t, s), "/sign-in", accept); strings.Contains(body, "language-fallback") {
			t.Errorf("Accept-Language %q: the fallback note shows", accept)
		}
	}
	// A language chosen here wins over the browser's: no note.
	c.get("/")
	c.post("/language", url.Values{"lang": {"ar"}, "next": {"/"}})
	if body := open(c, "/", "de"); strings.Contains(body, "language-fallback") || !strings.Contains(body, `<html lang="ar"`) {
		t.Error("a German browser that chose Arabic: the page is not plainly Arabic")
	}
	// The switcher refuses a language outside the six and keeps Arabic.
	r := c.post("/language", url.Values{"lang": {"de"}, "next": {"/"}})
	if r.Status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(r.Body), "ar, zh, en, fr, ru, es") {
		t.Errorf("POST /language lang=de: HTTP %d, want 400 naming the six", r.Status)
	}
	if body := open(c, "/", ""); !strings.Contains(body, `<html lang="ar"`) {
		t.Error("a refused language changed the chosen one")
	}
	if !i18n.Has("Your browser asks for pages in {languages}, which this service does not offer: they are shown in English. Choose one of the six languages above.") {
		t.Error("the note is not in the catalogue")
	}
}
