package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// riverLock is the advisory lock held while River's migrations run, so
// that replicas starting together apply each once.
const riverLock = 7346002

// migrateRiver applies the job queue's own migrations (River, which
// internal/schedule uses for render jobs). They are part of the schema:
// every caller of Migrate gets them, in the same step as ours.
func migrateRiver(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	// River logs each migration at info level itself; those lines are
	// ours to summarise, its warnings and errors pass.
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(minLevel{log.Handler(), slog.LevelWarn})})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	// River runs each migration in its own transaction (some cannot share
	// one), so the lock is a session lock on one connection held for the
	// duration, released before the connection goes back to the pool.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, riverLock); err != nil {
		return fmt.Errorf("river migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, riverLock) //nolint:errcheck
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("apply river migrations: %w", err)
	}
	var took time.Duration
	for _, v := range res.Versions {
		log.Debug("river migration applied", "version", v.Version, "name", v.Name, "took", v.Duration)
		took += v.Duration
	}
	if n := len(res.Versions); n > 0 {
		log.Info("river migrations applied", "count", n, "version", res.Versions[n-1].Version, "took", took)
	}
	return nil
}

// minLevel passes on the records of at least min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}

// RiverSchemaVersion names the latest River migration this binary
// applies (for the test template's digest).
func RiverSchemaVersion() string {
	migrator, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return "unknown"
	}
	all := migrator.AllVersions()
	if len(all) == 0 {
		return "none"
	}
	return strconv.Itoa(all[len(all)-1].Version)
}
