package demo

import (
	"context"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/people"
)

// Contacts are the demo's people: one per role of the demo tokens (and a
// second focal point), so that the secretariat can invite one and open
// the sign-in link from the outbox page.
var Contacts = []people.ContactInput{
	{Name: "Akosua Mensah", Email: "akosua.mensah@ghana.example.org", Language: "en", Role: auth.FocalPoint, State: FocalPointState},
	{Name: "Kwame Boateng", Email: "kwame.boateng@ghana.example.org", Language: "fr", Role: auth.FocalPoint, State: FocalPointState},
	{Name: "Zhang Wei", Email: "zhang.wei@wg.example.org", Language: "zh", Role: auth.WorkingGroup,
		WorkingGroups: []string{"international-cooperation", "technical-assistance"}},
	{Name: "Sara Haddad", Email: "sara.haddad@secretariat.example.org", Language: "ar", Role: auth.Secretariat},
}

// SeedContacts registers the demo's contacts once, as the demo
// secretariat (its token, one of tokens).
func SeedContacts(ctx context.Context, svc *people.Service, store *auth.Store, tokens []Token) error {
	var sec auth.Principal
	for _, t := range tokens {
		if t.Role == string(auth.Secretariat) {
			p, err := store.Authenticate(ctx, t.Secret)
			if err != nil {
				return err
			}
			sec = p
		}
	}
	ctx = auth.WithPrincipal(ctx, sec)
	have, err := svc.Contacts(ctx, sec, "")
	if err != nil || len(have) > 0 {
		return err
	}
	for _, c := range Contacts {
		if _, err := svc.AddContact(ctx, sec, c); err != nil {
			return err
		}
	}
	return nil
}
