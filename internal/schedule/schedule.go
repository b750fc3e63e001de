// Package schedule owns report runs and report schedules: the run rows
// (what was rendered, when, by whom, with what result) and their PDF
// bytes, the schedules and their cron ticks, the exactly-once claim of
// each tick across replicas, the catch-up of ticks missed while no
// replica ran, and the render jobs on a PostgreSQL job queue (River),
// which retries them and rescues those of a crashed replica.
//
// The renderer itself (internal/report) is reached through Renderer.
package schedule

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/report"
)

// Renderer checks report requests and renders them (internal/report).
type Renderer interface {
	// Check says whether req can be rendered: BAD_USER_INPUT or NOT_FOUND
	// errors for an unknown cycle, working group or State.
	Check(ctx context.Context, req report.Request) error
	// Render renders req from the data as it is now.
	Render(ctx context.Context, req report.Request, now time.Time) (report.Document, error)
}

// Status is where a run stands.
type Status string

const (
	Queued    Status = "QUEUED"
	Running   Status = "RUNNING"
	Succeeded Status = "SUCCEEDED"
	Failed    Status = "FAILED"
)

// Run is one rendering of a report, by hand or by a schedule's tick.
type Run struct {
	ID           string
	Kind         report.Kind
	CycleID      string
	WorkingGroup string // "" when none
	State        string // "" when none
	Language     string // ar zh en fr ru es
	Schedule     *Schedule
	ScheduledFor time.Time
	Status       Status
	StartedAt    *time.Time
	FinishedAt   *time.Time
	Pages        *int
	Bytes        *int
	SHA256       *string
	Fingerprint  *string
	FileName     *string
	Published    bool
	Error        *string  // in English, for logs and tools; readers read ErrorIn
	Warnings     []string // in English: what the reader should know, characters no font has; readers read WarningsIn
	RequestedBy  string
	CreatedAt    time.Time
	// ErrorMessage and WarningMessages are the same as messages of the
	// catalogue (issue 13); nil for a run finished before they were kept,
	// which shows its English text.
	ErrorMessage    *i18n.Message
	WarningMessages []i18n.Message
}

// ErrorIn is the run's error in lang, nil when it has none: its message
// translated, or the stored text of a run that kept no message. In
// English it is the stored English text, as before messages were kept:
// a crash's or an unknown failure's detail included, which the other
// languages leave to the service's log.
func (r Run) ErrorIn(lang string) *string {
	if r.ErrorMessage == nil || r.Error == nil || lang == i18n.Default {
		return r.Error
	}
	s := r.ErrorMessage.In(lang)
	return &s
}

// WarningsIn are the run's warnings in lang: its messages translated, or
// the stored texts of a run that kept no messages.
func (r Run) WarningsIn(lang string) []string {
	if r.WarningMessages == nil {
		if r.Warnings == nil {
			return []string{}
		}
		return r.Warnings
	}
	out := make([]string, len(r.WarningMessages))
	for i, m := range r.WarningMessages {
		out[i] = m.In(lang)
	}
	return out
}

// URL is where the run's PDF is served, once it has one.
func (r Run) URL() *string {
	if r.Status != Succeeded {
		return nil
	}
	u := "/reports/" + r.ID + ".pdf"
	return &u
}

// Schedule renders a report at every tick of a cron spec in a time zone.
type Schedule struct {
	ID           string
	Kind         report.Kind
	CycleID      string
	WorkingGroup string
	State        string
	Language     string
	Cron         string
	Timezone     string
	NextRunAt    time.Time // the next tick (for a paused one: if it were resumed now)
	Active       bool
	Deleted      bool
	CreatedBy    string
	CreatedAt    time.Time
}

// Config tunes the service; zero values take the defaults.
type Config struct {
	// Workers is how many renders run at once on this replica (default 2).
	Workers int
	// Poll is how often the scheduler looks for due ticks (default 1s).
	Poll time.Duration
	// FetchPoll is how often the job queue looks for new jobs (default 1s).
	FetchPoll time.Duration
	// RenderTimeout bounds one render (default 10 minutes).
	RenderTimeout time.Duration
	// RescueAfter is how long a run may stay RUNNING before another
	// replica takes it over, its own having presumably crashed (default
	// RenderTimeout + 5 minutes).
	RescueAfter time.Duration
	// CatchUpAfter: a schedule further behind than this is caught up with
	// one run for its latest missed tick instead of one run per tick
	// (default 1 minute). At start, any schedule behind is caught up so.
	CatchUpAfter time.Duration
	// MinInterval is the shortest time a schedule may leave between two
	// ticks (default 1 hour), so no schedule floods the queue.
	MinInterval time.Duration
	// Log receives the service's logs (default: discarded).
	Log *slog.Logger
}

// Defaults of Config.Workers (the --render-workers flag) and
// Config.MinInterval (--min-schedule-interval).
const (
	DefaultWorkers     = 2
	DefaultMinInterval = time.Hour
)

func (c Config) withDefaults() Config {
	c.Workers = cmp.Or(c.Workers, DefaultWorkers)
	c.Poll = cmp.Or(c.Poll, time.Second)
	c.FetchPoll = cmp.Or(c.FetchPoll, time.Second)
	c.RenderTimeout = cmp.Or(c.RenderTimeout, 10*time.Minute)
	c.RescueAfter = cmp.Or(c.RescueAfter, c.RenderTimeout+5*time.Minute)
	c.CatchUpAfter = cmp.Or(c.CatchUpAfter, time.Minute)
	c.MinInterval = cmp.Or(c.MinInterval, DefaultMinInterval)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Service stores runs and schedules, queues renders and, once started,
// fires schedules and works the render queue.
type Service struct {
	pool     *pgxpool.Pool
	renderer Renderer
	cfg      Config
	log      *slog.Logger
	queue    *river.Client[pgx.Tx]
	now      func() time.Time

	// ticker paces the scheduler's passes (a time.Ticker of Poll), and
	// passed, when set, runs after each pass. Tests replace both, and now,
	// to fire ticks when they choose instead of waiting for them.
	ticker func(time.Duration) (<-chan time.Time, func())
	passed func()

	stopLoop context.CancelFunc
	loopDone chan struct{}

	published func(ctx context.Context, tx pgx.Tx, run Run) error
}

// OnPublish makes fn queue the messages of a report's publication, in the
// transaction that publishes it (internal/people's outbox). Call it
// before serving.
func (s *Service) OnPublish(fn func(ctx context.Context, tx pgx.Tx, run Run) error) { s.published = fn }

const queueName = "reports"

// New returns the service over pool. It queues renders at once; it
// renders and fires schedules only after Start.
func New(pool *pgxpool.Pool, renderer Renderer, cfg Config) (*Service, error) {
	cfg = cfg.withDefaults()
	if cfg.Workers < 1 {
		return nil, fmt.Errorf("render workers: %d, want at least 1", cfg.Workers)
	}
	if cfg.RescueAfter <= cfg.RenderTimeout {
		return nil, fmt.Errorf("rescue after %s must be longer than the render timeout %s", cfg.RescueAfter, cfg.RenderTimeout)
	}
	s := &Service{pool: pool, renderer: renderer, cfg: cfg, log: cfg.Log, now: time.Now, ticker: realTicker}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &renderWorker{s: s}); err != nil {
		return nil, fmt.Errorf("render worker: %w", err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:               cfg.Log,
		Queues:               map[string]river.QueueConfig{queueName: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		JobTimeout:           cfg.RenderTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          maxAttempts,
		FetchPollInterval:    cfg.FetchPoll,
		FetchCooldown:        min(cfg.FetchPoll, river.FetchCooldownDefault),
		// Polling only: LISTEN would hold one connection of the service's
		// small pool for as long as the replica runs.
		PollOnly: true,
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	s.queue = client
	return s, nil
}

// realTicker is a time.Ticker's channel and its Stop.
func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Start works the render queue and fires schedules (after catching up
// those missed while no replica ran) until Stop.
func (s *Service) Start(ctx context.Context) error {
	if err := s.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stopLoop, s.loopDone = cancel, make(chan struct{})
	go s.loop(loopCtx)
	return nil
}

// Stop stops firing schedules and lets running renders finish until ctx
// ends; renders still running then are cancelled and queued again. It is
// not safe to call concurrently with Start or itself.
func (s *Service) Stop(ctx context.Context) error {
	if s.stopLoop == nil {
		return nil // never started, or stopped already
	}
	s.stopLoop()
	<-s.loopDone
	s.stopLoop = nil
	err := s.queue.Stop(ctx)
	if ctx.Err() != nil {
		cancelCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = s.queue.StopAndCancel(cancelCtx)
	}
	return err
}
