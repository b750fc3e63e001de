package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/graph"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/idempotency"
	"github.com/cosp-ict/irm/internal/web"
)

// MaxBodyBytes bounds a GraphQL request body; larger ones get 413.
const MaxBodyBytes = 1 << 20

// HandlerOptions configure the HTTP handler.
type HandlerOptions struct {
	Dev bool
	// ExplorerHeaders prefill the explorer's request headers (dev only).
	ExplorerHeaders map[string]string
	// Limits per caller; zero fields take the defaults (the flags' defaults).
	Limits Limits
	// SpoolDir receives uploads before they are stored ("": the system's
	// temporary folder).
	SpoolDir string
}

// server holds what the HTTP middleware shares.
type server struct {
	log      *slog.Logger
	limits   Limits
	rates    *rateLimiter
	uploads  *uploadSlots
	spoolDir string
	// pages refuses the requests isPage says are the web application's
	// with its HTML error page.
	pages interface {
		Refuse(http.ResponseWriter, *http.Request, error)
	}
	isPage func(*http.Request) bool
}

// refuse answers a request refused before it was served, after reading a
// bounded part of what the client is still sending: a page request with
// the web application's HTML error page, the others in the API's JSON.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	drain(w, r)
	if s.pages != nil && s.isPage(r) {
		s.pages.Refuse(w, r, err)
		return
	}
	httperr.Write(w, r, s.log, err)
}

// NewHandler builds the HTTP API and the web application over svc.
func NewHandler(ctx context.Context, svc *Services, opts HandlerOptions) (http.Handler, error) {
	pool, content, log := svc.Pool, svc.Content, svc.Log
	reg, tokens, stats, reports := content.Registry, svc.Tokens, svc.Statistics, svc.Reports
	resolver := &graph.Resolver{Log: log, Registry: reg, StateStore: svc.States,
		Workflow: svc.Workflow, Statistics: stats, Aggregates: svc.Aggregates, Reports: reports}
	gql := graph.NewHandler(resolver, graph.Options{Dev: opts.Dev})
	limits := opts.Limits.withDefaults()
	s := &server{log: log, limits: limits, rates: newRateLimiter(),
		uploads: newUploadSlots(limits.Uploads, limits.UploadsPerToken), spoolDir: opts.SpoolDir}
	signedIn := func(h http.Handler) http.Handler { return authenticate(tokens, log, s.limitToken(h)) }

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", limitBody(requireJSON(signedIn(s.idempotent(idempotency.NewStore(pool), resolver.WithLoaders(gql))))))
	mux.Handle("GET /graphql", signedIn(resolver.WithLoaders(gql)))
	mux.Handle("GET /healthz", newHealth(ctx, pool))
	mux.Handle("POST /statistics/{file}", signedIn(s.statisticsCSV(stats)))
	mux.Handle("GET /reports/{file}", signedIn(reportPDF(reports, log)))
	mux.HandleFunc("GET /statistics/template.csv", func(w http.ResponseWriter, r *http.Request) {
		var codes []string
		if q := r.URL.Query().Get("indicators"); q != "" {
			codes = strings.Split(q, ",")
		}
		if wg := r.URL.Query().Get("workingGroup"); wg != "" {
			for _, ind := range content.Indicators.ForWorkingGroup(wg) {
				codes = append(codes, ind.Code)
			}
			if len(codes) == 0 {
				httperr.Write(w, r, log, apperr.NotFoundf("no indicators for working group %q", wg))
				return
			}
		}
		var buf bytes.Buffer
		if err := content.Indicators.Template(&buf, codes, time.Now().Year()-1); err != nil {
			httperr.Write(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="irm-statistics-template.csv"`)
		w.Write(buf.Bytes()) //nolint:errcheck
	})
	pages, err := web.New(ctx, web.Deps{Pool: pool, Log: log, Registry: reg, Workflow: svc.Workflow, States: svc.States,
		Statistics: stats, Aggregates: svc.Aggregates, Reports: reports, Tokens: tokens, SpoolUpload: s.spoolUpload, Dev: opts.Dev,
		ExplorerHeaders: explorerHeaders(opts.ExplorerHeaders), ExplorerAnswers: demo.SampleAnswers()})
	if err != nil {
		return nil, err
	}
	mux.Handle("/", pages) // the web application; /explorer with --dev
	s.pages = pages
	s.isPage = func(r *http.Request) bool { _, pattern := mux.Handler(r); return pattern == "/" }
	return withRequestID(recoverPanics(log, s.limitAddress(mux))), nil
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b) //nolint:errcheck
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(apperr.WithRequestID(r.Context(), id)))
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				httperr.Write(w, r, log, fmt.Errorf("panic in handler: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody reads at most MaxBodyBytes of the body; more is refused with
// 413 before any parsing.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooLarge := apperr.TooLargef("the request body is larger than %d bytes", MaxBodyBytes)
		if r.ContentLength > MaxBodyBytes {
			httperr.Write(w, r, nil, tooLarge)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			httperr.Write(w, r, nil, apperr.BadInputf("could not read the request body"))
			return
		}
		if len(body) > MaxBodyBytes {
			httperr.Write(w, r, nil, tooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// requireJSON refuses a POST whose body is not declared as JSON with 415
// in the contract's error shape (gqlgen would answer a bare 400).
func requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			httperr.Write(w, r, nil, &apperr.Error{Code: apperr.BadInput, Status: http.StatusUnsupportedMediaType,
				Message: `send the operation as JSON with "Content-Type: application/json"`})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate puts the bearer token's principal in the context; requests
// without a valid token get 401 and never reach a resolver.
func authenticate(tokens *auth.Store, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			httperr.Write(w, r, log, apperr.New(apperr.Unauthenticated, `send "Authorization: Bearer TOKEN" (irm token create makes one)`))
			return
		}
		p, err := tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, auth.ErrUnauthenticated) {
			httperr.Write(w, r, log, err)
			return
		}
		if err != nil {
			// The database did not answer: the client may retry.
			pres := httperr.Log(r, log, fmt.Errorf("authenticate: %w", err))
			pres.Status = http.StatusServiceUnavailable
			httperr.WritePresented(w, pres)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", "http://"+ln.Addr().String())
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var c common
	c.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "IRM_ADDR", "127.0.0.1:8080"), "listen address (env IRM_ADDR)")
	dev := fs.Bool("dev", false, "development mode: GraphQL introspection and field suggestions; migrates at start; a superuser login only warns")
	unsafeRole := fs.Bool("unsafe-db-role", false, "start even when the database login is a superuser, owns the tables or bypasses row-level security")
	reportFlags := registerReports(fs, getenv)
	var limits Limits
	limits.register(fs, getenv)
	maxConns := fs.Int("db-max-conns", DefaultMaxConns, "database connections of this replica (env IRM_DB_MAX_CONNS)")
	if v, err := strconv.Atoi(getenv("IRM_DB_MAX_CONNS")); err == nil {
		*maxConns = v
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	url, err := withMaxConns(c.databaseURL, *maxConns)
	if err != nil {
		return err
	}
	c.databaseURL = url
	reportCfg, err := reportFlags.config()
	if err != nil {
		return err
	}
	content, err := LoadContent(c.questionnaires)
	if err != nil {
		return err
	}
	pool, err := openServing(ctx, c.databaseURL, *dev, *unsafeRole, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	stopSealer := startSealer(ctx, pool, log)
	defer stopSealer() // after the server and the report workers, which write events
	stopPurger := startSessionPurger(ctx, pool, log)
	defer stopPurger()
	svc, err := NewServices(pool, content, log, reportCfg)
	if err != nil {
		return err
	}
	if err := svc.Prepare(ctx); err != nil {
		return err
	}
	if err := svc.Reports.Start(ctx); err != nil {
		return err
	}
	defer stopReports(ctx, svc.Reports, log)
	h, err := NewHandler(ctx, svc, HandlerOptions{Dev: *dev, Limits: limits})
	if err != nil {
		return err
	}
	return serve(ctx, *addr, h, log, nil)
}

// startSealer chains the audit events the service writes (every replica
// runs one: audit.RunSealer) until stop is called. It outlives ctx, so
// that the events of the requests served during the graceful shutdown are
// chained by stop's last seal; stop waits for it.
func startSealer(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (stop func()) {
	return startBackground(context.WithoutCancel(ctx), func(ctx context.Context) {
		audit.RunSealer(ctx, pool, audit.SealEvery, log)
	})
}

// startSessionPurger deletes the web sessions that can no longer be used
// (every replica runs one: web.RunSessionPurger) until ctx ends or stop
// is called; stop waits for it.
func startSessionPurger(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (stop func()) {
	return startBackground(ctx, func(ctx context.Context) {
		web.RunSessionPurger(ctx, pool, web.SessionPurgeEvery, log)
	})
}

// startBackground runs work on its own goroutine until ctx ends or stop
// is called; stop waits for work to return.
func startBackground(ctx context.Context, work func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		work(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
