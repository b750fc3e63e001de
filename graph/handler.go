package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/submission"
)

// Options configure the handler.
type Options struct {
	// Dev turns on introspection and field suggestions (for the explorer).
	Dev bool
}

// NewHandler returns the GraphQL handler with explicit transports (POST
// JSON and GET only), a query cache, depth and complexity limits, and one
// error presenter that maps domain errors to the contract's codes.
func NewHandler(r *Resolver, opts Options) http.Handler {
	srv, _ := newServer(r, opts, nil)
	return withStatus(srv)
}

// newServer builds the gqlgen server; walked, when set, counts the
// selection nodes the limit checks visit (tests).
func newServer(r *Resolver, opts Options, walked func(int)) (*handler.Server, *queryCache) {
	cfg := Config{Resolvers: r}
	cfg.Complexity.Query.Submissions = func(child int, _ string, _ *submission.Status, first *int, _ *string) int {
		// A first over the page cap is refused by the resolver with a
		// BAD_USER_INPUT that names the cap, before any work is done.
		return 1 + child*min(max(deref(first, 50), 1), submission.MaxPageSize)
	}
	weighCatalogueLists(&cfg, r)
	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(getTransport{})
	srv.AddTransport(transport.POST{})
	cache := newQueryCache(QueryCacheBytes)
	srv.SetQueryCache(cache)

	srv.SetParserTokenLimit(MaxParserTokens)
	srv.SetDisableSuggestion(!opts.Dev)
	if opts.Dev {
		srv.Use(extension.Introspection{})
	}
	srv.Use(&operationLimits{cache: cache, walked: walked})
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		r.Log.ErrorContext(ctx, "panic in resolver", "panic", v, "request_id", apperr.RequestID(ctx), "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", v)
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return present(ctx, r.Log, err)
	})
	return srv, cache
}

// weighCatalogueLists weighs the catalogue's lists by the longest each
// can be. They refer to each other (a working group's indicators, an
// indicator's working groups, a question's working groups), so without
// weights a selection that goes back and forth within the depth limit
// asks for an answer that grows tenfold every two levels while its
// complexity grows by two.
func weighCatalogueLists(cfg *Config, r *Resolver) {
	list := func(n int) func(int) int {
		n = max(n, 1)
		return func(child int) int { return 1 + child*n }
	}
	groups := len(r.Registry.WorkingGroups())
	questions, groupsPerQuestion := 0, 0
	for _, q := range r.Registry.Questionnaires() {
		questions = max(questions, len(q.Questions))
		for _, qq := range q.Questions {
			groupsPerQuestion = max(groupsPerQuestion, len(qq.WorkingGroups))
		}
	}
	indicatorsPerGroup, groupsPerIndicator := 0, 0
	if r.Statistics != nil {
		cat := r.Statistics.Catalogue()
		for _, wg := range r.Registry.WorkingGroups() {
			indicatorsPerGroup = max(indicatorsPerGroup, len(cat.ForWorkingGroup(wg.ID)))
		}
		for _, ind := range cat.Indicators {
			groupsPerIndicator = max(groupsPerIndicator, len(ind.WorkingGroups))
		}
	}
	cfg.Complexity.Query.WorkingGroups = list(groups)
	cfg.Complexity.Viewer.WorkingGroups = list(groups)
	cfg.Complexity.WorkingGroup.Indicators = list(indicatorsPerGroup)
	cfg.Complexity.Indicator.WorkingGroups = list(groupsPerIndicator)
	cfg.Complexity.Question.WorkingGroups = list(groupsPerQuestion)
	cfg.Complexity.Questionnaire.Questions = list(questions)
	cfg.Complexity.Section.Questions = list(questions)
}

// present maps an error to what the client sees, through apperr.Present
// (the mapping every transport shares): the domain's code and message, a
// BAD_USER_INPUT for an operation gqlgen could not read or run, and for
// anything else INTERNAL with the request id, never the cause.
func present(ctx context.Context, log *slog.Logger, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var notYet *notYetError
	switch {
	case errors.As(err, &notYet):
		gqlErr.Message = notYet.Error()
		setCode(gqlErr, string(apperr.Internal))
	case isInputError(err):
		// The contract's codes only: gqlgen's own (GRAPHQL_PARSE_FAILED,
		// GRAPHQL_VALIDATION_FAILED, COMPLEXITY_LIMIT_EXCEEDED) all mean
		// the operation as sent cannot run.
		setCode(gqlErr, string(apperr.BadInput))
	default:
		p := apperr.Present(ctx, err)
		if p.Internal {
			log.ErrorContext(ctx, "internal error", "err", err, "request_id", apperr.RequestID(ctx), "path", gqlErr.Path.String())
			gqlErr.Err = nil
		}
		gqlErr.Message = p.Message
		setCode(gqlErr, string(p.Code))
	}
	return gqlErr
}

// isInputError reports whether gqlgen made err itself while reading the
// operation (parse, validation, limits): such errors have no cause. The
// presenter gets every resolver error wrapped in a *gqlerror.Error too,
// with the resolver's error as its cause, so the wrapper alone says
// nothing. Custom scalars report bad literals as apperr BAD_USER_INPUT.
func isInputError(err error) bool {
	var g *gqlerror.Error
	if !errors.As(err, &g) {
		return false
	}
	return g.Err == nil || g.Err.Error() == "introspection disabled" // gqlgen's refusal when not in dev mode
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// getTransport is gqlgen's GET transport, with the refusals that it
// writes itself (a mutation over GET, variables that are not a JSON
// object) given the contract's shape: a JSON error with extensions.code.
type getTransport struct{ transport.GET }

func (t getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	q := r.URL.Query()
	if v := q.Get("variables"); v != "" {
		var vars map[string]any
		if err := json.Unmarshal([]byte(v), &vars); err != nil {
			sendError(w, http.StatusBadRequest, apperr.BadInput, "variables must be a JSON object")
			return
		}
	}
	// Parse errors are left to gqlgen, which reports them in full.
	if doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q.Get("query")}, MaxParserTokens); err == nil {
		if op := doc.Operations.ForName(q.Get("operationName")); op != nil && op.Operation != ast.Query {
			w.Header().Set("Allow", http.MethodPost)
			sendError(w, http.StatusMethodNotAllowed, apperr.BadInput,
				fmt.Sprintf("GET runs queries only: send the %s with POST", op.Operation))
			return
		}
	}
	t.GET.Do(w, r, exec)
}

func sendError(w http.ResponseWriter, status int, code apperr.Code, message string) {
	httperr.WriteJSON(w, status, httperr.Body(code, message))
}
