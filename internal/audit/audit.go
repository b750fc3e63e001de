// Package audit appends audit events. Events are written in the same
// transaction as the change they describe and are never updated.
package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Event is one recorded action.
type Event struct {
	Actor   string // the token holder's name
	Action  string // e.g. "submission.submit"
	Subject string // e.g. "submission/<id>", "state/KEN"
	Detail  any    // JSON-encodable, may be nil
}

// Record appends e inside tx.
func Record(ctx context.Context, tx pgx.Tx, e Event) error {
	detail := []byte("{}")
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		detail = b
	}
	_, err := tx.Exec(ctx,
		`INSERT INTO audit_events (actor, action, subject, detail) VALUES ($1, $2, $3, $4)`,
		e.Actor, e.Action, e.Subject, detail)
	if err != nil {
		return fmt.Errorf("record audit event: %w", err)
	}
	return nil
}
