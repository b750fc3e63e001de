package aggregate

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// Cycles finds a cycle; the submission service is one.
type Cycles interface {
	Cycle(ctx context.Context, id string) (submission.Cycle, error)
}

// Service answers the aggregate queries for a principal, checking the
// policy first.
type Service struct {
	pool   *pgxpool.Pool
	reg    *questionnaire.Registry
	stats  *statistics.Service
	cycles Cycles
}

// NewService returns a service over pool.
func NewService(pool *pgxpool.Pool, reg *questionnaire.Registry, stats *statistics.Service, cycles Cycles) *Service {
	return &Service{pool: pool, reg: reg, stats: stats, cycles: cycles}
}

// Reader computes aggregates through one database handle without any
// policy check: the pool, or the REPEATABLE READ transaction a report is
// read in (postgres.Snapshot). Callers check access themselves.
type Reader struct {
	s  *Service
	db postgres.DB
}

// In returns a Reader over db.
func (s *Service) In(db postgres.DB) *Reader { return &Reader{s: s, db: db} }

var errNotYet = errors.New("aggregate: not implemented yet")

// Completeness returns one row per regional group, then All.
func (s *Service) Completeness(ctx context.Context, p auth.Principal, cycleID string) ([]Completeness, error) {
	return nil, errNotYet
}

// Question returns the aggregate of the question at path in a cycle.
func (s *Service) Question(ctx context.Context, p auth.Principal, cycleID, path string, by statistics.GroupBy) (*QuestionAggregate, error) {
	return nil, errNotYet
}

// Summary returns a working group's summary of a cycle.
func (s *Service) Summary(ctx context.Context, p auth.Principal, workingGroup, cycleID string) (*Summary, error) {
	return nil, errNotYet
}

// Completeness, unchecked.
func (r *Reader) Completeness(ctx context.Context, cycleID string) ([]Completeness, error) {
	return nil, errNotYet
}

// Questions returns the aggregates of the given questions of a cycle's
// questionnaire, in the order given, in a fixed number of statements.
func (r *Reader) Questions(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question, by statistics.GroupBy) ([]QuestionAggregate, error) {
	return nil, errNotYet
}

// Summary, unchecked.
func (r *Reader) Summary(ctx context.Context, workingGroup string, c submission.Cycle) (*Summary, error) {
	return nil, errNotYet
}
