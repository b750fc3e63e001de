package submission

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
)

const submissionColumns = `s.id, s.cycle_id, s.state_code, s.status, s.version, s.answers,
	coalesce(s.first_submitted_at >= (c.closes_on + 1)::timestamptz, false), s.updated_at, s.submitted_at`

const fromSubmissions = ` FROM submissions s JOIN cycles c ON c.id = s.cycle_id `

func scanSubmission(row pgx.Row) (*Submission, error) {
	var s Submission
	err := row.Scan(&s.ID, &s.CycleID, &s.StateCode, &s.Status, &s.Version, &s.Answers, &s.Late, &s.UpdatedAt, &s.SubmittedAt)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// lock loads and locks the submission of (cycle, state) in tx; sub is nil
// when there is none yet.
func (s *Service) lock(ctx context.Context, tx pgx.Tx, where string, args ...any) (*Submission, error) {
	sub, err := scanSubmission(tx.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+where+` FOR UPDATE OF s`, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load submission: %w", err)
	}
	return sub, nil
}

// cycleAndState checks that both exist and returns the cycle's questionnaire.
func (s *Service) cycleAndState(ctx context.Context, cycleID, code string) (Cycle, *questionnaire.Questionnaire, error) {
	c, err := s.Cycle(ctx, cycleID)
	if err != nil {
		return Cycle{}, nil, err
	}
	if _, err := state.NewStore(s.pool).Get(ctx, code); err != nil {
		return Cycle{}, nil, err
	}
	q, err := s.questionnaireFor(c)
	return c, q, err
}

// SaveDraft creates (expectedVersion nil) or replaces the answers of a
// State's submission. Drafts are checked against everything but required;
// any other violation stores nothing and comes back in Result.Errors.
func (s *Service) SaveDraft(ctx context.Context, p auth.Principal, cycleID, state string, answers json.RawMessage, expectedVersion *int) (Result, error) {
	state = strings.ToUpper(state)
	if err := auth.CanEditSubmission(p, state); err != nil {
		return Result{}, err
	}
	c, q, err := s.cycleAndState(ctx, cycleID, state)
	if err == nil {
		err = c.checkOpen(time.Now())
	}
	if err != nil {
		return Result{}, err
	}
	if len(answers) > MaxAnswerBytes {
		return Result{}, apperr.BadInputf("the answers document is %d bytes; the limit is %d", len(answers), MaxAnswerBytes)
	}
	doc, err := questionnaire.DecodeAnswers(answers)
	if fe, ok := questionnaire.AsFieldError(err); ok {
		return s.refused(ctx, cycleID, state, []questionnaire.FieldError{fe})
	}
	if err != nil {
		return Result{}, apperr.BadInputf("answers are not valid JSON: %v", err)
	}
	if at, ok := nulAt(doc, ""); ok {
		return Result{}, apperr.BadInputf("the answers hold the character U+0000 at %q, which cannot be stored", at)
	}
	if errs := q.ValidateValue(doc, questionnaire.Draft); len(errs) > 0 {
		return s.refused(ctx, cycleID, state, errs)
	}
	canonical, err := json.Marshal(doc)
	if err != nil {
		return Result{}, fmt.Errorf("encode answers: %w", err)
	}

	var out *Submission
	err = postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if expectedVersion == nil {
			var id string
			err := tx.QueryRow(ctx, `INSERT INTO submissions (cycle_id, state_code, status, version, answers)
				VALUES ($1, $2, 'DRAFT', 1, $3) ON CONFLICT (cycle_id, state_code) DO NOTHING RETURNING id`,
				cycleID, state, canonical).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.Conflictf("%s already has a submission in cycle %s: pass its current version as expectedVersion", state, cycleID)
			}
			if err != nil {
				return fmt.Errorf("create submission: %w", err)
			}
			if out, err = s.record(ctx, tx, p, id, "submission.create", q, doc); err != nil {
				return err
			}
			return nil
		}
		cur, err := s.lock(ctx, tx, `WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFoundf("%s has no submission in cycle %s yet: omit expectedVersion to create it", state, cycleID)
		}
		if err := checkVersion(cur, *expectedVersion); err != nil {
			return err
		}
		if cur.Status == Submitted || cur.Status == Accepted {
			return apperr.Conflictf("the submission is %s and cannot be edited unless the secretariat returns it", cur.Status)
		}
		var same bool
		if err := tx.QueryRow(ctx, `SELECT answers = $2::jsonb FROM submissions WHERE id = $1`, cur.ID, canonical).Scan(&same); err != nil {
			return fmt.Errorf("compare answers: %w", err)
		}
		if same && cur.Status == Draft {
			out = cur // nothing changed, so no new version
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE submissions SET answers = $2, status = 'DRAFT', version = version + 1,
			updated_at = now() WHERE id = $1`, cur.ID, canonical); err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		out, err = s.record(ctx, tx, p, cur.ID, "submission.save_draft", q, doc)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Submission: out}, nil
}

// Submit moves a draft to SUBMITTED once it passes every check.
func (s *Service) Submit(ctx context.Context, p auth.Principal, cycleID, state string, expectedVersion int) (Result, error) {
	state = strings.ToUpper(state)
	if err := auth.CanEditSubmission(p, state); err != nil {
		return Result{}, err
	}
	c, q, err := s.cycleAndState(ctx, cycleID, state)
	if err == nil {
		err = c.checkOpen(time.Now())
	}
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := s.lock(ctx, tx, `WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFoundf("%s has no submission in cycle %s", state, cycleID)
		}
		if err := checkVersion(cur, expectedVersion); err != nil {
			return err
		}
		if cur.Status != Draft {
			return apperr.Conflictf("only a DRAFT can be submitted; this submission is %s%s", cur.Status, hint(cur.Status))
		}
		if errs := q.Validate(cur.Answers, questionnaire.Complete); len(errs) > 0 {
			res = Result{Submission: cur, Errors: errs}
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE submissions SET status = 'SUBMITTED', version = version + 1, updated_at = now(),
			submitted_at = now(), first_submitted_at = coalesce(first_submitted_at, now()) WHERE id = $1`, cur.ID); err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		res.Submission, err = s.record(ctx, tx, p, cur.ID, "submission.submit", nil, nil)
		return err
	})
	return res, err
}

func hint(st Status) string {
	switch st {
	case Returned:
		return " (save it as a draft first)"
	case Submitted, Accepted:
		return " already"
	}
	return ""
}

// CommentInput is one review comment to add.
type CommentInput struct {
	Path *string
	Body string
}

// Return sends a SUBMITTED submission back to its State with comments.
func (s *Service) Return(ctx context.Context, p auth.Principal, id string, expectedVersion int, comments []CommentInput) (Result, error) {
	if err := auth.CanReview(p); err != nil {
		return Result{}, err
	}
	if len(comments) == 0 {
		return Result{}, apperr.BadInputf("returning a submission needs at least one comment saying what to change")
	}
	if len(comments) > MaxComments {
		return Result{}, apperr.BadInputf("at most %d comments at once", MaxComments)
	}
	return s.review(ctx, p, id, expectedVersion, Returned, comments)
}

// Accept accepts a SUBMITTED submission.
func (s *Service) Accept(ctx context.Context, p auth.Principal, id string, expectedVersion int) (Result, error) {
	if err := auth.CanReview(p); err != nil {
		return Result{}, err
	}
	return s.review(ctx, p, id, expectedVersion, Accepted, nil)
}

func (s *Service) review(ctx context.Context, p auth.Principal, id string, expectedVersion int, to Status, comments []CommentInput) (Result, error) {
	if !validUUID(id) {
		return Result{}, apperr.NotFoundf("no submission with id %q", id)
	}
	var out *Submission
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := s.lock(ctx, tx, `WHERE s.id = $1`, id)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFoundf("no submission with id %q", id)
		}
		q, err := s.questionnaireOf(ctx, tx, cur.CycleID)
		if err != nil {
			return err
		}
		for i, c := range comments {
			if err := checkComment(q, c.Path, c.Body); err != nil {
				return apperr.BadInputf("comment %d: %v", i, err)
			}
		}
		if err := checkVersion(cur, expectedVersion); err != nil {
			return err
		}
		if cur.Status != Submitted {
			return apperr.Conflictf("only a SUBMITTED submission can be %s; this one is %s", strings.ToLower(string(to)), cur.Status)
		}
		if _, err := tx.Exec(ctx, `UPDATE submissions SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`,
			cur.ID, string(to)); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		for _, c := range comments { // seq keeps the order they were given in
			if _, err := tx.Exec(ctx, `INSERT INTO review_comments (submission_id, version, path, author, body)
				VALUES ($1, $2, $3, $4, $5)`, cur.ID, cur.Version+1, c.Path, p.Name, c.Body); err != nil {
				return fmt.Errorf("add comment: %w", err)
			}
		}
		action := "submission.accept"
		if to == Returned {
			action = "submission.return"
		}
		out, err = s.record(ctx, tx, p, cur.ID, action, nil, nil)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Submission: out}, nil
}

// Comment adds a remark to a submission without changing its version.
func (s *Service) Comment(ctx context.Context, p auth.Principal, submissionID string, path *string, body string) (Comment, error) {
	if p.Role == auth.WorkingGroup {
		return Comment{}, auth.CanEditSubmission(p, "")
	}
	if !validUUID(submissionID) {
		return Comment{}, apperr.NotFoundf("no submission with id %q", submissionID)
	}
	var out Comment
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := s.lock(ctx, tx, `WHERE s.id = $1`, submissionID)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFoundf("no submission with id %q", submissionID)
		}
		if err := auth.CanEditSubmission(p, cur.StateCode); err != nil {
			return err
		}
		q, err := s.questionnaireOf(ctx, tx, cur.CycleID)
		if err != nil {
			return err
		}
		if err := checkComment(q, path, body); err != nil {
			return apperr.BadInputf("%v", err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO review_comments (submission_id, version, path, author, body)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, path, author, body, created_at`,
			cur.ID, cur.Version, path, p.Name, body).Scan(&out.ID, &out.Path, &out.Author, &out.Body, &out.CreatedAt)
		if err != nil {
			return fmt.Errorf("add comment: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "submission.comment",
			Subject: "submission/" + cur.ID, Detail: map[string]any{"comment": out.ID, "path": path}})
	})
	return out, err
}

func checkComment(q *questionnaire.Questionnaire, path *string, body string) error {
	if strings.TrimSpace(body) == "" {
		return errors.New("the comment body is empty")
	}
	if len(body) > MaxCommentBytes || !utf8.ValidString(body) || hasNUL(body) {
		return fmt.Errorf("the comment body must be valid text of at most %d bytes", MaxCommentBytes)
	}
	if path != nil && (hasNUL(*path) || !q.Locates(*path)) {
		return fmt.Errorf("path %q is not a JSON Pointer into the questionnaire (e.g. %q); use null for the whole submission",
			*path, q.Questions[0].Path)
	}
	return nil
}

// hasNUL reports whether s holds U+0000, which PostgreSQL text cannot.
func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// nulAt returns the JSON Pointer of a key or string in the decoded
// document v that holds U+0000 (PostgreSQL's jsonb refuses it).
func nulAt(v any, at string) (string, bool) {
	switch x := v.(type) {
	case string:
		return at, hasNUL(x)
	case map[string]any:
		for k, e := range x {
			ptr := at + "/" + questionnaire.EscapeToken(k)
			if hasNUL(k) {
				return ptr, true
			}
			if p, ok := nulAt(e, ptr); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			if p, ok := nulAt(e, at+"/"+strconv.Itoa(i)); ok {
				return p, true
			}
		}
	}
	return "", false
}

func checkVersion(cur *Submission, expected int) error {
	if cur.Version != expected {
		return apperr.Conflictf("expectedVersion %d is not the current version %d: reload the submission and try again", expected, cur.Version)
	}
	return nil
}

// record writes the version row, the answers projection (when doc is
// given) and the audit event for the change just made, and returns the
// submission as stored.
func (s *Service) record(ctx context.Context, tx pgx.Tx, p auth.Principal, id, action string, q *questionnaire.Questionnaire, doc any) (*Submission, error) {
	sub, err := scanSubmission(tx.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+`WHERE s.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("reload submission: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO submission_versions (submission_id, version, status, answers, saved_by)
		SELECT id, version, status, answers, $2 FROM submissions WHERE id = $1`, id, p.Name); err != nil {
		return nil, fmt.Errorf("record version: %w", err)
	}
	if q != nil {
		answers := q.Answers(doc)
		paths := make([]string, len(answers))
		values := make([]string, len(answers))
		for i, a := range answers {
			b, err := json.Marshal(a.Value)
			if err != nil {
				return nil, fmt.Errorf("project answers: %w", err)
			}
			paths[i], values[i] = a.Path, string(b)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM submission_answers WHERE submission_id = $1`, id); err != nil {
			return nil, fmt.Errorf("project answers: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO submission_answers (submission_id, path, value)
			SELECT $1, unnest($2::text[]), unnest($3::jsonb[])`, id, paths, values); err != nil {
			return nil, fmt.Errorf("project answers: %w", err)
		}
	}
	err = audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: action, Subject: "submission/" + id,
		Detail: map[string]any{"cycle": sub.CycleID, "state": sub.StateCode, "version": sub.Version, "status": sub.Status}})
	return sub, err
}

// refused builds the result of a call stopped by field errors.
func (s *Service) refused(ctx context.Context, cycleID, state string, errs []questionnaire.FieldError) (Result, error) {
	cur, err := scanSubmission(s.pool.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+
		`WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state))
	if errors.Is(err, pgx.ErrNoRows) {
		return Result{Errors: errs}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("load submission: %w", err)
	}
	return Result{Submission: cur, Errors: errs}, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// questionnaireOf returns the questionnaire of an existing cycle, read
// through db: inside a transaction, pass the transaction, never the pool,
// for a transaction that waits for a second connection while it holds
// one deadlocks once concurrent transactions hold them all.
func (s *Service) questionnaireOf(ctx context.Context, db querier, cycleID string) (*questionnaire.Questionnaire, error) {
	c, err := scanCycle(db.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE id = $1`, cycleID))
	if err != nil {
		return nil, fmt.Errorf("get cycle %s: %w", cycleID, err)
	}
	return s.questionnaireFor(c)
}

// questionnaireFor returns the loaded questionnaire a cycle uses; start-up
// refuses a database whose cycles use a questionnaire that is not loaded.
func (s *Service) questionnaireFor(c Cycle) (*questionnaire.Questionnaire, error) {
	q, ok := s.reg.Get(c.QuestionnaireID)
	if !ok {
		return nil, fmt.Errorf("cycle %s uses questionnaire %s, which is not loaded", c.ID, c.QuestionnaireID)
	}
	return q, nil
}
