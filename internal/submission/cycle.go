package submission

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
)

var cycleID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// OpenCycle creates a review cycle. The first cycle that uses a
// questionnaire records the file's digest and its validation digest; the
// service then refuses to start if the file changes in more than what a
// person reads (CheckDigests).
func (s *Service) OpenCycle(ctx context.Context, p auth.Principal, c Cycle) (Cycle, error) {
	if err := auth.CanOpenCycle(p); err != nil {
		return Cycle{}, err
	}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case !cycleID.MatchString(c.ID):
		return Cycle{}, apperr.BadInputT("cycle id \"{id}\": use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", "id", c.ID)
	case c.Name == "" || len(c.Name) > 200 || hasNUL(c.Name):
		return Cycle{}, apperr.BadInputT("a cycle needs a name of 1 to 200 characters, without U+0000")
	case c.ClosesOn.Before(c.OpensOn):
		return Cycle{}, apperr.BadInputT("closesOn ({closesOn}) is before opensOn ({opensOn})", "closesOn", c.ClosesOn.Format(time.DateOnly), "opensOn", c.OpensOn.Format(time.DateOnly))
	}
	q, ok := s.reg.Get(c.QuestionnaireID)
	if !ok {
		return Cycle{}, apperr.NotFoundT("no questionnaire with id \"{id}\"", "id", c.QuestionnaireID)
	}
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO questionnaire_digests (questionnaire_id, sha256, validation_sha256) VALUES ($1, $2, $3)
			ON CONFLICT (questionnaire_id) DO NOTHING`, q.ID, q.SHA256, q.ValidationSHA256); err != nil {
			return fmt.Errorf("record questionnaire digest: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO cycles (id, name, questionnaire_id, opens_on, closes_on) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, c.Name, q.ID, c.OpensOn, c.ClosesOn)
		if postgres.IsUniqueViolation(err) {
			return apperr.ConflictT("a cycle with id \"{id}\" exists already", "id", c.ID)
		}
		if err != nil {
			return fmt.Errorf("open cycle: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "cycle.open", Subject: "cycle/" + c.ID,
			Detail: map[string]string{"questionnaire": q.ID, "sha256": q.SHA256,
				"opensOn": c.OpensOn.Format(time.DateOnly), "closesOn": c.ClosesOn.Format(time.DateOnly)}})
	})
	if err != nil {
		return Cycle{}, err
	}
	return s.Cycle(ctx, c.ID)
}

const cycleColumns = `id, name, questionnaire_id, opens_on, closes_on`

func scanCycle(row pgx.Row) (Cycle, error) {
	var c Cycle
	err := row.Scan(&c.ID, &c.Name, &c.QuestionnaireID, &c.OpensOn, &c.ClosesOn)
	return c, err
}

// Cycles returns every cycle, newest first.
func (s *Service) Cycles(ctx context.Context) ([]Cycle, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+cycleColumns+` FROM cycles ORDER BY opens_on DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Cycle, error) { return scanCycle(r) })
}

// Cycle returns one cycle.
func (s *Service) Cycle(ctx context.Context, id string) (Cycle, error) {
	return s.cycleIn(ctx, s.pool, id)
}

// cycleIn returns one cycle, read through db on a cache miss: inside a
// transaction pass the transaction, never the pool, for a transaction that
// waits for a second connection while it holds one deadlocks once
// concurrent transactions hold them all. Opened cycles never change, so a
// replica keeps them once read.
func (s *Service) cycleIn(ctx context.Context, db querier, id string) (Cycle, error) {
	if c, ok := s.cycles.Load(id); ok {
		return c.(Cycle), nil
	}
	if hasNUL(id) { // PostgreSQL text cannot hold it, so no cycle has it
		return Cycle{}, apperr.NotFoundT("no cycle with id \"{id}\"", "id", id)
	}
	c, err := scanCycle(db.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Cycle{}, apperr.NotFoundT("no cycle with id \"{id}\"", "id", id)
	}
	if err != nil {
		return Cycle{}, fmt.Errorf("get cycle: %w", err)
	}
	s.cycles.Store(id, c)
	return c, nil
}

// CheckDigests compares each questionnaire that cycles use with the
// digests recorded when it was first used, and refuses a missing file or
// one that changed in anything but what a person reads: a file whose
// bytes differ is accepted only if its validation digest (the schema
// without titles, descriptions, x-labels and x-choice-labels) is the
// recorded one, so translations can be completed while cycles run, and
// every change to what is asked or accepted still stops the service.
func (s *Service) CheckDigests(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, `SELECT questionnaire_id, sha256, validation_sha256 FROM questionnaire_digests ORDER BY questionnaire_id`)
	if err != nil {
		return fmt.Errorf("read questionnaire digests: %w", err)
	}
	type digest struct {
		id, sha    string
		validation *string // NULL: recorded before validation digests were
	}
	recorded, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (digest, error) {
		var d digest
		return d, r.Scan(&d.id, &d.sha, &d.validation)
	})
	if err != nil {
		return fmt.Errorf("read questionnaire digests: %w", err)
	}
	for _, d := range recorded {
		q, ok := s.reg.Get(d.id)
		if !ok {
			return fmt.Errorf("questionnaire %s.json is used by cycles but the file is missing", d.id)
		}
		switch {
		case q.SHA256 == d.sha:
			if d.validation == nil {
				if _, err := s.pool.Exec(ctx, `UPDATE questionnaire_digests SET validation_sha256 = $2
					WHERE questionnaire_id = $1 AND sha256 = $3 AND validation_sha256 IS NULL`,
					q.ID, q.ValidationSHA256, q.SHA256); err != nil {
					return fmt.Errorf("record the validation digest of questionnaire %s.json: %w", q.ID, err)
				}
			}
		case d.validation != nil && *d.validation == q.ValidationSHA256:
			// Only titles, descriptions and labels changed.
		case d.validation == nil:
			return fmt.Errorf("questionnaire %s.json changed after cycles started using it: its SHA-256 is %s, recorded %s, "+
				"and what it validates was not recorded then, so even a change to its labels cannot be told apart; "+
				"restore the recorded file and start once, or put the changes in a new file with a new id", d.id, q.SHA256, d.sha)
		default:
			return fmt.Errorf("questionnaire %s.json changed after cycles started using it: its SHA-256 is %s, recorded %s, "+
				"and it changed in more than titles, descriptions and labels (validation digest %s, recorded %s); "+
				"put the changes in a new file with a new id instead", d.id, q.SHA256, d.sha, q.ValidationSHA256, *d.validation)
		}
	}
	return nil
}

// CyclesByID returns the cycles with the given ids, in the same order.
func (s *Service) CyclesByID(ctx context.Context, ids []string) ([]Cycle, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("get cycles: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Cycle, error) { return scanCycle(r) })
	if err != nil {
		return nil, fmt.Errorf("get cycles: %w", err)
	}
	byID := make(map[string]Cycle, len(found))
	for _, c := range found {
		byID[c.ID] = c
	}
	out := make([]Cycle, len(ids))
	for i, id := range ids {
		c, ok := byID[id]
		if !ok {
			return nil, apperr.NotFoundT("no cycle with id \"{id}\"", "id", id)
		}
		out[i] = c
	}
	return out, nil
}

// checkOpen refuses answers saved or submitted before the cycle opens
// (its opensOn, a UTC date): CONFLICT naming the date.
func (c Cycle) checkOpen(now time.Time) error {
	if !c.Opened(now) {
		return apperr.ConflictT("cycle {id} opens on {opensOn}: answers can be saved from that day", "id", c.ID, "opensOn", c.OpensOn.Format(time.DateOnly))
	}
	return nil
}

// Opened reports whether answers can be saved at now: from the cycle's
// opensOn (a UTC date) on.
func (c Cycle) Opened(now time.Time) bool { return !now.UTC().Before(c.OpensOn) }

// PastDeadline reports whether now is after the deadline day (closesOn,
// inclusive, UTC): a submission sent now is late.
func (c Cycle) PastDeadline(now time.Time) bool { return !now.Before(c.ClosesOn.AddDate(0, 0, 1)) }
