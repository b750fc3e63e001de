// Package auth owns bearer tokens (random, stored hashed), roles, the
// principal in the request context, and one policy function per action.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
)

// Role is what a token holder may do.
type Role string

const (
	FocalPoint   Role = "FOCAL_POINT"   // acts for one State
	WorkingGroup Role = "WORKING_GROUP" // member of one or more working groups
	Secretariat  Role = "SECRETARIAT"   // runs cycles, reviews, publishes
)

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToUpper(strings.TrimSpace(s))); r {
	case FocalPoint, WorkingGroup, Secretariat:
		return r, nil
	}
	return "", apperr.BadInputf("unknown role %q: want FOCAL_POINT, WORKING_GROUP or SECRETARIAT", s)
}

// Principal is the authenticated caller.
type Principal struct {
	TokenID       int64
	Name          string
	Role          Role
	State         string   // ISO3, focal points only
	WorkingGroups []string // working-group members only
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// ErrUnauthenticated is returned for a missing or unknown token.
var ErrUnauthenticated = apperr.New(apperr.Unauthenticated, "missing or unknown bearer token")

// Store keeps tokens in PostgreSQL.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a token store over pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// NewToken describes a token to create.
type NewToken struct {
	Name          string
	Role          Role
	State         string
	WorkingGroups []string
}

const secretPrefix = "irm_"

// Create stores a new token and returns its secret, which is never stored.
// Working-group ids must be checked by the caller against the catalogue.
func (s *Store) Create(ctx context.Context, t NewToken) (string, error) {
	t.Name = strings.TrimSpace(t.Name)
	t.State = strings.ToUpper(strings.TrimSpace(t.State))
	switch {
	case t.Name == "":
		return "", apperr.BadInputf("a token needs a name")
	case t.Role == FocalPoint && t.State == "":
		return "", apperr.BadInputf("a FOCAL_POINT token needs --state ISO3")
	case t.Role != FocalPoint && t.State != "":
		return "", apperr.BadInputf("only a FOCAL_POINT token has a State")
	case t.Role == WorkingGroup && len(t.WorkingGroups) == 0:
		return "", apperr.BadInputf("a WORKING_GROUP token needs at least one --working-group")
	case t.Role != WorkingGroup && len(t.WorkingGroups) > 0:
		return "", apperr.BadInputf("only a WORKING_GROUP token has working groups")
	}
	if _, err := ParseRole(string(t.Role)); err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("token secret: %w", err)
	}
	secret := secretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	var state *string
	if t.State != "" {
		var exists bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM states WHERE code = $1)`, t.State).Scan(&exists); err != nil {
			return "", fmt.Errorf("check state: %w", err)
		}
		if !exists {
			return "", apperr.NotFoundf("no State with code %q", t.State)
		}
		state = &t.State
	}
	wgs := t.WorkingGroups
	if wgs == nil {
		wgs = []string{}
	}
	_, err := s.pool.Exec(ctx,
		`INSERT INTO tokens (name, role, state_code, working_groups, secret_sha256) VALUES ($1, $2, $3, $4, $5)`,
		t.Name, string(t.Role), state, wgs, hash(secret))
	if err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	return secret, nil
}

// Authenticate returns the principal holding secret.
func (s *Store) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 128 {
		return Principal{}, ErrUnauthenticated
	}
	var p Principal
	var state *string
	err := s.pool.QueryRow(ctx,
		`SELECT id, name, role, state_code, working_groups FROM tokens
		 WHERE secret_sha256 = $1 AND revoked_at IS NULL`, hash(secret)).
		Scan(&p.TokenID, &p.Name, &p.Role, &state, &p.WorkingGroups)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if state != nil {
		p.State = *state
	}
	return p, nil
}

// RevokeNamed revokes every live token whose name starts with prefix and
// returns how many it revoked.
func (s *Store) RevokeNamed(ctx context.Context, prefix string) (int64, error) {
	tag, err := s.pool.Exec(ctx,
		`UPDATE tokens SET revoked_at = now() WHERE revoked_at IS NULL AND starts_with(name, $1)`, prefix)
	if err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	return tag.RowsAffected(), nil
}

func hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
