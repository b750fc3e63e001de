// Package submission owns review cycles and the national submissions in
// them: the workflow state machine (DRAFT → SUBMITTED → ACCEPTED, or
// SUBMITTED → RETURNED → DRAFT → SUBMITTED), every saved version, the
// answers projection that aggregates read, and review comments.
package submission

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// Status is where a submission is in the workflow.
type Status string

const (
	Draft     Status = "DRAFT"
	Submitted Status = "SUBMITTED"
	Returned  Status = "RETURNED"
	Accepted  Status = "ACCEPTED"
)

// Limits on what one call may send.
const (
	MaxAnswerBytes  = 512 << 10 // an answers document, as compact JSON
	MaxCommentBytes = 10_000
	MaxComments     = 200
	MaxPageSize     = 200
)

// Cycle is a review cycle.
type Cycle struct {
	ID              string
	Name            string
	QuestionnaireID string
	OpensOn         time.Time // a date, UTC midnight
	ClosesOn        time.Time // the submission deadline, inclusive
}

// Submission is one State's answers in one cycle.
type Submission struct {
	ID          string
	CycleID     string
	StateCode   string
	Status      Status
	Version     int
	Answers     json.RawMessage
	Late        bool
	UpdatedAt   time.Time
	SubmittedAt *time.Time
}

// Version is one saved version of a submission.
type Version struct {
	Version int
	Status  Status
	Answers json.RawMessage
	SavedAt time.Time
	SavedBy string
}

// Comment is a reviewer's or focal point's remark on a submission.
type Comment struct {
	ID        string
	Path      *string // the question it is about; nil for the whole submission
	Author    string
	Body      string
	CreatedAt time.Time
	ReplyTo   *string // the thread's first comment; nil when this one starts a thread
	Resolved  bool    // of a thread's first comment; false for replies
}

// Result is what a workflow call returns: the submission as stored after
// the call (nil if nothing was ever stored) and the field errors that
// stopped it (non-empty means nothing changed).
type Result struct {
	Submission *Submission
	Errors     []questionnaire.FieldError
	// OpenThreads is, after a submit, how many comment threads on the
	// submission are still unresolved: the State is warned, not stopped.
	OpenThreads int
}

// Projector keeps the answers projection that aggregates read: Project
// replaces a submission's projected answers with doc (decoded with
// questionnaire.DecodeAnswers) inside the transaction that submits it.
type Projector interface {
	Project(ctx context.Context, tx pgx.Tx, q *questionnaire.Questionnaire, sub *Submission, doc any) error
}

// Event is a submission's change that people are told about: a submit,
// a return (with its comments) or an acceptance; Submission is as stored
// after it.
type Event struct {
	Submission *Submission
	Cycle      Cycle
	Comments   []CommentInput
}

// Notifier queues the messages of a change inside the transaction that
// makes it (internal/people's outbox): both are stored, or neither.
type Notifier func(ctx context.Context, tx pgx.Tx, ev Event) error

// Service runs the workflow over PostgreSQL.
type Service struct {
	pool      *pgxpool.Pool
	reg       *questionnaire.Registry
	projector Projector
	notify    Notifier
	cycles    sync.Map // id → Cycle: opened cycles never change
}

// NewService returns a service over pool using the questionnaires in reg;
// projector (may be nil) keeps the aggregates' projection.
func NewService(pool *pgxpool.Pool, reg *questionnaire.Registry, projector Projector) *Service {
	return &Service{pool: pool, reg: reg, projector: projector}
}

// Notify makes fn queue the messages of every submit, return and
// acceptance, in the transaction that makes it. Call it before serving.
func (s *Service) Notify(fn Notifier) { s.notify = fn }

func (s *Service) notifyIn(ctx context.Context, tx pgx.Tx, ev Event) error {
	if s.notify == nil {
		return nil
	}
	return s.notify(ctx, tx, ev)
}
