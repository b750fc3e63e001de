package app

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/schedule"
)

// reportPDF serves GET /reports/{id}.pdf to whoever may read the run:
// the bytes as stored, an ETag from their SHA-256 (If-None-Match gives
// 304) and the file name the run recorded. A run that does not exist and
// one the caller may not read are both 404.
func reportPDF(reports *schedule.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
		if !ok {
			httperr.Write(w, r, log, apperr.NotFoundf("report files are named /reports/{id}.pdf"))
			return
		}
		p, _ := auth.FromContext(r.Context())
		f, err := reports.PDF(r.Context(), p, id)
		if err != nil {
			httperr.Write(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, f.Name))
		w.Header().Set("ETag", `"`+f.SHA256+`"`)
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, f.Name, time.Time{}, bytes.NewReader(f.PDF))
	})
}

// reportFlags are serve's and dev's flags for the report service.
type reportFlags struct {
	workers     int
	minInterval time.Duration
}

// registerReports adds --render-workers and --min-schedule-interval to fs.
func registerReports(fs *flag.FlagSet, getenv func(string) string) *reportFlags {
	f := &reportFlags{workers: schedule.DefaultWorkers, minInterval: schedule.DefaultMinInterval}
	if v, err := strconv.Atoi(getenv("IRM_RENDER_WORKERS")); err == nil {
		f.workers = v
	}
	if v, err := time.ParseDuration(getenv("IRM_MIN_SCHEDULE_INTERVAL")); err == nil {
		f.minInterval = v
	}
	fs.IntVar(&f.workers, "render-workers", f.workers, "reports rendered at once by this replica (env IRM_RENDER_WORKERS)")
	fs.DurationVar(&f.minInterval, "min-schedule-interval", f.minInterval,
		"the shortest time a report schedule may leave between two runs; a staging system may use 1m (env IRM_MIN_SCHEDULE_INTERVAL)")
	return f
}

// reportConfig is the report service's configuration from the flags.
func (f *reportFlags) config() (schedule.Config, error) {
	if f.workers < 1 {
		return schedule.Config{}, fmt.Errorf("--render-workers %d: want at least 1", f.workers)
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
