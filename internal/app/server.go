package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/graph"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/httpapi"
	"github.com/cosp-ict/irm/internal/idempotency"
	"github.com/cosp-ict/irm/internal/web"
)

// HandlerOptions configure the HTTP handler.
type HandlerOptions struct {
	Dev bool
	// ExplorerHeaders prefill the explorer's request headers (dev only).
	ExplorerHeaders map[string]string
	// Limits per caller; zero fields take the defaults (the flags' defaults).
	Limits httpapi.Limits
	// SpoolDir receives uploads before they are stored ("": the system's
	// temporary folder).
	SpoolDir string
}

// NewHandler builds the HTTP API and the web application over svc.
func NewHandler(ctx context.Context, svc *Services, opts HandlerOptions) (http.Handler, error) {
	pool, content, log := svc.Pool, svc.Content, svc.Log
	reg, tokens, stats, reports := content.Registry, svc.Tokens, svc.Statistics, svc.Reports
	resolver := &graph.Resolver{Log: log, Registry: reg, StateStore: svc.States,
		Workflow: svc.Workflow, Statistics: stats, Aggregates: svc.Aggregates, Reports: reports,
		Translation: svc.Translation, People: svc.People}
	gql := graph.NewHandler(resolver, graph.Options{Dev: opts.Dev})
	s := httpapi.New(httpapi.Config{Log: log, Limits: opts.Limits, SpoolDir: opts.SpoolDir})
	signedIn := func(h http.Handler) http.Handler { return httpapi.Authenticate(tokens, log, s.LimitToken(h)) }

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", httpapi.LimitBody(httpapi.RequireJSON(signedIn(s.Idempotent(idempotency.NewStore(pool), resolver.WithLoaders(gql))))))
	mux.Handle("GET /graphql", signedIn(resolver.WithLoaders(gql)))
	mux.Handle("GET /healthz", httpapi.NewHealth(ctx, pool))
	mux.Handle("POST /statistics/{file}", signedIn(s.StatisticsCSV(stats)))
	mux.Handle("GET /reports/{file}", signedIn(httpapi.ReportPDF(reports, log)))
	mux.Handle("GET /statistics/template.csv", httpapi.Template(content.Indicators, log))
	pages, err := web.New(ctx, web.Deps{Pool: pool, Log: log, Registry: reg, Workflow: svc.Workflow, States: svc.States,
		Statistics: stats, Aggregates: svc.Aggregates, Reports: reports, People: svc.People, Translation: svc.Translation, Tokens: tokens, SpoolUpload: s.SpoolUpload, Dev: opts.Dev,
		ExplorerHeaders: explorerHeaders(opts.ExplorerHeaders), ExplorerAnswers: demo.SampleAnswers(),
		ExplorerSchema: graph.NewExecutableSchema(graph.Config{}).Schema()})
	if err != nil {
		return nil, err
	}
	mux.Handle("/", pages) // the web application; /explorer with --dev
	s.RefusePagesWith(pages, func(r *http.Request) bool { _, pattern := mux.Handler(r); return pattern == "/" })
	return httpapi.WithRequestID(httpapi.RecoverPanics(log, s.LimitAddress(mux))), nil
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
	mail := registerMail(fs, getenv)
	var limits Limits
	limits.Register(fs, getenv)
	var heads headFlags
	heads.register(fs, getenv)
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
	mailCfg, err := mail.config(*addr)
	if err != nil {
		return err
	}
	content, err := LoadContent(c.questionnaires)
	if err != nil {
		return err
	}
	headFile, err := heads.open()
	if err != nil {
		return err
	}
	if headFile != nil {
		defer headFile.Close()
	}
	pool, err := openServing(ctx, c.databaseURL, *dev, *unsafeRole, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	stopSealer := startSealer(ctx, pool, log, heads.every, headFile)
	defer stopSealer() // after the server and the report workers, which write events
	stopPurger := startSessionPurger(ctx, pool, log)
	defer stopPurger()
	svc, err := NewServices(pool, content, log, reportCfg, mailCfg)
	if err != nil {
		return err
	}
	svc.Aggregates.SetMinRespondents(reportFlags.minRespondents)
	if err := svc.Prepare(ctx); err != nil {
		return err
	}
	go svc.Translation.Watch(ctx, TranslationRefresh)
	if err := svc.Reports.Start(ctx); err != nil {
		return err
	}
	defer stopReports(ctx, svc.Reports, log)
	if err := svc.People.Start(ctx); err != nil {
		return err
	}
	defer stopPeople(ctx, svc.People, log)
	h, err := NewHandler(ctx, svc, HandlerOptions{Dev: *dev, Limits: limits})
	if err != nil {
		return err
	}
	return serve(ctx, *addr, h, log, nil)
}

// startSealer chains the audit events the service writes (every replica
// runs one: audit.RunSealer) until stop is called, and publishes the
// chain's head every headEvery (0: never) to the log and, when headFile
// is not nil, to that file (audit.HeadPublisher). It outlives ctx, so
// that the events of the requests served during the graceful shutdown are
// chained by stop's last seal, whose head stop publishes; stop waits for
// both.
func startSealer(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, headEvery time.Duration, headFile *os.File) (stop func()) {
	ctx = context.WithoutCancel(ctx)
	stopSealing := startBackground(ctx, func(ctx context.Context) {
		audit.RunSealer(ctx, pool, audit.SealEvery, log)
	})
	if headEvery <= 0 {
		return stopSealing
	}
	heads := &audit.HeadPublisher{DB: pool, Log: log}
	if headFile != nil {
		heads.Out = headFile
	}
	stopPublishing := startBackground(ctx, func(ctx context.Context) { heads.Run(ctx, headEvery) })
	return func() {
		stopSealing()
		stopPublishing()
		last, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := heads.Publish(last); err != nil {
			log.Warn("the audit head after the last seal is not published", "err", err)
		}
	}
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

// headFlags say how often and where serve publishes the audit chain's head.
type headFlags struct {
	every time.Duration
	file  string
}

func (h *headFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	every := audit.HeadEvery
	if d, err := time.ParseDuration(getenv("IRM_AUDIT_HEAD_EVERY")); err == nil {
		every = d
	}
	fs.DurationVar(&h.every, "audit-head-every", every,
		"log the audit chain's head (\"audit head\", chain_seq and hash) this often when it moved, and once more on stop; 0: never (env IRM_AUDIT_HEAD_EVERY)")
	fs.StringVar(&h.file, "audit-head-file", getenv("IRM_AUDIT_HEAD_FILE"),
		"also append each published head to this file as a line of JSON, synced to disk; keep it where the database's administrators cannot write (env IRM_AUDIT_HEAD_FILE)")
}

// open opens the head file for appending, if one is named.
func (h *headFlags) open() (*os.File, error) {
	if h.file == "" {
		return nil, nil
	}
	if h.every <= 0 {
		return nil, errors.New("--audit-head-file needs --audit-head-every above 0")
	}
	f, err := os.OpenFile(h.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("audit head file: %w", err)
	}
	return f, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// Limits bound what one caller may take of a replica (httpapi.Limits).
type Limits = httpapi.Limits
