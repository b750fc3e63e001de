package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Principal returns the holder of the live token with id, for transports
// that keep a token's id rather than its secret (the web session). A
// revoked, expired or unknown token is ErrUnauthenticated.
func (s *Store) Principal(ctx context.Context, tokenID int64) (Principal, error) {
	var p Principal
	var state *string
	err := s.pool.QueryRow(ctx,
		`SELECT id, name, role, state_code, working_groups FROM tokens WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`, tokenID).
		Scan(&p.TokenID, &p.Name, &p.Role, &state, &p.WorkingGroups)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("principal: %w", err)
	}
	if state != nil {
		p.State = *state
	}
	return p, nil
}

// Lapsed says why secret no longer authenticates, for a person signing
// in: the time its token expired or was revoked (the earlier, when both).
// ok is false for a secret that names no token, so that a mistyped token
// and a lapsed one read differently; it tells nothing a holder of the
// secret does not know.
func (s *Store) Lapsed(ctx context.Context, secret string) (at time.Time, revoked, ok bool, err error) {
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 128 {
		return time.Time{}, false, false, nil
	}
	var expiresAt, revokedAt *time.Time
	err = s.pool.QueryRow(ctx, `SELECT expires_at, revoked_at FROM tokens WHERE secret_sha256 = $1`, hash(secret)).Scan(&expiresAt, &revokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, false, nil
	}
	if err != nil {
		return time.Time{}, false, false, fmt.Errorf("lapsed token: %w", err)
	}
	now := time.Now()
	switch {
	case revokedAt != nil && (expiresAt == nil || revokedAt.Before(*expiresAt) || expiresAt.After(now)):
		return *revokedAt, true, true, nil
	case expiresAt != nil && !expiresAt.After(now):
		return *expiresAt, false, true, nil
	}
	return time.Time{}, false, false, nil
}
