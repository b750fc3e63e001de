package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/translation"
)

const (
	unreviewedNotice = `id="unreviewed-translation"`
	unreviewedKey    = "This translation has not yet been reviewed by the secretariat; the English text is authoritative."
)

// TestUnreviewedTranslationIsMarked: issue 13. A page that shows a
// questionnaire's labels in a language whose translation the secretariat
// has not reviewed says so, and that the English is authoritative: the
// form, the review page and the working group's dashboard. English pages
// never do; once the secretariat reviews the language, its pages no
// longer do.
func TestUnreviewedTranslationIsMarked(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	fp := auth.Principal{Name: "test focal point", Role: auth.FocalPoint, State: "GHA"}
	if _, err := s.Workflow.SaveDraft(auth.WithPrincipal(ctx, fp), fp, implCycle, "GHA", json.RawMessage(`{}`), nil); err != nil {
		t.Fatal(err) // the review page needs a submission
	}
	pages := []struct {
		name, path string
		client     *client
	}{
		{"the questionnaire form", "/cycles/" + implCycle + "/states/GHA", newClient(t, s)},
		{"the review page", "/review/" + implCycle + "/GHA", newClient(t, s)},
		{"the working group's dashboard", "/groups/international-cooperation/" + implCycle, newClient(t, s)},
	}
	pages[0].client.signIn(s.token(t, auth.FocalPoint, "GHA"))
	pages[1].client.signIn(s.token(t, auth.Secretariat, ""))
	pages[2].client.signIn(s.token(t, auth.WorkingGroup, "", "international-cooperation"))
	// notices opens every page in lang and reports whether each says the
	// translation is not reviewed (and fails a page that does so in
	// another language than its own).
	notices := func(t *testing.T, lang string) map[string]bool {
		t.Helper()
		out := map[string]bool{}
		for _, p := range pages {
			p.client.get(p.path) // the page's CSRF token, for choosing the language
			p.client.post("/language", url.Values{"lang": {lang}, "next": {p.path}})
			r := p.client.get(p.path)
			body := html.UnescapeString(r.Body)
			if r.Status != http.StatusOK || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Fatalf("%s in %s: HTTP %d, want the page in %s", p.name, lang, r.Status, lang)
			}
			out[p.name] = strings.Contains(body, unreviewedNotice)
			if out[p.name] && !strings.Contains(body, i18n.T(lang, unreviewedKey)) {
				t.Errorf("%s in %s: the notice is not in %s", p.name, lang, lang)
			}
		}
		return out
	}
	expect := func(t *testing.T, lang string, want bool) {
		t.Helper()
		for name, got := range notices(t, lang) {
			if got != want {
				t.Errorf("%s in %s: notice shown = %v, want %v", name, lang, got, want)
			}
		}
	}
	t.Run("in French, not reviewed, every page says so", func(t *testing.T) { expect(t, "fr", true) })
	t.Run("in English, the original, no page does", func(t *testing.T) { expect(t, "en", false) })

	tr := translation.NewService(s.Pool, s.Registry)
	sec := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	if _, err := tr.Review(ctx, sec, "implementation-v1", "fr", true); err != nil {
		t.Fatal(err)
	}
	t.Run("once French is reviewed, no French page says so", func(t *testing.T) { expect(t, "fr", false) })
	t.Run("Spanish, not reviewed, still does", func(t *testing.T) { expect(t, "es", true) })
	if _, err := tr.Review(ctx, sec, "implementation-v1", "fr", false); err != nil {
		t.Fatal(err)
	}
	t.Run("a withdrawn review brings the notice back", func(t *testing.T) { expect(t, "fr", true) })
}
