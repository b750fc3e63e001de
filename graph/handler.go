package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cosp-ict/irm/graph/model"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
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
	return withLanguage(keepBody(withStatus(srv)))
}

// newServer builds the gqlgen server; walked, when set, counts the
// selection nodes the limit checks visit (tests).
func newServer(r *Resolver, opts Options, walked func(int)) (*handler.Server, *queryCache) {
	cfg := Config{Resolvers: r}
	weighLists(&cfg, r)
	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(getTransport{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(noTransport{}) // last: what no other takes
	cache := newQueryCache(QueryCacheBytes)
	srv.SetQueryCache(cache)

	srv.SetParserTokenLimit(MaxParserTokens)
	srv.SetDisableSuggestion(!opts.Dev)
	if opts.Dev {
		srv.Use(extension.Introspection{})
	}
	srv.Use(&operationLimits{cache: cache, walked: walked})
	srv.Use(newGate(RootFieldsPerRequest, RootFieldsPerToken))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		r.Log.ErrorContext(ctx, "panic in resolver", "panic", v, "request_id", apperr.RequestID(ctx), "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", v)
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return present(ctx, r.Log, opts.Dev, err)
	})
	return srv, cache
}

// Size bounds of lists whose length the data decides: a real bound where
// there is one, else a generous estimate (the answer's byte cap,
// MaxResponseBytes, stops what an estimate lets through).
// Weights of the aggregate queries' database work, in fields: a query
// may ask for MaxComplexity in all.
const (
	SummaryWeight   = 4500
	AggregateWeight = 400
)

const (
	cyclesEstimate   = 50  // review cycles: about one a year
	versionsEstimate = 50  // versions of one submission
	commentsEstimate = 200 // comments on one submission (a return carries at most 200)
	answersWeight    = 50  // an answers document (up to 512 KiB) counts as 50 fields
)

// weighLists weighs every list field by the most rows it can return, so
// that complexity bounds the size of the answer: the catalogue's lists
// by the catalogue, States by their number, observations by their row
// cap, pages by their first. The catalogue's lists refer to each other
// (a working group's indicators, an indicator's working groups), so
// without weights a selection that goes back and forth within the depth
// limit asks for an answer that grows tenfold every two levels while
// its complexity grows by two.
func weighLists(cfg *Config, r *Resolver) {
	list := func(n int) func(int) int {
		n = max(n, 1)
		return func(child int) int { return satAdd(1, satMul(child, n)) }
	}
	page := func(first *int, def, cap int) int { return min(max(deref(first, def), 1), cap) }
	c := &cfg.Complexity
	c.Query.Submissions = func(child int, _ string, _ *submission.Status, first *int, _ *string) int {
		// A first over the page cap is refused by the resolver with a
		// BAD_USER_INPUT that names the cap, before any work is done.
		return satAdd(1, satMul(child, page(first, 50, submission.MaxPageSize)))
	}
	c.Query.Observations = func(child int, _ string, _ *string, _ *model.RegionalGroup, _ *int, _ *int, _ model.JSON) int {
		return satAdd(1, satMul(child, statistics.MaxObservations))
	}
	c.Query.ObservationsPage = func(child int, _ string, _ *string, _ *model.RegionalGroup, _ *int, _ *int, _ model.JSON, first *int, _ *string) int {
		return satAdd(1, satMul(child, page(first, 500, statistics.MaxObservationPage)))
	}
	c.Query.States = func(child int, _ *model.RegionalGroup, _ *bool) int { return list(len(state.Codes()))(child) }
	c.Query.Cycles = list(cyclesEstimate)
	c.Submission.Versions = list(versionsEstimate)
	c.Submission.Comments = list(commentsEstimate)
	c.Submission.Problems = list(questionnaire.MaxErrors)
	c.SubmissionPayload.Errors = list(questionnaire.MaxErrors)
	c.SubmissionPayload.Warnings = list(1)
	c.Query.Extensions = func(child int, _ string) int { return list(len(state.Codes()))(child) }
	c.Query.Consents = func(child int, _ string) int { return list(len(state.Codes()))(child) }
	answers := func(int) int { return answersWeight }
	c.Submission.Answers = answers
	c.SubmissionVersion.Answers = answers
	c.Query.Trend = func(child int, _ string, _ *statistics.GroupBy, _ *int, _ *int, _ model.JSON) int {
		return list(len(state.RegionalGroups()) + 1)(child)
	}
	c.TrendSeries.Points = list(time.Now().Year() - statistics.FirstYear + 1)

	// The aggregates are weighed by their database work as well as by
	// their answer: a summary is several statements over every State's
	// answers and ten years of statistics, so four fit in one operation
	// (two working groups in two cycles), not forty aliases.
	c.Query.WorkingGroupSummary = func(child int, _, _ string) int { return satAdd(SummaryWeight, child) }
	c.Query.QuestionAggregate = func(child int, _, _ string, _ *statistics.GroupBy) int { return satAdd(AggregateWeight, child) }
	c.Query.Completeness = func(child int, _ string) int { return satAdd(AggregateWeight, child) }
	trend := c.Query.Trend
	c.Query.Trend = func(child int, ind string, by *statistics.GroupBy, from, to *int, b model.JSON) int {
		return satAdd(AggregateWeight, trend(child, ind, by, from, to, b))
	}
	// ObservationsPayload.errors is as long as the batch is bad, and the
	// batch is bounded by the request body (1 MiB): not weighed again.

	groups := len(r.Registry.WorkingGroups())
	all := r.Registry.Questionnaires()
	questions, sections, groupsPerQuestion, choicesPerQuestion := 0, 0, 0, 0
	for _, q := range all {
		questions = max(questions, len(q.Questions))
		sections = max(sections, len(q.Sections))
		for _, qq := range q.Questions {
			groupsPerQuestion = max(groupsPerQuestion, len(qq.WorkingGroups))
			choicesPerQuestion = max(choicesPerQuestion, len(qq.Choices))
		}
	}
	indicators, indicatorsPerGroup, groupsPerIndicator, dimensions := 0, 0, 0, 0
	if r.Statistics != nil {
		cat := r.Statistics.Catalogue()
		indicators = len(cat.Indicators)
		for _, wg := range r.Registry.WorkingGroups() {
			indicatorsPerGroup = max(indicatorsPerGroup, len(cat.ForWorkingGroup(wg.ID)))
		}
		for _, ind := range cat.Indicators {
			groupsPerIndicator = max(groupsPerIndicator, len(ind.WorkingGroups))
			dimensions = max(dimensions, len(ind.DimensionIDs))
		}
	}
	c.Query.WorkingGroups = list(groups)
	c.Query.Questionnaires = list(len(all))
	c.Query.Indicators = list(indicators)
	c.Viewer.WorkingGroups = list(groups)
	c.WorkingGroup.Indicators = list(indicatorsPerGroup)
	c.Indicator.WorkingGroups = list(groupsPerIndicator)
	c.Indicator.Dimensions = list(dimensions)
	c.Question.WorkingGroups = list(groupsPerQuestion)
	c.Question.Choices = list(choicesPerQuestion)
	c.Questionnaire.Translations = list(len(questionnaire.Languages))
	c.Questionnaire.Questions = list(questions)
	// Sections partition the questions: sections × questions in each is at
	// most all questions, so the whole bound sits on Section.questions
	// (sections alone are few: weighed by the most of them).
	c.Questionnaire.Sections = func(child int) int { return satAdd(1, satAdd(satMul(sections, 1), child)) }
	c.Section.Questions = list(questions)
}

func satMul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > int(^uint(0)>>1)/b {
		return int(^uint(0) >> 1)
	}
	return a * b
}

// present maps an error to what the client sees, through apperr.Present
// (the mapping every transport shares): the domain's code and message, a
// BAD_USER_INPUT for an operation gqlgen could not read or run, and for
// anything else INTERNAL with the request id, never the cause.
func present(ctx context.Context, log *slog.Logger, dev bool, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	switch {
	case isInputError(err):
		// A copy: the error may be gqlgen's or gqlparser's own value.
		c := *gqlErr
		c.Extensions = maps.Clone(gqlErr.Extensions)
		gqlErr = &c
		// The contract's codes only: gqlgen's own (GRAPHQL_PARSE_FAILED,
		// GRAPHQL_VALIDATION_FAILED, COMPLEXITY_LIMIT_EXCEEDED) all mean
		// the operation as sent cannot run.
		setCode(gqlErr, string(apperr.BadInput))
		// gqlgen's POST transport appends the whole body to its decode
		// error: a client gets the reason, not its 80 KB back.
		if m, _, cut := strings.Cut(gqlErr.Message, " body:"); cut && strings.HasPrefix(m, "json request body could not be decoded") {
			gqlErr.Message = m
		}
		if !dev {
			// gqlgen turns off suggestions for fields only; the rules for
			// arguments, enum values, input fields and types still offer
			// names of the schema, which only the explorer should show.
			if i := strings.Index(gqlErr.Message, " Did you mean "); i >= 0 {
				gqlErr.Message = gqlErr.Message[:i]
			}
		}
		if lang := language(ctx); lang != i18n.Default && gqlErr.Rule != limitRule {
			// gqlparser's and gqlgen's own messages (parse, validation,
			// variables) in the reader's language, names and values as
			// sent; the English one stays in extensions for tools that
			// read it. A limit's refusal is in the reader's language
			// already.
			english := gqlErr.Message
			message := english
			if i := strings.Index(message, " Did you mean "); i >= 0 {
				message = message[:i] // dev mode: the suggestion stays in the English
			}
			gqlErr.Message = inReadersLanguage(lang, message, gqlErr.Path)
			gqlErr.Extensions[EnglishMessageExtension] = english
		}
	default:
		p := apperr.Present(ctx, err)
		if p.Internal {
			log.ErrorContext(ctx, "internal error", "err", err, "request_id", apperr.RequestID(ctx), "path", gqlErr.Path.String())
			gqlErr.Err = nil
		}
		gqlErr.Message = p.In(language(ctx))
		setCode(gqlErr, string(p.Code))
		if p.Status != p.Code.HTTPStatus() {
			// A refusal by a limit (413, 422, 429) is not answered with 200.
			setStatus(ctx, p.Status)
		}
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

// EnglishMessageExtension is the extension that keeps gqlparser's or
// gqlgen's English message (and this transport's) when the message is
// given in another language, for tools that read the English.
const EnglishMessageExtension = "englishMessage"

// getTransport is gqlgen's GET transport, with the refusals that it
// writes itself (a mutation over GET, variables or extensions that are
// not a JSON object, a query string that cannot be read) given the
// contract's shape, a JSON error with extensions.code, in the reader's
// language.
type getTransport struct{ transport.GET }

func (t getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	lang := language(r.Context())
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		sendError(w, lang, http.StatusBadRequest, apperr.BadInputT("the URL's query string cannot be read"))
		return
	}
	q := r.URL.Query()
	for _, p := range []string{"variables", "extensions"} {
		if v := q.Get(p); v != "" {
			var m map[string]any
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				sendError(w, lang, http.StatusBadRequest, apperr.BadInputT("{parameter} must be a JSON object", "parameter", p))
				return
			}
		}
	}
	// Parse errors are left to gqlgen, which reports them in full.
	if doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q.Get("query")}, MaxParserTokens); err == nil {
		if op := doc.Operations.ForName(q.Get("operationName")); op != nil && op.Operation != ast.Query {
			w.Header().Set("Allow", http.MethodPost)
			sendError(w, lang, http.StatusMethodNotAllowed,
				apperr.BadInputT("GET runs queries only: send the {operation} with POST", "operation", string(op.Operation)))
			return
		}
	}
	t.GET.Do(w, r, exec)
}

// noTransport answers a request that no transport takes (another method,
// a GET that asks for an upgrade) as gqlgen does, HTTP 400 "transport not
// supported", but with the contract's code and in the reader's language.
type noTransport struct{}

func (noTransport) Supports(*http.Request) bool { return true }

func (noTransport) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	sendError(w, language(r.Context()), http.StatusBadRequest, apperr.BadInputT("transport not supported"))
}

// sendError writes err, a domain error, as the contract's JSON error in
// lang, the English message in extensions when lang is not English.
func sendError(w http.ResponseWriter, lang string, status int, err error) {
	ext := map[string]string{"code": string(apperr.CodeOf(err))}
	if lang != i18n.Default {
		ext[EnglishMessageExtension] = err.Error()
	}
	httperr.WriteJSON(w, status, map[string]any{"errors": []any{map[string]any{"message": apperr.Message(err, lang), "extensions": ext}}})
}
