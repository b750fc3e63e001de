package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cosp-ict/irm/graph/model"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/httpapi/reqbody"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// saveDraftBody is a saveDraft request as a client sends it, with answers
// as its JSON variable.
func saveDraftBody(answers []byte) []byte {
	q, _ := json.Marshal(`mutation($c: ID!, $s: ID!, $a: JSON!, $v: Int) {
	saveDraft(cycle: $c, state: $s, answers: $a, expectedVersion: $v) { errors { path keyword message } } }`)
	return fmt.Appendf(nil, `{"query": %s, "variables": {"c": "2027", "s": "KEN", "a": %s, "v": 3}}`, q, answers)
}

// BenchmarkKeepDuplicates looks for duplicate keys in the variables of a
// saveDraft of the complete sample, which holds none: the cost every save
// pays before gqlgen runs the mutation.
func BenchmarkKeepDuplicates(b *testing.B) {
	body := saveDraftBody(demo.SampleAnswers())
	ctx := reqbody.NewContext(context.Background(), body)
	vars := map[string]any{"c": "2027", "s": "KEN", "a": map[string]any{}, "v": 3}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		params := &graphql.RawParams{Variables: vars}
		keepDuplicates(ctx, params)
		if _, raw := params.Variables["a"].(map[string]any); !raw {
			b.Fatal("the answers were replaced")
		}
	}
}

// referenceKeepDuplicates is keepDuplicates as it was before its fast
// path: the body unmarshalled, each object or array variable decoded.
func referenceKeepDuplicates(body []byte, vars map[string]any) {
	var req struct {
		Variables map[string]json.RawMessage `json:"variables"`
	}
	if json.Unmarshal(body, &req) != nil {
		return
	}
	for name, raw := range req.Variables {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || (raw[0] != '{' && raw[0] != '[') {
			continue
		}
		if _, err := questionnaire.DecodeAnswers(raw); err != nil {
			if _, dup := questionnaire.AsFieldError(err); dup {
				vars[name] = model.RawJSON{Raw: raw}
			}
		}
	}
}

// referenceRefuses reports whether a body gives a member of the request,
// or a variable, twice: the names at depth one of the body and at depth
// one of its "variables", read token by token.
func referenceRefuses(body []byte) bool {
	if !json.Valid(body) {
		return false // gqlgen refuses it first
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	depth, inVariables := 0, false
	names := map[string]bool{}
	variables := map[string]bool{}
	lastKey := ""
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth == 2 && lastKey == "variables" && tok == json.Delim('{') {
				inVariables = true
			}
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			if depth == 1 {
				inVariables = false
			}
			if depth == 0 {
				return false
			}
			continue
		}
		// dec.Token does not say whether a string is a key: a key is
		// followed by a colon.
		if name, ok := tok.(string); ok && isKey(dec) {
			switch {
			case depth == 1:
				if names[name] {
					return true
				}
				names[name] = true
				lastKey = name
			case depth == 2 && inVariables:
				if variables[name] {
					return true
				}
				variables[name] = true
			}
		}
	}
}

// isKey reports whether the string just read is an object's key: the
// decoder's input offset sits before a ':' then.
func isKey(dec *json.Decoder) bool {
	rest, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 64))
	return len(bytes.TrimLeft(rest, " \t\r\n")) > 0 && bytes.TrimLeft(rest, " \t\r\n")[0] == ':'
}

// checkKeepDuplicates fails unless keepDuplicates leaves the variables as
// the reference does (and refuses where the reference does), and returns
// them.
func checkKeepDuplicates(t *testing.T, body []byte) map[string]any {
	t.Helper()
	want := map[string]any{"other": 1}
	refused := referenceRefuses(body)
	if !refused {
		referenceKeepDuplicates(body, want)
	}
	params := &graphql.RawParams{Variables: map[string]any{"other": 1}}
	err := keepDuplicates(reqbody.NewContext(context.Background(), body), params)
	if (err != nil) != refused {
		t.Fatalf("body %q: keepDuplicates refused %v (%v), want %v", body, err != nil, err, refused)
	}
	if refused {
		return nil
	}
	if !reflect.DeepEqual(params.Variables, want) {
		t.Fatalf("body %q: variables %v, want %v", body, params.Variables, want)
	}
	return params.Variables
}

func TestKeepDuplicates(t *testing.T) {
	raw := func(s string) model.RawJSON { return model.RawJSON{Raw: []byte(s)} }
	for _, c := range []struct {
		name, body string
		want       map[string]any // the variables replaced (besides "other")
	}{
		{"no duplicate", string(saveDraftBody(demo.SampleAnswers())), nil},
		{"a duplicate in the answers", string(saveDraftBody([]byte(`{"prevention": {"agency_name": "A", "agency_name": "B"}}`))),
			map[string]any{"a": raw(`{"prevention": {"agency_name": "A", "agency_name": "B"}}`)}},
		{"a duplicate in an object in a list", `{"variables": {"a": [1, {"k": 1, "k": 2}], "b": {"k": 1}}}`,
			map[string]any{"a": raw(`[1, {"k": 1, "k": 2}]`)}},
		{"a duplicate through an escape", `{"variables": {"a": {"k": 1, "\u006b": 2}}}`,
			map[string]any{"a": raw(`{"k": 1, "\u006b": 2}`)}},
		{"duplicates in two variables", `{"variables": {"a": {"k": 1, "k": 2}, "b": [{"j": {}, "j": {}}], "c": {"k": 1}}}`,
			map[string]any{"a": raw(`{"k": 1, "k": 2}`), "b": raw(`[{"j": {}, "j": {}}]`)}},
		{"the same key in sibling objects", `{"variables": {"a": {"x": {"k": 1}, "y": {"k": 1}}, "b": {"k": 1}}}`, nil},
		{"a duplicate only inside a string", `{"variables": {"a": {"s": "{\"k\": 1, \"k\": 2}"}}}`, nil},
		{"the query twice is refused", `{"query": "{ a }", "query": "{ b }", "variables": {"a": {"k": 1}}}`, nil},
		{"the variables twice is refused", `{"variables": {"a": {"k": 1, "k": 2}}, "variables": {"b": {"k": 1, "k": 2}}}`, nil},
		{"a variable twice is refused", `{"variables": {"s": "GHA", "s": "KEN"}}`, nil},
		{"an escaped variable name twice is refused", `{"variables": {"s": "GHA", "\u0073": "KEN"}}`, nil},
		{"a variable's name escaped", `{"variables": {"\u0061": {"k": 1, "k": 2}}}`, map[string]any{"a": raw(`{"k": 1, "k": 2}`)}},
		{"not JSON after the document", `{"variables": {"a": {"k": 1, "k": 2}}} trailing`, nil},
		{"not JSON", `{"variables": {"a": {"k": 1, "k": 2}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := checkKeepDuplicates(t, []byte(c.body))
			if refused := strings.HasSuffix(c.name, "is refused"); refused != (got == nil) {
				t.Fatalf("refused: %v, want %v", got == nil, refused)
			}
			if got == nil {
				return
			}
			want := map[string]any{"other": 1}
			for k, v := range c.want {
				want[k] = v
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("variables %v, want %v", got, want)
			}
		})
	}
}

// FuzzKeepDuplicates checks keepDuplicates against the unmarshal and
// decode of every variable it replaced, on any body.
func FuzzKeepDuplicates(f *testing.F) {
	for _, vars := range []string{`{}`, `{"a": {"k": 1, "k": 2}}`, `{"a": [{"k": 1}, {"k": 1, "\u006b": 2}]}`,
		`{"a": {"s": "\"k\""}, "b": 1}`, `{"a": {"k": 1, "k": 2}} x`, `[`, `{"a": {"k": 1}}, "variables": {"b": {"k": 1, "k": 1}}`} {
		f.Add([]byte(`{"query": "{ a }", "variables": ` + vars + `}`))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkKeepDuplicates(t, body) })
}
