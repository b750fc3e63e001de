package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/graph"
	"github.com/cosp-ict/irm/internal/httpapi"
	sub "github.com/cosp-ict/irm/internal/submission"
)

// limitsWorld is a world with one stored draft, so that "nothing changed"
// has something to compare.
func limitsWorld(t *testing.T) (*world, string) {
	w := newWorld(t)
	w.mustSave(t, w.sec, "KEN", sample(t), -1)
	return w, w.snapshot(t)
}

// after checks what every refused request must leave: a healthy service
// and the data as it was.
func (w *world) after(t *testing.T, before string) {
	t.Helper()
	healthy(t, w.env)
	if got := w.snapshot(t); got != before {
		t.Fatalf("a refused request changed the database:\n%s\n%s", before, got)
	}
	// And the API still answers.
	var out struct{ Viewer struct{ Role string } }
	w.env.Do(t, w.sec, `{ viewer { role } }`, nil).Decode(t, &out)
	if out.Viewer.Role != "SECRETARIAT" {
		t.Fatalf("viewer after the refusals: %+v", out)
	}
}

// bigBody is a valid saveDraft operation padded with JSON whitespace to
// exactly n bytes.
func bigBody(t *testing.T, w *world, n int) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": saveDraftMutation,
		"variables": map[string]any{"c": w.cycle, "s": "FRA", "a": map[string]any{}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > n {
		t.Fatalf("the operation alone is %d bytes", len(b))
	}
	return append(b[:len(b)-1], append(bytes.Repeat([]byte(" "), n-len(b)), '}')...)
}

// TestBodyLimit: a body over 1 MiB is refused with 413 before anything is
// parsed, with or without a Content-Length; one of exactly 1 MiB is served.
func TestBodyLimit(t *testing.T) {
	w, before := limitsWorld(t)
	json := map[string]string{"Content-Type": "application/json"}

	over := bigBody(t, w, httpapi.MaxBodyBytes+1)
	assertJSONError(t, "declared length", raw(t, w.env, http.MethodPost, "/graphql", w.sec, json, bytes.NewReader(over)), http.StatusRequestEntityTooLarge)
	// Without Content-Length (chunked), the limit holds while reading.
	assertJSONError(t, "chunked", raw(t, w.env, http.MethodPost, "/graphql", w.sec, json, io.MultiReader(bytes.NewReader(over))), http.StatusRequestEntityTooLarge)
	// Far over the limit, and garbage: still a 413, not a read of it all.
	assertJSONError(t, "8 MiB", raw(t, w.env, http.MethodPost, "/graphql", w.sec, json, bytes.NewReader(make([]byte, 8<<20))), http.StatusRequestEntityTooLarge)
	// Even without a token the size is refused first.
	assertJSONError(t, "no token", raw(t, w.env, http.MethodPost, "/graphql", "", json, bytes.NewReader(over)), http.StatusRequestEntityTooLarge)
	w.after(t, before)

	// Exactly at the limit: served.
	res := w.env.Post(t, w.sec, "application/json", bigBody(t, w, httpapi.MaxBodyBytes))
	if p := payloadOf(t, res, "saveDraft"); p.Submission == nil || p.Submission.State.Code != "FRA" {
		t.Fatalf("a body of exactly %d bytes: %+v", httpapi.MaxBodyBytes, p)
	}
	healthy(t, w.env)
}

// TestMalformedRequests: garbage, non-JSON, empty bodies and wrong content
// types get a 4xx with a JSON error body in the contract's shape, never
// a 500, and change nothing.
func TestMalformedRequests(t *testing.T) {
	w, before := limitsWorld(t)
	q := `{"query": "{ viewer { name } }"}`
	for _, c := range []struct {
		name, contentType, body string
		status                  int
	}{
		{"garbage", "application/json", "{{{{", http.StatusBadRequest},
		{"not JSON", "application/json", "hello", http.StatusBadRequest},
		{"empty", "application/json", "", http.StatusBadRequest},
		{"binary", "application/json", "\x00\xff\xfe\x01", http.StatusBadRequest},
		{"truncated", "application/json", `{"query": "{ viewer { name } }"`, http.StatusBadRequest},
		{"JSON array", "application/json", `[` + q + `]`, http.StatusBadRequest},
		{"JSON string", "application/json", `"{ viewer { name } }"`, http.StatusBadRequest},
		{"query a number", "application/json", `{"query": 5}`, http.StatusBadRequest},
		{"no query", "application/json", `{}`, http.StatusUnprocessableEntity},
		{"null", "application/json", `null`, http.StatusUnprocessableEntity},
		{"empty query", "application/json", `{"query": ""}`, http.StatusUnprocessableEntity},
		{"syntax error", "application/json", `{"query": "{ viewer { name "}`, http.StatusUnprocessableEntity},
		{"variables a string", "application/json", `{"query": "{ viewer { name } }", "variables": "x"}`, http.StatusBadRequest},
		{"variables an array", "application/json", `{"query": "{ viewer { name } }", "variables": [1]}`, http.StatusBadRequest},
		{"variables cut off", "application/json", `{"query": "{ viewer { name } }", "variables": {"a": `, http.StatusBadRequest},
		{"unknown operation name", "application/json", `{"query": "query A { viewer { name } }", "operationName": "B"}`, http.StatusUnprocessableEntity},
		{"two operations, no name", "application/json", `{"query": "query A { viewer { name } } query B { viewer { role } }"}`, http.StatusUnprocessableEntity},
		{"text/plain", "text/plain", q, http.StatusUnsupportedMediaType},
		{"form", "application/x-www-form-urlencoded", "query=%7Bviewer%7Bname%7D%7D", http.StatusUnsupportedMediaType},
		{"multipart", "multipart/form-data; boundary=x", "--x\r\n\r\n" + q + "\r\n--x--", http.StatusUnsupportedMediaType},
		{"application/graphql", "application/graphql", "{ viewer { name } }", http.StatusUnsupportedMediaType},
		{"no content type", "", q, http.StatusUnsupportedMediaType},
		{"bad content type", "application/json; charset", q, http.StatusUnsupportedMediaType},
	} {
		h := map[string]string{}
		if c.contentType != "" {
			h["Content-Type"] = c.contentType
		}
		r := raw(t, w.env, http.MethodPost, "/graphql", w.sec, h, strings.NewReader(c.body))
		assertJSONError(t, c.name, r, c.status)
		if errs := errorBody(t, r); errs[0].Code() != "BAD_USER_INPUT" {
			t.Errorf("%s: code %q", c.name, errs[0].Code())
		}
	}
	// JSON with a charset parameter is JSON.
	r := raw(t, w.env, http.MethodPost, "/graphql", w.sec, map[string]string{"Content-Type": "application/json; charset=utf-8"}, strings.NewReader(q))
	if r.Status != http.StatusOK {
		t.Fatalf("application/json; charset=utf-8: %d %s", r.Status, truncate(r.Body))
	}
	w.after(t, before)
}

// nest returns a selection that goes n list levels deep, back and forth
// between working groups and their indicators, ending in a leaf.
func nest(n int) string {
	var b strings.Builder
	for i := range n {
		if i%2 == 0 {
			b.WriteString("workingGroups { ")
		} else {
			b.WriteString("indicators { ")
		}
	}
	b.WriteString("__typename")
	b.WriteString(strings.Repeat(" }", n))
	return b.String()
}

// TestQueryLimits: depth, complexity and parser-token limits refuse an
// operation with BAD_USER_INPUT before it runs, and the service stays up.
func TestQueryLimits(t *testing.T) {
	w, before := limitsWorld(t)
	expectRefused := func(name, query string, vars map[string]any, contains string) {
		t.Helper()
		res := w.env.Do(t, w.sec, query, vars)
		wantCode(t, res, "BAD_USER_INPUT")
		if !noData(res) {
			t.Errorf("%s: refused, but data %s", name, truncate(res.Data))
		}
		if !strings.Contains(res.Errors[0].Message, contains) {
			t.Errorf("%s: message %q, want it to say %q", name, res.Errors[0].Message, contains)
		}
	}

	// Depth: 16 nested selections are refused; the limit itself is served
	// when its answer is small.
	expectRefused("depth 16", "{ "+nest(graph.MaxDepth)+" }", nil, "nests 16 levels deep; the limit is 15")
	within := `{ submission(cycle: "2027", state: "KEN") { cycle { questionnaire { sections { questions { workingGroups { indicators { dimensions { id } } } } } } } } }`
	if res := w.env.Do(t, w.sec, within, nil); len(res.Errors) > 0 {
		t.Fatalf("a query 9 levels deep: %+v", res.Errors)
	}
	// Depth through fragments counts too.
	frag := "query { ...F } fragment F on Query { " + nest(graph.MaxDepth+2) + " }"
	expectRefused("depth through a fragment", frag, nil, "the limit is 15")

	// Complexity: back and forth between working groups and indicators
	// within the depth limit would multiply the answer; it is refused.
	expectRefused("catalogue cycle", "{ "+nest(10)+" }", nil, "complexity")
	expectRefused("catalogue cycle at the depth limit", "{ "+nest(graph.MaxDepth-1)+" }", nil, "complexity")
	// Many aliases of a large page.
	var aliases strings.Builder
	aliases.WriteString("{ ")
	for i := range 30 {
		fmt.Fprintf(&aliases, `a%d: submissions(cycle: "2027", first: %d) { edges { node { id status version answers versions { version answers } comments { body } } } } `, i, sub.MaxPageSize)
	}
	aliases.WriteString("}")
	expectRefused("aliased pages", aliases.String(), nil, "complexity")

	// A first beyond the page cap is refused by name, however big.
	for _, first := range []int{sub.MaxPageSize + 1, 1_000_000, -1} {
		q := `query($f: Int) { submissions(cycle: "2027", first: $f) { totalCount edges { node { id } } } }`
		expectRefused(fmt.Sprint("first ", first), q, map[string]any{"f": first}, "first must be between 0 and 200")
		if res := w.env.Do(t, w.sec, q, map[string]any{"f": first}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("first %d: HTTP %d, want 422 like every limit refusal", first, res.Status)
		}
	}
	// Beyond 32 bits it is not an Int at all.
	expectRefused("first 2^31", `query($f: Int) { submissions(cycle: "2027", first: $f) { totalCount edges { node { id } } } }`,
		map[string]any{"f": 1 << 31}, "32-bit")

	// Parser tokens: one token over the limit is refused before parsing.
	many := "{ viewer { " + strings.Repeat("name ", graph.MaxParserTokens) + "} }"
	expectRefused("tokens", many, nil, "token limit")

	// Introspection is refused outside dev mode; __typename is not.
	for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Query") { name } }`,
		`query { ...I } fragment I on Query { __schema { queryType { name } } }`} {
		res := w.env.Do(t, w.sec, q, nil)
		wantCode(t, res, "BAD_USER_INPUT")
		if !strings.Contains(res.Errors[0].Message, "introspection") {
			t.Errorf("%s: %q", q, res.Errors[0].Message)
		}
	}
	var tn struct {
		Typename string `json:"__typename"`
	}
	w.env.Do(t, w.sec, `{ __typename }`, nil).Decode(t, &tn)
	if tn.Typename != "Query" {
		t.Fatalf("__typename: %q", tn.Typename)
	}
	// Field suggestions are off outside dev mode.
	if res := w.env.Do(t, w.sec, `{ viewr { name } }`, nil); len(res.Errors) == 0 || strings.Contains(res.Errors[0].Message, "Did you mean") {
		t.Fatalf("suggestions in production: %+v", res.Errors)
	}
	w.after(t, before)
}

// TestAnswerDocumentLimits: answers that are not an object, or over
// 512 KiB, are refused; nothing is stored.
func TestAnswerDocumentLimits(t *testing.T) {
	w, before := limitsWorld(t)
	for name, answers := range map[string]any{
		"array":       []any{1, 2, 3},
		"string":      "all done",
		"number":      42,
		"bool":        true,
		"empty array": []any{},
	} {
		for _, expected := range []int{-1, 1} {
			state := "FRA" // new
			if expected == 1 {
				state = "KEN" // existing, version 1
			}
			res := w.saveDraft(t, w.sec, state, answers, expected)
			if len(res.Errors) > 0 {
				wantCode(t, res, "BAD_USER_INPUT")
				continue
			}
			p := payloadOf(t, res, "saveDraft")
			if len(p.Errors) == 0 || !hasPath(p.Errors, "", "type") {
				t.Errorf("%s answers for %s: errors %+v", name, state, p.Errors)
			}
			if expected < 0 && p.Submission != nil {
				t.Errorf("%s answers: a new submission came back", name)
			}
			if expected == 1 && (p.Submission == nil || p.Submission.Version != 1) {
				t.Errorf("%s answers: the existing submission came back as %+v", name, p.Submission)
			}
		}
	}
	// The same as a GraphQL literal rather than a variable.
	res := w.env.Do(t, w.sec, `mutation { saveDraft(cycle: "2027", state: "FRA", answers: [1, 2]) { submission { id } errors { path keyword } } }`, nil)
	if p := payloadOf(t, res, "saveDraft"); p.Submission != nil || !hasPath(p.Errors, "", "type") {
		t.Fatalf("a literal array: %+v", p)
	}

	// Over 512 KiB (the request itself under 1 MiB): BAD_USER_INPUT.
	huge := sample(t)
	section(huge, "prevention")["agency_name"] = strings.Repeat("x", sub.MaxAnswerBytes)
	for _, expected := range []int{-1, 1} {
		state := map[int]string{-1: "FRA", 1: "KEN"}[expected]
		res := w.saveDraft(t, w.sec, state, huge, expected)
		wantCode(t, res, "BAD_USER_INPUT")
		if !strings.Contains(res.Errors[0].Message, "limit") {
			t.Errorf("over 512 KiB: %q", res.Errors[0].Message)
		}
	}
	// Many small keys over 512 KiB: the same.
	keys := map[string]any{}
	for i := range 60_000 {
		keys[fmt.Sprintf("k%05d", i)] = 1
	}
	wantCode(t, w.saveDraft(t, w.sec, "FRA", keys, -1), "BAD_USER_INPUT")
	// Deeply nested answers: refused, not a crash.
	deep := any("x")
	for range 5000 {
		deep = []any{deep}
	}
	res = w.saveDraft(t, w.sec, "FRA", map[string]any{"prevention": deep}, -1)
	if len(res.Errors) == 0 {
		if p := payloadOf(t, res, "saveDraft"); p.Submission != nil || len(p.Errors) == 0 {
			t.Fatalf("deep answers: %+v", p)
		}
	} else if res.Code() != "BAD_USER_INPUT" {
		t.Fatalf("deep answers: %+v", res.Errors)
	}
	w.after(t, before)
}

// TestGETTransport: GET runs queries and refuses mutations with 405; the
// refusal changes nothing.
func TestGETTransport(t *testing.T) {
	w, before := limitsWorld(t)
	get := func(params url.Values, token string) rawResponse {
		return raw(t, w.env, http.MethodGet, "/graphql?"+params.Encode(), token, nil, nil)
	}
	// A query, with variables and an operation name.
	r := get(url.Values{
		"query":         {`query Mine($c: ID!, $s: ID!) { submission(cycle: $c, state: $s) { status version state { code } } } query Other { viewer { name } }`},
		"variables":     {`{"c": "2027", "s": "KEN"}`},
		"operationName": {"Mine"},
	}, w.sec)
	var out struct {
		Data struct {
			Submission struct {
				Status  string
				Version int
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || r.Status != http.StatusOK || len(out.Errors) > 0 ||
		out.Data.Submission.Status != "DRAFT" || out.Data.Submission.Version != 1 {
		t.Fatalf("GET query: %d %s (%v)", r.Status, truncate(r.Body), err)
	}
	// Mutations are refused, however they are named or hidden.
	for name, params := range map[string]url.Values{
		"anonymous": {"query": {`mutation { setStateParty(state: "KEN", party: true) { party } }`}},
		"named":     {"query": {`mutation M { openCycle(input: {id: "x", name: "x", questionnaire: "implementation-v1", opensOn: "2030-01-01", closesOn: "2030-01-02"}) { id } }`}},
		"selected":  {"query": {`query Q { viewer { name } } mutation M { setStateParty(state: "KEN", party: true) { party } }`}, "operationName": {"M"}},
		"with vars": {"query": {`mutation($c: ID!, $s: ID!, $a: JSON!) { saveDraft(cycle: $c, state: $s, answers: $a) { errors { path } } }`}, "variables": {`{"c": "2027", "s": "FRA", "a": {}}`}},
	} {
		r := get(params, w.sec)
		assertJSONError(t, name, r, http.StatusMethodNotAllowed)
		if r.Allow != http.MethodPost {
			t.Errorf("%s: Allow %q", name, r.Allow)
		}
	}
	// Bad GET requests: JSON errors with codes.
	assertJSONError(t, "no query", get(url.Values{}, w.sec), http.StatusUnprocessableEntity)
	assertJSONError(t, "bad variables", get(url.Values{"query": {`{ viewer { name } }`}, "variables": {`{"a":`}}, w.sec), http.StatusBadRequest)
	assertJSONError(t, "variables an array", get(url.Values{"query": {`{ viewer { name } }`}, "variables": {`[]`}}, w.sec), http.StatusBadRequest)
	assertJSONError(t, "syntax", get(url.Values{"query": {`{ viewer { `}}, w.sec), http.StatusUnprocessableEntity)
	assertJSONError(t, "depth", get(url.Values{"query": {"{ " + nest(graph.MaxDepth) + " }"}}, w.sec), http.StatusUnprocessableEntity)
	assertJSONError(t, "no token", get(url.Values{"query": {`{ viewer { name } }`}}, ""), http.StatusUnauthorized)
	// A member may query over GET but still not read a submission.
	member := w.token(t, "Member", "WORKING_GROUP", "", "international-cooperation")
	r = get(url.Values{"query": {`{ submission(cycle: "2027", state: "KEN") { id } }`}}, member)
	if errs := errorBody(t, r); errs[0].Code() != "FORBIDDEN" {
		t.Fatalf("member over GET: %+v", errs)
	}
	w.after(t, before)
}
