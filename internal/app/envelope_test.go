package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestRequestLevelDuplicatesAreRefused: issue 16, finding 8. A member of
// the request given twice ("query", "variables") or a variable given
// twice won silently (the last one); now each is a 4xx BAD_USER_INPUT
// naming it, and nothing is stored.
func TestRequestLevelDuplicatesAreRefused(t *testing.T) {
	w := newWorld(t)
	save := `mutation($c: ID!, $s: ID!, $a: JSON!) { saveDraft(cycle: $c, state: $s, answers: $a) { submission { id } } }`
	for name, body := range map[string]string{
		"the state twice": `{"query": "` + save + `", "variables": {"c": "2027", "s": "GHA", "s": "KEN", "a": {}}}`,
		"the query twice": `{"query": "{ viewer { role } }", "query": "` + save + `", "variables": {"c": "2027", "s": "KEN", "a": {}}}`,
		"variables twice": `{"query": "` + save + `", "variables": {"c": "2027", "s": "GHA", "a": {}}, "variables": {"c": "2027", "s": "KEN", "a": {}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			before := w.snapshot(t)
			res := w.env.Post(t, w.sec, "application/json", []byte(body))
			wantCode(t, res, "BAD_USER_INPUT")
			if res.Status < 400 || res.Status >= 500 || !strings.Contains(res.Errors[0].Message, "twice") {
				t.Fatalf("HTTP %d %q, want a 4xx saying what was given twice", res.Status, res.Errors[0].Message)
			}
			if w.snapshot(t) != before {
				t.Fatal("the refused request changed the database")
			}
		})
	}
}

// TestAnUnreadableBodyIsNotEchoed: gqlgen answered a body it could not
// decode with the whole body inside its message (80 KB back for 80 KB).
func TestAnUnreadableBodyIsNotEchoed(t *testing.T) {
	w := newWorld(t)
	body := `{"query": "{ viewer { role } }", "variables": {"x": "` + strings.Repeat("A", 80<<10) + `"` // never closed
	r := raw(t, w.env, http.MethodPost, "/graphql", w.sec, map[string]string{"Content-Type": "application/json"}, strings.NewReader(body))
	if r.Status != http.StatusBadRequest || len(r.Body) > 1024 || strings.Contains(string(r.Body), "AAAA") {
		t.Fatalf("HTTP %d, %d bytes: %s; want 400 with a short message", r.Status, len(r.Body), truncate(r.Body))
	}
	if errs := errorBody(t, r); len(errs) != 1 || errs[0].Code() != "BAD_USER_INPUT" {
		t.Fatalf("errors %+v", errs)
	}
}
