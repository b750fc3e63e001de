package app_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/schedule"
	workflow "github.com/cosp-ict/irm/internal/submission"
)

func TestServeRefusesNoRenderWorkers(t *testing.T) {
	err := app.Run(context.Background(), []string{"irm", "serve", "--addr", "127.0.0.1:0", "--render-workers", "0"},
		envWith(map[string]string{"DATABASE_URL": pgtest.AppURL(pgtest.NewURL(t))}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--render-workers 0") {
		t.Fatalf("got %v, want a refusal naming --render-workers", err)
	}
}

// TestServeRunsTheReportWorkersUntilShutdown: serve, logged in as the app
// role (which owns nothing, River's tables included, and has what
// "migrate --app-role" grants), starts the job queue's client with the
// scheduler and stops it on shutdown.
func TestServeRunsTheReportWorkersUntilShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"irm", "serve", "--addr", "127.0.0.1:0"},
			envWith(map[string]string{"DATABASE_URL": pgtest.AppURL(pgtest.NewURL(t)), "IRM_RENDER_WORKERS": "3"}), io.Discard, &logs)
	}()
	serving := regexp.MustCompile(`msg=serving`)
	for deadline := time.Now().Add(30 * time.Second); !serving.MatchString(logs.String()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "River client started") {
		t.Fatalf("the render workers did not start with serve:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), "River client stopped") {
		t.Fatalf("the render workers were not stopped on shutdown:\n%s", logs.String())
	}
}

// TestDemoReports: make run's demo gets one weekly synthesis schedule per
// working group, once, and one published report, rendered on the queue.
func TestDemoReports(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	content, err := app.LoadContent("")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	// The demo cycle alone: the schedules and the report need no more.
	if _, err := workflow.NewService(pool, content.Registry, nil).OpenCycle(ctx, auth.Principal{Name: "test", Role: auth.Secretariat},
		workflow.Cycle{ID: demo.CycleID, Name: "Demo", QuestionnaireID: demo.QuestionnaireID,
			OpensOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ClosesOn: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	svc, err := app.NewServices(pool, content, log, schedule.Config{Poll: 100 * time.Millisecond, FetchPoll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	reports := svc.Reports
	if err := reports.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		reports.Stop(stopCtx) //nolint:errcheck
	})
	for range 2 {
		if err := demo.SeedReportSchedules(ctx, reports, content.Registry); err != nil {
			t.Fatal(err)
		}
	}
	var n, groups int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT working_group), count(*) FROM report_schedules
		WHERE kind = 'CYCLE_SYNTHESIS' AND cron = '0 6 * * MON' AND timezone = 'Europe/Vienna' AND active`).Scan(&groups, &n); err != nil {
		t.Fatal(err)
	}
	if want := len(content.Registry.WorkingGroups()); n != want || groups != want {
		t.Fatalf("demo schedules: %d for %d groups, want one weekly synthesis per working group (%d)", n, groups, want)
	}
	run, err := demo.PublishedReport(ctx, reports, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != schedule.Succeeded || !run.Published || run.URL() == nil {
		t.Fatalf("demo report: %+v", run)
	}
	again, err := demo.PublishedReport(ctx, reports, time.Minute)
	if err != nil || again.ID != run.ID {
		t.Fatalf("second start: got run %s (%v), want the same published run %s", again.ID, err, run.ID)
	}
}
