package people

import (
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// TestRefusalsInTheReadersLanguage (issue 13): the service's refusals of
// contacts, invitations, reminder rules and the outbox carry catalogue
// keys: a French reader gets French, with what was sent in it, and the
// English message (the logs') stays the same.
func TestRefusalsInTheReadersLanguage(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now})
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	fp := auth.Principal{Name: "fp", Role: auth.FocalPoint, State: "GHA"}
	fpCtx := auth.WithPrincipal(context.Background(), fp)
	_, badMail := s.AddContact(ctx, w.sec, ContactInput{Name: "No mail", Email: "not an address", Role: auth.FocalPoint, State: "GHA"})
	_, noState := s.AddContact(ctx, w.sec, ContactInput{Name: "No State", Email: "a@b.org", Role: auth.FocalPoint})
	_, badGroup := s.AddContact(ctx, w.sec, ContactInput{Name: "Bad group", Email: "a@b.org", Role: auth.WorkingGroup, WorkingGroups: []string{"nope"}})
	_, noContact := s.Invite(ctx, w.sec, "4242")
	_, register := s.AddContact(fpCtx, fp, ContactInput{Name: "X", Email: "x@y.org", Role: auth.Secretariat})
	_, kenya := s.Contacts(fpCtx, fp, "KEN")
	_, outbox := s.Outbox(ctx, w.sec, 5000)
	for _, c := range []struct {
		name    string
		err     error
		english string
		french  []string
	}{
		{"bad e-mail", badMail, `"not an address" is not an e-mail address: write it as name@example.org`, []string{"« not an address »", "adresse électronique"}},
		{"no State", noState, "a FOCAL_POINT contact needs a State", []string{"un contact FOCAL_POINT exige un État"}},
		{"unknown group", badGroup, `no working group "nope"`, []string{"aucun groupe de travail « nope »"}},
		{"unknown contact", noContact, `no contact with id "4242"`, []string{"aucun contact d'identifiant « 4242 »"}},
		{"a focal point registers", register, "a FOCAL_POINT token may not register contacts", []string{"FOCAL_POINT", "ne peut pas enregistrer des contacts"}},
		{"another State's contacts", kenya, "a focal point of GHA may not read the contacts of KEN", []string{"un point focal de GHA ne peut pas lire les contacts de KEN"}},
		{"outbox page", outbox, "first: 5000, want 1 to 1000", []string{"first : 5000, attendu de 1 à 1000"}},
	} {
		if c.err == nil || apperr.CodeOf(c.err) == apperr.Internal {
			t.Errorf("%s: %v, want a domain refusal", c.name, c.err)
			continue
		}
		if c.err.Error() != c.english {
			t.Errorf("%s: English %q, want %q", c.name, c.err.Error(), c.english)
		}
		fr := apperr.Message(c.err, "fr")
		for _, want := range c.french {
			if !strings.Contains(fr, want) {
				t.Errorf("%s: French %q, want it to say %q", c.name, fr, want)
			}
		}
		for _, lang := range []string{"ar", "zh", "ru", "es"} {
			if apperr.Message(c.err, lang) == c.english {
				t.Errorf("%s: %s is the English message", c.name, lang)
			}
		}
	}
}
