package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/migrations"
)

// A database from before migration 00005 keeps its tokens and audit
// events: live tokens that share a name get distinct ones, and the events
// recorded so far become the start of the chain.
func TestIntegrityMigrationUpgradesExistingTokensAndEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO tokens (name, role, secret_sha256, revoked_at) VALUES
			('Desk', 'SECRETARIAT', '\x01', NULL), ('desk', 'SECRETARIAT', '\x02', NULL),
			('Old', 'SECRETARIAT', '\x03', now()), ('Old', 'SECRETARIAT', '\x04', NULL);
		INSERT INTO audit_events (actor, action, subject, detail) VALUES
			('Desk', 'cycle.open', 'cycle/2027', '{"b": 1, "a": "x"}'), ('desk', 'state.set_party', 'state/KEN', '{}'),
			('Desk', 'submission.create', 'submission/1', '{}')`); err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := pool.Query(ctx, `SELECT name || CASE WHEN revoked_at IS NULL THEN '' ELSE ' (revoked)' END FROM tokens ORDER BY id`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, ", "); got != "Desk, desk #2, Old (revoked), Old" {
		t.Fatalf("token names: got %q, want the second live \"desk\" renamed and the rest kept", got)
	}
	var rep audit.Report
	if err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		rep, err = audit.Verify(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if rep.Broken != nil || rep.Events != 3 {
		t.Fatalf("the chain after the upgrade: %d events, broken %+v; want the 3 old events chained", rep.Events, rep.Broken)
	}
	// And the next event follows them, once sealed.
	if _, err := pool.Exec(ctx, `INSERT INTO audit_events (actor, action, subject) VALUES ('x', 'y', 'z')`); err != nil {
		t.Fatal(err)
	}
	if rep := verifyAudit(t, pool); rep.Broken != nil || rep.Events != 3 || rep.Pending != 1 {
		t.Fatalf("after one more event: %d events, %d waiting, broken %+v; want 3 and 1", rep.Events, rep.Pending, rep.Broken)
	}
	if n, err := audit.Seal(ctx, pool); err != nil || n != 1 {
		t.Fatalf("seal: %d, %v", n, err)
	}
	if rep := verifyAudit(t, pool); rep.Broken != nil || rep.Events != 4 || rep.Pending != 0 {
		t.Fatalf("after sealing it: %d events, %d waiting, broken %+v; want 4 and 0", rep.Events, rep.Pending, rep.Broken)
	}
}

// Migration 00012 moves the chain out of audit_events into audit_chain
// and back: down, the events still waiting are chained first and appends
// chain themselves again; up, the chain is kept whole, every hash as the
// old trigger and the sealer computed it, and the app role gets nothing
// on the new tables even though default privileges offered it all.
func TestAuditSealerMigrationKeepsTheChainBothWays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	insert := func(n int) {
		t.Helper()
		for i := range n {
			if _, err := pool.Exec(ctx, `INSERT INTO audit_events (actor, action, subject, detail) VALUES ('Desk', 'test.event', $1, '{"b": 1, "a": "x"}')`,
				fmt.Sprintf("x/%d", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	insert(3)
	if n, err := audit.SealAll(ctx, pool); err != nil || n != 3 {
		t.Fatalf("seal: %d, %v", n, err)
	}
	insert(2) // left waiting
	if _, err := provider.DownTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	var events, chained, last int64
	var gone bool
	if err := pool.QueryRow(ctx, `SELECT count(*), count(chain_seq), max(chain_seq),
			to_regclass('audit_chain') IS NULL AND to_regclass('audit_pending') IS NULL FROM audit_events`).
		Scan(&events, &chained, &last, &gone); err != nil {
		t.Fatal(err)
	}
	if events != 5 || chained != 5 || last != 5 || !gone {
		t.Fatalf("down: %d events, %d chained up to %d, new tables gone %v; want all 5 chained in audit_events", events, chained, last, gone)
	}
	insert(1)
	if err := pool.QueryRow(ctx, `SELECT chain_seq FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&last); err != nil || last != 6 {
		t.Fatalf("down: the next event's chain position is %d (%v), want 6 at once", last, err)
	}

	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := verifyAudit(t, pool); rep.Broken != nil || rep.Events != 6 || rep.Pending != 0 {
		t.Fatalf("up: %d events, %d waiting, broken %+v; want the 6 chained", rep.Events, rep.Pending, rep.Broken)
	}
	insert(1)
	if n, err := audit.SealAll(ctx, pool); err != nil || n != 1 {
		t.Fatalf("up: sealed %d, %v; want the new event", n, err)
	}
	if rep := verifyAudit(t, pool); rep.Broken != nil || rep.Events != 7 {
		t.Fatalf("up: %d events, broken %+v; want 7", rep.Events, rep.Broken)
	}
	var offered, chain, queue bool
	if _, err := pool.Exec(ctx, `CREATE TABLE probe (id int)`); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT has_table_privilege($1, 'probe', 'INSERT'),
			has_table_privilege($1, 'audit_chain', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'),
			has_table_privilege($1, 'audit_pending', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')`, pgtest.AppRole).
		Scan(&offered, &chain, &queue); err != nil {
		t.Fatal(err)
	}
	if !offered || chain || queue {
		t.Fatalf("the app role: a new table %v (default privileges), audit_chain %v, audit_pending %v; want true, false, false",
			offered, chain, queue)
	}
}

func verifyAudit(t *testing.T, pool *pgxpool.Pool) audit.Report {
	t.Helper()
	var rep audit.Report
	err := pgx.BeginTxFunc(context.Background(), pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		rep, err = audit.Verify(context.Background(), tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
