package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/schedule"
)

// reportFlags are serve's and dev's flags for the report service.
type reportFlags struct {
	workers        int
	minInterval    time.Duration
	minRespondents int // N of the minimum-n rule (internal/aggregate)
}

// registerReports adds --render-workers and --min-schedule-interval to fs.
func registerReports(fs *flag.FlagSet, getenv func(string) string) *reportFlags {
	f := &reportFlags{workers: schedule.DefaultWorkers, minInterval: schedule.DefaultMinInterval, minRespondents: aggregate.DefaultMinRespondents}
	if v, err := strconv.Atoi(getenv("IRM_MIN_RESPONDENTS")); err == nil {
		f.minRespondents = v
	}
	if v, err := strconv.Atoi(getenv("IRM_RENDER_WORKERS")); err == nil {
		f.workers = v
	}
	if v, err := time.ParseDuration(getenv("IRM_MIN_SCHEDULE_INTERVAL")); err == nil {
		f.minInterval = v
	}
	fs.IntVar(&f.workers, "render-workers", f.workers, "reports rendered at once by this replica (env IRM_RENDER_WORKERS)")
	fs.DurationVar(&f.minInterval, "min-schedule-interval", f.minInterval,
		"the shortest time a report schedule may leave between two runs; a staging system may use 1m (env IRM_MIN_SCHEDULE_INTERVAL)")
	fs.IntVar(&f.minRespondents, "min-respondents", f.minRespondents,
		"working groups and reports see an aggregate cell of fewer respondents as \"fewer than N\" (env IRM_MIN_RESPONDENTS)")
	return f
}

// reportConfig is the report service's configuration from the flags.
func (f *reportFlags) config() (schedule.Config, error) {
	if f.workers < 1 {
		return schedule.Config{}, fmt.Errorf("--render-workers %d: want at least 1", f.workers)
	}
	if f.minRespondents < 1 {
		return schedule.Config{}, fmt.Errorf("--min-respondents %d: want at least 1 (1 withholds nothing)", f.minRespondents)
	}
	if f.minInterval < time.Minute {
		return schedule.Config{}, fmt.Errorf("--min-schedule-interval %s: want at least 1m (cron's resolution)", f.minInterval)
	}
	return schedule.Config{Workers: f.workers, MinInterval: f.minInterval}, nil
}

// stopReports stops the scheduler and the render workers after the HTTP
// server: renders under way get a grace period to finish, then are
// cancelled and queued again for the next replica.
func stopReports(ctx context.Context, reports *schedule.Service, log *slog.Logger) {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := reports.Stop(stopCtx); err != nil {
		log.Warn("stop report workers", "err", err)
	}
}

// announceDemoReport prints the URL of the demo's published report, and
// how to fetch it as the secretariat, once it is rendered.
func announceDemoReport(ctx context.Context, reports *schedule.Service, addr net.Addr, tokens []demo.Token, stdout io.Writer, log *slog.Logger) {
	run, err := demo.PublishedReport(ctx, reports, 2*time.Minute)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("demo report", "err", err)
		}
		return
	}
	secret := ""
	for _, t := range tokens {
		if t.Role == string(auth.Secretariat) {
			secret = t.Secret
		}
	}
	url := fmt.Sprintf("http://%s%s", addr, *run.URL())
	fmt.Fprintf(stdout, "\nDemo report (a published cycle synthesis): %s\n", url)
	fmt.Fprintf(stdout, "  curl -fsS -H 'Authorization: Bearer %s' -o %s %s\n", secret, *run.FileName, url)
}
