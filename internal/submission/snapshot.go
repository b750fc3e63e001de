package submission

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/postgres"
)

// Reads through a handle the caller gives: the pool, or the read-only
// REPEATABLE READ transaction a report is read in (postgres.Snapshot), so
// that everything a report prints comes from one moment. They check no
// policy: the caller does.

// CycleIn returns the cycle with id, read through db.
func CycleIn(ctx context.Context, db postgres.DB, id string) (Cycle, error) {
	if hasNUL(id) {
		return Cycle{}, apperr.NotFoundT("no cycle with id \"{id}\"", "id", id)
	}
	c, err := scanCycle(db.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Cycle{}, apperr.NotFoundT("no cycle with id \"{id}\"", "id", id)
	}
	if err != nil {
		return Cycle{}, fmt.Errorf("get cycle: %w", err)
	}
	return c, nil
}

// StateStatus is a Member State with its submission in a cycle, if any.
type StateStatus struct {
	Code          string
	Name          string
	RegionalGroup string // "" where the State belongs to none
	Developing    bool
	Party         bool

	SubmissionID string // "" without a submission
	Status       Status // "" without a submission
	Version      int
	SubmittedAt  *time.Time // the latest submit
	Late         bool       // first submitted after the deadline
}

// StatusBoard returns every Member State, ordered by name, with its
// submission in the cycle.
func StatusBoard(ctx context.Context, db postgres.DB, cycleID string) ([]StateStatus, error) {
	rows, err := db.Query(ctx, `SELECT st.code, st.name, coalesce(st.regional_group, ''), st.developing, st.party,
			coalesce(s.id::text, ''), coalesce(s.status, ''), coalesce(s.version, 0), s.submitted_at,
			coalesce(s.first_submitted_at >= (coalesce(e.closes_on, c.closes_on) + 1)::timestamptz, false)
		FROM states st
		LEFT JOIN submissions s ON s.state_code = st.code AND s.cycle_id = $1
		LEFT JOIN cycles c ON c.id = s.cycle_id
		LEFT JOIN extensions e ON e.cycle_id = s.cycle_id AND e.state_code = s.state_code
		ORDER BY st.name, st.code`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("status board: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StateStatus, error) {
		var s StateStatus
		err := r.Scan(&s.Code, &s.Name, &s.RegionalGroup, &s.Developing, &s.Party,
			&s.SubmissionID, &s.Status, &s.Version, &s.SubmittedAt, &s.Late)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("status board: %w", err)
	}
	return out, nil
}

// SubmissionIn returns the submission of state in cycle, or nil if it has
// none.
func SubmissionIn(ctx context.Context, db postgres.DB, cycleID, state string) (*Submission, error) {
	sub, err := scanSubmission(db.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+
		`WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get submission: %w", err)
	}
	return sub, nil
}

// VersionedComment is a review comment with the version it was made on.
type VersionedComment struct {
	Comment
	Version int
}

// CommentsIn returns a submission's comments, oldest first.
func CommentsIn(ctx context.Context, db postgres.DB, submissionID string) ([]VersionedComment, error) {
	rows, err := db.Query(ctx, `SELECT id, path, author, body, created_at, version
		FROM review_comments WHERE submission_id = $1 ORDER BY seq`, submissionID)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (VersionedComment, error) {
		var c VersionedComment
		err := r.Scan(&c.ID, &c.Path, &c.Author, &c.Body, &c.CreatedAt, &c.Version)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return out, nil
}

// Counted is a submitted or accepted submission with answers, and its
// cycle's questionnaire.
type Counted struct {
	Submission
	QuestionnaireID string
}

// CountedExcept returns the counted submissions (SUBMITTED or ACCEPTED,
// with answers) other than those in except, read through db: the ones an
// after-the-fact projection still has to make.
func CountedExcept(ctx context.Context, db postgres.DB, except []string) ([]Counted, error) {
	rows, err := db.Query(ctx, `SELECT s.id, s.cycle_id, s.state_code, c.questionnaire_id, s.answers
		FROM submissions s JOIN cycles c ON c.id = s.cycle_id
		WHERE s.status IN ('SUBMITTED', 'ACCEPTED') AND s.answers <> '{}'::jsonb AND NOT (s.id = ANY($1::uuid[]))`, except)
	if err != nil {
		return nil, fmt.Errorf("counted submissions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Counted, error) {
		var c Counted
		return c, r.Scan(&c.ID, &c.CycleID, &c.StateCode, &c.QuestionnaireID, &c.Answers)
	})
	if err != nil {
		return nil, fmt.Errorf("counted submissions: %w", err)
	}
	return out, nil
}
