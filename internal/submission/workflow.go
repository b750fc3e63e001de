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

// late: first submitted after the State's own deadline day (an
// extension's closes_on, else the cycle's), inclusive.
const submissionColumns = `s.id, s.cycle_id, s.state_code, s.status, s.version, s.answers,
	coalesce(s.first_submitted_at >= (coalesce(e.closes_on, c.closes_on) + 1)::timestamptz, false), s.updated_at, s.submitted_at`

const fromSubmissions = ` FROM submissions s JOIN cycles c ON c.id = s.cycle_id
	LEFT JOIN extensions e ON e.cycle_id = s.cycle_id AND e.state_code = s.state_code `

func scanSubmission(row pgx.Row) (*Submission, error) {
	var s Submission
	err := row.Scan(&s.ID, &s.CycleID, &s.StateCode, &s.Status, &s.Version, &s.Answers, &s.Late, &s.UpdatedAt, &s.SubmittedAt)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// The statements that lock one submission for a change.
const (
	lockByState = `SELECT ` + submissionColumns + fromSubmissions + `WHERE s.cycle_id = $1 AND s.state_code = $2 FOR UPDATE OF s`
	lockByID    = `SELECT ` + submissionColumns + fromSubmissions + `WHERE s.id = $1 FOR UPDATE OF s`
)

// lockState loads and locks the submission of (cycle, state) in tx; sub
// is nil when there is none yet.
func (s *Service) lockState(ctx context.Context, tx pgx.Tx, cycleID, state string) (*Submission, error) {
	return lockOne(tx.QueryRow(ctx, lockByState, cycleID, state))
}

// lockID loads and locks the submission with id in tx; nil when there is
// none.
func (s *Service) lockID(ctx context.Context, tx pgx.Tx, id string) (*Submission, error) {
	return lockOne(tx.QueryRow(ctx, lockByID, id))
}

func lockOne(row pgx.Row) (*Submission, error) {
	sub, err := scanSubmission(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load submission: %w", err)
	}
	return sub, nil
}

// cycleAndState checks that both exist and returns the cycle and its
// questionnaire. Neither costs a round trip on the hot path: cycles never
// change once opened (cached), and the States are reference data.
func (s *Service) cycleAndState(ctx context.Context, cycleID, code string) (Cycle, *questionnaire.Questionnaire, error) {
	c, err := s.Cycle(ctx, cycleID)
	if err != nil {
		return Cycle{}, nil, err
	}
	if !state.Known(code) {
		return Cycle{}, nil, apperr.NotFoundT("no State with code \"{code}\"", "code", code)
	}
	q, err := s.questionnaireFor(c)
	return c, q, err
}

// saved is what one statement that changes a submission returns.
const savedColumns = `id, cycle_id, state_code, status, version, answers, first_submitted_at, updated_at, submitted_at`

// savedExtension is the State's extension in the cycle (NULL without
// one), selected after savedColumns from the row named t, so that late
// follows the State's own deadline without another round trip.
func savedExtension(t string) string {
	return `(SELECT e.closes_on FROM extensions e WHERE e.cycle_id = ` + t + `.cycle_id AND e.state_code = ` + t + `.state_code)`
}

// scanSaved scans savedColumns and then savedExtension.
func scanSaved(c Cycle, row pgx.Row) (*Submission, error) {
	var sub Submission
	var first, extended *time.Time
	err := row.Scan(&sub.ID, &sub.CycleID, &sub.StateCode, &sub.Status, &sub.Version, &sub.Answers,
		&first, &sub.UpdatedAt, &sub.SubmittedAt, &extended)
	if err != nil {
		return nil, err
	}
	sub.Late = isLate(ownDeadline(c, extended), first)
	return &sub, nil
}

// ownDeadline is the extension's date when there is one, else the cycle's.
func ownDeadline(c Cycle, extended *time.Time) time.Time {
	if extended != nil {
		return *extended
	}
	return c.ClosesOn
}

// isLate: first submitted after the deadline day (inclusive, UTC).
func isLate(deadline time.Time, firstSubmitted *time.Time) bool {
	return firstSubmitted != nil && !firstSubmitted.Before(deadline.AddDate(0, 0, 1))
}

// SaveDraft creates (expectedVersion nil) or replaces the answers of a
// State's submission. Drafts are checked against everything but required;
// any other violation stores nothing and comes back in Result.Errors.
//
// An update is one statement that locks the row, checks the version and
// the status, compares the answers, writes them and the version row; with
// the audit event and the transaction's begin and commit, four round
// trips. Drafts do not touch the answers projection: they never count.
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
		return Result{}, apperr.BadInputT("the answers document is {size} bytes; the limit is {max}", "size", len(answers), "max", MaxAnswerBytes)
	}
	doc, err := questionnaire.DecodeAnswers(answers)
	if fe, ok := questionnaire.AsFieldError(err); ok {
		return s.refused(ctx, cycleID, state, []questionnaire.FieldError{fe})
	}
	if err != nil {
		return Result{}, apperr.BadInputT("answers are not valid JSON: {reason}", "reason", err)
	}
	if at, ok := nulAt(doc, ""); ok {
		return Result{}, apperr.BadInputT("the answers hold the character U+0000 at \"{at}\", which cannot be stored", "at", at)
	}
	if errs := q.ValidateValue(doc, questionnaire.Draft); len(errs) > 0 {
		return s.refused(ctx, cycleID, state, errs)
	}
	canonical, err := json.Marshal(doc)
	if err != nil {
		return Result{}, fmt.Errorf("encode answers: %w", err)
	}

	var out *Submission
	err = auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		if expectedVersion == nil {
			out, err = scanSaved(c, tx.QueryRow(ctx, `WITH ins AS (
					INSERT INTO submissions (cycle_id, state_code, status, version, answers)
					VALUES ($1, $2, 'DRAFT', 1, $3) ON CONFLICT (cycle_id, state_code) DO NOTHING
					RETURNING `+savedColumns+`
				), ver AS (
					INSERT INTO submission_versions (submission_id, state_code, version, status, answers, saved_by)
					SELECT id, state_code, version, status, answers, $4 FROM ins
				)
				SELECT `+savedColumns+`, `+savedExtension("ins")+` FROM ins`, cycleID, state, canonical, p.Name))
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.ConflictT("{state} already has a submission in cycle {cycle}: pass its current version as expectedVersion", "state", state, "cycle", cycleID)
			}
			if err != nil {
				return fmt.Errorf("create submission: %w", err)
			}
			return s.audit(ctx, tx, p, "submission.create", out)
		}
		// cur is the row as found (locked); upd is the row as changed, when
		// the version and status allow it and the answers differ.
		var found bool
		var curVersion int
		var curStatus Status
		var same bool
		var changed *Submission
		var first, extended *time.Time
		var id, cyc, st, status *string
		var version *int
		var ans []byte
		var updatedAt, submittedAt *time.Time
		err := tx.QueryRow(ctx, `WITH cur AS (
				SELECT id, version, status, answers = $3::jsonb AS same FROM submissions
				WHERE cycle_id = $1 AND state_code = $2 FOR UPDATE
			), upd AS (
				UPDATE submissions s SET answers = $3, status = 'DRAFT', version = s.version + 1, updated_at = now()
				FROM cur WHERE s.id = cur.id AND cur.version = $4 AND cur.status IN ('DRAFT', 'RETURNED')
					AND NOT (cur.same AND cur.status = 'DRAFT')
				RETURNING s.id, s.cycle_id, s.state_code, s.status, s.version, s.answers, s.first_submitted_at, s.updated_at, s.submitted_at
			), ver AS (
				INSERT INTO submission_versions (submission_id, state_code, version, status, answers, saved_by)
				SELECT id, state_code, version, status, answers, $5 FROM upd
			)
			SELECT true, cur.version, cur.status, cur.same,
				upd.id, upd.cycle_id, upd.state_code, upd.status, upd.version, upd.answers, upd.first_submitted_at, upd.updated_at, upd.submitted_at,
				`+savedExtension("upd")+`
			FROM cur LEFT JOIN upd ON true`, cycleID, state, canonical, *expectedVersion, p.Name).
			Scan(&found, &curVersion, &curStatus, &same, &id, &cyc, &st, &status, &version, &ans, &first, &updatedAt, &submittedAt, &extended)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("{state} has no submission in cycle {cycle} yet: omit expectedVersion to create it", "state", state, "cycle", cycleID)
		}
		if err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		if id != nil {
			changed = &Submission{ID: *id, CycleID: *cyc, StateCode: *st, Status: Status(*status), Version: *version,
				Answers: ans, Late: isLate(ownDeadline(c, extended), first), UpdatedAt: *updatedAt, SubmittedAt: submittedAt}
			out = changed
			return s.audit(ctx, tx, p, "submission.save_draft", out)
		}
		if curVersion != *expectedVersion {
			return checkVersion(&Submission{Version: curVersion}, *expectedVersion)
		}
		if curStatus == Submitted || curStatus == Accepted {
			return apperr.ConflictT("the submission is {status} and cannot be edited unless the secretariat returns it", "status", curStatus)
		}
		// The same answers as the current draft: nothing changed, so no new version.
		out, err = scanSubmission(tx.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+`WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state))
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Submission: out}, nil
}

// Submit moves a draft to SUBMITTED once it passes every check, and
// projects its answers for aggregates in the same transaction.
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
	err = auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		cur, err := s.lockState(ctx, tx, cycleID, state)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFoundT("{state} has no submission in cycle {cycle}", "state", state, "cycle", cycleID)
		}
		if err := checkVersion(cur, expectedVersion); err != nil {
			return err
		}
		if cur.Status != Draft {
			return notDraft(cur.Status)
		}
		doc, err := questionnaire.DecodeAnswers(cur.Answers)
		if err != nil {
			return fmt.Errorf("decode stored answers: %w", err)
		}
		if errs := q.ValidateValue(doc, questionnaire.Complete); len(errs) > 0 {
			res = Result{Submission: cur, Errors: errs}
			return nil
		}
		res.Submission, err = s.change(ctx, tx, c, p, submitStatement, cur.ID)
		if err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		if s.projector != nil {
			if err := s.projector.Project(ctx, tx, q, res.Submission, doc); err != nil {
				return err
			}
		}
		if err := s.notifyIn(ctx, tx, Event{Submission: res.Submission, Cycle: c}); err != nil {
			return err
		}
		if res.OpenThreads, err = openThreads(ctx, tx, cur.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "submission.submit", res.Submission)
	})
	return res, err
}

// A versioned change of one locked submission: the update, the version
// bump and the version row in one statement; $1 the submission, $2 who
// saved it.
type versionedChange string

// versioned makes the statement that applies set.
func versioned(set string) versionedChange {
	return versionedChange(`WITH upd AS (
			UPDATE submissions SET ` + set + `, version = version + 1, updated_at = now() WHERE id = $1
			RETURNING ` + savedColumns + `
		), ver AS (
			INSERT INTO submission_versions (submission_id, state_code, version, status, answers, saved_by)
			SELECT id, state_code, version, status, answers, $2 FROM upd
		)
		SELECT ` + savedColumns + `, ` + savedExtension("upd") + ` FROM upd`)
}

// The versioned changes: a submit, and a review's transition to the
// status in $3.
var (
	submitStatement     = versioned(`status = 'SUBMITTED', submitted_at = now(), first_submitted_at = coalesce(first_submitted_at, now())`)
	transitionStatement = versioned(`status = $3`)
)

// change runs one of the versioned changes on the locked submission id.
func (s *Service) change(ctx context.Context, tx pgx.Tx, c Cycle, p auth.Principal, stmt versionedChange, id string, args ...any) (*Submission, error) {
	return scanSaved(c, tx.QueryRow(ctx, string(stmt), append([]any{id, p.Name}, args...)...))
}

func notDraft(st Status) error {
	switch st {
	case Returned:
		return apperr.ConflictT("only a DRAFT can be submitted; this submission is {status} (save it as a draft first)", "status", st)
	case Submitted, Accepted:
		return apperr.ConflictT("only a DRAFT can be submitted; this submission is {status} already", "status", st)
	}
	return apperr.ConflictT("only a DRAFT can be submitted; this submission is {status}", "status", st)
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
		return Result{}, apperr.BadInputT("returning a submission needs at least one comment saying what to change")
	}
	if len(comments) > MaxComments {
		return Result{}, apperr.BadInputT("at most {max} comments at once", "max", MaxComments)
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
		return Result{}, apperr.NotFoundT("no submission with id \"{id}\"", "id", id)
	}
	var out *Submission
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		cur, err := s.lockID(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur == nil {
			return apperr.NotFoundT("no submission with id \"{id}\"", "id", id)
		}
		c, err := s.cycleIn(ctx, tx, cur.CycleID)
		if err != nil {
			return err
		}
		q, err := s.questionnaireFor(c)
		if err != nil {
			return err
		}
		paths := make([]*string, len(comments))
		bodies := make([]string, len(comments))
		for i, cm := range comments {
			if err := checkComment(q, cm.Path, cm.Body); err != nil {
				return apperr.BadInputT("comment {index}: {reason}", "index", i, "reason", err)
			}
			paths[i], bodies[i] = cm.Path, cm.Body
		}
		if err := checkVersion(cur, expectedVersion); err != nil {
			return err
		}
		if cur.Status != Submitted {
			if to == Accepted {
				return apperr.ConflictT("only a SUBMITTED submission can be accepted; this one is {status}", "status", cur.Status)
			}
			return apperr.ConflictT("only a SUBMITTED submission can be returned; this one is {status}", "status", cur.Status)
		}
		if out, err = s.change(ctx, tx, c, p, transitionStatement, cur.ID, string(to)); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		if len(comments) > 0 { // one statement; ordinality keeps the order given in seq
			if _, err := tx.Exec(ctx, `INSERT INTO review_comments (submission_id, version, path, author, body)
				SELECT $1, $2, p, $3, b FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS u(p, b, i) ORDER BY i`,
				cur.ID, out.Version, p.Name, paths, bodies); err != nil {
				return fmt.Errorf("add comments: %w", err)
			}
		}
		if err := s.notifyIn(ctx, tx, Event{Submission: out, Cycle: c, Comments: comments}); err != nil {
			return err
		}
		action := "submission.accept"
		if to == Returned {
			action = "submission.return"
		}
		return s.audit(ctx, tx, p, action, out)
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Submission: out}, nil
}

// Comment adds a remark to a submission without changing its version.
// With replyTo it answers a thread: a reply to a reply joins the thread
// of the comment it answers (replyTo is stored as the thread's first
// comment), and takes the thread's question.
func (s *Service) Comment(ctx context.Context, p auth.Principal, submissionID string, path *string, body string, replyTo *string) (Comment, error) {
	if p.Role == auth.WorkingGroup {
		return Comment{}, auth.CanEditSubmission(p, "")
	}
	if !validUUID(submissionID) {
		return Comment{}, apperr.NotFoundT("no submission with id \"{id}\"", "id", submissionID)
	}
	if replyTo != nil && !validUUID(*replyTo) {
		return Comment{}, apperr.NotFoundT("submission {id} has no comment \"{comment}\" to reply to", "id", submissionID, "comment", *replyTo)
	}
	var out Comment
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		cur, err := s.lockID(ctx, tx, submissionID)
		if err != nil {
			return err
		}
		if cur == nil {
			// Row-level security hides other States' submissions: say
			// FORBIDDEN for one that exists, as the policy would.
			var other *string
			if err := tx.QueryRow(ctx, `SELECT submission_state($1)`, submissionID).Scan(&other); err != nil {
				return fmt.Errorf("load submission: %w", err)
			}
			if other != nil {
				return auth.CanEditSubmission(p, *other)
			}
			return apperr.NotFoundT("no submission with id \"{id}\"", "id", submissionID)
		}
		if err := auth.CanEditSubmission(p, cur.StateCode); err != nil {
			return err
		}
		c, err := s.cycleIn(ctx, tx, cur.CycleID)
		if err != nil {
			return err
		}
		q, err := s.questionnaireFor(c)
		if err != nil {
			return err
		}
		var thread *string
		if replyTo != nil {
			var root string
			var rootPath *string
			err := tx.QueryRow(ctx, `SELECT coalesce(reply_to, id)::text, (SELECT r.path FROM review_comments r WHERE r.id = coalesce(c.reply_to, c.id))
				FROM review_comments c WHERE c.id = $1 AND c.submission_id = $2`, *replyTo, cur.ID).Scan(&root, &rootPath)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.NotFoundT("submission {id} has no comment \"{comment}\" to reply to", "id", cur.ID, "comment", *replyTo)
			}
			if err != nil {
				return fmt.Errorf("load the comment replied to: %w", err)
			}
			if path != nil && (rootPath == nil || *path != *rootPath) {
				return apperr.BadInputT("a reply is about its thread's question ({path}): omit path or pass the same one", "path", describePath(rootPath))
			}
			thread, path = &root, rootPath
		}
		if err := checkComment(q, path, body); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO review_comments (submission_id, version, path, author, body, reply_to)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+commentColumns,
			cur.ID, cur.Version, path, p.Name, body, thread).Scan(commentFields(&out)...)
		if err != nil {
			return fmt.Errorf("add comment: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "submission.comment",
			Subject: "submission/" + cur.ID, Detail: map[string]any{"comment": out.ID, "path": path, "replyTo": thread}})
	})
	return out, err
}

func describePath(path *string) any {
	if path == nil {
		return apperr.Phrase("the whole submission")
	}
	return *path
}

// commentColumns are a comment's fields, as commentFields scans them.
const commentColumns = `id, path, author, body, created_at, reply_to::text, resolved`

func commentFields(c *Comment) []any {
	return []any{&c.ID, &c.Path, &c.Author, &c.Body, &c.CreatedAt, &c.ReplyTo, &c.Resolved}
}

// ResolveComment marks a thread resolved, or reopens it (resolved
// false): only a thread's first comment, by the secretariat or the
// State's focal point. Audited in the same transaction.
func (s *Service) ResolveComment(ctx context.Context, p auth.Principal, id string, resolved bool) (Comment, error) {
	if p.Role == auth.WorkingGroup {
		return Comment{}, auth.CanResolveComment(p, "")
	}
	if !validUUID(id) {
		return Comment{}, apperr.NotFoundT("no comment with id \"{id}\"", "id", id)
	}
	var out Comment
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var subID, code string
		var replyTo *string
		err := tx.QueryRow(ctx, `SELECT c.submission_id::text, s.state_code, c.reply_to::text
			FROM review_comments c JOIN submissions s ON s.id = c.submission_id WHERE c.id = $1 FOR UPDATE OF c`, id).Scan(&subID, &code, &replyTo)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("no comment with id \"{id}\"", "id", id)
		}
		if err != nil {
			return fmt.Errorf("load comment: %w", err)
		}
		if err := auth.CanResolveComment(p, code); err != nil {
			return err
		}
		if replyTo != nil {
			return apperr.BadInputT("comment {id} is a reply: resolve or reopen its thread's first comment, {first}", "id", id, "first", *replyTo)
		}
		err = tx.QueryRow(ctx, `UPDATE review_comments SET resolved = $2,
				resolved_by = CASE WHEN $2 THEN $3 END, resolved_at = CASE WHEN $2 THEN now() END
			WHERE id = $1 RETURNING `+commentColumns, id, resolved, p.Name).Scan(commentFields(&out)...)
		if err != nil {
			return fmt.Errorf("resolve comment: %w", err)
		}
		action := "comment.reopen"
		if resolved {
			action = "comment.resolve"
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: action, Subject: "submission/" + subID,
			Detail: map[string]any{"comment": id}})
	})
	return out, err
}

// openThreads counts the unresolved threads of a submission.
func openThreads(ctx context.Context, db postgres.DB, submissionID string) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT count(*) FROM review_comments WHERE submission_id = $1 AND reply_to IS NULL AND NOT resolved`,
		submissionID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count open threads: %w", err)
	}
	return n, nil
}

func checkComment(q *questionnaire.Questionnaire, path *string, body string) error {
	if strings.TrimSpace(body) == "" {
		return apperr.BadInputT("the comment body is empty")
	}
	if len(body) > MaxCommentBytes || !utf8.ValidString(body) || hasNUL(body) {
		return apperr.BadInputT("the comment body must be valid text of at most {max} bytes", "max", MaxCommentBytes)
	}
	if path != nil && (hasNUL(*path) || !q.Locates(*path)) {
		return apperr.BadInputT(`path "{path}" is not a JSON Pointer into the questionnaire (e.g. "{example}"); use null for the whole submission`,
			"path", *path, "example", q.Questions[0].Path)
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
		return apperr.ConflictT("expectedVersion {expected} is not the current version {version}: reload the submission and try again", "expected", expected, "version", cur.Version)
	}
	return nil
}

// audit records the change just made to sub.
func (s *Service) audit(ctx context.Context, tx pgx.Tx, p auth.Principal, action string, sub *Submission) error {
	return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: action, Subject: "submission/" + sub.ID,
		Detail: map[string]any{"cycle": sub.CycleID, "state": sub.StateCode, "version": sub.Version, "status": sub.Status}})
}

// refused builds the result of a call stopped by field errors.
func (s *Service) refused(ctx context.Context, cycleID, state string, errs []questionnaire.FieldError) (Result, error) {
	var cur *Submission
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		cur, err = scanSubmission(tx.QueryRow(ctx, `SELECT `+submissionColumns+fromSubmissions+
			`WHERE s.cycle_id = $1 AND s.state_code = $2`, cycleID, state))
		return err
	})
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

// questionnaireFor returns the loaded questionnaire a cycle uses; start-up
// refuses a database whose cycles use a questionnaire that is not loaded.
func (s *Service) questionnaireFor(c Cycle) (*questionnaire.Questionnaire, error) {
	q, ok := s.reg.Get(c.QuestionnaireID)
	if !ok {
		return nil, fmt.Errorf("cycle %s uses questionnaire %s, which is not loaded", c.ID, c.QuestionnaireID)
	}
	return q, nil
}
