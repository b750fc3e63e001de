package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/semaphore"

	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// TestSnapshotBesideSeesTheSameSnapshot: work started beside a snapshot
// reads what the snapshot reads, not what committed after it began, as
// the snapshot's principal, whether it ran on a second connection or,
// with none to spare, in the snapshot's own transaction.
func TestSnapshotBesideSeesTheSameSnapshot(t *testing.T) {
	pool := pgtest.New(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.Principal{Role: "WORKING_GROUP", TokenID: 7})
	if _, err := pool.Exec(ctx, `CREATE TABLE beside (n int)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		spare int64
	}{{"on a second connection", 1}, {"with no connection to spare", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := pool.Exec(ctx, `TRUNCATE beside; INSERT INTO beside VALUES (1)`); err != nil {
				t.Fatal(err)
			}
			var mine, beside int
			var besidePID, myPID int
			var role, token string
			err := postgres.SnapshotBeside(ctx, pool, semaphore.NewWeighted(tc.spare), func(tx pgx.Tx, start func(postgres.Beside) func() error) error {
				// The snapshot is taken here, at the first statement.
				if err := tx.QueryRow(ctx, `SELECT count(*), pg_backend_pid() FROM beside`).Scan(&mine, &myPID); err != nil {
					return err
				}
				// Committed after the snapshot: neither side may see it.
				if _, err := pool.Exec(ctx, `INSERT INTO beside VALUES (2)`); err != nil {
					return err
				}
				wait := start(func(tx pgx.Tx) error {
					return tx.QueryRow(ctx, `SELECT count(*), pg_backend_pid(), current_setting('irm.role'), current_setting('irm.token') FROM beside`).
						Scan(&beside, &besidePID, &role, &token)
				})
				return wait()
			})
			if err != nil {
				t.Fatal(err)
			}
			if mine != 1 || beside != 1 {
				t.Errorf("the snapshot counted %d rows and the work beside it %d, want 1 and 1", mine, beside)
			}
			if role != "WORKING_GROUP" || token != "7" {
				t.Errorf("the work beside acted as role %q token %q, want WORKING_GROUP and 7", role, token)
			}
			if second := besidePID != myPID; second != (tc.spare > 0) {
				t.Errorf("work ran on a second connection: %v, want %v", second, tc.spare > 0)
			}
		})
	}
}

// TestSnapshotBesideReturnsTheWorksError even when fn never waits for it.
func TestSnapshotBesideReturnsTheWorksError(t *testing.T) {
	pool := pgtest.New(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	err := postgres.SnapshotBeside(ctx, pool, semaphore.NewWeighted(1), func(tx pgx.Tx, start func(postgres.Beside) func() error) error {
		start(func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT * FROM no_such_table`)
			return err
		})
		return nil
	})
	if err == nil {
		t.Fatal("the failing work's error was lost")
	}
}
