package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/graph"
	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/app/apptest"
)

// connCounter counts the service's pool connections held at once.
type connCounter struct{ held, peak atomic.Int64 }

func (c *connCounter) configure(cfg *pgxpool.Config) {
	cfg.MaxConns = app.DefaultMaxConns // as serve sizes it
	cfg.PrepareConn = func(context.Context, *pgx.Conn) (bool, error) {
		n := c.held.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		return true, nil
	}
	cfg.AfterRelease = func(*pgx.Conn) bool {
		c.held.Add(-1)
		return true
	}
}

// aliasedSummaries is one operation asking for n working-group summaries
// under aliases.
func aliasedSummaries(n int, cycle string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, ` s%d: workingGroupSummary(workingGroup: "international-cooperation", cycle: %q) { completeness { rate } questions { respondents } }`, i, cycle)
	}
	b.WriteString(" }")
	return b.String()
}

// TestOneTokenCannotTakeAReplicaOut: issue 16, finding 2. 38 aliased
// summaries passed the complexity limit (which weighed the answer's size,
// not its work), four such requests held all 20 connections, and /healthz
// answered 503 behind them.
func TestOneTokenCannotTakeAReplicaOut(t *testing.T) {
	var conns connCounter
	env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1}}, conns.configure)
	w := &world{env: env, cycle: "2027"}
	w.sec = w.token(t, secName, "SECRETARIAT", "")
	w.openCycle(t, w.cycle, "2026-01-01", "2099-12-31")
	for _, st := range []string{"KEN", "GHA", "BRA"} {
		w.setParty(t, st, true)
		w.mustSave(t, w.sec, st, sample(t), -1)
		w.mustSubmit(t, w.sec, st, 1)
	}
	member := env.Member(t, "international-cooperation")

	t.Run("38 aliased summaries are refused before any work", func(t *testing.T) {
		conns.peak.Store(conns.held.Load())
		res := env.Do(t, member, aliasedSummaries(38, w.cycle), nil)
		wantCode(t, res, "BAD_USER_INPUT")
		if !strings.Contains(res.Errors[0].Message, "complexity") {
			t.Fatalf("refusal: %s", res.Errors[0].Message)
		}
		if res.Status != http.StatusUnprocessableEntity && res.Status != http.StatusBadRequest {
			t.Fatalf("refusal status %d, want a 4xx", res.Status)
		}
	})
	t.Run("four summaries in one operation are allowed", func(t *testing.T) {
		if res := env.Do(t, member, aliasedSummaries(4, w.cycle), nil); len(res.Errors) > 0 {
			t.Fatalf("four summaries: %+v", res.Errors)
		}
	})
	t.Run("a token's operations hold a bounded share of the pool", func(t *testing.T) {
		// The owner locks the answers projection, so that every summary
		// that reaches it waits there, holding its connection: without a
		// bound, the 32 summaries below would all hold one.
		ctx := context.Background()
		lock, err := env.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Rollback(ctx) //nolint:errcheck
		if _, err := lock.Exec(ctx, `LOCK TABLE answer_facts IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for range 8 {
			wg.Go(func() {
				if res := env.Do(t, member, aliasedSummaries(4, w.cycle), nil); len(res.Errors) > 0 {
					errs <- res.Errors[0].Message
				}
			})
		}
		waiting := func() int {
			var n int
			if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE usename <> current_user AND wait_event_type = 'Lock' AND datname = current_database()`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Wait (bounded) for the first summaries to reach the lock, then
		// give the rest a moment to pile in if nothing stopped them.
		for i := 0; waiting() < graph.RootFieldsPerToken && i < 500; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		blocked := waiting()
		// The rest of the service answers meanwhile (the wait is only a
		// bound for the failure: unbounded, another user queued here).
		var v struct{ Viewer struct{ Role string } }
		answered := make(chan apptest.Response, 1)
		go func() { answered <- env.Do(t, w.sec, `{ viewer { role } }`, nil) }()
		select {
		case res := <-answered:
			res.Decode(t, &v)
			healthy(t, env)
		case <-time.After(20 * time.Second):
			t.Errorf("another user's { viewer } is still waiting behind one token's summaries")
		}
		if err := lock.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("a summary request failed: %s", e)
		}
		if blocked != graph.RootFieldsPerToken || v.Viewer.Role != "SECRETARIAT" {
			t.Fatalf("32 summaries of one token: %d waited on the database at once, want %d; another user's viewer: %+v",
				blocked, graph.RootFieldsPerToken, v.Viewer)
		}
		// Besides its root fields (two connections each at most: a summary
		// reads its trends beside its questions), each request looks up
		// its token before the gate, and the other user's viewer takes
		// one: never the whole pool.
		if peak, limit := conns.peak.Load(), int64(2*graph.RootFieldsPerToken+8+2); peak > limit || peak >= int64(app.DefaultMaxConns) {
			t.Fatalf("the pool lent %d connections at once, want at most %d of its %d", peak, limit, app.DefaultMaxConns)
		}
	})
	t.Run("/healthz answers while every pooled connection is held", func(t *testing.T) {
		var held []*pgxpool.Conn
		for range env.AppPool.Config().MaxConns {
			c, err := env.AppPool.Acquire(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		defer func() {
			for _, c := range held {
				c.Release()
			}
		}()
		if r := raw(t, env, http.MethodGet, "/healthz", "", nil, nil); r.Status != http.StatusOK {
			t.Fatalf("/healthz with the pool exhausted: %d %s, want 200", r.Status, r.Body)
		}
	})
}
