package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/people"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/internal/translation"
)

// Services are the domain services of one process, built once over one
// pool (the composition root): the GraphQL resolvers, the pages, the CSV
// and PDF endpoints and the report renderer all use these same values.
type Services struct {
	Pool       *pgxpool.Pool
	Content    Content
	Log        *slog.Logger
	Workflow   *submission.Service
	Statistics *statistics.Service
	Aggregates *aggregate.Service
	States     *state.Store
	Tokens     *auth.Store
	// Translation reads and records the reviews of questionnaires'
	// translations.
	Translation *translation.Service
	// Reports queues renders at once; it renders and fires schedules
	// once started (Reports.Start).
	Reports *schedule.Service
	// People registers contacts, signs them in by link, queues the
	// notifications of submissions and reports in the outbox and delivers
	// them once started (People.Start), and sends reminders.
	People *people.Service
}

// NewServices builds the services over pool; reports configures the
// report runs and schedules service, mail (at most one; none: no relay,
// messages stay in the outbox) the people service.
func NewServices(pool *pgxpool.Pool, content Content, log *slog.Logger, reports schedule.Config, mail ...people.Config) (*Services, error) {
	s := &Services{Pool: pool, Content: content, Log: log,
		Workflow:   submission.NewService(pool, content.Registry, aggregate.Projection{}),
		Statistics: statistics.NewService(pool, content.Indicators),
		States:     state.NewStore(pool),
		Tokens:     auth.NewStore(pool),
	}
	s.Translation = translation.NewService(pool, content.Registry).WithLogger(log)
	s.Aggregates = aggregate.NewService(pool, content.Registry, s.Statistics, s.Workflow)
	reports.Log = log
	renderer := report.NewRenderer(pool, content.Registry, content.Indicators, s.Aggregates, s.Statistics)
	var err error
	if s.Reports, err = schedule.New(pool, renderer, reports); err != nil {
		return nil, err
	}
	var pc people.Config
	if len(mail) > 0 {
		pc = mail[0]
	}
	pc.Log = log
	if s.People, err = people.New(pool, content.Registry, s.Workflow, pc); err != nil {
		return nil, err
	}
	// The outbox is written in the transactions that submit, review and
	// publish.
	s.Workflow.Notify(s.People.SubmissionChanged)
	s.Reports.OnPublish(func(ctx context.Context, tx pgx.Tx, run schedule.Run) error {
		return s.People.ReportPublished(ctx, tx, run.ID, run.CycleID, run.WorkingGroup)
	})
	return s, nil
}

// Prepare is the start-up step serve and dev take before serving: it
// refuses to go on when a questionnaire that cycles use has changed since
// they opened, lays the translations uploaded as kits over the
// questionnaires, and projects the answers of submissions submitted
// before the aggregates' projection existed.
func (s *Services) Prepare(ctx context.Context) error {
	if err := s.Workflow.CheckDigests(ctx); err != nil {
		return err
	}
	if err := s.Translation.Refresh(ctx); err != nil {
		return err
	}
	n, err := aggregate.Backfill(ctx, s.Pool, s.Content.Registry)
	if err != nil {
		return err
	}
	if n > 0 {
		s.Log.Info("projected the answers of submissions submitted before answer_facts", "submissions", n)
	}
	return nil
}

// TranslationRefresh is how often a replica reads whether another has
// stored an uploaded translation (one small query).
const TranslationRefresh = 15 * time.Second
