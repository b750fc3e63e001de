package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// The service's login (the app role) gets, on every table of the schema,
// SELECT, INSERT, UPDATE and DELETE, except where appGrants says less; on
// every sequence USAGE and SELECT. A table added by a later migration is
// covered by the next "irm migrate --app-role", and by the default
// privileges GrantApp sets for the owner in between; a table the service
// must not change fully gets its entry here.
var appGrants = map[string][]string{
	// Append-only, and chained by hash after commit (migrations 00005 and
	// 00012).
	"audit_events": {"SELECT", "INSERT"},
	// Only the audit functions, running as the owner, write the chain, its
	// head and the queue of events waiting for it: the insert trigger
	// queues, audit_seal() (which the service may call) chains, and
	// audit_head() tells the service the head it publishes.
	"audit_chain":      {},
	"audit_chain_head": {},
	"audit_pending":    {},
	// The key that seals the principal of a transaction (migration
	// 00014): only the owner's irm_act and irm_sealed read it.
	"irm_principal_key": {},
	// Tokens are made and revoked by the owner's "irm token"; the service
	// reads them, notes when each was last used, makes a contact's own
	// token (a trigger refuses any other, migration 00020) and revokes the
	// tokens of a deactivated contact.
	"tokens": {"SELECT", "INSERT", "UPDATE (last_used_at, revoked_at)"},
	// The web application's HMAC key is made by "irm migrate" (00013);
	// the service reads it.
	"web_key": {"SELECT"},
	// The reference data is kept in step by "irm migrate"; the secretariat
	// sets party through the service.
	"states": {"SELECT", "UPDATE (party)"},
	// Versions, comments and superseded values are never changed; a
	// thread's first comment is only resolved or reopened (00025).
	"submission_versions":   {"SELECT", "INSERT"},
	"review_comments":       {"SELECT", "INSERT", "UPDATE (resolved, resolved_by, resolved_at)"},
	"observation_revisions": {"SELECT", "INSERT"},
	// The service checks that migrations are applied, never applies them;
	// the same for the job queue's (River's, see river.go).
	"goose_db_version": {"SELECT"},
	"river_migration":  {"SELECT"},
}

// GrantStatements returns the statements that give role what the service
// needs on the current schema; they are what GrantApp runs.
func GrantStatements(ctx context.Context, db Querier, role string) ([]string, error) {
	r := pgx.Identifier{role}.Sanitize()
	rows, err := db.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	out := []string{
		`GRANT USAGE ON SCHEMA public TO ` + r,
		`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ` + r,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ` + r,
	}
	for _, t := range tables {
		privs, ok := appGrants[t]
		if !ok {
			privs = []string{"SELECT", "INSERT", "UPDATE", "DELETE"}
		}
		for _, p := range privs {
			out = append(out, fmt.Sprintf(`GRANT %s ON %s TO %s`, p, pgx.Identifier{t}.Sanitize(), r))
		}
	}
	return out, nil
}

// GrantRules describes appGrants, for the test helper's template digest.
func GrantRules() string { return fmt.Sprint(appGrants) }

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// GrantApp gives the existing login role what the service needs on the
// tables pool's login owns, and nothing more (see appGrants).
func GrantApp(ctx context.Context, pool *pgxpool.Pool, role string) error {
	var ok, super, bypass bool
	err := pool.QueryRow(ctx, `SELECT true, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, role).Scan(&ok, &super, &bypass)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("app role %q does not exist: create it first (CREATE ROLE %s LOGIN PASSWORD '...')",
			role, pgx.Identifier{role}.Sanitize())
	}
	if err != nil {
		return fmt.Errorf("app role: %w", err)
	}
	var isOwner bool
	if err := pool.QueryRow(ctx, `SELECT $1 = current_user`, role).Scan(&isOwner); err != nil {
		return err
	}
	switch {
	case isOwner:
		return fmt.Errorf("app role %q is the login that migrates: the service's role must be another login, which owns nothing", role)
	case super || bypass:
		return fmt.Errorf("app role %q is a superuser or bypasses row-level security: ALTER ROLE %s NOSUPERUSER NOBYPASSRLS",
			role, pgx.Identifier{role}.Sanitize())
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		stmts, err := GrantStatements(ctx, tx, role)
		if err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
}

// CheckAppRole returns an error naming the fix when pool's login may do
// more than the service needs: a superuser, a role that bypasses
// row-level security, or one that owns (or may act as the owner of) the
// tables.
func CheckAppRole(ctx context.Context, pool *pgxpool.Pool) error {
	var user string
	var super, bypass bool
	var owned []string
	err := pool.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolbypassrls,
			coalesce((SELECT array_agg(c.relname ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
					AND pg_has_role(current_user, c.relowner, 'USAGE')), '{}')
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&user, &super, &bypass, &owned)
	if err != nil {
		return fmt.Errorf("check the database role: %w", err)
	}
	const fix = ("serve with the app role's URL (irm migrate --database-url OWNER_URL --app-role NAME grants it what it needs; see README, \"Running it for real\"), or pass --unsafe-db-role")
	switch {
	case super:
		return fmt.Errorf("the database login %q is a superuser, so row-level security does not apply to it: %s", user, fix)
	case bypass:
		return fmt.Errorf("the database login %q bypasses row-level security (ALTER ROLE %s NOBYPASSRLS): %s",
			user, pgx.Identifier{user}.Sanitize(), fix)
	case len(owned) > 0:
		if len(owned) > 3 {
			owned = append(owned[:3], "...")
		}
		return fmt.Errorf("the database login %q owns (or may act as the owner of) the tables %s, so row-level security does not apply to it: %s",
			user, strings.Join(owned, ", "), fix)
	}
	return nil
}

// CheckMigrated returns an error when migrations in fsys are not applied.
func CheckMigrated(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	current, target, err := provider.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read the database's migration version (has irm migrate run?): %w", err)
	}
	if current < target {
		return fmt.Errorf("the database is at migration %d and this binary needs %d: run irm migrate --database-url OWNER_URL --app-role NAME first", current, target)
	}
	return nil
}
