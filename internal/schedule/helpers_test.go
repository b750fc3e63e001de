package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/report"
)

// pdfRenderer is a real but trivial renderer: it checks the cycle and
// State against the database and renders a one-page PDF naming the
// request. hook, when set, runs before rendering (to block, count or
// panic).
type pdfRenderer struct {
	pool    *pgxpool.Pool
	hook    func(ctx context.Context, req report.Request) error
	renders atomic.Int64
}

func (r *pdfRenderer) Check(ctx context.Context, req report.Request) error {
	var ok bool
	if err := r.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cycles WHERE id = $1)`, req.CycleID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("no cycle with id %q", req.CycleID)
	}
	if req.State != "" {
		if err := r.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM states WHERE code = $1)`, req.State).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("no State with code %q", req.State)
		}
	}
	if req.WorkingGroup != "" && req.WorkingGroup != "international-cooperation" {
		return apperr.NotFoundf("no working group %q", req.WorkingGroup)
	}
	return nil
}

func (r *pdfRenderer) Render(ctx context.Context, req report.Request, now time.Time) (report.Document, error) {
	if r.hook != nil {
		if err := r.hook(ctx, req); errors.Is(err, errReturnEmpty) {
			return report.Document{}, nil
		} else if err != nil {
			return report.Document{}, err
		}
	}
	r.renders.Add(1)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(now)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Cell(0, 10, fmt.Sprintf("%s %s %s %s", req.Kind, req.CycleID, req.WorkingGroup, req.State))
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return report.Document{}, err
	}
	doc := report.Document{PDF: buf.Bytes(), Pages: pdf.PageCount(), Fingerprint: "fp-" + req.CycleID,
		FileName: "cycle synthesis/" + req.CycleID + "-" + req.Language + ".pdf"}
	if req.Language == "zh" {
		doc.Warnings = []i18n.Message{report.MissingGlyph('🎉')}
	}
	return doc, nil
}

// errReturnEmpty, returned by a hook, makes the renderer return a
// document without a PDF and no error.
var errReturnEmpty = errors.New("return an empty document")

// world is a database with cycle "2027" and a service over it.
type world struct {
	pool     *pgxpool.Pool
	renderer *pdfRenderer
}

var (
	secretariat = auth.Principal{Name: "Secretariat", Role: auth.Secretariat}
	kenya       = auth.Principal{Name: "Kenya FP", Role: auth.FocalPoint, State: "KEN"}
	france      = auth.Principal{Name: "France FP", Role: auth.FocalPoint, State: "FRA"}
	member      = auth.Principal{Name: "IC member", Role: auth.WorkingGroup, WorkingGroups: []string{"international-cooperation"}}
)

func newWorld(t *testing.T) *world {
	t.Helper()
	pool := pgtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO questionnaire_digests (questionnaire_id, sha256) VALUES ('implementation-v1', 'x');
		INSERT INTO cycles (id, name, questionnaire_id, opens_on, closes_on) VALUES ('2027', 'Review 2027', 'implementation-v1', '2027-01-01', '2027-12-31')`); err != nil {
		t.Fatal(err)
	}
	return &world{pool: pool, renderer: &pdfRenderer{pool: pool}}
}

// fast is a configuration for tests: quick polling, any interval.
func fast() Config {
	return Config{Poll: 50 * time.Millisecond, FetchPoll: 50 * time.Millisecond, MinInterval: time.Nanosecond,
		Log: slog.New(slog.DiscardHandler)}
}

// service returns a service over w's database (not started).
func (w *world) service(t *testing.T, cfg Config) *Service {
	t.Helper()
	s, err := New(w.pool, w.renderer, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// start starts s for the rest of the test.
func start(t *testing.T, s *Service) {
	t.Helper()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { stop(t, s) }) })
}

func stop(t *testing.T, s *Service) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runStatus reads a run's status as the secretariat.
func (w *world) status(t *testing.T, s *Service, id string) Run {
	t.Helper()
	r, err := s.Run(context.Background(), secretariat, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// count returns one number from the database.
func (w *world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// snapshot is what the database holds about reports and jobs.
func (w *world) snapshot(t *testing.T) string {
	t.Helper()
	var s string
	err := w.pool.QueryRow(context.Background(), `SELECT concat_ws(' | ',
		(SELECT string_agg(concat_ws(',', id, status, published), ';' ORDER BY id) FROM report_runs),
		(SELECT string_agg(concat_ws(',', id, active, next_run_at, deleted_at), ';' ORDER BY id) FROM report_schedules),
		(SELECT count(*) FROM river_job), (SELECT count(*) FROM audit_events), (SELECT count(*) FROM report_files))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// manualClock is the time of services whose schedulers a test drives by
// hand: it stands still until advanced.
type manualClock struct {
	mu sync.Mutex
	at time.Time
}

func newManualClock(at time.Time) *manualClock { return &manualClock{at: at} }

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// driven is a started service whose scheduler passes only when told.
type driven struct {
	*Service
	ticks  chan time.Time
	passes chan struct{}
}

// startDriven gives s the clock c, starts it for the rest of the test and
// waits for its start-up pass; its scheduler then passes only in pass.
func startDriven(t *testing.T, s *Service, c *manualClock) *driven {
	t.Helper()
	d := &driven{Service: s, ticks: make(chan time.Time), passes: make(chan struct{}, 16)}
	s.now = c.now
	s.ticker = func(time.Duration) (<-chan time.Time, func()) { return d.ticks, func() {} }
	s.passed = func() { d.passes <- struct{}{} }
	start(t, s)
	d.wait(t)
	return d
}

// pass makes the schedulers of ds look for due ticks at once, as
// replicas do, and waits until each has fired what it claimed.
func pass(t *testing.T, ds ...*driven) {
	t.Helper()
	errs := make(chan error, len(ds))
	for _, d := range ds {
		go func() {
			select {
			case d.ticks <- d.now():
				errs <- nil
			case <-time.After(30 * time.Second):
				errs <- fmt.Errorf("a scheduler did not take a tick within 30s: is it stopped?")
			}
		}()
	}
	for range ds {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range ds {
		d.wait(t)
	}
}

func (d *driven) wait(t *testing.T) {
	t.Helper()
	select {
	case <-d.passes:
	case <-time.After(30 * time.Second):
		t.Fatal("the scheduler's pass did not end within 30s")
	}
}
