package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// Root fields of one operation in flight at once, and of one token's
// operations together. gqlgen resolves a query's root fields each on its
// own goroutine, and each holds a database connection (an aggregate, two)
// while it runs: without a bound, one request of aliased summaries, or a
// few of them at once, holds the whole pool and every other user waits.
// A root field over its bound waits for a slot of its own request or
// token, never for the pool that others share.
const (
	RootFieldsPerRequest = 2
	RootFieldsPerToken   = 4
)

// gate bounds the root fields in flight per operation and per token.
type gate struct {
	perRequest, perToken int

	mu      sync.Mutex
	byToken map[int64]*tokenSlots
}

type tokenSlots struct {
	slots chan struct{}
	users int // operations holding or waiting for the entry
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.RootFieldInterceptor
} = (*gate)(nil)

func newGate(perRequest, perToken int) *gate {
	return &gate{perRequest: max(perRequest, 1), perToken: max(perToken, 1), byToken: map[int64]*tokenSlots{}}
}

func (*gate) ExtensionName() string                   { return "RootFieldGate" }
func (*gate) Validate(graphql.ExecutableSchema) error { return nil }

type requestSlotsKey struct{}

// InterceptOperation gives the operation its own slots and holds its
// token's entry for as long as it runs.
func (g *gate) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	p, _ := auth.FromContext(ctx)
	g.mu.Lock()
	ts := g.byToken[p.TokenID]
	if ts == nil {
		ts = &tokenSlots{slots: make(chan struct{}, g.perToken)}
		g.byToken[p.TokenID] = ts
	}
	ts.users++
	g.mu.Unlock()
	release := func() {
		g.mu.Lock()
		if ts.users--; ts.users == 0 {
			delete(g.byToken, p.TokenID)
		}
		g.mu.Unlock()
	}
	slots := &operationSlots{request: make(chan struct{}, g.perRequest), token: ts.slots}
	handler := next(context.WithValue(ctx, requestSlotsKey{}, slots))
	// The transports (POST and GET) ask for one response, which runs the
	// whole operation: the entry is released when it is back.
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		defer once.Do(release)
		// The root fields run under the context the response is asked
		// for with, not the one the operation was prepared with.
		return handler(context.WithValue(ctx, requestSlotsKey{}, slots))
	}
}

type operationSlots struct {
	request, token chan struct{}
}

// InterceptRootField runs a root field once its operation and its token
// each have a slot free.
func (g *gate) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	s, ok := ctx.Value(requestSlotsKey{}).(*operationSlots)
	if !ok {
		return next(ctx)
	}
	select {
	case s.request <- struct{}{}:
	case <-ctx.Done():
		graphql.AddError(ctx, limitError(ctx, apperr.LimitT("the request was cancelled")))
		return graphql.Null
	}
	defer func() { <-s.request }()
	select {
	case s.token <- struct{}{}:
	case <-ctx.Done():
		graphql.AddError(ctx, limitError(ctx, apperr.LimitT("the request was cancelled")))
		return graphql.Null
	}
	defer func() { <-s.token }()
	return next(ctx)
}
