package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
)

// A form sent after its session ended comes back inside the sign-in page
// only with the ended session's own CSRF token (this browser's form), and
// its answers go back into a form only for someone who may edit it
// (issue 17).
func TestAFormSentAfterTheSessionEndedComesBackOnlyToItsBrowser(t *testing.T) {
	s := newSite(t)
	fp := s.token(t, auth.FocalPoint, "GHA")
	other := s.token(t, auth.FocalPoint, "NGA")
	c := newClient(t, s)
	c.signIn(fp)
	page := "/cycles/" + implCycle + "/states/GHA"
	c.get(page + "?section=implementation")
	typed := "Typed when the session ended <b>kept</b>"
	form := func(csrf string) url.Values {
		return url.Values{"csrf": {csrf}, "section": {"implementation"}, "version": {"0"}, "action": {"save"},
			"/implementation/main_challenges": {typed}}
	}
	sessionCSRF := c.csrf
	if _, err := s.Pool.Exec(context.Background(), `DELETE FROM web_sessions`); err != nil {
		t.Fatal(err)
	}
	escaped := strings.ReplaceAll(strings.ReplaceAll(typed, "<", "&lt;"), ">", "&gt;")

	if r := c.post(page, form("not-this-browsers")); r.Status != http.StatusForbidden || strings.Contains(r.Body, "kept") {
		t.Errorf("a form with another CSRF token: HTTP %d, want 403 without the answers", r.Status)
	}
	r := c.post(page, form(sessionCSRF))
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, `value="`+escaped+`"`) || !strings.Contains(r.Body, "Your session has ended") {
		t.Fatalf("the ended session's form: HTTP %d, want 401 with the answers carried\n%s", r.Status, r.Body)
	}
	if strings.Contains(r.Body, typed) {
		t.Error("the carried answer is not escaped")
	}
	carried := url.Values{"section": {"implementation"}, "version": {"0"}, "/implementation/main_challenges": {typed}, "csrf": {c.csrf}}

	carried.Set("token", "irm_not-a-token")
	if r := c.post(page, carried); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "That token is not valid") || !strings.Contains(r.Body, `value="`+escaped+`"`) {
		t.Errorf("a wrong token: HTTP %d, want 401 saying so with the answers still carried", r.Status)
	}
	carried.Set("csrf", c.csrf)
	carried.Set("token", other)
	if r := c.post(page, carried); r.Status != http.StatusForbidden || strings.Contains(r.Body, "kept") {
		t.Errorf("signing in as another State's focal point: HTTP %d, want 403 without the answers", r.Status)
	}
	if sub, _ := s.Workflow.Get(context.Background(), auth.Principal{Role: auth.Secretariat}, implCycle, "GHA"); sub != nil {
		t.Error("a carried form was saved")
	}
}
