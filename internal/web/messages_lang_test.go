package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
)

// TestAGrantRefusalReadsInThePagesLanguage (issue 13): the service's
// refusal of an extension shows on the cycle's page in the page's
// language, not the API's English.
func TestAGrantRefusalReadsInThePagesLanguage(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.Secretariat, ""))
	c.get("/cycles/new")
	if r := c.post("/cycles", url.Values{"id": {"2029"}, "name": {"2029 review"}, "questionnaire": {"implementation-v1"},
		"opens_on": {"2028-11-01"}, "closes_on": {"2029-03-31"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("open a cycle: HTTP %d", r.Status)
	}
	c.post("/language", url.Values{"lang": {"fr"}, "next": {"/review/2029"}})
	c.get("/review/2029")
	for _, g := range []struct {
		name     string
		form     url.Values
		french   string
		english  string
		wantCode int
	}{
		{"an unknown State", url.Values{"state": {"XYZ"}, "closes_on": {"2029-05-31"}, "reason": {"Élections"}},
			"aucun État n'a le code « XYZ »", `no State with code "XYZ"`, http.StatusNotFound},
		{"a date before the cycle's", url.Values{"state": {"KEN"}, "closes_on": {"2029-01-31"}, "reason": {"Élections"}},
			"le closesOn d'une prolongation (2029-01-31) doit être postérieur au closesOn du cycle (2029-03-31)", "must be later than", http.StatusBadRequest},
		{"not a date", url.Values{"state": {"KEN"}, "closes_on": {"31/05/2029"}, "reason": {"Élections"}},
			"Saisissez la nouvelle date limite sous forme de date, par exemple 2029-04-30.", "Enter the new deadline", http.StatusBadRequest},
	} {
		r := c.post("/review/2029/extensions", g.form)
		body := html.UnescapeString(r.Body)
		if r.Status != g.wantCode || !strings.Contains(body, g.french) || strings.Contains(body, g.english) {
			t.Errorf("%s: HTTP %d, want %d saying %q, not %q:\n%s", g.name, r.Status, g.wantCode, g.french, g.english, body)
		}
	}
}
