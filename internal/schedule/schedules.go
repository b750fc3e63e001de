package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the system has no zoneinfo

	"github.com/jackc/pgx/v5"
	"github.com/robfig/cron/v3"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/report"
)

const scheduleColumns = `s.id, s.kind, s.cycle_id, s.working_group, s.state_code, s.language, s.cron, s.timezone,
	s.next_run_at, s.active, s.deleted_at IS NOT NULL, s.created_by, s.created_at`

// scheduleScan reads scheduleColumns, which a LEFT JOIN may leave NULL.
type scheduleScan struct {
	id, kind, cycle, wg, state, lang, cron, tz, by *string
	next, at                                       *time.Time
	active, deleted                                *bool
}

func (sc scheduleScan) schedule() Schedule {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return Schedule{ID: str(sc.id), Kind: report.Kind(str(sc.kind)), CycleID: str(sc.cycle), WorkingGroup: str(sc.wg),
		State: str(sc.state), Language: str(sc.lang), Cron: str(sc.cron), Timezone: str(sc.tz), NextRunAt: *sc.next, Active: *sc.active,
		Deleted: *sc.deleted, CreatedBy: str(sc.by), CreatedAt: *sc.at}
}

func scanSchedule(row pgx.Row) (Schedule, error) {
	var sc scheduleScan
	if err := row.Scan(&sc.id, &sc.kind, &sc.cycle, &sc.wg, &sc.state, &sc.lang, &sc.cron, &sc.tz, &sc.next, &sc.active,
		&sc.deleted, &sc.by, &sc.at); err != nil {
		return Schedule{}, err
	}
	return sc.schedule(), nil
}

// ScheduleInput is a report to render at every tick of Cron in Timezone.
type ScheduleInput struct {
	Report   Input
	Cron     string // five-field spec or a descriptor (@daily, @weekly, @every 6h ...)
	Timezone string // IANA name; "" is UTC
}

// spec is a parsed cron spec in its zone.
type spec struct {
	sched cron.Schedule
	loc   *time.Location
}

// next returns the first tick strictly after t, in UTC; zero if none.
func (sp spec) next(t time.Time) time.Time {
	n := sp.sched.Next(t.In(sp.loc))
	if n.IsZero() {
		return n
	}
	return n.UTC()
}

// parseSpec reads a cron spec and a time zone, both from users.
func parseSpec(expr, zone string) (spec, error) {
	expr = strings.TrimSpace(expr)
	zone = strings.TrimSpace(zone)
	if zone == "" {
		zone = "UTC"
	}
	switch {
	case expr == "":
		return spec{}, apperr.BadInputT(`a schedule needs a cron spec, e.g. "0 6 * * MON" or "@weekly"`)
	case len(expr) > 100:
		return spec{}, apperr.BadInputT("a cron spec has at most 100 characters")
	case strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ="):
		return spec{}, apperr.BadInputT("give the time zone in timezone, not in the cron spec")
	}
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		return spec{}, apperr.BadInputT(`cron spec "{expr}": {reason} (five fields: minute hour day-of-month month day-of-week, e.g. "0 6 * * MON", or a descriptor such as @daily or @weekly)`, "expr", expr, "reason", err)
	}
	if zone == "Local" || len(zone) > 64 {
		return spec{}, apperr.BadInputT("time zone \"{zone}\": give an IANA name such as Europe/Paris or UTC", "zone", zone)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return spec{}, apperr.BadInputT("unknown time zone \"{zone}\": give an IANA name such as Europe/Paris or UTC", "zone", zone)
	}
	return spec{sched: sched, loc: loc}, nil
}

// checkInterval refuses a spec that never fires or fires more often
// than min, judged on its next ticks.
func (sp spec) checkInterval(expr string, from time.Time, min time.Duration) error {
	t := sp.next(from)
	if t.IsZero() {
		return apperr.BadInputT("cron spec \"{expr}\" never fires", "expr", expr)
	}
	for range 10 {
		n := sp.next(t)
		if n.IsZero() {
			break
		}
		if n.Sub(t) < min {
			return apperr.BadInputT("cron spec \"{expr}\" fires every {interval}; a schedule may fire at most every {min}", "expr", expr, "interval", n.Sub(t), "min", min)
		}
		t = n
	}
	return nil
}

// CreateSchedule stores a schedule. It first fires at its next tick.
func (s *Service) CreateSchedule(ctx context.Context, p auth.Principal, in ScheduleInput) (Schedule, error) {
	if err := auth.CanManageReports(p); err != nil {
		return Schedule{}, err
	}
	sp, err := parseSpec(in.Cron, in.Timezone)
	if err != nil {
		return Schedule{}, err
	}
	expr := strings.TrimSpace(in.Cron)
	now := s.now()
	if err := sp.checkInterval(expr, now, s.cfg.MinInterval); err != nil {
		return Schedule{}, err
	}
	req, err := s.request(ctx, in.Report)
	if err != nil {
		return Schedule{}, err
	}
	var out Schedule
	err = auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		out, err = scanSchedule(tx.QueryRow(ctx, `INSERT INTO report_schedules AS s
			(kind, cycle_id, working_group, state_code, language, cron, timezone, next_run_at, created_by)
			VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6, $7, $8, $9)
			RETURNING `+scheduleColumns,
			req.Kind, req.CycleID, req.WorkingGroup, req.State, req.Language, expr, sp.loc.String(), sp.next(now), p.Name))
		if err != nil {
			return fmt.Errorf("store schedule: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "report.schedule", Subject: "report-schedule/" + out.ID,
			Detail: map[string]any{"request": req, "cron": expr, "timezone": sp.loc.String()}})
	})
	return out, err
}

// Schedules lists the schedules that are not deleted, oldest first.
func (s *Service) Schedules(ctx context.Context, p auth.Principal) ([]Schedule, error) {
	if err := auth.CanReadReportSchedules(p); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+scheduleColumns+` FROM report_schedules s
		WHERE s.deleted_at IS NULL ORDER BY s.created_at, s.id`)
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Schedule, error) { return scanSchedule(r) })
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	for i := range list {
		s.present(&list[i])
	}
	return list, nil
}

// present gives a paused schedule the tick it would fire at if resumed now.
func (s *Service) present(sc *Schedule) {
	if sc.Active && !sc.Deleted {
		return
	}
	if sp, err := parseSpec(sc.Cron, sc.Timezone); err == nil {
		if n := sp.next(s.now()); !n.IsZero() {
			sc.NextRunAt = n
		}
	}
}

// SetScheduleActive pauses (active false) or resumes a schedule. A
// resumed schedule fires from its next tick on: the ticks it missed
// while paused are not rendered.
func (s *Service) SetScheduleActive(ctx context.Context, p auth.Principal, id string, active bool) (Schedule, error) {
	if err := auth.CanManageReports(p); err != nil {
		return Schedule{}, err
	}
	if !uuidShape.MatchString(id) {
		return Schedule{}, apperr.NotFoundT("no report schedule \"{id}\"", "id", id)
	}
	var out Schedule
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		cur, err := scanSchedule(tx.QueryRow(ctx, `SELECT `+scheduleColumns+` FROM report_schedules s
			WHERE s.id = $1 AND s.deleted_at IS NULL FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("no report schedule \"{id}\"", "id", id)
		}
		if err != nil {
			return fmt.Errorf("lock schedule: %w", err)
		}
		out = cur
		if cur.Active == active {
			return nil
		}
		next := cur.NextRunAt
		if active {
			sp, err := parseSpec(cur.Cron, cur.Timezone)
			if err != nil {
				return fmt.Errorf("stored schedule %s: %w", id, err)
			}
			next = sp.next(s.now())
		}
		out, err = scanSchedule(tx.QueryRow(ctx, `UPDATE report_schedules s SET active = $2, next_run_at = $3
			WHERE s.id = $1 RETURNING `+scheduleColumns, id, active, next))
		if err != nil {
			return fmt.Errorf("update schedule: %w", err)
		}
		action := "report.schedule.pause"
		if active {
			action = "report.schedule.resume"
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: action, Subject: "report-schedule/" + id})
	})
	if err != nil {
		return Schedule{}, err
	}
	s.present(&out)
	return out, nil
}

// DeleteSchedule stops a schedule for good. Its runs are kept and still
// name it.
func (s *Service) DeleteSchedule(ctx context.Context, p auth.Principal, id string) error {
	if err := auth.CanManageReports(p); err != nil {
		return err
	}
	if !uuidShape.MatchString(id) {
		return apperr.NotFoundT("no report schedule \"{id}\"", "id", id)
	}
	return auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE report_schedules SET deleted_at = now(), active = false
			WHERE id = $1 AND deleted_at IS NULL`, id)
		if err != nil {
			return fmt.Errorf("delete schedule: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFoundT("no report schedule \"{id}\"", "id", id)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "report.schedule.delete", Subject: "report-schedule/" + id})
	})
}
