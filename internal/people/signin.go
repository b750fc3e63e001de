package people

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
)

// LinkTTL is how long a sign-in link works (once).
const LinkTTL = 24 * time.Hour

// LinkEvery is the shortest time between two links asked for on the
// sign-in page by the same person: more asks get the same answer and no
// message.
const LinkEvery = 10 * time.Minute

// LinkPath is the pages' path of a sign-in link, before its secret.
const LinkPath = "/sign-in/link/"

func linkHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// newLink stores a new sign-in link for contact c in tx and returns its
// public URL; only the hash of its secret is kept.
func (s *Service) newLink(ctx context.Context, tx pgx.Tx, c Contact) (url, occurrence string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("link secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	h := linkHash(secret)
	if _, err := tx.Exec(ctx, `INSERT INTO sign_in_links (id_sha256, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		h, c.ID, s.cfg.Now(), s.cfg.Now().Add(LinkTTL)); err != nil {
		return "", "", fmt.Errorf("store sign-in link: %w", err)
	}
	return s.link(LinkPath + secret), hex.EncodeToString(h[:8]), nil
}

// Invite queues an INVITATION to contact id with a new one-time sign-in
// link (the secretariat).
func (s *Service) Invite(ctx context.Context, p auth.Principal, id string) (Notification, error) {
	if err := canManage(p, apperr.Phrase("invite contacts")); err != nil {
		return Notification{}, err
	}
	n, err := contactID(id)
	if err != nil {
		return Notification{}, err
	}
	var out Notification
	err = postgres.Tx(auth.WithPrincipal(ctx, p), s.pool, func(tx pgx.Tx) error {
		c, err := scanContact(tx.QueryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1 FOR UPDATE`, n))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundT("no contact with id \"{id}\"", "id", id)
		}
		if err != nil {
			return fmt.Errorf("read contact: %w", err)
		}
		if !c.Active {
			return apperr.ConflictT("contact {id} ({email}) is deactivated: register the person again to invite them", "id", id, "email", c.Email)
		}
		if out, err = s.invite(ctx, tx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "contact.invite", Subject: "contact/" + id,
			Detail: map[string]any{"notification": out.ID}})
	})
	return out, err
}

func (s *Service) invite(ctx context.Context, tx pgx.Tx, c Contact) (Notification, error) {
	url, occ, err := s.newLink(ctx, tx, c)
	if err != nil {
		return Notification{}, err
	}
	n, _, err := s.queueIn(ctx, tx, message{kind: Invitation, to: c, occurrence: occ, subject: invitationSubject,
		body: invitationBody, link: url, keepLink: true})
	return n, err
}

// RequestLink e-mails a new sign-in link to the active contact with
// address email, at most once per LinkEvery; an unknown address gets
// nothing. The caller answers the same whatever happened.
func (s *Service) RequestLink(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if !validEmail(email) {
		return nil
	}
	return postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := scanContact(tx.QueryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE active AND lower(email) = lower($1) FOR UPDATE`, email))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read contact: %w", err)
		}
		var recent bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sign_in_links WHERE contact_id = $1 AND created_at > $2)`,
			c.ID, s.cfg.Now().Add(-LinkEvery)).Scan(&recent); err != nil {
			return fmt.Errorf("recent links: %w", err)
		}
		if recent {
			return nil
		}
		n, err := s.invite(ctx, tx, c)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Actor: "sign-in page", Action: "contact.link_requested", Subject: "contact/" + c.ID,
			Detail: map[string]any{"notification": n.ID}})
	})
}

// ErrLinkInvalid is a sign-in link unknown, used already, expired, or of a
// deactivated contact.
var ErrLinkInvalid = apperr.T(apperr.Unauthenticated, "this sign-in link is not valid: it was used already, has expired, or was never issued")

// LinkContact returns the contact a sign-in link would sign in, without
// using the link (the page that asks to confirm).
func (s *Service) LinkContact(ctx context.Context, secret string) (Contact, error) {
	c, err := scanContact(s.pool.QueryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE active AND id = (
		SELECT contact_id FROM sign_in_links WHERE id_sha256 = $1 AND used_at IS NULL AND expires_at > $2)`, linkHash(secret), s.cfg.Now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, ErrLinkInvalid
	}
	if err != nil {
		return Contact{}, fmt.Errorf("read sign-in link: %w", err)
	}
	return c, nil
}

// UseLink uses a sign-in link once and returns the id of the token the
// new web session is to act with: the contact's own.
func (s *Service) UseLink(ctx context.Context, secret string) (int64, error) {
	if len(secret) != 43 {
		return 0, ErrLinkInvalid
	}
	var tokenID int64
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var contactID int64
		err := tx.QueryRow(ctx, `UPDATE sign_in_links l SET used_at = $2 FROM contacts k
			WHERE l.id_sha256 = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND k.id = l.contact_id AND k.active
			RETURNING l.contact_id`, linkHash(secret), s.cfg.Now()).Scan(&contactID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrLinkInvalid
		}
		if err != nil {
			return fmt.Errorf("use sign-in link: %w", err)
		}
		if tokenID, err = auth.ContactToken(ctx, tx, contactID); err != nil {
			return err
		}
		if tokenID == 0 {
			return ErrLinkInvalid
		}
		return audit.Record(ctx, tx, audit.Event{Actor: "sign-in link", Action: "contact.link_used",
			Subject: "contact/" + strconv.FormatInt(contactID, 10), Detail: map[string]any{"token": tokenID}})
	})
	return tokenID, err
}
