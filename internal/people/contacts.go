package people

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/postgres"
)

// Contact is a person the secretariat registered.
type Contact struct {
	ID            string
	Name          string
	Email         string
	Language      string // one of the six: the language of the person's messages
	Role          auth.Role
	State         string   // ISO3, focal points only
	WorkingGroups []string // working-group members only
	Active        bool
	CreatedAt     time.Time
}

// ContactInput is a contact to register.
type ContactInput struct {
	Name          string
	Email         string
	Language      string // "": English
	Role          auth.Role
	State         string
	WorkingGroups []string
}

const contactColumns = `id::text, name, email, language, role, coalesce(state_code, ''), working_groups, active, created_at`

func scanContact(row pgx.Row) (Contact, error) {
	var c Contact
	err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Language, &c.Role, &c.State, &c.WorkingGroups, &c.Active, &c.CreatedAt)
	return c, err
}

func collectContacts(rows pgx.Rows, err error) ([]Contact, error) {
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Contact, error) { return scanContact(r) })
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	return out, nil
}

// canManage: the secretariat registers, deactivates and invites people.
func canManage(p auth.Principal, action apperr.Phrase) error {
	if p.Role == auth.Secretariat {
		return nil
	}
	return apperr.ForbiddenT("a {role} token may not {action}", "role", string(p.Role), "action", action)
}

// check normalises in and says what is wrong with it.
func (s *Service) check(in *ContactInput) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.State = strings.ToUpper(strings.TrimSpace(in.State))
	in.Language = strings.TrimSpace(in.Language)
	if in.Language == "" {
		in.Language = i18n.Default
	}
	switch {
	case in.Name == "" || len(in.Name) > 200 || strings.ContainsAny(in.Name, "\x00\r\n"):
		return apperr.BadInputT("a contact needs a name of at most 200 bytes on one line")
	case !validEmail(in.Email):
		return apperr.BadInputT("\"{email}\" is not an e-mail address: write it as name@example.org", "email", in.Email)
	case !i18n.Known(in.Language):
		return apperr.BadInputT("language \"{language}\": want one of ar, zh, en, fr, ru, es", "language", in.Language)
	}
	if _, err := auth.ParseRole(string(in.Role)); err != nil {
		return err
	}
	switch {
	case in.Role == auth.FocalPoint && in.State == "":
		return apperr.BadInputT("a FOCAL_POINT contact needs a State")
	case in.Role != auth.FocalPoint && in.State != "":
		return apperr.BadInputT("only a FOCAL_POINT contact has a State")
	case in.Role == auth.WorkingGroup && len(in.WorkingGroups) == 0:
		return apperr.BadInputT("a WORKING_GROUP contact needs at least one working group")
	case in.Role != auth.WorkingGroup && len(in.WorkingGroups) > 0:
		return apperr.BadInputT("only a WORKING_GROUP contact has working groups")
	}
	for _, wg := range in.WorkingGroups {
		if _, ok := s.reg.WorkingGroup(wg); !ok {
			return apperr.NotFoundT("no working group \"{workingGroup}\"", "workingGroup", wg)
		}
	}
	slices.Sort(in.WorkingGroups)
	in.WorkingGroups = slices.Compact(in.WorkingGroups)
	if in.WorkingGroups == nil {
		in.WorkingGroups = []string{}
	}
	return nil
}

// validEmail accepts a bare address (no display name) on one line.
func validEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\x00") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// AddContact registers a person and makes the token the person's web
// sessions will use (never shown to anyone), in one transaction.
func (s *Service) AddContact(ctx context.Context, p auth.Principal, in ContactInput) (Contact, error) {
	if err := canManage(p, apperr.Phrase("register contacts")); err != nil {
		return Contact{}, err
	}
	if err := s.check(&in); err != nil {
		return Contact{}, err
	}
	var out Contact
	err := postgres.Tx(auth.WithPrincipal(ctx, p), s.pool, func(tx pgx.Tx) error {
		var state *string
		if in.State != "" {
			state = &in.State
		}
		var err error
		out, err = scanContact(tx.QueryRow(ctx, `INSERT INTO contacts (name, email, language, role, state_code, working_groups, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+contactColumns,
			in.Name, in.Email, in.Language, string(in.Role), state, in.WorkingGroups, p.Name))
		switch {
		case postgres.IsUniqueViolation(err):
			return apperr.ConflictT("an active contact with the address {email} exists already", "email", in.Email)
		case postgres.IsForeignKeyViolation(err):
			return apperr.NotFoundT("no State with code \"{code}\"", "code", in.State)
		case err != nil:
			return fmt.Errorf("add contact: %w", err)
		}
		id, _ := strconv.ParseInt(out.ID, 10, 64)
		if _, err := auth.CreateForContact(ctx, tx, id, auth.NewToken{Name: fmt.Sprintf("%s (contact %d)", in.Name, id),
			Role: in.Role, State: in.State, WorkingGroups: in.WorkingGroups}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "contact.add", Subject: "contact/" + out.ID,
			Detail: map[string]any{"name": in.Name, "email": in.Email, "role": in.Role, "state": state, "workingGroups": in.WorkingGroups,
				"language": in.Language}})
	})
	return out, err
}

// DeactivateContact marks a person inactive and revokes every token the
// person holds (so every web session on them ends) and every sign-in link
// not used yet, in one transaction.
func (s *Service) DeactivateContact(ctx context.Context, p auth.Principal, id string) (Contact, error) {
	if err := canManage(p, apperr.Phrase("deactivate contacts")); err != nil {
		return Contact{}, err
	}
	n, err := contactID(id)
	if err != nil {
		return Contact{}, err
	}
	var out Contact
	err = postgres.Tx(auth.WithPrincipal(ctx, p), s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = scanContact(tx.QueryRow(ctx, `UPDATE contacts SET active = false, deactivated_at = coalesce(deactivated_at, now())
			WHERE id = $1 RETURNING `+contactColumns, n))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("no contact with id \"{id}\"", "id", id)
		}
		if err != nil {
			return fmt.Errorf("deactivate contact: %w", err)
		}
		revoked, err := auth.RevokeContact(ctx, tx, n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE sign_in_links SET used_at = now() WHERE contact_id = $1 AND used_at IS NULL`, n); err != nil {
			return fmt.Errorf("end sign-in links: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "contact.deactivate", Subject: "contact/" + id,
			Detail: map[string]any{"tokensRevoked": revoked}})
	})
	return out, err
}

// Contacts lists people by name: the secretariat everyone (of one State
// when state is set), a focal point the contacts of its own State.
func (s *Service) Contacts(ctx context.Context, p auth.Principal, state string) ([]Contact, error) {
	state = strings.ToUpper(strings.TrimSpace(state))
	switch p.Role {
	case auth.Secretariat:
	case auth.FocalPoint:
		if state != "" && state != p.State {
			return nil, apperr.ForbiddenT("a focal point of {state} may not read the contacts of {state2}", "state", p.State, "state2", state)
		}
		state = p.State
	default:
		return nil, apperr.ForbiddenT("a {role} token may not {action}", "role", string(p.Role), "action", apperr.Phrase("read contacts"))
	}
	return collectContacts(s.pool.Query(ctx, `SELECT `+contactColumns+` FROM contacts
		WHERE ($1 = '' OR state_code = $1) ORDER BY active DESC, lower(name), id`, state))
}

// Contact returns one contact, for the secretariat.
func (s *Service) Contact(ctx context.Context, p auth.Principal, id string) (Contact, error) {
	if err := canManage(p, apperr.Phrase("read contacts")); err != nil {
		return Contact{}, err
	}
	n, err := contactID(id)
	if err != nil {
		return Contact{}, err
	}
	c, err := scanContact(s.pool.QueryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1`, n))
	if errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, apperr.NotFoundT("no contact with id \"{id}\"", "id", id)
	}
	return c, err
}

// recipients are the active contacts a notification goes to.
type recipients struct {
	role         auth.Role
	state        string // focal points of this State
	workingGroup string // members of this working group ("": every member)
}

func (s *Service) recipientsIn(ctx context.Context, tx pgx.Tx, r recipients) ([]Contact, error) {
	return collectContacts(tx.Query(ctx, `SELECT `+contactColumns+` FROM contacts
		WHERE active AND role = $1 AND ($2 = '' OR state_code = $2) AND ($3 = '' OR $3 = ANY (working_groups))
		ORDER BY id`, string(r.role), r.state, r.workingGroup))
}

// contactID reads a contact's id as the API gives it; one that cannot be
// an id is NOT_FOUND, as an id no contact has.
func contactID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.NotFoundT("no contact with id \"{id}\"", "id", id)
	}
	return n, nil
}
