package auth

import (
	"context"
	"errors"
	"fmt"

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
