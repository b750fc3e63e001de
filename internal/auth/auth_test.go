package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

func TestTokensAreStoredHashedAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	store := auth.NewStore(pool)
	secret, err := store.Create(ctx, auth.NewToken{Name: "Kenya FP", Role: auth.FocalPoint, State: "ken"})
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tokens WHERE position($1::bytea in secret_sha256) > 0`, []byte(secret)).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Fatal("the secret itself is stored")
	}
	p, err := store.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != auth.FocalPoint || p.State != "KEN" || p.Name != "Kenya FP" {
		t.Fatalf("got %+v, want the Kenyan focal point", p)
	}
	for _, bad := range []string{"", "irm_nope", secret + "x", strings.ToUpper(secret)} {
		if _, err := store.Authenticate(ctx, bad); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("Authenticate(%q): got %v, want UNAUTHENTICATED", bad, err)
		}
	}
	if n, err := store.RevokeNamed(ctx, "Kenya"); err != nil || n != 1 {
		t.Fatalf("revoke: %d, %v", n, err)
	}
	if _, err := store.Authenticate(ctx, secret); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("revoked token still authenticates: %v", err)
	}
}

func TestCreateRefusesInconsistentTokens(t *testing.T) {
	store := auth.NewStore(pgtest.New(t))
	cases := []struct {
		name string
		tok  auth.NewToken
		code apperr.Code
	}{
		{"a focal point without a State", auth.NewToken{Name: "x", Role: auth.FocalPoint}, apperr.BadInput},
		{"a focal point of an unknown State", auth.NewToken{Name: "x", Role: auth.FocalPoint, State: "XXX"}, apperr.NotFound},
		{"a member without a working group", auth.NewToken{Name: "x", Role: auth.WorkingGroup}, apperr.BadInput},
		{"a secretariat token with a State", auth.NewToken{Name: "x", Role: auth.Secretariat, State: "KEN"}, apperr.BadInput},
		{"a token without a name", auth.NewToken{Role: auth.Secretariat}, apperr.BadInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := store.Create(context.Background(), c.tok); apperr.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}
