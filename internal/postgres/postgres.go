// Package postgres owns the connection pool, the migration runner over
// migrations/, the database roles (the owner that migrates, the app role
// that serves, and the grants between them), the transaction helpers that
// carry the principal to row-level security, and the translation of
// driver errors.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"golang.org/x/sync/semaphore"
)

// Open connects a pool to url and checks that the server answers;
// configure, if given, adjust the pool's configuration first (tests count
// the connections a request holds with its hooks).
func Open(ctx context.Context, url string, configure ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.ConnConfig.RuntimeParams["application_name"] = "irm"
	// Times leave the service in UTC (the contract's Time), whatever the
	// time zone of the machine it runs on.
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		conn.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	for _, c := range configure {
		c(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return pool, nil
}

// Migrate applies the pending migrations of fsys, then the job queue's
// (River's), each under a PostgreSQL session lock, so replicas that start
// together apply each migration once.
func Migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, log *slog.Logger) error {
	// A replica that finds the lock taken retries every second for up to
	// five minutes (a long migration), not every five seconds.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	// One line for the whole step (each file at debug level): the
	// start-up banner of make run must not drown under thirty of them.
	var took time.Duration
	for _, r := range results {
		log.Debug("migration applied", "file", r.Source.Path, "took", r.Duration)
		took += r.Duration
	}
	if len(results) > 0 {
		log.Info("migrations applied", "count", len(results), "last", results[len(results)-1].Source.Path, "took", took)
	}
	return migrateRiver(ctx, pool, log)
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// IsForeignKeyViolation reports whether err is a foreign-key violation:
// a row refers to one that does not exist.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// DB is what reads and single statements need: a pool or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ DB = (*pgxpool.Pool)(nil)
	_ DB = (pgx.Tx)(nil)
)

// Snapshot runs fn in a read-only REPEATABLE READ transaction acting as
// the principal in ctx: every statement in fn sees the database as it was
// at the first one, so a report or summary read in several statements is
// consistent with itself while others keep writing.
func Snapshot(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	q, err := beginQuery(ctx, true)
	if err != nil {
		return err
	}
	q = strings.Replace(q, "BEGIN READ ONLY", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 1)
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{BeginQuery: q}, fn)
}

// Beside is work for a second connection in a Snapshot's snapshot.
type Beside func(pgx.Tx) error

// SnapshotBeside runs fn as Snapshot does, and beside, at the same time on
// another connection of pool and in the same snapshot (exported by the
// first transaction, imported by the second), the work fn starts with
// start. start returns a wait function giving that work's error; fn must
// call it before it returns (the exported snapshot lives only as long as
// its transaction). When no second connection is to spare (see spare), or
// the snapshot cannot be exported, the work runs in fn's own transaction
// when wait is called, so the result is the same either way, only slower.
//
// spare bounds how many transactions at once hold one connection while
// waiting for another: with fewer than the pool's connections, a busy pool
// always has a holder that is not waiting, and cannot deadlock.
func SnapshotBeside(ctx context.Context, pool *pgxpool.Pool, spare *semaphore.Weighted,
	fn func(tx pgx.Tx, start func(Beside) (wait func() error)) error) error {
	return Snapshot(ctx, pool, func(tx pgx.Tx) error {
		var waits []func() error
		start := func(work Beside) func() error {
			wait := func() error { return work(tx) }
			if spare.TryAcquire(1) {
				var id string
				if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
					spare.Release(1)
					return func() error { return err }
				}
				done := make(chan error, 1)
				go func() {
					defer spare.Release(1)
					done <- importSnapshot(ctx, pool, id, work)
				}()
				var err error
				var once sync.Once
				wait = func() error {
					once.Do(func() { err = <-done })
					return err
				}
			}
			waits = append(waits, wait)
			return wait
		}
		err := fn(tx, start)
		for _, w := range waits { // none outlives the exporting transaction
			if werr := w(); err == nil {
				err = werr
			}
		}
		return err
	})
}

// snapshotID is the shape of pg_export_snapshot's identifiers.
var snapshotID = regexp.MustCompile(`^[0-9A-F]+-[0-9A-F]+-[0-9]+$`)

// importSnapshot runs work in a read-only REPEATABLE READ transaction that
// sees the exported snapshot id, acting as the principal in ctx.
func importSnapshot(ctx context.Context, pool *pgxpool.Pool, id string, work Beside) error {
	if !snapshotID.MatchString(id) {
		return fmt.Errorf("snapshot identifier %q has an unknown shape", id)
	}
	q, err := beginQuery(ctx, true)
	if err != nil {
		return err
	}
	// SET TRANSACTION SNAPSHOT must come before the transaction's first query.
	q = strings.Replace(q, "BEGIN READ ONLY", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '"+id+"'", 1)
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{BeginQuery: q}, work)
}
