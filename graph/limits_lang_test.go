package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/i18n"
)

// postIn posts query with an Accept-Language header, through the
// handler's language middleware as NewHandler serves it.
func postIn(t *testing.T, h http.Handler, acceptLanguage, query string) answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", acceptLanguage)
	rec := httptest.NewRecorder()
	withLanguage(h).ServeHTTP(rec, req)
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("not JSON (%d): %.300s", rec.Code, rec.Body.String())
	}
	a.status = rec.Code
	return a
}

// TestLimitRefusalsInTheReadersLanguage (issue 13): an operation refused
// by a limit (complexity, selections, parser tokens) is told so in the
// language of Accept-Language, as every other GraphQL error is, with the
// same HTTP status and extensions.code as in English.
func TestLimitRefusalsInTheReadersLanguage(t *testing.T) {
	h, _ := testServer(t, nil)
	var complex strings.Builder
	complex.WriteString("{ ")
	for i := range 5 {
		fmt.Fprintf(&complex, `a%d: submissions(cycle: "2027", first: %d) { edges { node { id answers versions { answers } } } } `, i, 200)
	}
	complex.WriteString("}")
	for _, c := range []struct {
		name, query, english, french string
	}{
		{"complexity", complex.String(), "operation has complexity", "l'opération a une complexité de"},
		{"selections", "{ " + strings.Repeat("__typename ", MaxSelections+1) + "}", "selections; the limit is", "sélections ; la limite est de"},
		{"tokens", "{ " + strings.Repeat("__typename ", MaxParserTokens) + "}", "exceeded token limit of", "unités lexicales"},
	} {
		en := postIn(t, h, "en", c.query)
		refused(t, en, c.english)
		for _, lang := range []string{"fr-CH, fr;q=0.9", "fr"} {
			fr := postIn(t, h, lang, c.query)
			refused(t, fr, c.french)
			if strings.Contains(fr.Errors[0].Message, c.english) {
				t.Errorf("%s: the French refusal is English: %q", c.name, fr.Errors[0].Message)
			}
		}
		// Every other language has its own sentence too, with the numbers
		// in its digits (Arabic writes ١٠٠٠).
		for _, lang := range []string{"ar", "zh", "ru", "es"} {
			a := postIn(t, h, lang, c.query)
			refused(t, a, "")
			digits := "0123456789"
			if lang == "ar" {
				digits = "٠١٢٣٤٥٦٧٨٩"
			}
			if a.Errors[0].Message == en.Errors[0].Message || !strings.ContainsAny(a.Errors[0].Message, digits) {
				t.Errorf("%s in %s: %q", c.name, lang, a.Errors[0].Message)
			}
		}
	}
	// The French text is the catalogue's, placeholders filled.
	fr := postIn(t, h, "fr", "{ "+strings.Repeat("__typename ", MaxSelections+1)+"}")
	want := i18n.T("fr", "the document has {selections} selections; the limit is {max}", "selections", MaxSelections+1, "max", MaxSelections)
	if fr.Errors[0].Message != want {
		t.Fatalf("got %q, want %q", fr.Errors[0].Message, want)
	}
}
