package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/report"
)

// maxAttempts bounds how often the queue retries a render job whose
// worker failed to record an outcome (a crash, a lost connection); a
// render that fails is recorded FAILED and not retried.
const maxAttempts = 5

// renderArgs is the job that renders one run.
type renderArgs struct {
	RunID string `json:"run_id"`
}

func (renderArgs) Kind() string { return "irm.render_report" }

func (renderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueName, MaxAttempts: maxAttempts}
}

type renderWorker struct {
	river.WorkerDefaults[renderArgs]
	s *Service
}

func (w *renderWorker) Work(ctx context.Context, job *river.Job[renderArgs]) error {
	return w.s.work(ctx, job.Args.RunID)
}

// enqueue inserts the render job of run id in tx, the transaction that
// stores the run: both are there, or neither.
func (s *Service) enqueue(ctx context.Context, tx pgx.Tx, id string) error {
	if _, err := s.queue.InsertTx(ctx, tx, renderArgs{RunID: id}, nil); err != nil {
		return fmt.Errorf("queue render of run %s: %w", id, err)
	}
	return nil
}

// work renders run id. It takes the run when it is QUEUED, or RUNNING
// for longer than RescueAfter (its replica presumably died); a run
// another worker holds is snoozed until then, and a finished one is left
// alone, so a job delivered twice renders once.
func (s *Service) work(ctx context.Context, id string) error {
	started := s.now().UTC().Truncate(time.Microsecond)
	var req report.Request
	err := s.pool.QueryRow(ctx, `UPDATE report_runs SET status = 'RUNNING', started_at = $2, finished_at = NULL,
			error = NULL, error_message = NULL, attempts = attempts + 1
		WHERE id = $1 AND (status = 'QUEUED' OR (status = 'RUNNING' AND started_at < $3))
		RETURNING kind, cycle_id, coalesce(working_group, ''), coalesce(state_code, ''), language`,
		id, started, started.Add(-s.cfg.RescueAfter)).Scan(&req.Kind, &req.CycleID, &req.WorkingGroup, &req.State, &req.Language)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.notTaken(ctx, id, started)
	}
	if err != nil {
		return fmt.Errorf("take run %s: %w", id, err)
	}

	doc, err := s.render(ctx, id, req, started)
	// The outcome is written even when ctx has ended (a timeout).
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	switch {
	case err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// Shutdown: give the run back, and the job to the queue at once
		// (a snooze does not count as an attempt).
		if _, uerr := s.pool.Exec(wctx, `UPDATE report_runs SET status = 'QUEUED', started_at = NULL
			WHERE id = $1 AND status = 'RUNNING' AND started_at = $2`, id, started); uerr != nil {
			return fmt.Errorf("requeue run %s: %w", id, uerr)
		}
		return river.JobSnooze(0)
	case err != nil:
		s.log.Warn("report run failed", "run", id, "kind", req.Kind, "err", err)
		english, msg := failure(err, s.cfg.RenderTimeout)
		return s.fail(wctx, id, started, english, msg)
	}
	return s.succeed(wctx, id, started, doc)
}

// notTaken decides what to do with a job whose run was not taken.
func (s *Service) notTaken(ctx context.Context, id string, now time.Time) error {
	var status Status
	var startedAt *time.Time
	err := s.pool.QueryRow(ctx, `SELECT status, started_at FROM report_runs WHERE id = $1`, id).Scan(&status, &startedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		s.log.Warn("render job for a run that does not exist", "run", id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read run %s: %w", id, err)
	}
	if status == Running && startedAt != nil {
		// Another worker holds it; look again when it would count as stuck.
		return river.JobSnooze(max(startedAt.Add(s.cfg.RescueAfter).Sub(now), time.Second))
	}
	return nil // finished already
}

// errPanic is a render that panicked.
type errPanic struct{ v any }

func (e errPanic) Error() string { return fmt.Sprintf("the renderer crashed: %v", e.v) }

// errEmpty is a render that returned no PDF and no error.
var errEmpty = errors.New("the renderer returned an empty document")

// render runs the renderer, turning a panic into an error.
func (s *Service) render(ctx context.Context, id string, req report.Request, now time.Time) (doc report.Document, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic while rendering a report", "run", id, "panic", v, "stack", string(debug.Stack()))
			err = errPanic{v}
		}
	}()
	doc, err = s.renderer.Render(ctx, req, now)
	if err == nil && len(doc.PDF) == 0 {
		err = errEmpty
	}
	return doc, err
}

// failure is what a run that failed with err keeps (issue 13): its
// English text, which logs and tools read (the renderer's message, or
// what happened in words), and the message its readers read in their
// language: a domain error's own key and parameters (an unknown cycle or
// State), the timeout, a crash or an empty document in words of the
// catalogue; anything else is a generic sentence, its detail only in the
// English text.
func failure(err error, timeout time.Duration) (string, i18n.Message) {
	var crash errPanic
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		m := tooLong(timeout)
		return m.In(i18n.Default), m
	case errors.As(err, &crash):
		return clip(err.Error()), i18n.M("the renderer crashed; the service's log has the details")
	case errors.Is(err, errEmpty):
		return clip(err.Error()), i18n.M("the renderer returned an empty document")
	}
	if m, ok := apperr.Stored(err); ok {
		return clip(err.Error()), m
	}
	return clip(err.Error()), i18n.M("the report could not be rendered; the service's log has the details")
}

// tooLong is the message of a render stopped after timeout, in the
// largest unit that gives it whole (10 minutes, 90 seconds, 250
// milliseconds), so that each language writes it as it counts.
func tooLong(timeout time.Duration) i18n.Message {
	switch {
	case timeout >= time.Hour && timeout%time.Hour == 0:
		return i18n.M("rendering took longer than {count} hours and was stopped", "count", int(timeout/time.Hour))
	case timeout >= time.Minute && timeout%time.Minute == 0:
		return i18n.M("rendering took longer than {count} minutes and was stopped", "count", int(timeout/time.Minute))
	case timeout >= time.Second && timeout%time.Second == 0:
		return i18n.M("rendering took longer than {count} seconds and was stopped", "count", int(timeout/time.Second))
	}
	return i18n.M("rendering took longer than {count} milliseconds and was stopped", "count", int(timeout.Round(time.Millisecond)/time.Millisecond))
}

// clip is an error's text as a run keeps it: trimmed, at most 2000 bytes.
func clip(msg string) string {
	msg = strings.TrimSpace(msg)
	if len(msg) > 2000 {
		msg = msg[:2000] + "…"
	}
	return msg
}

func (s *Service) fail(ctx context.Context, id string, started time.Time, english string, msg i18n.Message) error {
	stored, err := json.Marshal(validMessage(msg))
	if err != nil {
		return fmt.Errorf("record failure of run %s: %w", id, err)
	}
	_, err = s.pool.Exec(ctx, `UPDATE report_runs SET status = 'FAILED', finished_at = now(), error = $3, error_message = $4
		WHERE id = $1 AND status = 'RUNNING' AND started_at = $2`, id, started, storable(english), stored)
	if err != nil {
		return fmt.Errorf("record failure of run %s: %w", id, err)
	}
	return nil
}

// succeed stores the PDF and the run's outcome in one transaction,
// unless another worker took the run over meanwhile.
func (s *Service) succeed(ctx context.Context, id string, started time.Time, doc report.Document) error {
	sum := sha256.Sum256(doc.PDF)
	english, messages, err := warningsOf(doc)
	if err != nil {
		return fmt.Errorf("record run %s: %w", id, err)
	}
	return postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE report_runs SET status = 'SUCCEEDED', finished_at = now(), pages = $3, bytes = $4,
				sha256 = $5, fingerprint = nullif($6, ''), file_name = $7, warnings = $8, warning_messages = $9
			WHERE id = $1 AND status = 'RUNNING' AND started_at = $2`,
			id, started, doc.Pages, len(doc.PDF), hex.EncodeToString(sum[:]), doc.Fingerprint, fileName(doc.FileName, id),
			english, messages)
		if err != nil {
			return fmt.Errorf("record run %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			s.log.Warn("report run was taken over while rendering; result dropped", "run", id)
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_files (run_id, pdf) VALUES ($1, $2)
			ON CONFLICT (run_id) DO UPDATE SET pdf = excluded.pdf`, id, doc.PDF); err != nil {
			return fmt.Errorf("store PDF of run %s: %w", id, err)
		}
		return nil
	})
}

// warningsOf are doc's warnings as stored: in English (never NULL) and
// as messages (a JSON array), each valid UTF-8.
func warningsOf(doc report.Document) ([]string, []byte, error) {
	english := make([]string, 0, len(doc.Warnings))
	messages := make([]i18n.Message, 0, len(doc.Warnings))
	for _, w := range doc.Warnings {
		w = validMessage(w)
		english = append(english, w.In(i18n.Default))
		messages = append(messages, w)
	}
	stored, err := json.Marshal(messages)
	return english, stored, err
}

// storable is s as a text or jsonb column takes it: valid UTF-8, no NUL
// (an error or a parameter may hold what someone typed).
func storable(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "?") }

// validMessage is m with its key and parameters storable.
func validMessage(m i18n.Message) i18n.Message {
	out := i18n.Message{Key: storable(m.Key)}
	for k, v := range m.Params {
		if out.Params == nil {
			out.Params = map[string]string{}
		}
		out.Params[storable(k)] = storable(v)
	}
	return out
}

var unsafeInName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName is the renderer's file name made safe for a
// Content-Disposition header, ending in .pdf.
func fileName(name, id string) string {
	name = strings.TrimSuffix(strings.TrimSpace(name), ".pdf")
	name = strings.Trim(unsafeInName.ReplaceAllString(name, "-"), "-.")
	if name == "" {
		name = "report-" + id
	}
	if len(name) > 150 {
		name = name[:150]
	}
	return name + ".pdf"
}
