package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cosp-ict/irm/graph/model"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/httpapi/reqbody"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// The request body is kept (reqbody) so that variables can be read as
// sent: gqlgen decodes them into maps, where a key given twice keeps its
// last value silently ({"agency_name": "FIRST", "agency_name": "SECOND"}
// becomes "SECOND").

// keepBody keeps a POST body (bounded by the HTTP layer) in the context:
// the one the HTTP layer read (reqbody), else read here once.
func keepBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		if _, kept := reqbody.From(r.Context()); kept {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, reqbody.Keep(r, body))
	})
}

// keepDuplicates refuses a request whose envelope gives a member twice
// ("query", "variables", ...) or whose variables give one variable twice:
// encoding/json would keep the last one silently, and the operation run
// would not be the one the client read first. It then replaces every
// variable whose JSON holds an object with a key twice by its raw text
// (model.RawJSON): a JSON argument then reaches the service as sent,
// which refuses it with a field error at the duplicate's path; a variable
// of any other type fails validation.
//
// It runs for every request, so the usual one costs a single pass over
// the body's bytes: a body without a key twice anywhere has no variable
// with one. Only a body with a duplicate somewhere is unmarshalled here
// (gqlgen has parsed it already, into maps) to find where it is.
func keepDuplicates(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	body, _ := reqbody.From(ctx)
	if len(body) == 0 {
		return nil
	}
	if questionnaire.FindDuplicateKey(body) == nil {
		// Exact if the body is valid JSON; if it is not, gqlgen has
		// refused it already.
		return nil
	}
	if !json.Valid(body) {
		return nil // gqlgen has refused it already
	}
	if name, ok := duplicateMember(body); ok {
		return limitError(ctx, apperr.LimitT("the request gives \"{name}\" twice: send each member of the request once", "name", name))
	}
	var req struct {
		Variables json.RawMessage `json:"variables"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	if name, ok := duplicateMember(req.Variables); ok {
		return limitError(ctx, apperr.LimitT("the variable \"{name}\" is given twice: send each variable once", "name", name))
	}
	var vars map[string]json.RawMessage
	if json.Unmarshal(req.Variables, &vars) != nil {
		return nil
	}
	for name, raw := range vars {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || (raw[0] != '{' && raw[0] != '[') {
			continue
		}
		// raw is valid JSON, as json.Unmarshal accepted the body.
		if questionnaire.FindDuplicateKey(raw) != nil {
			params.Variables[name] = model.RawJSON{Raw: raw}
		}
	}
	return nil
}

// duplicateMember returns a member name that the JSON object raw gives
// twice at its top level (its values are skipped, not looked into).
func duplicateMember(raw []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		name, _ := tok.(string)
		if seen[name] {
			return name, true
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}

// IsMutation reports whether a POST body (the GraphQL JSON request) asks
// for a mutation.
func IsMutation(body []byte) bool {
	var req struct {
		Query         string `json:"query"`
		OperationName string `json:"operationName"`
	}
	if json.Unmarshal(body, &req) != nil {
		return false
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: req.Query}, MaxParserTokens)
	if err != nil {
		return false
	}
	op := doc.Operations.ForName(req.OperationName)
	return op != nil && op.Operation == ast.Mutation
}
