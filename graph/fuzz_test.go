package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzGraphQL sends documents and variables through the whole GraphQL
// layer (limits, parsing, validation, the walk of fragments, execution,
// the presenter), without a database: a resolver that would need one
// panics and must come back as INTERNAL. Whatever comes in, the answer
// is JSON in the contract's shape, a 200 or a 4xx, with contract codes
// only and no name suggestions.
func FuzzGraphQL(f *testing.F) {
	for _, seed := range []struct{ doc, vars string }{
		{`{ __typename }`, `{}`},
		{`query Q($c: ID!) { cycle(id: $c) { id name questionnaire { id sections { id } } } }`, `{"c": "2027"}`},
		{`{ workingGroups { id indicators { code dimensions { id values } workingGroups { id } } } }`, `null`},
		{`query { ...F } fragment F on Query { ...G ...G } fragment G on Query { __typename }`, `{}`},
		{`mutation($a: JSON!) { saveDraft(cycle: "c", state: "KEN", answers: $a) { errors { path } } }`, `{"a": {"x": 1, "x": 2}}`},
		{`{ submissions(cycle: "2027", first: 99999999999) { totalCount } }`, `{}`},
		{`{ observationsPage(indicator: "X", first: 10, after: "b2Jz") { edges { cursor } } }`, `{"f": [1, 2]}`},
		{`{ viewr }`, `{}`},
		{"{ a: __typename b: __typename ... on Query { __typename } }", `{}`},
		{`query($f: Int) { trend(indicator: "OFFENCES_RECORDED", from: $f) { group } }`, `{"f": 1e40}`},
	} {
		f.Add(seed.doc, seed.vars)
	}
	h, _ := testServer(f, nil)
	contract := map[string]bool{"UNAUTHENTICATED": true, "FORBIDDEN": true, "NOT_FOUND": true,
		"CONFLICT": true, "BAD_USER_INPUT": true, "INTERNAL": true}
	f.Fuzz(func(t *testing.T, doc, vars string) {
		body := []byte(`{"query": ` + quote(doc) + `, "variables": ` + vars + `}`)
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { defer close(done); h.ServeHTTP(rec, req) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			// A hang is a finding too: fail with the input.
			t.Fatalf("no answer after 10 s for %q %q", doc, vars)
		}
		if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("HTTP %d for %q %q: %s", rec.Code, doc, vars, rec.Body.Bytes())
		}
		var out struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("not JSON (%v) for %q %q: %q", err, doc, vars, rec.Body.Bytes())
		}
		for _, e := range out.Errors {
			code, _ := e.Extensions["code"].(string)
			if !contract[code] {
				t.Fatalf("code %q for %q %q: %+v", code, doc, vars, out.Errors)
			}
			if strings.Contains(e.Message, "Did you mean") {
				t.Fatalf("a suggestion for %q: %q", doc, e.Message)
			}
		}
	})
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
