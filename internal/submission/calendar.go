package submission

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/state"
)

// MaxReasonBytes bounds an extension's reason.
const MaxReasonBytes = 2000

// Extension is a later deadline the secretariat granted one State in a
// cycle.
type Extension struct {
	CycleID   string
	StateCode string
	ClosesOn  time.Time // the State's own deadline, a date (UTC midnight), inclusive
	Reason    string
	GrantedBy string
	GrantedAt time.Time
}

// Consent is whether a State lets its country profile of a cycle be
// published.
type Consent struct {
	CycleID        string
	StateCode      string
	PublishProfile bool
	UpdatedBy      string
	UpdatedAt      time.Time
}

// GrantExtension gives state a deadline in the cycle later than the
// cycle's closesOn, with a reason; granting again replaces the date and
// the reason. Recorded in the audit trail in the same transaction.
func (s *Service) GrantExtension(ctx context.Context, p auth.Principal, cycleID, code string, closesOn time.Time, reason string) (Extension, error) {
	if err := auth.CanGrantExtension(p); err != nil {
		return Extension{}, err
	}
	code = strings.ToUpper(code)
	c, err := s.Cycle(ctx, cycleID)
	if err != nil {
		return Extension{}, err
	}
	if !state.Known(code) {
		return Extension{}, apperr.NotFoundT("no State with code \"{code}\"", "code", code)
	}
	closesOn = time.Date(closesOn.Year(), closesOn.Month(), closesOn.Day(), 0, 0, 0, 0, time.UTC)
	reason = strings.TrimSpace(reason)
	switch {
	case !closesOn.After(c.ClosesOn):
		return Extension{}, apperr.BadInputT("an extension's closesOn ({closesOn}) must be later than the cycle's closesOn ({cycleClosesOn})",
			"closesOn", closesOn.Format(time.DateOnly), "cycleClosesOn", c.ClosesOn.Format(time.DateOnly))
	case reason == "":
		return Extension{}, apperr.BadInputT("an extension needs a reason")
	case len(reason) > MaxReasonBytes || !utf8.ValidString(reason) || hasNUL(reason):
		return Extension{}, apperr.BadInputT("the reason must be valid text of at most {max} bytes, without U+0000", "max", MaxReasonBytes)
	}
	var out Extension
	err = postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = scanExtension(tx.QueryRow(ctx, `INSERT INTO extensions (cycle_id, state_code, closes_on, reason, granted_by)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (cycle_id, state_code) DO UPDATE SET closes_on = excluded.closes_on, reason = excluded.reason,
				granted_by = excluded.granted_by, granted_at = now()
			RETURNING `+extensionColumns, c.ID, code, closesOn, reason, p.Name))
		if err != nil {
			return fmt.Errorf("grant extension: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "cycle.extension", Subject: "cycle/" + c.ID + "/" + code,
			Detail: map[string]string{"closesOn": closesOn.Format(time.DateOnly), "reason": reason}})
	})
	return out, err
}

const extensionColumns = `cycle_id, state_code, closes_on, reason, granted_by, granted_at`

func scanExtension(row pgx.Row) (Extension, error) {
	var e Extension
	err := row.Scan(&e.CycleID, &e.StateCode, &e.ClosesOn, &e.Reason, &e.GrantedBy, &e.GrantedAt)
	return e, err
}

// Extensions lists a cycle's extensions by State code: every State's for
// the secretariat, a focal point's own State's for a focal point.
func (s *Service) Extensions(ctx context.Context, p auth.Principal, cycleID string) ([]Extension, error) {
	if err := auth.CanReadCalendar(p); err != nil {
		return nil, err
	}
	if _, err := s.Cycle(ctx, cycleID); err != nil {
		return nil, err
	}
	var out []Extension
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+extensionColumns+` FROM extensions WHERE cycle_id = $1 ORDER BY state_code`, cycleID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Extension, error) { return scanExtension(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list extensions: %w", err)
	}
	return out, nil
}

// Deadline is a State's own deadline in a cycle: the date of the
// extension the secretariat granted it, else the cycle's closesOn (a
// date, UTC midnight, inclusive). Submissions' late and every "past its
// deadline" rule follow it; reminders should too. It reads as the
// principal in ctx (a focal point sees only its own State's extension).
func (s *Service) Deadline(ctx context.Context, cycleID, code string) (time.Time, error) {
	c, err := s.Cycle(ctx, cycleID)
	if err != nil {
		return time.Time{}, err
	}
	var out time.Time
	err = postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = DeadlineIn(ctx, tx, c, code)
		return err
	})
	return out, err
}

// DeadlineIn is Deadline read through db (a transaction or a snapshot).
func DeadlineIn(ctx context.Context, db postgres.DB, c Cycle, code string) (time.Time, error) {
	var extended time.Time
	err := db.QueryRow(ctx, `SELECT closes_on FROM extensions WHERE cycle_id = $1 AND state_code = $2`, c.ID, strings.ToUpper(code)).Scan(&extended)
	if errors.Is(err, pgx.ErrNoRows) {
		return c.ClosesOn, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read deadline: %w", err)
	}
	return extended, nil
}

// SetConsent records whether state lets its country profile of the cycle
// be published (audited in the same transaction).
func (s *Service) SetConsent(ctx context.Context, p auth.Principal, cycleID, code string, publish bool) (Consent, error) {
	code = strings.ToUpper(code)
	if err := auth.CanSetConsent(p, code); err != nil {
		return Consent{}, err
	}
	if _, _, err := s.cycleAndState(ctx, cycleID, code); err != nil {
		return Consent{}, err
	}
	var out Consent
	err := postgres.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = scanConsent(tx.QueryRow(ctx, `INSERT INTO consents (cycle_id, state_code, publish_profile, updated_by)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (cycle_id, state_code) DO UPDATE SET publish_profile = excluded.publish_profile,
				updated_by = excluded.updated_by, updated_at = now()
			RETURNING `+consentColumns, cycleID, code, publish, p.Name))
		if err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "consent.set", Subject: "cycle/" + cycleID + "/" + code,
			Detail: map[string]bool{"publishProfile": publish}})
	})
	return out, err
}

const consentColumns = `cycle_id, state_code, publish_profile, updated_by, updated_at`

func scanConsent(row pgx.Row) (Consent, error) {
	var c Consent
	err := row.Scan(&c.CycleID, &c.StateCode, &c.PublishProfile, &c.UpdatedBy, &c.UpdatedAt)
	return c, err
}

// Consents lists the consents recorded in a cycle by State code: every
// State's for the secretariat, a focal point's own for a focal point. A
// State without a row has not consented.
func (s *Service) Consents(ctx context.Context, p auth.Principal, cycleID string) ([]Consent, error) {
	if err := auth.CanReadCalendar(p); err != nil {
		return nil, err
	}
	if _, err := s.Cycle(ctx, cycleID); err != nil {
		return nil, err
	}
	var out []Consent
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+consentColumns+` FROM consents WHERE cycle_id = $1 ORDER BY state_code`, cycleID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Consent, error) { return scanConsent(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	return out, nil
}

// ProfileConsentIn reports whether state consented to publishing its
// country profile of the cycle, read through db (the publishing
// transaction).
func ProfileConsentIn(ctx context.Context, db postgres.DB, cycleID, code string) (bool, error) {
	var ok bool
	err := db.QueryRow(ctx, `SELECT publish_profile FROM consents WHERE cycle_id = $1 AND state_code = $2`, cycleID, code).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read consent: %w", err)
	}
	return ok, nil
}
