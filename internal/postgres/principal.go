package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Principal is who the database sees acting in a transaction: the
// row-level security policies of the migrations read it (irm_role(),
// irm_state(), irm_token()), and audit rows, versions and comments record
// it. internal/auth puts one in the context with every authenticated
// principal; background work uses System. The database takes it only from
// irm_act (migration 00014), which checks that the app role names a live
// token of exactly that role and State, or SYSTEM with none.
type Principal struct {
	Role    string // FOCAL_POINT, WORKING_GROUP, SECRETARIAT or SYSTEM
	State   string // a focal point's State (ISO3)
	TokenID int64  // 0 when no token acts (System)
}

// System is the service's own background work (report rendering,
// schedules, start-up tasks): it reads every State's rows.
var System = Principal{Role: "SYSTEM"}

type principalKey struct{}

// WithPrincipal returns a context whose transactions act as p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

var (
	roles      = map[string]bool{"FOCAL_POINT": true, "WORKING_GROUP": true, "SECRETARIAT": true, "SYSTEM": true}
	stateShape = regexp.MustCompile(`^[A-Z]{3}$`)
)

// beginQuery is the statement that opens a transaction acting as the
// principal in ctx: BEGIN and irm_act(role, state, token) in one round
// trip. irm_act verifies the principal against the tokens table (when the
// login is not the owner) and seals the settings it writes with
// set_config(..., true), so they last exactly as long as the transaction
// and never leak to the next user of the pooled connection; a principal
// it refuses fails the BEGIN (and pgx closes that connection). The values
// are checked against their fixed shapes before they are written as
// literals (a parameter cannot travel with BEGIN). Without a principal the
// transaction sees no row of a table under row-level security.
func beginQuery(ctx context.Context, readOnly bool) (string, error) {
	begin := "BEGIN"
	if readOnly {
		begin = "BEGIN READ ONLY"
	}
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return begin, nil
	}
	if !roles[p.Role] || (p.State != "" && !stateShape.MatchString(p.State)) || p.TokenID < 0 {
		return "", fmt.Errorf("database principal %+v is not valid", p)
	}
	return begin + "; SELECT irm_act('" + p.Role + "', '" + p.State + "', " + strconv.FormatInt(p.TokenID, 10) + ")", nil
}

// Tx runs fn in a transaction acting as the principal in ctx, committing
// when fn returns nil. Every statement on a table under row-level
// security goes through Tx or ReadTx: a query straight on the pool sees
// no rows when the service runs as its app role.
func Tx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	q, err := beginQuery(ctx, false)
	if err != nil {
		return err
	}
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{BeginQuery: q}, fn)
}

// ReadTx runs fn in a read-only transaction acting as the principal in ctx.
func ReadTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	q, err := beginQuery(ctx, true)
	if err != nil {
		return err
	}
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{BeginQuery: q}, fn)
}
