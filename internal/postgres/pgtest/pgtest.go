// Package pgtest gives each test a fresh, migrated PostgreSQL database.
//
// The first test in a process builds (or finds) a template database holding
// the current migrations and reference data; every test then gets its own
// database cloned from it with CREATE DATABASE ... TEMPLATE, dropped at the
// end of the test. The server is IRM_TEST_DATABASE_URL, by default the local
// one on 127.0.0.1:5432; only its "postgres" database needs to exist.
//
// The template is migrated as the server's login (the owner) and grants the
// login role AppRole what the service needs, as "irm migrate --app-role"
// does; AppURL names a test database as that role, so that end-to-end
// tests run the service under row-level security as in production.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/migrations"
)

// AdminURL is the server's maintenance database, where databases are created.
func AdminURL() string {
	if u := os.Getenv("IRM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// AppRole is the service's login in tests: it owns nothing, is no
// superuser and does not bypass row-level security. It is created once per
// server (roles are shared by its databases).
const AppRole = "irm_test_app"

// AppURL returns the URL of the same database as url, logged in as AppRole.
func AppURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		panic(fmt.Sprintf("pgtest: %v", err))
	}
	parsed.User = url.UserPassword(AppRole, AppRole)
	return parsed.String()
}

// NewApp returns a pool on a new database as the owner (for setting up and
// checking) and a pool on the same database as AppRole (for the service),
// configured by configure.
func NewApp(t testing.TB, configure ...func(*pgxpool.Config)) (owner, app *pgxpool.Pool) {
	t.Helper()
	dsn := NewURL(t)
	owner, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(owner.Close)
	app, err = postgres.Open(context.Background(), AppURL(dsn), configure...)
	if err != nil {
		t.Fatalf("pgtest: connect as %s: %v", AppRole, err)
	}
	t.Cleanup(app.Close)
	return owner, app
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// New returns a pool on a new database for this test, dropped in Cleanup.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := NewURL(t)
	pool, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewURL creates a new database for this test and returns its URL; the
// database is dropped in Cleanup.
func NewURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx) })
	if templateErr != nil {
		t.Fatalf("pgtest: template database: %v", templateErr)
	}
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v (is PostgreSQL running?)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	name := "irm_t_" + randomHex(6)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{templateName}.Sanitize())); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(AdminURL(), name)
}

// ensureTemplate builds the template for the current migrations and
// reference data, once per server, under an advisory lock so that test
// binaries running in parallel do not race.
func ensureTemplate(ctx context.Context) (string, error) {
	name := "irm_tmpl_" + digest()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w (is PostgreSQL running?)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(7346001)"); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(7346001)") //nolint:errcheck
	if _, err := admin.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+AppRole+`') THEN
			CREATE ROLE `+AppRole+` LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '`+AppRole+`';
		END IF; END $$`); err != nil {
		return "", fmt.Errorf("create role %s: %w", AppRole, err)
	}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	build := name + "_build"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{build}.Sanitize()+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{build}.Sanitize()); err != nil {
		return "", err
	}
	pool, err := postgres.Open(ctx, withDatabase(AdminURL(), build))
	if err != nil {
		return "", err
	}
	err = postgres.Migrate(ctx, pool, migrations.FS, slog.New(slog.DiscardHandler))
	if err == nil {
		err = state.Sync(ctx, pool)
	}
	if err == nil {
		err = postgres.GrantApp(ctx, pool, AppRole)
	}
	pool.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s",
		pgx.Identifier{build}.Sanitize(), pgx.Identifier{name}.Sanitize())); err != nil {
		return "", err
	}
	return name, nil
}

// digest names the template after everything that goes into it.
func digest() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error { //nolint:errcheck
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	h.Write(state.Reference())
	h.Write([]byte(postgres.GrantRules()))
	h.Write([]byte("river " + postgres.RiverSchemaVersion()))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// withDatabase returns the URL u with its database replaced by db.
func withDatabase(u, db string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		panic(fmt.Sprintf("pgtest: IRM_TEST_DATABASE_URL must be a postgres:// URL: %v", err))
	}
	parsed.Path = "/" + db
	return parsed.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}
