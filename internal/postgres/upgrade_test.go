package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
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
	// And the next event follows them.
	if _, err := pool.Exec(ctx, `INSERT INTO audit_events (actor, action, subject) VALUES ('x', 'y', 'z')`); err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		rep, err = audit.Verify(ctx, tx)
		return err
	}); err != nil || rep.Broken != nil || rep.Events != 4 {
		t.Fatalf("after one more event: %d events, broken %+v, %v", rep.Events, rep.Broken, err)
	}
}
