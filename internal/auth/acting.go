package auth

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/postgres"
)

// A service method is given the caller (p, for its policy checks) and a
// context (whose principal row-level security and the audit read). The
// two must be one identity: Acting is the one place that checks they
// agree, and Tx and ReadTx open a service's transactions only then.

// Acting checks that p is the principal in ctx, when ctx carries one (as
// every request's does). A context without one is background or
// command-line work, whose transactions act as the context says.
func Acting(ctx context.Context, p Principal) error {
	c, ok := FromContext(ctx)
	if !ok {
		return nil
	}
	if c.TokenID != p.TokenID || c.Role != p.Role || c.State != p.State {
		return fmt.Errorf("the caller given (token %d, %s %s) is not the one in the context (token %d, %s %s): refused",
			p.TokenID, p.Role, p.State, c.TokenID, c.Role, c.State)
	}
	return nil
}

// Tx runs fn in a transaction acting as the principal in ctx, which must
// be p (Acting).
func Tx(ctx context.Context, pool *pgxpool.Pool, p Principal, fn func(pgx.Tx) error) error {
	if err := Acting(ctx, p); err != nil {
		return err
	}
	return postgres.Tx(ctx, pool, fn)
}

// ReadTx runs fn in a read-only transaction acting as the principal in
// ctx, which must be p (Acting).
func ReadTx(ctx context.Context, pool *pgxpool.Pool, p Principal, fn func(pgx.Tx) error) error {
	if err := Acting(ctx, p); err != nil {
		return err
	}
	return postgres.ReadTx(ctx, pool, fn)
}
