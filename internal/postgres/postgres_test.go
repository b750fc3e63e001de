package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

func TestTimesComeBackInUTCWhateverTheMachinesZone(t *testing.T) {
	saved := time.Local
	time.Local = time.FixedZone("UTC+5", 5*3600)
	t.Cleanup(func() { time.Local = saved })

	pool, err := postgres.Open(context.Background(), pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var at time.Time
	if err := pool.QueryRow(context.Background(), `SELECT '2027-03-31 23:30:00+00'::timestamptz`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if at.Location() != time.UTC || at.Format(time.RFC3339) != "2027-03-31T23:30:00Z" {
		t.Fatalf("got %s in %s, want 2027-03-31T23:30:00Z in UTC", at.Format(time.RFC3339), at.Location())
	}
}

func TestMigrationsApplyOnceUnderConcurrentStarts(t *testing.T) {
	// Three replicas starting at once on an empty database.
	url := pgtest.NewURL(t)
	ctx := context.Background()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- postgres.Migrate(ctx, pool, migrationsFS(), discard()) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("a replica failed to migrate: %v", err)
		}
	}
	var applied int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if want := migrationCount(t); applied != want {
		t.Fatalf("got %d applied migrations, want %d (each once)", applied, want)
	}
}
