package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/submission"
)

// MaxListedRuns bounds reportRuns: the newest runs first.
const MaxListedRuns = 1000

// Input names a report: its kind, cycle and scope.
type Input struct {
	Kind         report.Kind
	CycleID      string
	WorkingGroup string // CYCLE_SYNTHESIS: optional
	State        string // COUNTRY_PROFILE: required
	Language     string // ar zh en fr ru es; "" is en
}

// request reads in as a report request (report.Request.Normalize) and
// asks the renderer whether it can render it (its shape, then its cycle,
// group and State), before anything is stored or queued.
func (s *Service) request(ctx context.Context, in Input) (report.Request, error) {
	req := report.Request{Kind: in.Kind, CycleID: in.CycleID, WorkingGroup: in.WorkingGroup, State: in.State,
		Language: in.Language}.Normalize()
	if err := req.Validate(); err != nil { // the shape, before a round trip
		return req, err
	}
	if err := s.renderer.Check(ctx, req); err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			return req, fmt.Errorf("check report request: %w", err)
		}
		return req, err
	}
	return req, nil
}

const runColumns = `r.id, r.kind, r.cycle_id, coalesce(r.working_group, ''), coalesce(r.state_code, ''), r.language,
	r.warnings, r.scheduled_for, r.status, r.started_at, r.finished_at, r.pages, r.bytes, r.sha256, r.fingerprint,
	r.file_name, r.published, r.error, r.requested_by, r.created_at, r.error_message, r.warning_messages, ` + scheduleColumns

// runFrom is the FROM clause that runColumns read.
const runFrom = ` FROM report_runs r LEFT JOIN report_schedules s ON s.id = r.schedule_id `

func scanRun(row pgx.Row) (Run, error) {
	var r Run
	var sc scheduleScan
	var errorMessage, warningMessages []byte
	err := row.Scan(&r.ID, &r.Kind, &r.CycleID, &r.WorkingGroup, &r.State, &r.Language,
		&r.Warnings, &r.ScheduledFor, &r.Status, &r.StartedAt, &r.FinishedAt, &r.Pages, &r.Bytes, &r.SHA256, &r.Fingerprint,
		&r.FileName, &r.Published, &r.Error, &r.RequestedBy, &r.CreatedAt, &errorMessage, &warningMessages,
		&sc.id, &sc.kind, &sc.cycle, &sc.wg, &sc.state, &sc.lang, &sc.cron, &sc.tz, &sc.next, &sc.active, &sc.deleted, &sc.by, &sc.at)
	if err != nil {
		return Run{}, err
	}
	if errorMessage != nil {
		r.ErrorMessage = new(i18n.Message)
		if err := json.Unmarshal(errorMessage, r.ErrorMessage); err != nil {
			return Run{}, fmt.Errorf("run %s: error_message: %w", r.ID, err)
		}
	}
	if warningMessages != nil {
		r.WarningMessages = []i18n.Message{}
		if err := json.Unmarshal(warningMessages, &r.WarningMessages); err != nil {
			return Run{}, fmt.Errorf("run %s: warning_messages: %w", r.ID, err)
		}
	}
	if sc.id != nil {
		sched := sc.schedule()
		r.Schedule = &sched
	}
	return r, nil
}

// Render queues a run of in and returns it at once (QUEUED).
func (s *Service) Render(ctx context.Context, p auth.Principal, in Input) (Run, error) {
	if err := auth.CanManageReports(p); err != nil {
		return Run{}, err
	}
	req, err := s.request(ctx, in)
	if err != nil {
		return Run{}, err
	}
	var run Run
	err = auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		id, err := insertRun(ctx, tx, req, s.now(), p.Name)
		if err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "report.render", Subject: "report/" + id,
			Detail: req}); err != nil {
			return err
		}
		run, err = scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+runFrom+`WHERE r.id = $1`, id))
		return err
	})
	if err != nil {
		return Run{}, fmt.Errorf("queue report: %w", err)
	}
	return run, nil
}

// insertRun stores a QUEUED run that someone asked for (a schedule's
// ticks are claimed by the scheduler's own statement).
func insertRun(ctx context.Context, tx pgx.Tx, req report.Request, scheduledFor time.Time, by string) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `INSERT INTO report_runs (kind, cycle_id, working_group, state_code, language, scheduled_for, requested_by)
		VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, $7)
		RETURNING id`, req.Kind, req.CycleID, req.WorkingGroup, req.State, req.Language, scheduledFor, by).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("store run: %w", err)
	}
	return id, nil
}

// RunFilter narrows reportRuns; nil fields do not filter.
type RunFilter struct {
	CycleID   *string
	Kind      *report.Kind
	Published *bool
}

// Runs lists the runs p may read, newest first.
func (s *Service) Runs(ctx context.Context, p auth.Principal, f RunFilter) ([]Run, error) {
	// The WHERE clause repeats auth.CanReadReportRun so that the limit
	// counts readable runs; the policy function still decides each row.
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+runFrom+`
		WHERE ($1::text IS NULL OR r.cycle_id = $1) AND ($2::text IS NULL OR r.kind = $2)
		  AND ($3::boolean IS NULL OR r.published = $3)
		  AND ($4 = 'SECRETARIAT' OR r.published OR ($4 = 'FOCAL_POINT' AND r.kind = 'COUNTRY_PROFILE' AND r.state_code = $5))
		ORDER BY r.created_at DESC, r.id LIMIT $6`,
		f.CycleID, f.Kind, f.Published, string(p.Role), p.State, MaxListedRuns)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Run, error) { return scanRun(r) })
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	out := all[:0]
	for _, r := range all {
		if auth.CanReadReportRun(p, string(r.Kind), r.State, r.Published) == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// notFound is the answer for a run that does not exist and for one p
// may not read, alike, so that no one learns which runs exist.
func notFound(id string) error { return apperr.NotFoundT("no report run \"{id}\"", "id", id) }

// Run returns run id if p may read it, else a NOT_FOUND error.
func (s *Service) Run(ctx context.Context, p auth.Principal, id string) (Run, error) {
	if !uuidShape.MatchString(id) {
		return Run{}, notFound(id)
	}
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+runFrom+`WHERE r.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Run{}, notFound(id)
	}
	if err != nil {
		return Run{}, fmt.Errorf("read run: %w", err)
	}
	if auth.CanReadReportRun(p, string(r.Kind), r.State, r.Published) != nil {
		return Run{}, notFound(id)
	}
	return r, nil
}

// File is a run's PDF.
type File struct {
	Name   string // what to save it as
	SHA256 string // hex
	PDF    []byte
}

// PDF returns the PDF of run id if p may read it; NOT_FOUND otherwise,
// and for a run that has no PDF (yet).
func (s *Service) PDF(ctx context.Context, p auth.Principal, id string) (File, error) {
	r, err := s.Run(ctx, p, id)
	if err != nil {
		return File{}, err
	}
	if r.Status != Succeeded {
		return File{}, apperr.NotFoundT("report run \"{id}\" has no PDF: it is {status}", "id", id, "status", r.Status)
	}
	var f File
	err = s.pool.QueryRow(ctx, `SELECT r.file_name, r.sha256, f.pdf FROM report_runs r JOIN report_files f ON f.run_id = r.id
		WHERE r.id = $1`, id).Scan(&f.Name, &f.SHA256, &f.PDF)
	if errors.Is(err, pgx.ErrNoRows) {
		return File{}, notFound(id)
	}
	if err != nil {
		return File{}, fmt.Errorf("read report file: %w", err)
	}
	return f, nil
}

// Publish marks a SUCCEEDED run published: working groups and focal
// points may then read it. Publishing a published run changes nothing.
func (s *Service) Publish(ctx context.Context, p auth.Principal, id string) (Run, error) {
	if err := auth.CanManageReports(p); err != nil {
		return Run{}, err
	}
	if !uuidShape.MatchString(id) {
		return Run{}, notFound(id)
	}
	var run Run
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		var status Status
		var published bool
		var kind report.Kind
		var cycleID, code string
		err := tx.QueryRow(ctx, `SELECT status, published, kind, cycle_id, coalesce(state_code, '') FROM report_runs WHERE id = $1 FOR UPDATE`,
			id).Scan(&status, &published, &kind, &cycleID, &code)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound(id)
		}
		if err != nil {
			return fmt.Errorf("lock run: %w", err)
		}
		if status != Succeeded {
			return apperr.ConflictT("report run \"{id}\" is {status}: only a SUCCEEDED run can be published", "id", id, "status", status)
		}
		if !published && kind == report.CountryProfile {
			ok, err := submission.ProfileConsentIn(ctx, tx, cycleID, code)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.ForbiddenT("{state} has not consented to publishing its country profile of cycle {cycle}: its focal point records consent on its home page (setConsent)",
					"state", code, "cycle", cycleID)
			}
		}
		if !published {
			if _, err := tx.Exec(ctx, `UPDATE report_runs SET published = true, published_at = now(), published_by = $2
				WHERE id = $1`, id, p.Name); err != nil {
				return fmt.Errorf("publish run: %w", err)
			}
			if err := audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "report.publish", Subject: "report/" + id}); err != nil {
				return err
			}
		}
		run, err = scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+runFrom+`WHERE r.id = $1`, id))
		if err != nil || published || s.published == nil {
			return err
		}
		return s.published(ctx, tx, run) // its messages, in the same transaction
	})
	return run, err
}
