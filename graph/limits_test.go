package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

// testServer is the GraphQL handler over the built-in questionnaires,
// without a database: the documents below only ask for __typename.
// walked adds up the selection nodes the limit checks visit.
func testServer(t testing.TB, walked *int) (http.Handler, *queryCache) {
	t.Helper()
	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Log: slog.New(slog.DiscardHandler), Registry: reg}
	srv, cache := newServer(r, Options{}, func(n int) {
		if walked != nil {
			*walked += n
		}
	})
	return withStatus(srv), cache
}

type answer struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	} `json:"errors"`
}

func post(t testing.TB, h http.Handler, query string) answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("not JSON (%d): %.300s", rec.Code, rec.Body.String())
	}
	a.status = rec.Code
	return a
}

// refused checks a limit refusal: HTTP 422, one BAD_USER_INPUT error
// saying what, no data.
func refused(t *testing.T, a answer, says string) {
	t.Helper()
	if a.status != http.StatusUnprocessableEntity || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
		!strings.Contains(a.Errors[0].Message, says) || (len(a.Data) > 0 && string(a.Data) != "null") {
		t.Fatalf("got HTTP %d %+v data %s, want 422 BAD_USER_INPUT saying %q", a.status, a.Errors, a.Data, says)
	}
}

// fragmentChain is a document of n fragments, each spreading the one
// before twice: n lines of source that expand to 2^n fields.
func fragmentChain(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...F%d }\nfragment F0 on Query { __typename }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// TestFragmentsAreWalkedOnce: the limit checks visit each fragment once,
// so a chain of fragments that doubles its expansion at every step costs
// a walk of the document, not of its 2^n expansion.
func TestFragmentsAreWalkedOnce(t *testing.T) {
	t.Run("a chain expanding to 2^13 fields within the limits runs, walked in a few hundred nodes", func(t *testing.T) {
		walked := 0
		h, _ := testServer(t, &walked)
		a := post(t, h, fragmentChain(13))
		if a.status != http.StatusOK || len(a.Errors) > 0 || !strings.Contains(string(a.Data), `"__typename":"Query"`) {
			t.Fatalf("got HTTP %d %+v %s", a.status, a.Errors, a.Data)
		}
		if walked > 300 {
			t.Fatalf("the limit checks walked %d selection nodes for a document of 27; want at most 300", walked)
		}
	})
	t.Run("a 24-fragment chain (the issue's 984-byte query) is refused before validation, in a few hundred nodes", func(t *testing.T) {
		walked := 0
		h, _ := testServer(t, &walked)
		refused(t, post(t, h, fragmentChain(24)), "expands to more than")
		if walked > 300 {
			t.Fatalf("the limit checks walked %d selection nodes; want at most 300", walked)
		}
	})
	t.Run("depth is measured through fragments, each once", func(t *testing.T) {
		walked := 0
		h, _ := testServer(t, &walked)
		var b strings.Builder
		b.WriteString("query { workingGroups { ...D0 } }\n")
		for i := range 8 {
			// Each fragment goes two levels down and spreads the next twice.
			fmt.Fprintf(&b, "fragment D%d on WorkingGroup { id indicators { code workingGroups { ...D%d ...D%d } } }\n", i, i+1, i+1)
		}
		b.WriteString("fragment D8 on WorkingGroup { id }\n")
		refused(t, post(t, h, b.String()), "nests 18 levels deep; the limit is 15")
		if walked > 1000 {
			t.Fatalf("the limit checks walked %d selection nodes; want at most 1000 (the expansion has %d)", walked, 5<<9)
		}
	})
}

// TestSelectionsAreCountedBeforeValidation: the 19,000 repeated
// __typename (under the token limit) are refused by counting, before
// gqlgen's validation compares them pairwise: the refusal allocates about
// what parsing does, a few allocations per selection.
func TestSelectionsAreCountedBeforeValidation(t *testing.T) {
	h, _ := testServer(t, nil)
	q := "{ " + strings.Repeat("__typename ", 19_000) + "}"
	if len(q) > 210_000 {
		t.Fatalf("document of %d bytes", len(q))
	}
	refused(t, post(t, h, q), fmt.Sprintf("the limit is %d", MaxSelections))
	allocs := testing.AllocsPerRun(2, func() { post(t, h, q) })
	if perSelection := allocs / 19_000; perSelection > 20 {
		t.Fatalf("the refusal made %.0f allocations, %.1f per selection; want at most 20", allocs, perSelection)
	}
	// At the limit, with distinct names, the document is validated and runs.
	if a := post(t, h, aliased(MaxSelections)); a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("%d selections: HTTP %d %+v", MaxSelections, a.status, a.Errors)
	}
	// The same field repeated, which validation compares pairwise, is
	// refused long before: 64 copies in one set, in a fragment, or
	// through inline fragments.
	refused(t, post(t, h, "{ "+strings.Repeat("__typename ", 64)+"}"), "use aliases")
	refused(t, post(t, h, "query { ...A } fragment A on Query { "+strings.Repeat("__typename ", 64)+"}"), "use aliases")
	refused(t, post(t, h, "{ ... on Query { "+strings.Repeat("__typename ", 40)+"} ... on Query { "+strings.Repeat("__typename ", 40)+"} }"), "use aliases")
	if a := post(t, h, "{ "+strings.Repeat("__typename ", 63)+"}"); a.status != http.StatusOK {
		t.Fatalf("63 copies: HTTP %d %+v", a.status, a.Errors)
	}
}

// aliased is a query of n selections with distinct response names.
func aliased(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	b.WriteString(" }")
	return b.String()
}

// TestQueryCacheIsBoundedByBytes: the 60 distinct ~875 KB valid
// queries grow the memory the cache keeps by at most its byte budget
// (the entry-counted cache kept them all: ~100 MB).
func TestQueryCacheIsBoundedByBytes(t *testing.T) {
	h, cache := testServer(t, nil)
	dense := func(i int) string {
		// ~15 KB, 1,000 selections: the densest document the limits let through.
		return fmt.Sprintf("query Q%d %s", i, aliased(MaxSelections))
	}
	long := func(i int) string {
		return fmt.Sprintf(`query Q%d { questionnaire(id: "%s") { id } }`, i, strings.Repeat("x", 875_000))
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := range 60 {
		if a := post(t, h, long(i)); a.status != http.StatusOK {
			t.Fatalf("query %d: HTTP %d %+v", i, a.status, a.Errors)
		}
	}
	for i := range 60 {
		post(t, h, dense(i))
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	grown := int64(m1.HeapAlloc) - int64(m0.HeapAlloc)
	if cache.bytes() > QueryCacheBytes {
		t.Fatalf("the cache counts %d bytes; its budget is %d", cache.bytes(), QueryCacheBytes)
	}
	if grown > QueryCacheBytes+8<<20 {
		t.Fatalf("the heap grew by %d bytes holding the cache; want at most the budget %d + 8 MiB", grown, QueryCacheBytes)
	}
	runtime.KeepAlive(h)
}
