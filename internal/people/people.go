// Package people owns the cycle's people: the contacts the secretariat
// registers, their one-time sign-in links, the outbox of notifications
// (written in the transaction of the change that causes each, delivered
// exactly once per key over SMTP by a worker on the job queue) and the
// reminder rules of each cycle.
package people

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
)

// Config configures the service.
type Config struct {
	// PublicURL is where people open the pages (the links in messages),
	// e.g. https://irm.example.org; default http://127.0.0.1:8080.
	PublicURL string
	// SMTP is the relay, smtp://user:pass@host:port (STARTTLS when the
	// relay offers it); nil: no relay, messages stay PENDING in the
	// outbox, where the secretariat reads them.
	SMTP *url.URL
	// MailFrom is the sender's address; default irm@ the public host.
	MailFrom string
	// TLS is the STARTTLS configuration (nil: the system's roots, the
	// relay's host name).
	TLS *tls.Config
	// Workers delivers this many messages at once (default 2).
	Workers int
	// MaxAttempts: a message the relay keeps refusing is FAILED after
	// this many attempts (default 8; River's backoff between them).
	MaxAttempts int
	// FetchPoll is how often the queue looks for new messages (default 1s).
	FetchPoll time.Duration
	// ReminderEvery is how often reminders are looked for (default 15m).
	ReminderEvery time.Duration
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
	Log *slog.Logger
	// afterData, when set, runs after the relay accepted a message's data
	// and before the outbox records it SENT (tests: a worker killed there).
	afterData func(ctx context.Context, tx pgx.Tx) error
}

func (c Config) withDefaults() Config {
	c.PublicURL = strings.TrimRight(cmp.Or(c.PublicURL, "http://127.0.0.1:8080"), "/")
	if c.MailFrom == "" {
		host := "localhost"
		if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		c.MailFrom = "irm@" + host
	}
	c.Workers = cmp.Or(c.Workers, 2)
	c.MaxAttempts = cmp.Or(c.MaxAttempts, 8)
	c.FetchPoll = cmp.Or(c.FetchPoll, time.Second)
	c.ReminderEvery = cmp.Or(c.ReminderEvery, 15*time.Minute)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Service runs contacts, sign-in links, the outbox and reminders.
type Service struct {
	pool     *pgxpool.Pool
	reg      *questionnaire.Registry
	workflow *submission.Service
	cfg      Config
	log      *slog.Logger
	queue    *river.Client[pgx.Tx]

	stopLoop context.CancelFunc
	loopDone chan struct{}
}

const queueName = "mail"

// New returns the service over pool. It queues messages at once; it
// delivers them (when a relay is configured) and sends reminders only
// after Start.
func New(pool *pgxpool.Pool, reg *questionnaire.Registry, workflow *submission.Service, cfg Config) (*Service, error) {
	cfg = cfg.withDefaults()
	if _, err := url.Parse(cfg.PublicURL); err != nil {
		return nil, fmt.Errorf("public URL: %w", err)
	}
	if cfg.SMTP != nil && cfg.SMTP.Scheme != "smtp" {
		return nil, fmt.Errorf("SMTP URL: want smtp://user:pass@host:port, got scheme %q", cfg.SMTP.Scheme)
	}
	s := &Service{pool: pool, reg: reg, workflow: workflow, cfg: cfg, log: cfg.Log}
	rc := &river.Config{Logger: cfg.Log, MaxAttempts: cfg.MaxAttempts, PollOnly: true,
		FetchPollInterval: cfg.FetchPoll, FetchCooldown: min(cfg.FetchPoll, river.FetchCooldownDefault)}
	if cfg.SMTP != nil {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &deliverWorker{s: s}); err != nil {
			return nil, fmt.Errorf("mail worker: %w", err)
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{queueName: {MaxWorkers: cfg.Workers}}
		rc.JobTimeout = 2 * time.Minute
		rc.RescueStuckJobsAfter = 5 * time.Minute
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("mail queue: %w", err)
	}
	s.queue = client
	return s, nil
}

// Relay reports whether messages are delivered (a relay is configured).
func (s *Service) Relay() bool { return s.cfg.SMTP != nil }

// Start delivers the outbox (with a relay) and looks for due reminders
// every ReminderEvery until Stop.
func (s *Service) Start(ctx context.Context) error {
	if s.cfg.SMTP != nil {
		if err := s.queue.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start mail queue: %w", err)
		}
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stopLoop, s.loopDone = cancel, make(chan struct{})
	go func() {
		defer close(s.loopDone)
		t := time.NewTicker(s.cfg.ReminderEvery)
		defer t.Stop()
		for {
			if n, err := s.SendReminders(loopCtx); err != nil && loopCtx.Err() == nil {
				s.log.Warn("reminders", "err", err)
			} else if n > 0 {
				s.log.Info("reminders queued", "messages", n)
			}
			select {
			case <-loopCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// Stop stops the reminders and lets deliveries under way finish until ctx
// ends.
func (s *Service) Stop(ctx context.Context) error {
	if s.stopLoop == nil {
		return nil
	}
	s.stopLoop()
	<-s.loopDone
	s.stopLoop = nil
	if s.cfg.SMTP == nil {
		return nil
	}
	return s.queue.Stop(ctx)
}

// link is the public URL of path.
func (s *Service) link(path string) string { return s.cfg.PublicURL + path }
