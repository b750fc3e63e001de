package submission

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func validUUID(s string) bool { return uuidPattern.MatchString(s) }

// Get returns the submission of state in cycle, or nil if it has none.
func (s *Service) Get(ctx context.Context, p auth.Principal, cycleID, state string) (*Submission, error) {
	state = strings.ToUpper(state)
	if err := auth.CanReadSubmission(p, state); err != nil {
		return nil, err
	}
	if _, _, err := s.cycleAndState(ctx, cycleID, state); err != nil {
		return nil, err
	}
	var sub *Submission
	err := auth.ReadTx(ctx, s.pool, p, func(tx pgx.Tx) error {
		var err error
		sub, err = scanSubmission(tx.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+
			`WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get submission: %w", err)
	}
	return sub, nil
}

// Page is one page of a cycle's submissions, ordered by State code.
type Page struct {
	Submissions []*Submission
	HasNext     bool
	TotalCount  int
}

// Cursor returns the opaque cursor of a submission in a page.
func Cursor(sub *Submission) string {
	return base64.RawURLEncoding.EncodeToString([]byte("state:" + sub.StateCode))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "state:") {
		return "", apperr.BadInputT("after: \"{cursor}\" is not a cursor from this list", "cursor", c)
	}
	return strings.TrimPrefix(string(b), "state:"), nil
}

// List returns a page of a cycle's submissions: every State's for the
// secretariat, a focal point's own State's for a focal point.
func (s *Service) List(ctx context.Context, p auth.Principal, cycleID string, status *Status, first int, after *string) (Page, error) {
	if err := auth.CanListSubmissions(p); err != nil {
		return Page{}, err
	}
	if first < 0 || first > MaxPageSize {
		return Page{}, apperr.LimitT("first must be between 0 and {max}, got {first}", "max", MaxPageSize, "first", first)
	}
	if _, err := s.Cycle(ctx, cycleID); err != nil {
		return Page{}, err
	}
	var afterState *string
	if after != nil && *after != "" {
		st, err := decodeCursor(*after)
		if err != nil {
			return Page{}, err
		}
		afterState = &st
	}
	var only *string
	if p.Role == auth.FocalPoint {
		only = &p.State
	}
	var st *string
	if status != nil {
		v := string(*status)
		st = &v
	}
	const filter = ` WHERE s.cycle_id = $1 AND ($2::text IS NULL OR s.status = $2) AND ($3::text IS NULL OR s.state_code = $3)`
	var page Page
	var subs []*Submission
	err := auth.ReadTx(ctx, s.pool, p, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*)`+fromSubmissions+filter, cycleID, st, only).Scan(&page.TotalCount); err != nil {
			return fmt.Errorf("count submissions: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT `+submissionColumns+fromSubmissions+filter+
			` AND ($4::text IS NULL OR s.state_code > $4) ORDER BY s.state_code LIMIT $5`, cycleID, st, only, afterState, first+1)
		if err != nil {
			return fmt.Errorf("list submissions: %w", err)
		}
		subs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Submission, error) { return scanSubmission(r) })
		if err != nil {
			return fmt.Errorf("list submissions: %w", err)
		}
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	if len(subs) > first {
		page.HasNext = true
		subs = subs[:first]
	}
	page.Submissions = subs
	return page, nil
}

// Problems returns the full validation of a submission's current answers
// in its cycle c: empty means it is ready to submit.
func (s *Service) Problems(c Cycle, sub *Submission) ([]questionnaire.FieldError, error) {
	q, err := s.questionnaireFor(c)
	if err != nil {
		return nil, err
	}
	return q.Validate(sub.Answers, questionnaire.Complete), nil
}

// Versions returns, for each submission id, its versions oldest first.
// The caller has already been allowed to read those submissions.
func (s *Service) Versions(ctx context.Context, ids []string) ([][]Version, error) {
	byID := map[string][]Version{}
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT submission_id, version, status, answers, saved_at, saved_by
			FROM submission_versions WHERE submission_id = ANY($1::uuid[]) ORDER BY submission_id, version`, ids)
		if err != nil {
			return err
		}
		var id string
		var v Version
		_, err = pgx.ForEachRow(rows, []any{&id, &v.Version, &v.Status, &v.Answers, &v.SavedAt, &v.SavedBy}, func() error {
			byID[id] = append(byID[id], v)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return inOrder(ids, byID), nil
}

// Comments returns, for each submission id, its comments oldest first.
func (s *Service) Comments(ctx context.Context, ids []string) ([][]Comment, error) {
	byID := map[string][]Comment{}
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT submission_id, `+commentColumns+`
			FROM review_comments WHERE submission_id = ANY($1::uuid[]) ORDER BY seq`, ids)
		if err != nil {
			return err
		}
		var id string
		var c Comment
		_, err = pgx.ForEachRow(rows, append([]any{&id}, commentFields(&c)...), func() error {
			byID[id] = append(byID[id], c)
			c.Path, c.ReplyTo = nil, nil // so that the next row's get their own strings
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return inOrder(ids, byID), nil
}

// inOrder lists each id's items in the order of ids, an empty list for an
// id with none, as batch loaders need.
func inOrder[T any](ids []string, byID map[string][]T) [][]T {
	out := make([][]T, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
		if out[i] == nil {
			out[i] = []T{}
		}
	}
	return out
}
