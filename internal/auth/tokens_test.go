package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

func TestTokenNamesAreUniqueWhateverTheirCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := auth.NewStore(pgtest.New(t))
	if _, err := store.Create(ctx, auth.NewToken{Name: "GHA FP", Role: auth.FocalPoint, State: "GHA"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"GHA FP", "gha fp", "  Gha Fp "} {
		_, err := store.Create(ctx, auth.NewToken{Name: name, Role: auth.Secretariat})
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("a SECRETARIAT token named %q: got %v, want CONFLICT", name, err)
		}
	}
	// Once revoked, the name is free for the holder's next token.
	if n, err := store.RevokeNamed(ctx, "GHA FP"); err != nil || n != 1 {
		t.Fatalf("revoke: %d, %v", n, err)
	}
	if _, err := store.Create(ctx, auth.NewToken{Name: "GHA FP", Role: auth.FocalPoint, State: "GHA"}); err != nil {
		t.Fatalf("the name of a revoked token: got %v, want it free", err)
	}
}

func TestExpiredAndRevokedTokensAreUnauthenticated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	store := auth.NewStore(pool)
	past := time.Now().Add(-time.Hour)
	if _, err := store.Create(ctx, auth.NewToken{Name: "late", Role: auth.Secretariat, ExpiresAt: &past}); apperr.CodeOf(err) != apperr.BadInput {
		t.Fatalf("a token expiring in the past: got %v, want BAD_USER_INPUT", err)
	}
	soon := time.Now().Add(time.Hour)
	expiring, err := store.Create(ctx, auth.NewToken{Name: "expiring", Role: auth.Secretariat, ExpiresAt: &soon})
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := store.Create(ctx, auth.NewToken{Name: "revoked", Role: auth.Secretariat})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{expiring, revoked} {
		if _, err := store.Authenticate(ctx, s); err != nil {
			t.Fatalf("a live token: %v", err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE tokens SET expires_at = now() - interval '1 second' WHERE name = 'expiring'`); err != nil {
		t.Fatal(err)
	}
	tokens, err := store.List(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var revokedID int64
	for _, tok := range tokens {
		if tok.Name == "revoked" {
			revokedID = tok.ID
		}
	}
	if _, err := store.Revoke(ctx, revokedID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Revoke(ctx, revokedID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("revoking twice: got %v, want NOT_FOUND", err)
	}
	for name, s := range map[string]string{"expired": expiring, "revoked": revoked} {
		if _, err := store.Authenticate(ctx, s); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("%s token: got %v, want UNAUTHENTICATED", name, err)
		}
	}
	var events int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('token.create', 'token.revoke')`).Scan(&events); err != nil || events != 3 {
		t.Fatalf("got %d token events (%v), want 2 creations and 1 revocation", events, err)
	}
}

func TestTokenUseIsNotedAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	store := auth.NewStore(pool)
	secret, err := store.Create(ctx, auth.NewToken{Name: "busy", Role: auth.Secretariat})
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() *time.Time {
		t.Helper()
		var at *time.Time
		if err := pool.QueryRow(ctx, `SELECT last_used_at FROM tokens WHERE name = 'busy'`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	if lastUsed() != nil {
		t.Fatal("a new token has a last use")
	}
	if _, err := store.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if lastUsed() == nil {
		t.Fatal("the first use was not noted")
	}
	set := func(ago string) time.Time {
		t.Helper()
		var at time.Time
		if err := pool.QueryRow(ctx, `UPDATE tokens SET last_used_at = now() - $1::interval WHERE name = 'busy' RETURNING last_used_at`, ago).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	recent := set("30 seconds")
	if _, err := store.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(recent) {
		t.Fatalf("a use 30 s after the last: got %v, want it left at %v (no write)", got, recent)
	}
	old := set("2 minutes")
	if _, err := store.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.After(old) {
		t.Fatalf("a use 2 min after the last: got %v, want it moved on from %v", got, old)
	}
}
