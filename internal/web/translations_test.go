package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
)

// multipartKit is the page's upload form as a browser sends it: the CSRF
// field first, then the language and the file.
func multipartKit(csrf, lang, kit string) (string, string) {
	const boundary = "irm-kit-boundary"
	field := func(name, value string) string {
		return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"
	}
	body := field("csrf", csrf) + field("lang", lang) +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kit.xlf\"\r\nContent-Type: application/x-xliff+xml\r\n\r\n" +
		kit + "\r\n--" + boundary + "--\r\n"
	return "multipart/form-data; boundary=" + boundary, body
}

// withTarget replaces the target of unit id in a kit.
func withTarget(t *testing.T, kit, id, text string) string {
	t.Helper()
	at := strings.Index(kit, `<trans-unit id="`+html.EscapeString(id)+`"`)
	if at < 0 {
		t.Fatalf("no unit %q in the kit", id)
	}
	from := at + strings.Index(kit[at:], "<target")
	from += strings.Index(kit[from:], ">") + 1
	to := from + strings.Index(kit[from:], "</target>")
	return kit[:from] + text + kit[to:]
}

func TestTheSecretariatTranslatesAQuestionnaireOnThePages(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.Secretariat, ""))
	c.get("/")
	c.post("/language", url.Values{"lang": {"fr"}, "next": {"/translations"}})
	q, _ := s.Registry.Get("implementation-v1")
	first := q.Sections[0].Questions[0]
	const revised = "Intitulé révisé par le secrétariat"

	page := c.get("/translations")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "<h1>Traductions</h1>") ||
		!strings.Contains(page.Body, `href="/translations/implementation-v1/fr.xlf"`) || !strings.Contains(page.Body, `href="/translations/training-survey-v2/ar.xlf"`) {
		t.Fatalf("HTTP %d, want the French page of translations with a kit per questionnaire and language\n%.2000s", page.Status, page.Body)
	}
	if home := c.get("/"); !strings.Contains(home.Body, `href="/translations"`) {
		t.Error("the secretariat's home page does not link the translations")
	}

	kit := c.get("/translations/implementation-v1/fr.xlf")
	if kit.Status != http.StatusOK || !strings.Contains(kit.Header.Get("Content-Disposition"), `attachment; filename=implementation-v1.fr.xlf`) ||
		!strings.Contains(kit.Body, `<file original="implementation-v1" source-language="en" target-language="fr"`) {
		t.Fatalf("kit: HTTP %d, %q\n%.500s", kit.Status, kit.Header.Get("Content-Disposition"), kit.Body)
	}

	t.Run("a refused upload lists its problems in French and changes nothing", func(t *testing.T) {
		c.get("/translations")
		bad := strings.Replace(kit.Body, `<trans-unit id="`+first.Path+`#title"`, `<trans-unit id="/nulle-part#title"`, 1)
		ct, body := multipartKit(c.csrf, "fr", bad)
		r := c.direct(http.MethodPost, "/translations/implementation-v1", ct, strings.NewReader(body))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "/nulle-part#title") ||
			!strings.Contains(r.Body, html.EscapeString("n'est pas un texte de ce questionnaire")) {
			t.Fatalf("HTTP %d, want 422 naming the unit in French\n%.3000s", r.Status, r.Body)
		}
		if q2, _ := s.Registry.Get("implementation-v1"); q2 != q {
			t.Error("a refused upload replaced the questionnaire")
		}
	})

	t.Run("an upload without the CSRF field is refused", func(t *testing.T) {
		ct, body := multipartKit("forged-forged-forged-forged-forged-forged", "fr", kit.Body)
		if r := c.direct(http.MethodPost, "/translations/implementation-v1", ct, strings.NewReader(body)); r.Status != http.StatusForbidden {
			t.Errorf("HTTP %d, want 403", r.Status)
		}
	})

	c.get("/translations")
	ct, body := multipartKit(c.csrf, "fr", withTarget(t, kit.Body, first.Path+"#title", revised))
	r := c.direct(http.MethodPost, "/translations/implementation-v1", ct, strings.NewReader(body))
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "est enregistrée") {
		t.Fatalf("upload: HTTP %d, want 200 with the confirmation\n%.3000s", r.Status, r.Body)
	}
	form := c.get("/cycles/" + implCycle + "/states/GHA")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, html.EscapeString(revised)) {
		t.Fatalf("the French form page does not read the uploaded label (HTTP %d)", form.Status)
	}

	c.get("/translations")
	if r := c.post("/translations/implementation-v1/fr/review", url.Values{"reviewed": {"true"}}); r.Status != http.StatusOK ||
		!strings.Contains(r.Body, html.EscapeString("La traduction (Français) est marquée comme révisée.")) {
		t.Fatalf("review: HTTP %d\n%.2000s", r.Status, r.Body)
	}
	if k := c.get("/translations/implementation-v1/fr.xlf"); !strings.Contains(k.Body, `state="final">`+html.EscapeString(revised)) {
		t.Error("after the review, the kit does not give the uploaded label as final")
	}

	t.Run("a focal point may not open the page or download a kit", func(t *testing.T) {
		fp := newClient(t, s)
		fp.signIn(s.token(t, auth.FocalPoint, "GHA"))
		for _, path := range []string{"/translations", "/translations/implementation-v1/fr.xlf"} {
			if r := fp.get(path); r.Status != http.StatusForbidden {
				t.Errorf("%s: HTTP %d, want 403", path, r.Status)
			}
		}
	})
}
