package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
)

// ReportTimezone is where the demo schedules fire (the secretariat's seat).
const ReportTimezone = "Europe/Vienna"

var reportSeeder = auth.Principal{Name: seedActor, Role: auth.Secretariat}

// SeedReportSchedules gives each working group a weekly synthesis of the
// demo cycle (Mondays 06:00 in Vienna), once: it does nothing when any
// schedule exists.
func SeedReportSchedules(ctx context.Context, reports *schedule.Service, reg *questionnaire.Registry) error {
	existing, err := reports.Schedules(ctx, reportSeeder)
	if err != nil || len(existing) > 0 {
		return err
	}
	for _, wg := range reg.WorkingGroups() {
		if _, err := reports.CreateSchedule(ctx, reportSeeder, schedule.ScheduleInput{
			Report: schedule.Input{Kind: report.CycleSynthesis, CycleID: CycleID, WorkingGroup: wg.ID},
			Cron:   "0 6 * * MON", Timezone: ReportTimezone,
		}); err != nil {
			return fmt.Errorf("demo schedule for %s: %w", wg.ID, err)
		}
	}
	return nil
}

// PublishedReport returns the demo's published synthesis of the demo
// cycle: an existing one, or one it queues, waits for (up to timeout)
// and publishes.
func PublishedReport(ctx context.Context, reports *schedule.Service, timeout time.Duration) (schedule.Run, error) {
	kind, cycle, yes := report.CycleSynthesis, CycleID, true
	runs, err := reports.Runs(ctx, reportSeeder, schedule.RunFilter{CycleID: &cycle, Kind: &kind, Published: &yes})
	if err != nil || len(runs) > 0 {
		if len(runs) > 0 {
			return runs[0], nil
		}
		return schedule.Run{}, err
	}
	run, err := reports.Render(ctx, reportSeeder, schedule.Input{Kind: kind, CycleID: cycle})
	if err != nil {
		return schedule.Run{}, err
	}
	deadline := time.Now().Add(timeout)
	for run.Status != schedule.Succeeded {
		if run.Status == schedule.Failed {
			return run, fmt.Errorf("demo report failed: %s", *run.Error)
		}
		if time.Now().After(deadline) {
			return run, fmt.Errorf("demo report not rendered within %s (run %s is %s)", timeout, run.ID, run.Status)
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if run, err = reports.Run(ctx, reportSeeder, run.ID); err != nil {
			return run, err
		}
	}
	return reports.Publish(ctx, reportSeeder, run.ID)
}
