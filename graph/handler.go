package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/submission"
)

// Limits bound what one GraphQL operation may ask for.
const (
	MaxDepth        = 15    // nesting of selection sets
	MaxComplexity   = 20000 // fields, list fields weighted by their page size
	MaxParserTokens = 20000 // lexer tokens in one document
)

// Options configure the handler.
type Options struct {
	// Dev turns on introspection and field suggestions (for the explorer).
	Dev bool
	// RequestID returns the request id carried by ctx, for error messages.
	RequestID func(ctx context.Context) string
}

// NewHandler returns the GraphQL handler with explicit transports (POST
// JSON and GET only), a query cache, depth and complexity limits, and one
// error presenter that maps domain errors to the contract's codes.
func NewHandler(r *Resolver, opts Options) *handler.Server {
	cfg := Config{Resolvers: r}
	cfg.Complexity.Query.Submissions = func(child int, _ string, _ *submission.Status, first *int, _ *string) int {
		return 1 + child*max(deref(first, 50), 1)
	}
	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(MaxParserTokens)
	srv.SetDisableSuggestion(!opts.Dev)
	if opts.Dev {
		srv.Use(extension.Introspection{})
	}
	srv.Use(depthLimit{max: MaxDepth})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		r.Log.ErrorContext(ctx, "panic in resolver", "panic", v, "request_id", opts.RequestID(ctx), "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", v)
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return present(ctx, r.Log, opts.RequestID, err)
	})
	return srv
}

// present maps an error to what the client sees: the domain's code and
// message, a BAD_USER_INPUT for arguments that do not parse, and for
// anything else INTERNAL with the request id, never the cause.
func present(ctx context.Context, log *slog.Logger, requestID func(context.Context) string, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var domain *apperr.Error
	var notYet *notYetError
	switch {
	case errors.As(err, &domain):
		gqlErr.Message = domain.Message
		setCode(gqlErr, string(domain.Code))
	case errors.As(err, &notYet):
		gqlErr.Message = notYet.Error()
		setCode(gqlErr, string(apperr.Internal))
	case isInputError(err):
		if gqlErr.Extensions == nil || gqlErr.Extensions["code"] == nil {
			setCode(gqlErr, string(apperr.BadInput))
		}
	default:
		id := requestID(ctx)
		log.ErrorContext(ctx, "internal error", "err", err, "request_id", id, "path", gqlErr.Path.String())
		gqlErr.Message = "internal error (request " + id + ")"
		gqlErr.Err = nil
		setCode(gqlErr, string(apperr.Internal))
	}
	return gqlErr
}

// isInputError reports whether gqlgen made err itself, while reading the
// operation or its arguments; resolvers' own errors are never gqlerrors.
func isInputError(err error) bool {
	_, ok := err.(*gqlerror.Error)
	return ok
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// depthLimit refuses operations whose selections nest deeper than max.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, map[string]bool{}); depth > d.max {
		err := gqlerror.Errorf("the operation nests %d levels deep; the limit is %d", depth, d.max)
		setCode(err, string(apperr.BadInput))
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) > 0 {
				d = 1 + selectionDepth(s.SelectionSet, visiting)
			} else {
				d = 1
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition != nil && !visiting[s.Name] {
				visiting[s.Name] = true
				d = selectionDepth(s.Definition.SelectionSet, visiting)
				delete(visiting, s.Name)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
