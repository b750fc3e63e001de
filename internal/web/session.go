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
// signed-out pages (double submit), signed with the pages' key; the
// language cookie the chosen language. Over TLS each name takes the
// __Host- prefix (cookieName).
const (
	sessionCookie = "irm_session"
	preCookie     = "irm_pre"
	langCookie    = "irm_lang"
	sessionTTL    = 12 * time.Hour
)

// cookieName is name over plain HTTP and "__Host-" + name over TLS. A
// browser keeps a __Host- cookie only when it is Secure, has Path=/ and no
// Domain, so no other host (a sibling subdomain, a man in the middle on
// plain HTTP) can set one for this site: a cookie tossed in to sign a
// victim into the attacker's account is never read. Browsers refuse the
// prefix without Secure, so over plain HTTP (make run on 127.0.0.1) the
// plain names remain.
func cookieName(r *http.Request, name string) string {
	if secure(r) {
		return "__Host-" + name
	}
	return name
}

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

// newPre is a new pre-session token (the CSRF token of the sign-in and
// language forms before sign-in): a random nonce and its HMAC, so that a
// value the client made up is never accepted.
func (k keys) newPre() string {
	n := randomToken()
	return n + "." + k.mac("pre-session", n)
}

// preOK reports whether v is a pre-session token this service issued.
func (k keys) preOK(v string) bool {
	n, m, ok := strings.Cut(v, ".")
	return ok && len(n) >= 43 && hmac.Equal([]byte(m), []byte(k.mac("pre-session", n)))
}

// secure reports whether the request reached us over TLS, directly or
// through a proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// setCookie sets the cookie name (cookieName's form of it) for the whole
// site, HttpOnly, SameSite=Strict and, over TLS, Secure.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: cookieName(r, name), Value: value, Path: "/", HttpOnly: true, Secure: secure(r),
		SameSite: http.SameSiteStrictMode}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

// cookie returns the value of the cookie name (cookieName's form of it).
func cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(cookieName(r, name)); err == nil {
		return c.Value
	}
	return ""
}

// sameToken compares two CSRF tokens in constant time; empty never matches.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
