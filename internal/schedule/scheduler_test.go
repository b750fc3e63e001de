package schedule

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/cosp-ict/irm/internal/report"
)

var synthesis = Input{Kind: report.CycleSynthesis, CycleID: "2027"}

// ticks returns the scheduled_for of every run of schedule id, in order.
func (w *world) ticks(t *testing.T, id string) []time.Time {
	t.Helper()
	rows, err := w.pool.Query(context.Background(), `SELECT scheduled_for FROM report_runs WHERE schedule_id = $1 ORDER BY scheduled_for`, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestThreeSchedulersFireEachTickOnce runs three replicas (three
// schedulers, three River clients) on one database with an every-second
// schedule, one of them restarting midway, all three looking for due
// ticks at once on each tick of a clock the test moves: every tick gets
// exactly one run and one job.
func TestThreeSchedulersFireEachTickOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	clock := newManualClock(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	replicas := []*driven{
		startDriven(t, w.service(t, fast()), clock),
		startDriven(t, w.service(t, fast()), clock),
		startDriven(t, w.service(t, fast()), clock),
	}
	sched, err := replicas[0].CreateSchedule(context.Background(), secretariat, ScheduleInput{Report: synthesis, Cron: "@every 1s"})
	if err != nil {
		t.Fatal(err)
	}
	second := func() {
		clock.advance(time.Second)
		pass(t, replicas...)
	}
	second()
	second()
	second()
	// A restart: one replica stops, a new one starts (and passes at once).
	stop(t, replicas[0].Service)
	replicas[0] = startDriven(t, w.service(t, fast()), clock)
	second()
	second()
	second()
	// Three seconds pass between two looks: less than CatchUpAfter behind,
	// each missed tick gets its own run.
	clock.advance(3 * time.Second)
	pass(t, replicas...)
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Go(func() { stop(t, r.Service) })
	}
	wg.Wait()

	ticks := w.ticks(t, sched.ID)
	if len(ticks) != 9 {
		t.Fatalf("runs after nine one-second ticks: got %d (%v), want 9", len(ticks), ticks)
	}
	for i, tick := range ticks {
		if want := sched.NextRunAt.Add(time.Duration(i) * time.Second); !tick.Equal(want) {
			t.Fatalf("run %d for %s, want %s: every tick once, 1s apart", i, tick, want)
		}
	}
	var next time.Time
	if err := w.pool.QueryRow(context.Background(), `SELECT next_run_at FROM report_schedules WHERE id = $1`, sched.ID).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if last := ticks[len(ticks)-1]; !next.Equal(last.Add(time.Second)) {
		t.Fatalf("next_run_at %s after the last run for %s: a tick was skipped or claimed twice", next, last)
	}
	jobs := w.count(t, `SELECT count(*) FROM river_job j JOIN report_runs r ON r.id::text = j.args->>'run_id' WHERE r.schedule_id = $1`, sched.ID)
	if jobs != len(ticks) {
		t.Fatalf("render jobs: got %d, want one per run (%d)", jobs, len(ticks))
	}
}

// TestMissedTicksAreCaughtUpOnce: ticks missed while no replica ran give
// one run, for the latest of them, when a replica starts; so do ticks a
// running replica missed for longer than CatchUpAfter.
func TestMissedTicksAreCaughtUpOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	clock := newManualClock(time.Date(2027, 3, 1, 10, 30, 0, 0, time.UTC))
	s := w.service(t, fast())
	s.now = clock.now
	ctx := context.Background()
	sched, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: synthesis, Cron: "0 * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	// The outage: no replica ran for the last ten hourly ticks, 01:00 to 10:00.
	if _, err := w.pool.Exec(ctx, `UPDATE report_schedules SET next_run_at = $2 WHERE id = $1`,
		sched.ID, time.Date(2027, 3, 1, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	d := startDriven(t, s, clock)
	// The scheduler looks several more times within the hour: nothing else is due.
	for range 10 {
		clock.advance(time.Minute)
		pass(t, d)
	}
	w.wantTicks(t, sched.ID, "after a ten-tick outage", "2027-03-01T10:00:00Z")
	w.wantNext(t, sched.ID, "2027-03-01T11:00:00Z")

	// The replica runs but does not look for five hours (a paused VM):
	// 11:00 to 15:00 give one run, for 15:00.
	clock.advance(5 * time.Hour)
	pass(t, d)
	w.wantTicks(t, sched.ID, "after five hours unseen", "2027-03-01T10:00:00Z", "2027-03-01T15:00:00Z")
	w.wantNext(t, sched.ID, "2027-03-01T16:00:00Z")
}

// wantTicks fails unless schedule id has runs for exactly the ticks want
// (RFC 3339).
func (w *world) wantTicks(t *testing.T, id, when string, want ...string) {
	t.Helper()
	got := w.ticks(t, id)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].Equal(mustTime(t, want[i]))
	}
	if !ok {
		t.Fatalf("runs %s: got ticks %v, want %v", when, got, want)
	}
}

// wantNext fails unless schedule id's next tick is want (RFC 3339).
func (w *world) wantNext(t *testing.T, id, want string) {
	t.Helper()
	var next time.Time
	if err := w.pool.QueryRow(context.Background(), `SELECT next_run_at FROM report_schedules WHERE id = $1`, id).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if !next.Equal(mustTime(t, want)) {
		t.Fatalf("next_run_at: got %s, want %s", next, want)
	}
}

func TestAPanickingRenderFailsTheRunOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.renderer.hook = func(ctx context.Context, req report.Request) error {
		if req.Kind == report.TechnicalAssistance {
			panic("index out of range [7] with length 3")
		}
		return nil
	}
	s := w.service(t, fast())
	ctx := context.Background()
	bad, err := s.Render(ctx, secretariat, Input{Kind: report.TechnicalAssistance, CycleID: "2027"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, s)
	eventually(t, 30*time.Second, "the run fails", func() (bool, error) { return w.status(t, s, bad.ID).Status == Failed, nil })
	got := w.status(t, s, bad.ID)
	if got.Error == nil || *got.Error != "the renderer crashed: index out of range [7] with length 3" || got.FinishedAt == nil || got.SHA256 != nil {
		t.Fatalf("failed run: error %v, finished %v, sha256 %v", got.Error, got.FinishedAt, got.SHA256)
	}
	// Its reader reads that the renderer crashed in their language, without
	// the panic's detail, which the English text and the log keep (issue 13).
	if got.ErrorMessage == nil || got.ErrorMessage.Key != "the renderer crashed; the service's log has the details" {
		t.Fatalf("failed run: message %+v, want the crash's", got.ErrorMessage)
	}
	if fr := got.ErrorIn("fr"); fr == nil || *fr != "le moteur de rendu s'est arrêté brutalement ; le journal du service en donne le détail" {
		t.Fatalf("failed run in French: %v", fr)
	}
	// The job is done, not retried, and the worker goes on with others.
	eventually(t, 30*time.Second, "the job completes", func() (bool, error) {
		return w.count(t, `SELECT count(*) FROM river_job WHERE args->>'run_id' = $1 AND state = 'completed' AND attempt = 1`, bad.ID) == 1, nil
	})
	good, err := s.Render(ctx, secretariat, synthesis)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the next run succeeds", func() (bool, error) { return w.status(t, s, good.ID).Status == Succeeded, nil })
}

// TestAStuckRunIsTakenOver simulates a replica that crashed while
// rendering: its run stays RUNNING and its job "running" for an hour.
// River's rescuer gives the job back and another replica renders it.
func TestAStuckRunIsTakenOver(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := fast()
	cfg.RenderTimeout, cfg.RescueAfter = 5*time.Second, 10*time.Second
	s := w.service(t, cfg)
	ctx := context.Background()
	run, err := s.Render(ctx, secretariat, synthesis)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `
		UPDATE report_runs SET status = 'RUNNING', started_at = now() - interval '1 hour', attempts = 1 WHERE id = $1;`, run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `
		UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '1 hour',
			attempted_by = ARRAY['crashed-replica'] WHERE args->>'run_id' = $1`, run.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.status(t, s, run.ID); got.Status != Running {
		t.Fatalf("simulated crash: run is %s", got.Status)
	}
	start(t, s)
	eventually(t, 90*time.Second, "the stuck run succeeds", func() (bool, error) { return w.status(t, s, run.ID).Status == Succeeded, nil })
	got := w.status(t, s, run.ID)
	if n := w.count(t, `SELECT attempts FROM report_runs WHERE id = $1`, run.ID); n != 2 || got.StartedAt.Before(time.Now().Add(-time.Minute)) {
		t.Fatalf("taken-over run: attempts %d, started %s; want 2, started just now", n, got.StartedAt)
	}
}

// TestARunningRunIsNotTakenOverEarly: a job delivered while another
// worker holds the run (RUNNING, not yet past RescueAfter) is snoozed,
// not rendered twice.
func TestARunningRunIsNotTakenOverEarly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.service(t, fast())
	ctx := context.Background()
	run, err := s.Render(ctx, secretariat, synthesis)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE report_runs SET status = 'RUNNING', started_at = now() WHERE id = $1`, run.ID); err != nil {
		t.Fatal(err)
	}
	err = s.work(ctx, run.ID)
	var snooze *rivertype.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration > s.cfg.RescueAfter || snooze.Duration < s.cfg.RescueAfter-time.Minute {
		t.Fatalf("work on a held run: got %v, want a snooze until it counts as stuck (%s)", err, s.cfg.RescueAfter)
	}
	if w.renderer.renders.Load() != 0 {
		t.Fatalf("rendered a run another worker holds")
	}
	// A finished run is left alone.
	if _, err := w.pool.Exec(ctx, `UPDATE report_runs SET status = 'FAILED', error = 'x' WHERE id = $1`, run.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.work(ctx, run.ID); err != nil || w.renderer.renders.Load() != 0 {
		t.Fatalf("work on a finished run: %v, renders %d", err, w.renderer.renders.Load())
	}
}

func TestRendersAtMostWorkersAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var running, most atomic.Int64
	w.renderer.hook = func(ctx context.Context, req report.Request) error {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-time.After(300 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cfg := fast()
	cfg.Workers = 2
	s := w.service(t, cfg)
	ctx := context.Background()
	var ids []string
	for range 6 {
		r, err := s.Render(ctx, secretariat, synthesis)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	start(t, s)
	for _, id := range ids {
		eventually(t, 60*time.Second, "run succeeds", func() (bool, error) { return w.status(t, s, id).Status == Succeeded, nil })
	}
	if m := most.Load(); m != 2 {
		t.Fatalf("renders at once: at most %d, want 2 (the workers)", m)
	}
}

func TestPausedAndDeletedSchedulesDoNotFire(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	clock := newManualClock(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	s := startDriven(t, w.service(t, fast()), clock)
	ctx := context.Background()
	paused, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: synthesis, Cron: "@every 1s"})
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := s.CreateSchedule(ctx, secretariat, ScheduleInput{Report: synthesis, Cron: "@every 1s"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetScheduleActive(ctx, secretariat, paused.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSchedule(ctx, secretariat, deleted.ID); err != nil {
		t.Fatal(err)
	}
	for range 3 { // three ticks pass
		clock.advance(time.Second)
		pass(t, s)
	}
	if n := len(w.ticks(t, paused.ID)) + len(w.ticks(t, deleted.ID)); n != 0 {
		t.Fatalf("paused and deleted schedules fired %d times, want 0", n)
	}
	resumed, err := s.SetScheduleActive(ctx, secretariat, paused.ID, true)
	if err != nil || !resumed.Active {
		t.Fatalf("resume: %+v, %v", resumed, err)
	}
	if want := clock.now().Add(time.Second); !resumed.NextRunAt.Equal(want) {
		t.Fatalf("resumed schedule's next tick: got %s, want %s (none of those missed while paused)", resumed.NextRunAt, want)
	}
	clock.advance(time.Second)
	pass(t, s)
	w.wantTicks(t, paused.ID, "after resuming", resumed.NextRunAt.Format(time.RFC3339))
	w.wantTicks(t, deleted.ID, "of the deleted schedule")
}

// TestShutdownGivesARenderBack: a render still running when the grace
// period of a shutdown ends is cancelled and its run queued again, and
// the next replica renders it.
func TestShutdownGivesARenderBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	block := make(chan struct{})
	var blocking atomic.Bool
	blocking.Store(true)
	w.renderer.hook = func(ctx context.Context, req report.Request) error {
		if !blocking.Load() {
			return nil
		}
		close(block)
		<-ctx.Done()
		return ctx.Err()
	}
	first := w.service(t, fast())
	ctx := context.Background()
	run, err := first.Render(ctx, secretariat, synthesis)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-block:
	case <-time.After(30 * time.Second):
		t.Fatal("the render did not start within 30s")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	first.Stop(stopCtx) //nolint:errcheck // the grace period ends on purpose
	if got := w.status(t, first, run.ID); got.Status != Queued || got.StartedAt != nil {
		t.Fatalf("after shutdown: run is %s (started %v), want QUEUED again", got.Status, got.StartedAt)
	}
	blocking.Store(false)
	second := w.service(t, fast())
	start(t, second)
	eventually(t, 30*time.Second, "the next replica renders it", func() (bool, error) {
		return w.status(t, second, run.ID).Status == Succeeded, nil
	})
}
