package people

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
)

// clock is the injected time of the services under test.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.at = t; c.mu.Unlock() }

// world is a database (the service runs as the app role, under
// row-level security), the workflow, an SMTP relay and a cycle "2027"
// that closes on deadline.
type world struct {
	owner, app *pgxpool.Pool
	reg        *questionnaire.Registry
	workflow   *submission.Service
	relay      *relay
	clock      *clock
	sec        auth.Principal // a secretariat token holder
	cycle      submission.Cycle
}

var deadline = time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	owner, app := pgtest.NewApp(t)
	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := owner.Exec(ctx, `UPDATE states SET party = true WHERE code IN ('GHA', 'KEN', 'FRA')`); err != nil {
		t.Fatal(err)
	}
	w := &world{owner: owner, app: app, reg: reg, relay: newRelay(t),
		clock: &clock{at: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}}
	w.workflow = submission.NewService(app, reg, aggregate.Projection{})
	w.sec = w.tokenHolder(t, auth.NewToken{Name: "Test Secretariat", Role: auth.Secretariat})
	w.cycle, err = w.workflow.OpenCycle(auth.WithPrincipal(ctx, w.sec), w.sec, submission.Cycle{ID: "2027", Name: "Review 2027",
		QuestionnaireID: "implementation-v1", OpensOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ClosesOn: deadline})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// tokenHolder makes a token (as the owner's "irm token create" does) and
// returns its holder.
func (w *world) tokenHolder(t *testing.T, nt auth.NewToken) auth.Principal {
	t.Helper()
	store := auth.NewStore(w.owner)
	secret, err := store.Create(context.Background(), nt)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// config is a service configuration over w's relay and clock.
func (w *world) config() Config {
	return Config{PublicURL: "https://irm.example.org", SMTP: w.relay.URL, TLS: &tls.Config{RootCAs: w.relay.Roots},
		MailFrom: "irm@example.org", FetchPoll: 50 * time.Millisecond, Now: w.clock.now, Log: testLog()}
}

func testLog() *slog.Logger {
	if os.Getenv("IRM_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// service returns a people service over w (not started) whose outbox the
// workflow writes to.
func (w *world) service(t *testing.T, cfg Config) *Service {
	t.Helper()
	s, err := New(w.app, w.reg, w.workflow, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.workflow.Notify(s.SubmissionChanged)
	return s
}

func start(t *testing.T, s *Service) {
	t.Helper()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
}

func (w *world) add(t *testing.T, s *Service, in ContactInput) Contact {
	t.Helper()
	c, err := s.AddContact(auth.WithPrincipal(context.Background(), w.sec), w.sec, in)
	if err != nil {
		t.Fatalf("add contact %s: %v", in.Email, err)
	}
	return c
}

// as is the principal of contact c's own token (as a sign-in link's
// session acts).
func (w *world) as(t *testing.T, c Contact) auth.Principal {
	t.Helper()
	id, _ := strconv.ParseInt(c.ID, 10, 64)
	tok, err := auth.ContactToken(context.Background(), w.owner, id)
	if err != nil || tok == 0 {
		t.Fatalf("token of contact %s: %d %v", c.ID, tok, err)
	}
	p, err := auth.NewStore(w.owner).Principal(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// submit saves the sample answers for p's State and submits them.
func (w *world) submit(t *testing.T, p auth.Principal) *submission.Submission {
	t.Helper()
	ctx := auth.WithPrincipal(context.Background(), p)
	answers, err := os.ReadFile("../demo/data/implementation-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := w.workflow.Get(ctx, p, w.cycle.ID, p.State)
	var expected *int
	if err == nil && cur != nil {
		expected = &cur.Version
	}
	res, err := w.workflow.SaveDraft(ctx, p, w.cycle.ID, p.State, json.RawMessage(answers), expected)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("save: %v %v", err, res.Errors)
	}
	res, err = w.workflow.Submit(ctx, p, w.cycle.ID, p.State, res.Submission.Version)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit: %v %v", err, res.Errors)
	}
	return res.Submission
}

// count returns one number from the database.
func (w *world) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := w.owner.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inTx runs fn in a transaction acting as the system.
func (w *world) inTx(t *testing.T, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	if err := postgres.Tx(ctx, w.app, func(tx pgx.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}
