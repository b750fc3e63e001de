package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/report"
)

// maxCatchUpSteps bounds the walk from a schedule's last claimed tick to
// the latest missed one.
const maxCatchUpSteps = 1_000_000

// loop fires due ticks every Poll until ctx ends. The first pass, at
// start, catches up what every replica missed while down.
func (s *Service) loop(ctx context.Context) {
	defer close(s.loopDone)
	atStart := true
	ticks, stop := s.ticker(s.cfg.Poll)
	defer stop()
	for {
		if _, err := s.fireDue(ctx, atStart); err != nil && ctx.Err() == nil {
			s.log.Error("report scheduler", "err", err)
		} else if err == nil {
			atStart = false
		}
		if s.passed != nil {
			s.passed()
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}

// due is a schedule whose next tick has come.
type due struct {
	id        string
	req       report.Request
	cron, tz  string
	nextRunAt time.Time
}

// fireDue claims the due ticks of every active schedule and returns how
// many runs this replica queued. Each tick gets its own run, except for
// a schedule further behind than CatchUpAfter (or any behind, at start):
// its missed ticks get one run, for the latest of them.
func (s *Service) fireDue(ctx context.Context, atStart bool) (int, error) {
	now := s.now().UTC()
	rows, err := s.pool.Query(ctx, `SELECT id, kind, cycle_id, coalesce(working_group, ''), coalesce(state_code, ''),
			cron, timezone, next_run_at
		FROM report_schedules WHERE active AND deleted_at IS NULL AND next_run_at <= $1
		ORDER BY next_run_at LIMIT 100`, now)
	if err != nil {
		return 0, fmt.Errorf("due schedules: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (due, error) {
		var d due
		err := r.Scan(&d.id, &d.req.Kind, &d.req.CycleID, &d.req.WorkingGroup, &d.req.State, &d.cron, &d.tz, &d.nextRunAt)
		return d, err
	})
	if err != nil {
		return 0, fmt.Errorf("due schedules: %w", err)
	}
	queued := 0
	for _, d := range list {
		if ctx.Err() != nil {
			return queued, ctx.Err()
		}
		n, err := s.fireSchedule(ctx, d, now, atStart)
		queued += n
		if err != nil {
			s.log.Error("report schedule", "schedule", d.id, "err", err)
		}
	}
	return queued, nil
}

func (s *Service) fireSchedule(ctx context.Context, d due, now time.Time, atStart bool) (int, error) {
	sp, err := parseSpec(d.cron, d.tz)
	if err != nil {
		return 0, fmt.Errorf("stored spec: %w", err)
	}
	queued := 0
	tick := d.nextRunAt
	for steps := 0; !tick.IsZero() && !tick.After(now) && steps < 100; steps++ {
		claim, next := tick, sp.next(tick)
		if atStart || now.Sub(tick) > s.cfg.CatchUpAfter {
			claim, next = sp.latest(tick, now), sp.next(now)
		}
		if next.IsZero() {
			next = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // the spec fires no more
		}
		won, err := s.claim(ctx, d, claim, next)
		if err != nil {
			return queued, err
		}
		if won {
			queued++
			s.log.Info("report schedule fired", "schedule", d.id, "tick", claim)
		}
		tick = next
	}
	return queued, nil
}

// latest returns the last tick at or before now, walking from tick
// (which is at or before now).
func (sp spec) latest(tick, now time.Time) time.Time {
	for range maxCatchUpSteps {
		n := sp.next(tick)
		if n.IsZero() || n.After(now) {
			return tick
		}
		tick = n
	}
	return tick
}

// claim inserts the run of (schedule, tick) and its render job, and
// moves the schedule's next tick forward, in one transaction. Only one
// replica's insert succeeds: the unique (schedule_id, scheduled_for)
// makes the others' do nothing. It reports whether this one won.
func (s *Service) claim(ctx context.Context, d due, tick, next time.Time) (bool, error) {
	won := false
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var id string
		err := tx.QueryRow(ctx, `INSERT INTO report_runs (kind, cycle_id, working_group, state_code, language, schedule_id, scheduled_for, requested_by)
			SELECT s.kind, s.cycle_id, s.working_group, s.state_code, s.language, s.id, $2, 'schedule by ' || s.created_by
			FROM report_schedules s
			WHERE s.id = $1 AND s.active AND s.deleted_at IS NULL AND s.next_run_at <= $2
			ON CONFLICT (schedule_id, scheduled_for) DO NOTHING
			RETURNING id`, d.id, tick).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return fmt.Errorf("claim tick %s: %w", tick.Format(time.RFC3339), err)
		default:
			if err := s.enqueue(ctx, tx, id); err != nil {
				return err
			}
			won = true
		}
		if _, err := tx.Exec(ctx, `UPDATE report_schedules SET next_run_at = $2 WHERE id = $1 AND next_run_at < $2`,
			d.id, next); err != nil {
			return fmt.Errorf("advance schedule: %w", err)
		}
		return nil
	})
	return won && err == nil, err
}
