// Package idempotency owns idempotency_keys: the first answer to a
// request sent with an Idempotency-Key header, per token, for a day, so
// that a client that retries (after a timeout, a lost connection) gets the
// first answer again instead of a second change. It lives in PostgreSQL,
// so any replica replays what another answered.
package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
)

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// MaxKeyLength bounds a key.
const MaxKeyLength = 255

// Store keeps keys in PostgreSQL.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a store over pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Answer is a stored answer.
type Answer struct {
	Status int
	Body   []byte
}

// CheckKey refuses a key that is empty, too long or not printable ASCII.
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLength {
		return apperr.BadInputT("an Idempotency-Key has 1 to {max} characters", "max", MaxKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return apperr.BadInputT("an Idempotency-Key is printable ASCII without spaces")
		}
	}
	return nil
}

// Claim records that token is running the request with hash under key.
// It returns the stored answer to replay when the same request was
// answered before (claimed false), or claimed true when the caller must
// run the request and then Complete or Release the key. The same key with
// another request, or while the first still runs, is CONFLICT.
func (s *Store) Claim(ctx context.Context, token int64, key, hash string) (claimed bool, replay *Answer, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Forget expired keys: this token's for this key, and a few others.
		if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
				SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT 100))
			OR (token_id = $1 AND key = $2 AND expires_at < now())`, token, key); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (token_id, key, request_hash, expires_at)
			VALUES ($1, $2, $3, now() + $4::interval) ON CONFLICT (token_id, key) DO NOTHING`,
			token, key, hash, fmt.Sprintf("%d seconds", int(TTL.Seconds())))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			claimed = true
			return nil
		}
		var storedHash string
		var status *int
		var body []byte
		var started time.Time
		if err := tx.QueryRow(ctx, `SELECT request_hash, status, response, created_at FROM idempotency_keys
			WHERE token_id = $1 AND key = $2`, token, key).Scan(&storedHash, &status, &body, &started); err != nil {
			return err
		}
		switch {
		case storedHash != hash:
			return apperr.ConflictT("this Idempotency-Key was used for another request: use a new key for a new request")
		case status == nil && time.Since(started) < time.Minute:
			e := apperr.E(apperr.Conflict, 0, "the first request with this Idempotency-Key is still running: retry shortly")
			e.RetryAfter = 2 * time.Second
			return e
		case status == nil:
			return apperr.ConflictT("the first request with this Idempotency-Key was interrupted and its outcome is unknown: read the current state, then use a new key")
		}
		replay = &Answer{Status: *status, Body: body}
		return nil
	})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return false, nil, err
		}
		return false, nil, fmt.Errorf("idempotency key: %w", err)
	}
	return claimed, replay, nil
}

// Complete stores the answer to replay for a claimed key.
func (s *Store) Complete(ctx context.Context, token int64, key string, a Answer) error {
	_, err := s.pool.Exec(ctx, `UPDATE idempotency_keys SET status = $3, response = $4 WHERE token_id = $1 AND key = $2`,
		token, key, a.Status, a.Body)
	if err != nil {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}

// Release forgets a claimed key whose request changed nothing (it failed
// inside), so that a retry runs it again.
func (s *Store) Release(ctx context.Context, token int64, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND status IS NULL`, token, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
