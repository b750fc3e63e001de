package people

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// secretOf is the secret of a sign-in link.
func secretOf(t *testing.T, link string) string {
	t.Helper()
	_, secret, ok := strings.Cut(link, LinkPath)
	if !ok {
		t.Fatalf("not a sign-in link: %q", link)
	}
	return secret
}

// TestContactsAndDeactivation: the secretariat registers people (bad
// input refused, nothing stored); a focal point reads its own State's
// contacts only; deactivating a person revokes every token the person
// holds, the contact's own and one made for them by "irm token create
// --contact", and the links not used yet.
func TestContactsAndDeactivation(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now})
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	for _, bad := range []ContactInput{
		{Name: "No mail", Email: "not an address", Role: auth.FocalPoint, State: "GHA"},
		{Name: "No State", Email: "a@b.org", Role: auth.FocalPoint},
		{Name: "Bad language", Email: "a@b.org", Language: "de", Role: auth.Secretariat},
		{Name: "Bad group", Email: "a@b.org", Role: auth.WorkingGroup, WorkingGroups: []string{"nope"}},
		{Name: "Unknown State", Email: "a@b.org", Role: auth.FocalPoint, State: "XXX"},
	} {
		if _, err := s.AddContact(ctx, w.sec, bad); err == nil || apperr.CodeOf(err) == apperr.Internal {
			t.Errorf("%s: %v, want a clear refusal", bad.Name, err)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM contacts`); n != 0 {
		t.Fatalf("refused contacts stored: %d", n)
	}
	amal := w.add(t, s, ContactInput{Name: "Amal", Email: "amal@gha.example.org", Role: auth.FocalPoint, State: "GHA"})
	w.add(t, s, ContactInput{Name: "Ama", Email: "ama@gha.example.org", Role: auth.FocalPoint, State: "GHA"})
	w.add(t, s, ContactInput{Name: "Kofi", Email: "kofi@ken.example.org", Role: auth.FocalPoint, State: "KEN"})
	if _, err := s.AddContact(ctx, w.sec, ContactInput{Name: "Twice", Email: "AMAL@gha.example.org", Role: auth.Secretariat}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("an address registered twice: %v, want CONFLICT", err)
	}
	fp := w.as(t, amal)
	mine, err := s.Contacts(auth.WithPrincipal(context.Background(), fp), fp, "")
	if err != nil || len(mine) != 2 {
		t.Fatalf("a focal point's contacts: %d, %v; want Ghana's 2", len(mine), err)
	}
	if _, err := s.Contacts(auth.WithPrincipal(context.Background(), fp), fp, "KEN"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a focal point reads Kenya's contacts: %v, want FORBIDDEN", err)
	}
	if _, err := s.AddContact(auth.WithPrincipal(context.Background(), fp), fp, ContactInput{Name: "X", Email: "x@y.org", Role: auth.Secretariat}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a focal point registers: %v, want FORBIDDEN", err)
	}
	// An API token made for the person on the command line.
	store := auth.NewStore(w.owner)
	n := int64(0)
	w.owner.QueryRow(context.Background(), `SELECT $1::bigint`, amal.ID).Scan(&n) //nolint:errcheck
	api, err := store.Create(context.Background(), auth.NewToken{Name: "Amal's script", Role: auth.FocalPoint, State: "GHA", ContactID: n})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.Invite(ctx, w.sec, amal.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeactivateContact(ctx, w.sec, amal.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(context.Background(), api); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("the person's API token after deactivation: %v, want UNAUTHENTICATED", err)
	}
	if _, err := store.Principal(context.Background(), fp.TokenID); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("the contact's own token (its web sessions) after deactivation: %v, want UNAUTHENTICATED", err)
	}
	if _, err := s.UseLink(context.Background(), secretOf(t, inv.Link)); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("an invitation after deactivation: %v, want invalid", err)
	}
	if _, err := s.Invite(ctx, w.sec, amal.ID); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("inviting a deactivated contact: %v, want CONFLICT", err)
	}
	// The address is free again for a new registration.
	w.add(t, s, ContactInput{Name: "Amal again", Email: "amal@gha.example.org", Role: auth.FocalPoint, State: "GHA"})
}

// TestSignInLinks: a link signs its contact in once, within 24 hours; the
// sign-in page's request sends a new one to a registered address only, at
// most once per LinkEvery, and says nothing about which happened.
func TestSignInLinks(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now})
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	amal := w.add(t, s, ContactInput{Name: "Amal", Email: "amal@gha.example.org", Role: auth.FocalPoint, State: "GHA"})
	inv, err := s.Invite(ctx, w.sec, amal.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret := secretOf(t, inv.Link)
	if n := w.count(t, `SELECT count(*) FROM sign_in_links WHERE id_sha256 = sha256(convert_to($1, 'UTF8'))`, secret); n != 1 {
		t.Errorf("the link is not stored by its hash")
	}
	if n := w.count(t, `SELECT count(*) FROM sign_in_links WHERE position(convert_to($1, 'UTF8') in id_sha256) > 0`, secret); n != 0 {
		t.Errorf("the link's secret is stored")
	}
	if c, err := s.LinkContact(context.Background(), secret); err != nil || c.ID != amal.ID {
		t.Fatalf("the link's contact: %+v, %v", c, err)
	}
	tok, err := s.UseLink(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := auth.NewStore(w.owner).Principal(context.Background(), tok); err != nil || p.Role != auth.FocalPoint || p.State != "GHA" {
		t.Fatalf("the link's principal: %+v, %v", p, err)
	}
	if _, err := s.UseLink(context.Background(), secret); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("a link used twice: %v, want invalid", err)
	}
	// Expiry.
	inv, err = s.Invite(ctx, w.sec, amal.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.set(w.clock.now().Add(LinkTTL + time.Minute))
	if _, err := s.UseLink(context.Background(), secretOf(t, inv.Link)); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("a link after 24 hours: %v, want invalid", err)
	}
	// Asking for a link on the sign-in page.
	before := w.count(t, `SELECT count(*) FROM notifications`)
	for _, email := range []string{"nobody@example.org", "not an address", " AMAL@gha.example.org ", "amal@gha.example.org"} {
		if err := s.RequestLink(context.Background(), email); err != nil {
			t.Fatalf("%q: %v", email, err)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM notifications`) - before; n != 1 {
		t.Errorf("requests made %d messages, want 1 (the known address, once per %s)", n, LinkEvery)
	}
	w.clock.set(w.clock.now().Add(LinkEvery + time.Second))
	if err := s.RequestLink(context.Background(), "amal@gha.example.org"); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM notifications`) - before; n != 2 {
		t.Errorf("after %s: %d messages, want 2", LinkEvery, n)
	}
}

// TestTheServiceMakesOnlyContactTokens: the app role may insert a token
// only for an active contact, with the contact's role and State (the
// owner's "irm token create" is not limited).
func TestTheServiceMakesOnlyContactTokens(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now})
	amal := w.add(t, s, ContactInput{Name: "Amal", Email: "amal@gha.example.org", Role: auth.FocalPoint, State: "GHA"})
	for name, args := range map[string][]any{
		"no contact":         {"SECRETARIAT", nil, nil},
		"another role":       {"SECRETARIAT", nil, amal.ID},
		"another State":      {"FOCAL_POINT", "KEN", amal.ID},
		"an unknown contact": {"FOCAL_POINT", "GHA", "999"},
	} {
		_, err := w.app.Exec(context.Background(), `INSERT INTO tokens (name, role, state_code, secret_sha256, contact_id)
			VALUES ('forged', $1, $2, sha256('x'::bytea), $3::bigint)`, args...)
		if err == nil || !strings.Contains(err.Error(), "42501") {
			t.Errorf("%s: %v, want refused (42501)", name, err)
		}
	}
}
