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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/postgres"
)

// Role is what a token holder may do.
type Role string

const (
	FocalPoint   Role = "FOCAL_POINT"   // acts for one State
	WorkingGroup Role = "WORKING_GROUP" // member of one or more working groups
	Secretariat  Role = "SECRETARIAT"   // runs cycles, reviews, publishes
	// System is the service's own work and the owner's commands (no
	// token); no token has it and no policy function allows it anything.
	System Role = "SYSTEM"
)

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToUpper(strings.TrimSpace(s))); r {
	case FocalPoint, WorkingGroup, Secretariat:
		return r, nil
	}
	return "", apperr.BadInputT("unknown role \"{role}\": want FOCAL_POINT, WORKING_GROUP or SECRETARIAT", "role", s)
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

// WithPrincipal returns a context carrying p, for the policy functions'
// callers and for the database: the transactions of internal/postgres
// opened with this context act as p under row-level security, and record
// its token in audit rows, versions and comments.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	ctx = postgres.WithPrincipal(ctx, postgres.Principal{Role: string(p.Role), State: p.State, TokenID: p.TokenID})
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// ErrUnauthenticated is returned for a missing, unknown, expired or
// revoked token.
var ErrUnauthenticated = apperr.T(apperr.Unauthenticated, "missing, unknown, expired or revoked bearer token")

// actor names who acts in ctx for audit events: the principal's name, or
// the owner's command line.
func actor(ctx context.Context) string {
	if p, ok := FromContext(ctx); ok && p.Name != "" {
		return p.Name
	}
	return "irm command line"
}

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
	ExpiresAt     *time.Time // nil: until revoked
	// ContactID links the token to a contact (internal/people), whose
	// deactivation revokes it; 0: none.
	ContactID int64
}

const secretPrefix = "irm_"

// Create stores a new token and returns its secret, which is never stored.
// Working-group ids must be checked by the caller against the catalogue.
func (s *Store) Create(ctx context.Context, t NewToken) (string, error) {
	t.Name = strings.TrimSpace(t.Name)
	t.State = strings.ToUpper(strings.TrimSpace(t.State))
	switch {
	case t.Name == "":
		return "", apperr.BadInputT("a token needs a name")
	case t.Role == FocalPoint && t.State == "":
		return "", apperr.BadInputT("a FOCAL_POINT token needs --state ISO3")
	case t.Role != FocalPoint && t.State != "":
		return "", apperr.BadInputT("only a FOCAL_POINT token has a State")
	case t.Role == WorkingGroup && len(t.WorkingGroups) == 0:
		return "", apperr.BadInputT("a WORKING_GROUP token needs at least one --working-group")
	case t.Role != WorkingGroup && len(t.WorkingGroups) > 0:
		return "", apperr.BadInputT("only a WORKING_GROUP token has working groups")
	case len(t.Name) > 200 || strings.IndexByte(t.Name, 0) >= 0:
		return "", apperr.BadInputT("a token's name is at most 200 bytes of text")
	case t.ExpiresAt != nil && !t.ExpiresAt.After(time.Now()):
		return "", apperr.BadInputT("the expiry {expiry} is not in the future", "expiry", t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if _, err := ParseRole(string(t.Role)); err != nil {
		return "", err
	}
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	state, wgs := t.columns()
	err = postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO tokens (name, role, state_code, working_groups, secret_sha256, expires_at, contact_id)
			VALUES ($1, $2, $3, $4, $5, $6, nullif($7, 0)) RETURNING id`,
			t.Name, string(t.Role), state, wgs, hash(secret), t.ExpiresAt, t.ContactID).Scan(&id)
		if postgres.IsUniqueViolation(err) {
			return apperr.ConflictT("a live token named \"{name}\" exists already: token names are unique whatever their case", "name", t.Name)
		}
		if postgres.IsForeignKeyViolation(err) { // the States are internal/state's: their key says which exist
			if t.ContactID != 0 {
				return apperr.NotFoundT("no State with code \"{code}\", or no contact with id {id}", "code", t.State, "id", t.ContactID)
			}
			return apperr.NotFoundT("no State with code \"{code}\"", "code", t.State)
		}
		if err != nil {
			return fmt.Errorf("store token: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: actor(ctx), Action: "token.create", Subject: fmt.Sprintf("token/%d", id),
			Detail: map[string]any{"name": t.Name, "role": t.Role, "state": state, "workingGroups": wgs, "expiresAt": t.ExpiresAt}})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Authenticate returns the principal holding secret, if the token is
// neither expired nor revoked, and notes its use (at most once a minute
// per token, in the same statement, so that a busy token costs no write
// per request).
func (s *Store) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 128 {
		return Principal{}, ErrUnauthenticated
	}
	var p Principal
	var state *string
	err := s.pool.QueryRow(ctx, `WITH t AS (
			SELECT id, name, role, state_code, working_groups FROM tokens
			WHERE secret_sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())),
		used AS (
			UPDATE tokens SET last_used_at = now() FROM t
			WHERE tokens.id = t.id AND (tokens.last_used_at IS NULL OR tokens.last_used_at < now() - interval '1 minute'))
		SELECT id, name, role, state_code, working_groups FROM t`, hash(secret)).
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

// Token describes a stored token (never its secret).
type Token struct {
	ID            int64
	Name          string
	Role          Role
	State         string
	WorkingGroups []string
	CreatedAt     time.Time
	ExpiresAt     *time.Time
	LastUsedAt    *time.Time
	RevokedAt     *time.Time
}

// Live reports whether the token authenticates at now.
func (t Token) Live(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || t.ExpiresAt.After(now))
}

// Unusable returns those of ids whose tokens no longer authenticate
// (revoked, expired or gone), for the holders of sessions to drop.
func (s *Store) Unusable(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM unnest($1::bigint[]) AS i(id)
		WHERE NOT EXISTS (SELECT 1 FROM tokens t WHERE t.id = i.id AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()))`, ids)
	if err != nil {
		return nil, fmt.Errorf("unusable tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("unusable tokens: %w", err)
	}
	return out, nil
}

// List returns the tokens, oldest first; revoked ones only when all is set.
func (s *Store) List(ctx context.Context, all bool) ([]Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, role, coalesce(state_code, ''), working_groups,
			created_at, expires_at, last_used_at, revoked_at
		FROM tokens WHERE $1 OR revoked_at IS NULL ORDER BY id`, all)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.Name, &t.Role, &t.State, &t.WorkingGroups, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// Revoke revokes the live token with id; its holder is UNAUTHENTICATED
// from the next request on.
func (s *Store) Revoke(ctx context.Context, id int64) (Token, error) {
	var t Token
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
			RETURNING id, name, role, coalesce(state_code, ''), revoked_at`, id).Scan(&t.ID, &t.Name, &t.Role, &t.State, &t.RevokedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("no live token with id {id} (irm token list shows them)", "id", id)
		}
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: actor(ctx), Action: "token.revoke", Subject: fmt.Sprintf("token/%d", id),
			Detail: map[string]any{"name": t.Name, "role": t.Role}})
	})
	return t, err
}

// RevokeNamed revokes every live token whose name starts with prefix and
// returns how many it revoked.
func (s *Store) RevokeNamed(ctx context.Context, prefix string) (int64, error) {
	var n int64
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE tokens SET revoked_at = now() WHERE revoked_at IS NULL AND starts_with(name, $1)
			RETURNING id, name, role`, prefix)
		if err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		revoked, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
			var t Token
			return t, r.Scan(&t.ID, &t.Name, &t.Role)
		})
		if err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		for _, t := range revoked {
			if err := audit.Record(ctx, tx, audit.Event{Actor: actor(ctx), Action: "token.revoke", Subject: fmt.Sprintf("token/%d", t.ID),
				Detail: map[string]any{"name": t.Name, "role": t.Role}}); err != nil {
				return err
			}
		}
		n = int64(len(revoked))
		return nil
	})
	return n, err
}

func hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// newSecret draws a token's secret: the prefix and 32 random bytes.
func newSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("token secret: %w", err)
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(raw), nil
}

// columns are t's State (NULL when it has none) and working groups (never
// NULL) as the tokens table stores them.
func (t NewToken) columns() (state *string, wgs []string) {
	if t.State != "" {
		state = &t.State
	}
	wgs = t.WorkingGroups
	if wgs == nil {
		wgs = []string{}
	}
	return state, wgs
}
