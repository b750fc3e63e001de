package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
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

// maxSessionsPerToken bounds the live sessions of one token: a sign-in
// beyond it ends the oldest. Ten covers one person's browsers and
// devices; more would let a leaked token start sessions without end.
const maxSessionsPerToken = 10

// SessionPurgeEvery is how often every replica deletes the sessions that
// can no longer be used (RunSessionPurger).
const SessionPurgeEvery = 10 * time.Minute

// sessions is the table this package owns (with web_key).
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

// auditRef names a session in audit events, so that its start and end can
// be matched: the first 8 bytes of its stored hash, which tell nothing
// about its id.
func auditRef(id string) string { return hex.EncodeToString(hashID(id)[:8]) }

// start stores a new session for p's token, ends the oldest of the
// token's sessions beyond maxSessionsPerToken, and records the sign-in,
// in one transaction acting as p; it returns the new session's id (for
// the cookie). Sign-ins of one token take turns, so the cap holds when
// they come at once.
func (s sessions) start(ctx context.Context, p auth.Principal) (string, error) {
	id := randomToken()
	ctx = auth.WithPrincipal(ctx, p)
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('web_sessions/' || $1::bigint))`, p.TokenID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO web_sessions (id_sha256, token_id, expires_at)
			VALUES ($1, $2, now() + $3::interval)`, hashID(id), p.TokenID, fmt.Sprintf("%d seconds", int(sessionTTL.Seconds()))); err != nil {
			return err
		}
		ended, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE token_id = $1 AND id_sha256 <> $2
			AND id_sha256 NOT IN (SELECT id_sha256 FROM web_sessions WHERE token_id = $1 AND id_sha256 <> $2 AND expires_at > now()
				ORDER BY created_at DESC, id_sha256 LIMIT $3)`, p.TokenID, hashID(id), maxSessionsPerToken-1)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "session.start", Subject: fmt.Sprintf("token/%d", p.TokenID),
			Detail: map[string]any{"session": auditRef(id), "ended_oldest": ended.RowsAffected()}})
	})
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
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

// end deletes the session with id, p's, and records the sign-out, in one
// transaction acting as p. A session already gone (ended by the cap,
// purged) records nothing.
func (s sessions) end(ctx context.Context, id string, p auth.Principal) error {
	ctx = auth.WithPrincipal(ctx, p)
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE id_sha256 = $1`, hashID(id))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "session.end", Subject: fmt.Sprintf("token/%d", p.TokenID),
			Detail: map[string]any{"session": auditRef(id)}})
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// PurgeSessions deletes the sessions that can no longer be used: expired
// ones, and those of tokens revoked or expired since. It returns how many
// went. Every replica runs it now and then (RunSessionPurger); any may at
// any time. Which tokens no longer authenticate is auth's to say; a token
// revoked in between goes at the next purge (its sessions are refused at
// once anyway: every request checks the token).
func PurgeSessions(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	rows, err := pool.Query(ctx, `SELECT DISTINCT token_id FROM web_sessions WHERE expires_at > now()`)
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	gone, err := auth.NewStore(pool).Unusable(ctx, held)
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	tag, err := pool.Exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= now() OR token_id = ANY($1)`, gone)
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RunSessionPurger purges at once, then every interval until ctx ends. A
// failure is logged when purging stops working, not at every tick.
func RunSessionPurger(ctx context.Context, pool *pgxpool.Pool, every time.Duration, log *slog.Logger) {
	failing := false
	purge := func() {
		n, err := PurgeSessions(ctx, pool)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			log.Warn("web sessions are not being purged", "err", err)
			failing = true
		case err == nil:
			failing = false
			if n > 0 {
				log.Debug("web sessions purged", "sessions", n)
			}
		}
	}
	purge()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			purge()
		case <-ctx.Done():
			return
		}
	}
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

// drafts is the prefix of the browser-storage keys under which the page
// script keeps the unsaved answers of the person signed in with tokenID
// (drafts are kept per person, and cleared at that person's sign-out):
// derived from the token's id, so it names neither the token nor its id.
func (k keys) drafts(tokenID int64) string {
	return draftPrefix + k.mac("drafts", strconv.FormatInt(tokenID, 10))[:16] + ":"
}

// draftPrefix begins every draft's key. Drafts were kept as
// "irm:CYCLE:STATE:SECTION" before, whoever typed them; the script clears
// those at the next sign-out.
const draftPrefix = "irm.draft:"

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
