package auth

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/audit"
)

// A contact (internal/people) holds one token of its own, made with the
// contact in the same transaction: its secret is drawn and forgotten, so
// only a sign-in link (which starts a web session on it) ever acts with
// it. Deactivating the contact revokes it with every other token linked
// to the person.

// CreateForContact stores the token of contact id in tx and returns the
// token's id. The caller checked t (role, State, working groups) as it
// checks the contact.
func CreateForContact(ctx context.Context, tx pgx.Tx, contactID int64, t NewToken) (int64, error) {
	secret, err := newSecret()
	if err != nil {
		return 0, err
	}
	state, wgs := t.columns()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO tokens (name, role, state_code, working_groups, secret_sha256, contact_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		t.Name, string(t.Role), state, wgs, hash(secret), contactID).Scan(&id); err != nil {
		return 0, fmt.Errorf("store the contact's token: %w", err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Actor: actor(ctx), Action: "token.create", Subject: fmt.Sprintf("token/%d", id),
		Detail: map[string]any{"name": t.Name, "role": t.Role, "state": state, "workingGroups": wgs, "contact": contactID}})
}

// ContactToken returns the live token of contact id, 0 when it has none.
func ContactToken(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, contactID int64) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM tokens WHERE contact_id = $1 AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > now())`, contactID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("contact's token: %w", err)
	}
	return id, nil
}

// RevokeContact revokes every live token of contact id in tx and returns
// how many: their holders, and every web session on them, are
// UNAUTHENTICATED from the next request on.
func RevokeContact(ctx context.Context, tx pgx.Tx, contactID int64) (int, error) {
	rows, err := tx.Query(ctx, `UPDATE tokens SET revoked_at = now() WHERE contact_id = $1 AND revoked_at IS NULL
		RETURNING id, name, role`, contactID)
	if err != nil {
		return 0, fmt.Errorf("revoke the contact's tokens: %w", err)
	}
	revoked, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		return t, r.Scan(&t.ID, &t.Name, &t.Role)
	})
	if err != nil {
		return 0, fmt.Errorf("revoke the contact's tokens: %w", err)
	}
	for _, t := range revoked {
		if err := audit.Record(ctx, tx, audit.Event{Actor: actor(ctx), Action: "token.revoke", Subject: fmt.Sprintf("token/%d", t.ID),
			Detail: map[string]any{"name": t.Name, "role": t.Role, "contact": contactID}}); err != nil {
			return 0, err
		}
	}
	return len(revoked), nil
}
