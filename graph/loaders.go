package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/internal/translation"
)

// requestLoaders batch the relations of list items into one query per
// relation per request, so that no list makes N+1 queries.
type requestLoaders struct {
	state    *dataloadgen.Loader[string, state.State]
	cycle    *dataloadgen.Loader[string, submission.Cycle]
	versions *dataloadgen.Loader[string, []submission.Version]
	comments *dataloadgen.Loader[string, []submission.Comment]
	// translations by questionnaire id: a list of cycles names the same
	// questionnaire many times.
	translations *dataloadgen.Loader[string, []translation.Translation]
}

type loadersKey struct{}

const loaderWait = 2 * time.Millisecond

func (r *Resolver) newLoaders() *requestLoaders {
	return &requestLoaders{
		state: dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([]state.State, []error) {
			return many(r.StateStore.GetMany(ctx, codes))
		}, dataloadgen.WithWait(loaderWait)),
		cycle: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]submission.Cycle, []error) {
			return many(r.Workflow.CyclesByID(ctx, ids))
		}, dataloadgen.WithWait(loaderWait)),
		versions: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([][]submission.Version, []error) {
			return many(r.Workflow.Versions(ctx, ids))
		}, dataloadgen.WithWait(loaderWait)),
		comments: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([][]submission.Comment, []error) {
			return many(r.Workflow.Comments(ctx, ids))
		}, dataloadgen.WithWait(loaderWait)),
		translations: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([][]translation.Translation, []error) {
			return many(r.Translation.TranslationsOf(ctx, ids))
		}, dataloadgen.WithWait(loaderWait)),
	}
}

// many adapts a batch call that fails as a whole to dataloadgen's shape.
func many[V any](vals []V, err error) ([]V, []error) {
	if err != nil {
		return nil, []error{err}
	}
	return vals, nil
}

// WithLoaders is HTTP middleware that gives each request fresh loaders.
func (r *Resolver) WithLoaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(req.Context(), loadersKey{}, r.newLoaders())
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}

func loaders(ctx context.Context) *requestLoaders {
	return ctx.Value(loadersKey{}).(*requestLoaders)
}
