package aggregate_test

import (
	"context"
	"testing"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// TestBackfillProjectsWhatHasNoFacts: the start-up backfill projects the
// counted submissions that have no facts (asking internal/submission which
// those are, issue 14), and only those: a draft has none to make, and a
// second run finds nothing to do.
func TestBackfillProjectsWhatHasNoFacts(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	e := newEnv(t, pool, nil)
	e.openCycle(t, "2027", "implementation-v1")
	doc := shippedComplete(t)
	v := e.save(t, "2027", "KEN", doc, nil)
	e.submit(t, "2027", "KEN", v)
	e.save(t, "2027", "UGA", doc, nil) // a draft: not counted
	v = e.save(t, "2027", "GHA", doc, nil)
	e.submit(t, "2027", "GHA", v)

	facts := func(state string) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM answer_facts WHERE state_code = $1`, state).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ken := facts("KEN")
	if ken == 0 || facts("GHA") != ken || facts("UGA") != 0 {
		t.Fatalf("facts after submitting: KEN %d, GHA %d, UGA %d", ken, facts("GHA"), facts("UGA"))
	}
	if _, err := pool.Exec(ctx, `DELETE FROM answer_facts WHERE state_code = 'KEN'`); err != nil {
		t.Fatal(err)
	}
	n, err := aggregate.Backfill(ctx, pool, e.reg)
	if err != nil || n != 1 {
		t.Fatalf("Backfill = %d, %v; want KEN's one submission", n, err)
	}
	if facts("KEN") != ken || facts("GHA") != ken || facts("UGA") != 0 {
		t.Fatalf("facts after the backfill: KEN %d (want %d), GHA %d, UGA %d", facts("KEN"), ken, facts("GHA"), facts("UGA"))
	}
	if n, err := aggregate.Backfill(ctx, pool, e.reg); err != nil || n != 0 {
		t.Fatalf("a second Backfill = %d, %v; want nothing to do", n, err)
	}
}
