package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cosp-ict/irm/internal/demo"
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
	ctx := context.WithValue(context.Background(), rawBodyKey{}, body)
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
