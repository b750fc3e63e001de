package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Cookie names. The session cookie holds a random id whose SHA-256 is the
// key of web_sessions; the pre-session cookie carries the CSRF token of
// signed-out pages (double submit); the language cookie the chosen language.
const (
	sessionCookie = "irm_session"
	preCookie     = "irm_pre"
	langCookie    = "irm_lang"
	sessionTTL    = 12 * time.Hour
)

// sessions is the one table this package owns.
type sessions struct{ pool *pgxpool.Pool }

type session struct {
	TokenID int64
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) []byte {
	s := sha256.Sum256([]byte(id))
	return s[:]
}

// create stores a session for tokenID and returns its id (for the cookie).
func (s sessions) create(ctx context.Context, tokenID int64) (id string, err error) {
	id = randomToken()
	_, err = s.pool.Exec(ctx, `INSERT INTO web_sessions (id_sha256, token_id, expires_at)
		VALUES ($1, $2, now() + $3::interval)`, hashID(id), tokenID, fmt.Sprintf("%d seconds", int(sessionTTL.Seconds())))
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// get returns the live session with id; ok is false for an unknown or
// expired one.
func (s sessions) get(ctx context.Context, id string) (session, bool, error) {
	var sess session
	err := s.pool.QueryRow(ctx, `SELECT token_id FROM web_sessions
		WHERE id_sha256 = $1 AND expires_at > now()`, hashID(id)).Scan(&sess.TokenID)
	if errors.Is(err, pgx.ErrNoRows) {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, fmt.Errorf("read session: %w", err)
	}
	return sess, true, nil
}

// end deletes the session with id, and expired sessions while at it.
func (s sessions) end(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_sha256 = $1 OR expires_at < now()`, hashID(id))
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// keys derives what the pages need to trust from one HMAC key, web_key's
// (made by "irm migrate", the same for every replica): no CSRF token is
// stored anywhere, and a token one replica issued is good at any other.
type keys struct{ key []byte }

// loadKeys reads the key once, at start.
func loadKeys(ctx context.Context, pool *pgxpool.Pool) (keys, error) {
	var k []byte
	if err := pool.QueryRow(ctx, `SELECT key FROM web_key`).Scan(&k); err != nil {
		return keys{}, fmt.Errorf("read the web application's key (web_key, made by irm migrate): %w", err)
	}
	return keys{key: k}, nil
}

// mac is the HMAC-SHA256 of value for purpose, which keeps the values
// derived for different purposes apart.
func (k keys) mac(purpose, value string) string {
	h := hmac.New(sha256.New, k.key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// csrf is the CSRF token of the session with id.
func (k keys) csrf(sessionID string) string { return k.mac("csrf", sessionID) }

// secure reports whether the request reached us over TLS, directly or
// through a proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: secure(r),
		SameSite: http.SameSiteStrictMode}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

// sameToken compares two CSRF tokens in constant time; empty never matches.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
