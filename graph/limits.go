package graph

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cosp-ict/irm/internal/apperr"
)

// Limits bound what one GraphQL operation may ask for. Each is checked by
// counting: tokens while parsing, selections and expanded fields before
// gqlgen validates the document, depth and complexity (every list
// weighted by the most rows it can return) before anything runs, and the
// bytes of the answer before it is sent.
const (
	MaxDepth        = 15    // nesting of selection sets
	MaxComplexity   = 20000 // fields, list fields weighted by their size bound
	MaxParserTokens = 20000 // lexer tokens in one document
	// MaxSelections bounds the fields, fragment spreads and inline
	// fragments written in one document: gqlgen's validation compares
	// the fields of a selection set pairwise.
	MaxSelections = 1000
	// MaxSameNamePairs bounds the pairs of fields with the same response
	// name in one selection set (inline fragments' fields included), which
	// that validation compares: 2,000 pairs is 63 copies of one field.
	MaxSameNamePairs = 2000
	// MaxExpandedFields bounds the fields of a document once every
	// fragment spread is replaced by its fragment (what validation and
	// execution walk), counted with each fragment expanded once.
	MaxExpandedFields = 20000
	// MaxResponseBytes bounds the JSON data of one query's answer.
	MaxResponseBytes = 8 << 20
	// QueryCacheBytes bounds the parsed documents kept between requests,
	// by an estimate of their size in memory.
	QueryCacheBytes = 32 << 20
	// queryCacheMaxEntryBytes: a document estimated larger is parsed every
	// time rather than pushing out the many small ones.
	queryCacheMaxEntryBytes = QueryCacheBytes / 8
)

// astBytesPerSourceByte estimates the memory of a parsed and validated
// document per byte of its source: about 33 for a dense one (a thousand
// selections), 1 for a long string (measured with runtime.MemStats).
const astBytesPerSourceByte = 40

func init() {
	// An operation refused before it runs (by validation or one of the
	// limits above, all BAD_USER_INPUT) is answered with a 4xx, as gqlgen
	// does for its own validation errors; resolver errors stay 200.
	errcode.RegisterErrorType(string(apperr.BadInput), errcode.KindProtocol)
}

// limitRule marks a limit's refusal (gqlerror.Error.Rule, not sent): its
// message is in the reader's language already.
const limitRule = "irm.limit"

// limitError is a refusal of the operation by one of the limits: a
// BAD_USER_INPUT whose message is the domain error's (an apperr.LimitT
// with its catalogue key) in the request's language. It has no cause, so
// the presenter keeps it as one of gqlgen's own input errors, and
// limitRule tells it not to translate it again.
func limitError(ctx context.Context, err error) *gqlerror.Error {
	e := gqlerror.Errorf("%s", apperr.Message(err, language(ctx)))
	e.Rule = limitRule
	setCode(e, string(apperr.BadInput))
	return e
}

// operationLimits enforces the limits on a document before validation
// (MutateOperationParameters) and on the operation with its variables
// before execution (MutateOperationContext).
type operationLimits struct {
	es    graphql.ExecutableSchema // set by Validate
	cache *queryCache
	// walked, when set, counts the selection nodes the checks visit (tests).
	walked func(int)
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = &operationLimits{}

func (*operationLimits) ExtensionName() string { return "OperationLimits" }
func (l *operationLimits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	return nil
}

// MutateOperationParameters counts the document's selections before
// gqlgen's validation, whose cost grows with their square: a document
// already validated (in the cache) is not parsed again.
func (l *operationLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if ctx.Err() != nil {
		return limitError(ctx, apperr.LimitT("the request was cancelled"))
	}
	if err := keepDuplicates(ctx, params); err != nil {
		return err
	}
	if l.cache != nil && l.cache.has(params.Query) {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, MaxParserTokens)
	if err != nil {
		return nil // gqlgen reports parse errors itself, in full
	}
	c := documentCounter{doc: doc, memo: map[string]int{}}
	for _, op := range doc.Operations {
		c.count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		c.count(f.SelectionSet)
	}
	if l.walked != nil {
		l.walked(c.walked)
	}
	if c.selections > MaxSelections {
		return limitError(ctx, apperr.LimitT("the document has {selections} selections; the limit is {max}", "selections", c.selections, "max", MaxSelections))
	}
	if c.pairs > MaxSameNamePairs {
		return limitError(ctx, apperr.LimitT("the document repeats fields with the same name too often ({pairs} pairs in one selection set; the limit is {max}): use aliases",
			"pairs", c.pairs, "max", MaxSameNamePairs))
	}
	for _, op := range doc.Operations {
		if n := c.expanded(op.SelectionSet); n > MaxExpandedFields {
			if l.walked != nil {
				l.walked(c.walked)
			}
			return limitError(ctx, apperr.LimitT("the operation expands to more than {max} fields through its fragments", "max", MaxExpandedFields))
		}
	}
	if l.walked != nil {
		l.walked(c.walked)
	}
	return nil
}

// documentCounter counts an unvalidated document: every selection node
// once, and the fields each fragment expands to once (memo).
type documentCounter struct {
	doc        *ast.QueryDocument
	selections int
	pairs      int // the most same-name pairs in one selection set
	walked     int
	memo       map[string]int // fragment → expanded fields; -1 while expanding (a cycle counts 0)
}

func (c *documentCounter) count(set ast.SelectionSet) {
	if len(set) > 1 {
		pairs := 0
		for _, k := range c.collect(set) {
			pairs = satAdd(pairs, k*(k-1)/2)
		}
		c.pairs = max(c.pairs, pairs)
	}
	for _, sel := range set {
		c.selections++
		c.walked++
		switch s := sel.(type) {
		case *ast.Field:
			c.count(s.SelectionSet)
		case *ast.InlineFragment:
			c.count(s.SelectionSet)
		}
	}
}

// collect returns the response names set gets from its fields and inline
// fragments, with how often each occurs.
func (c *documentCounter) collect(set ast.SelectionSet) map[string]int {
	out := map[string]int{}
	c.collectInto(out, set)
	return out
}

func (c *documentCounter) collectInto(out map[string]int, set ast.SelectionSet) {
	for _, sel := range set {
		c.walked++
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			out[name] = satAdd(out[name], 1)
		case *ast.InlineFragment:
			c.collectInto(out, s.SelectionSet)
		}
		// Fields of a spread fragment are compared with the set's once
		// per fragment (gqlparser caches the pairs): the fragment's own
		// sets are counted where it is defined.
	}
}

func (c *documentCounter) expanded(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		c.walked++
		switch s := sel.(type) {
		case *ast.Field:
			n = satAdd(n, 1+c.expanded(s.SelectionSet))
		case *ast.InlineFragment:
			n = satAdd(n, c.expanded(s.SelectionSet))
		case *ast.FragmentSpread:
			m, seen := c.memo[s.Name]
			if !seen {
				c.memo[s.Name] = -1
				if f := c.doc.Fragments.ForName(s.Name); f != nil {
					m = c.expanded(f.SelectionSet)
				}
				c.memo[s.Name] = m
			}
			n = satAdd(n, max(m, 0))
		}
	}
	return n
}

// MutateOperationContext checks depth and complexity in one walk of the
// validated operation, each fragment measured once (a fragment's depth
// and complexity do not depend on where it is spread), so a chain of
// fragments that each spread the previous twice costs a walk of the
// document, not of its exponential expansion.
func (l *operationLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if ctx.Err() != nil {
		return limitError(ctx, apperr.LimitT("the request was cancelled"))
	}
	w := operationWalker{ctx: ctx, es: l.es, schema: l.es.Schema(), vars: oc.Variables, memo: map[string]measure{}}
	m := w.set(oc.Operation.SelectionSet)
	if l.walked != nil {
		l.walked(w.walked)
	}
	if w.badArgument != nil {
		return limitError(ctx, apperr.LimitT("an argument's value cannot be read: {reason}", "reason", w.badArgument.Error()))
	}
	if m.depth > MaxDepth {
		return limitError(ctx, apperr.LimitT("the operation nests {depth} levels deep; the limit is {max}", "depth", m.depth, "max", MaxDepth))
	}
	if m.complexity > MaxComplexity {
		return limitError(ctx, apperr.LimitT("operation has complexity {complexity}, which exceeds the limit of {max}: ask for fewer fields, smaller pages or fewer aliases",
			"complexity", m.complexity, "max", MaxComplexity))
	}
	return nil
}

// InterceptResponse refuses a query whose answer is over
// MaxResponseBytes with one clear error instead of the data (the rows
// and complexity limits make this rare). A mutation's answer is always
// sent: its change is made.
func (l *operationLimits) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Data) <= MaxResponseBytes || !graphql.HasOperationContext(ctx) {
		return resp
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Query {
		return resp
	}
	setStatus(ctx, http.StatusUnprocessableEntity)
	return &graphql.Response{Errors: gqlerror.List{limitError(ctx, apperr.LimitT(
		"the answer is larger than {max} bytes: ask for fewer fields, smaller pages or fewer aliases", "max", MaxResponseBytes))}}
}

// measure is the depth and complexity of a selection set.
type measure struct{ depth, complexity int }

type operationWalker struct {
	ctx         context.Context
	badArgument error // the first argument whose value could not be read
	es          graphql.ExecutableSchema
	schema      *ast.Schema
	vars        map[string]any
	memo        map[string]measure
	walked      int
}

func (w *operationWalker) set(set ast.SelectionSet) measure {
	var m measure
	for _, sel := range set {
		w.walked++
		var d, c int
		switch s := sel.(type) {
		case *ast.Field:
			d, c = w.field(s)
		case *ast.InlineFragment:
			sub := w.set(s.SelectionSet)
			d, c = sub.depth, sub.complexity
		case *ast.FragmentSpread:
			sub, ok := w.memo[s.Name]
			if !ok && s.Definition != nil {
				w.memo[s.Name] = measure{} // validation refuses cycles; this guards the walk anyway
				sub = w.set(s.Definition.SelectionSet)
				w.memo[s.Name] = sub
			}
			d, c = sub.depth, sub.complexity
		}
		m.depth = max(m.depth, d)
		m.complexity = satAdd(m.complexity, c)
	}
	return m
}

func (w *operationWalker) field(f *ast.Field) (depth, complexity int) {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 1, 1
	}
	child := measure{}
	if len(f.SelectionSet) > 0 {
		child = w.set(f.SelectionSet)
	}
	if t := w.schema.Types[f.Definition.Type.Name()]; t != nil && t.Name == "__Schema" {
		return 1 + child.depth, 0 // introspection, in dev mode only, is not weighed (as gqlgen does)
	}
	args, err := argumentMap(f, w.vars)
	if err != nil && w.badArgument == nil {
		w.badArgument = err
	}
	objects := []*ast.Definition{f.ObjectDefinition}
	if f.ObjectDefinition.Kind == ast.Interface || f.ObjectDefinition.Kind == ast.Union {
		objects = w.schema.GetPossibleTypes(f.ObjectDefinition)
	}
	for _, obj := range objects {
		c, ok := w.es.Complexity(w.ctx, obj.Name, f.Name, child.complexity, args)
		if !ok || c < 1 {
			c = satAdd(1, child.complexity)
		}
		complexity = max(complexity, c)
	}
	return 1 + child.depth, complexity
}

// argumentMap is f's arguments with the operation's variables. gqlparser
// panics on a literal it cannot convert (a float of 1e400 written inline,
// which validation lets through): this walk runs before execution, so the
// operation is refused here with a clear error instead of failing inside.
func argumentMap(f *ast.Field, vars map[string]any) (args map[string]any, err error) {
	defer func() {
		if v := recover(); v != nil {
			args, err = nil, fmt.Errorf("%s: %v", f.Name, v)
		}
	}()
	return f.ArgumentMap(vars), nil
}

func satAdd(a, b int) int {
	if c := a + b; c >= a && c >= b {
		return c
	}
	return int(^uint(0) >> 1)
}

// statusKey carries a *int through which the operation may set the HTTP
// status of its answer (gqlgen writes 200 for every executed operation).
type statusKey struct{}

func setStatus(ctx context.Context, status int) {
	if p, ok := ctx.Value(statusKey{}).(*int); ok {
		*p = status
	}
}

// withStatus lets the operation set the status of its answer.
func withStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := new(int)
		next.ServeHTTP(&statusWriter{ResponseWriter: w, status: status}, r.WithContext(context.WithValue(r.Context(), statusKey{}, status)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status *int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.wrote {
		return
	}
	s.wrote = true
	if *s.status != 0 && code == http.StatusOK {
		code = *s.status
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// queryCache keeps validated documents, least recently used first out,
// bounded by an estimate of their memory (astBytesPerSourceByte per byte
// of the query) rather than by their number: a thousand documents of
// 900 KB would hold gigabytes.
type queryCache struct {
	mu      sync.Mutex
	budget  int
	used    int
	order   *list.List // of *cacheEntry, most recent first
	entries map[string]*list.Element
}

type cacheEntry struct {
	key  string
	doc  *ast.QueryDocument
	cost int
}

func newQueryCache(budget int) *queryCache {
	return &queryCache{budget: budget, order: list.New(), entries: map[string]*list.Element{}}
}

var _ graphql.Cache[*ast.QueryDocument] = (*queryCache)(nil)

func cacheCost(query string) int { return len(query)*astBytesPerSourceByte + 512 }

func (c *queryCache) Get(_ context.Context, key string) (*ast.QueryDocument, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).doc, true
}

func (c *queryCache) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[key]
	return ok
}

func (c *queryCache) Add(_ context.Context, key string, doc *ast.QueryDocument) {
	cost := cacheCost(key)
	if cost > queryCacheMaxEntryBytes || cost > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		return
	}
	for c.used+cost > c.budget {
		last := c.order.Back()
		old := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.entries, old.key)
		c.used -= old.cost
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, doc: doc, cost: cost})
	c.used += cost
}

// bytes returns the estimated memory held (tests).
func (c *queryCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}
