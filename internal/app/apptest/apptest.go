// Package apptest runs the real HTTP API against a fresh PostgreSQL
// database for end-to-end tests, and calls it as the roles that use it.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/statistics"
)

// Env is a running API over its own database.
type Env struct {
	URL string
	// Pool is the database as its owner, as the admin commands see it:
	// for setting up and checking, beside the API.
	Pool *pgxpool.Pool
	// AppPool is the database as the service's login (pgtest.AppRole),
	// under row-level security: the API runs on it, as in production.
	AppPool    *pgxpool.Pool
	Registry   *questionnaire.Registry
	Indicators *statistics.Catalogue
	Tokens     *auth.Store
	tokens     atomic.Int64
	Reports    *schedule.Service
}

// StartReports starts the report scheduler and render workers for the
// rest of the test.
func (e *Env) StartReports(t testing.TB) {
	t.Helper()
	if err := e.Reports.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Reports.Stop(ctx); err != nil {
			t.Errorf("stop reports: %v", err)
		}
	})
}

// New starts the API (dev mode off, as in production) on a new database,
// logged in as the app role, which owns nothing and is subject to
// row-level security; without rate limits (tests send many requests at
// once); the other limits are the defaults.
func New(t testing.TB) *Env {
	t.Helper()
	return NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1}})
}

// NewWith starts the API with opts on a new database; configure adjust
// the service's pool.
func NewWith(t testing.TB, opts app.HandlerOptions, configure ...func(*pgxpool.Config)) *Env {
	t.Helper()
	return newEnv(t, "", opts, configure...)
}

// NewQuestionnaires starts the API as New does, with the questionnaires
// of dir instead of the built-in ones (as --questionnaires DIR).
func NewQuestionnaires(t testing.TB, dir string) *Env {
	t.Helper()
	return newEnv(t, dir, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1}})
}

func newEnv(t testing.TB, dir string, opts app.HandlerOptions, configure ...func(*pgxpool.Config)) *Env {
	t.Helper()
	owner, appPool := pgtest.NewApp(t, configure...)
	content, err := app.LoadContent(dir)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	// Renders are queued; a test that needs them done calls StartReports.
	svc, err := app.NewServices(appPool, content, log, schedule.Config{Poll: 100 * time.Millisecond, FetchPoll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, err := app.NewHandler(context.Background(), svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Env{URL: srv.URL, Pool: owner, AppPool: appPool, Registry: content.Registry, Indicators: content.Indicators,
		Tokens: auth.NewStore(owner), Reports: svc.Reports}
}

// Token creates a token for role; state for a focal point, working
// groups for a member. Names are unique, so each gets a number.
func (e *Env) Token(t testing.TB, role auth.Role, state string, workingGroups ...string) string {
	t.Helper()
	secret, err := e.Tokens.Create(context.Background(), auth.NewToken{
		Name: fmt.Sprintf("%s %s #%d", role, state, e.tokens.Add(1)), Role: role, State: state, WorkingGroups: workingGroups})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// Secretariat, FocalPoint and Member are shorthands for Token.
func (e *Env) Secretariat(t testing.TB) string { return e.Token(t, auth.Secretariat, "") }
func (e *Env) FocalPoint(t testing.TB, state string) string {
	return e.Token(t, auth.FocalPoint, state)
}
func (e *Env) Member(t testing.TB, groups ...string) string {
	if len(groups) == 0 {
		groups = []string{"international-cooperation"}
	}
	return e.Token(t, auth.WorkingGroup, "", groups...)
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Response is a GraphQL response with its HTTP status.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Code returns the first error's code, or "".
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Code()
}

// Decode unmarshals data into v, failing the test on GraphQL errors.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// Do sends a GraphQL operation with token (none when "").
func (e *Env) Do(t testing.TB, token, query string, vars map[string]any) Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return e.Post(t, token, "application/json", body)
}

// RawResponse is an HTTP answer as it came.
type RawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// Raw sends any request to the API with token (none when ""), without
// decoding the answer.
func (e *Env) Raw(t testing.TB, method, path, token string, header map[string]string, body io.Reader) RawResponse {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return RawResponse{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Post sends a raw body to /graphql.
func (e *Env) Post(t testing.TB, token, contentType string, body []byte) Response {
	t.Helper()
	r := e.Raw(t, http.MethodPost, "/graphql", token, map[string]string{"Content-Type": contentType}, bytes.NewReader(body))
	out := Response{Status: r.Status}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", r.Status, r.Body)
	}
	return out
}

// Handler builds the services over pool (as serve does, Prepare included)
// and the HTTP handler over them; renders are queued, not worked.
func Handler(t testing.TB, pool *pgxpool.Pool, content app.Content, log *slog.Logger, opts app.HandlerOptions) http.Handler {
	t.Helper()
	svc, err := app.NewServices(pool, content, log, schedule.Config{Poll: 100 * time.Millisecond, FetchPoll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, err := app.NewHandler(context.Background(), svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
