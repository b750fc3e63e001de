package translation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// Registry holds the questionnaires the service lays uploaded
// translations over; *questionnaire.Registry is one.
type Registry interface {
	Questionnaires
	Replace(q *questionnaire.Questionnaire) error
}

// target checks that lang is a language a kit translates into and
// returns the questionnaire id names.
func (s *Service) target(id, lang string) (*questionnaire.Questionnaire, error) {
	if lang == "en" {
		return nil, apperr.BadInputT("English is the questionnaire's own language: a translation kit is for one of {languages}", "languages", strings.Join(others, ", "))
	}
	if !questionnaire.IsLanguage(lang) {
		return nil, apperr.BadInputT("language \"{language}\": use one of {languages}", "language", lang, "languages", strings.Join(others, ", "))
	}
	q, ok := s.reg.Get(id)
	if !ok {
		return nil, apperr.NotFoundT("no questionnaire with id \"{id}\"", "id", id)
	}
	return q, nil
}

// others are the languages a kit translates into: all but English.
var others = []string{"ar", "zh", "fr", "ru", "es"}

// Kit returns the translation kit (XLIFF 1.2) of questionnaire id for
// lang, as the questionnaire reads now. Secretariat only.
func (s *Service) Kit(ctx context.Context, p auth.Principal, id, lang string) ([]byte, error) {
	if err := auth.CanTranslate(p); err != nil {
		return nil, err
	}
	q, err := s.target(id, lang)
	if err != nil {
		return nil, err
	}
	ts, err := s.Translations(ctx, q)
	if err != nil {
		return nil, err
	}
	reviewed := false
	for _, t := range ts {
		if t.Lang == lang {
			reviewed = t.Reviewed
		}
	}
	return Kit(q, lang, reviewed)
}

// Upload reads a translated kit of questionnaire id for lang and, when
// every unit is known and every translation keeps its placeholders,
// replaces the language's labels, option labels and help text with the
// file's (a unit without a translation reads the English), stores them
// and records an audit event; the questionnaire reads them at once on
// this replica, and on others at their next Refresh. Anything wrong
// refuses the whole file (a *Refused listing the problems) and changes
// nothing. Secretariat only.
func (s *Service) Upload(ctx context.Context, p auth.Principal, id, lang string, data []byte) (Translation, error) {
	if err := auth.CanTranslate(p); err != nil {
		return Translation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.target(id, lang)
	if err != nil {
		return Translation{}, err
	}
	up, err := readKit(q, lang, data)
	if err != nil {
		return Translation{}, err
	}
	changed := 0
	for _, u := range q.Units() {
		if u.Target(lang) != up.units[u.ID] {
			changed++
		}
	}
	next, err := q.WithTranslation(lang, up.units)
	if err != nil {
		return Translation{}, err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	units, err := json.Marshal(up.units)
	if err != nil {
		return Translation{}, err
	}
	err = auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO translation_uploads (questionnaire_id, lang, units, file_sha256, uploaded_by)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (questionnaire_id, lang) DO UPDATE
			SET units = EXCLUDED.units, file_sha256 = EXCLUDED.file_sha256,
			    uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()`,
			q.ID, lang, units, digest, p.Name); err != nil {
			return fmt.Errorf("store translation: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "translation.upload",
			Subject: "questionnaire/" + q.ID + "/" + lang,
			Detail: map[string]any{"units": up.count, "translated": up.translated, "changed": changed,
				"fileSha256": digest, "labelsSha256": next.LabelsSHA256(lang), "sha256": q.SHA256}})
	})
	if err != nil {
		return Translation{}, err
	}
	if err := s.replace(next, lang, digest); err != nil {
		return Translation{}, err
	}
	ts, err := s.Translations(ctx, next)
	if err != nil {
		return Translation{}, err
	}
	for _, t := range ts {
		if t.Lang == lang {
			return t, nil
		}
	}
	return Translation{Lang: lang, Missing: next.Missing(lang)}, nil
}

// replace puts q in the registry and remembers which upload of lang it
// reads. s.mu is held.
func (s *Service) replace(q *questionnaire.Questionnaire, lang, digest string) error {
	reg, ok := s.reg.(Registry)
	if !ok {
		return fmt.Errorf("translation: the questionnaires cannot be replaced")
	}
	if err := reg.Replace(q); err != nil {
		return err
	}
	if digest == "" {
		delete(s.applied, key{q.ID, lang})
	} else {
		s.applied[key{q.ID, lang}] = digest
	}
	return nil
}

type key struct{ id, lang string }

// Refresh lays the stored uploads over the registry's questionnaires
// where they differ from what it reads: at start, and then every few
// seconds (Watch), so that an upload on one replica reaches the others.
// It reads one small row per uploaded language, and the units only of a
// language whose upload changed. A stored unit the questionnaire no
// longer has (the file changed since) is left out and logged.
func (s *Service) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.pool.Query(ctx, `SELECT questionnaire_id, lang, file_sha256 FROM translation_uploads`)
	if err != nil {
		return fmt.Errorf("read translation uploads: %w", err)
	}
	stored := map[key]string{}
	var id, lang, digest string
	if _, err := pgx.ForEachRow(rows, []any{&id, &lang, &digest}, func() error {
		stored[key{id, lang}] = digest
		return nil
	}); err != nil {
		return fmt.Errorf("read translation uploads: %w", err)
	}
	for k, d := range stored {
		if s.applied[k] == d {
			continue
		}
		q, ok := s.reg.Get(k.id)
		if !ok {
			continue // a questionnaire no longer shipped
		}
		var raw []byte
		if err := s.pool.QueryRow(ctx, `SELECT units, file_sha256 FROM translation_uploads WHERE questionnaire_id = $1 AND lang = $2`,
			k.id, k.lang).Scan(&raw, &d); err != nil {
			return fmt.Errorf("read translation of %s into %s: %w", k.id, k.lang, err)
		}
		var units map[string]string
		if err := json.Unmarshal(raw, &units); err != nil {
			return fmt.Errorf("read translation of %s into %s: %w", k.id, k.lang, err)
		}
		for u := range units {
			if _, known := q.Unit(u); !known {
				s.log.Warn("a stored translation names a string the questionnaire no longer has", "questionnaire", k.id, "lang", k.lang, "unit", u)
				delete(units, u)
			}
		}
		next, err := q.WithTranslation(k.lang, units)
		if err != nil {
			return err
		}
		if err := s.replace(next, k.lang, d); err != nil {
			return err
		}
	}
	for k := range s.applied {
		if _, ok := stored[k]; ok {
			continue
		}
		if q, ok := s.reg.Get(k.id); ok {
			next, err := q.WithTranslation(k.lang, nil)
			if err != nil {
				return err
			}
			if err := s.replace(next, k.lang, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// Watch calls Refresh every interval until ctx ends, logging a failure
// and trying again at the next tick.
func (s *Service) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("refresh translations", "err", err)
			}
		}
	}
}

// WithLogger sets where Refresh reports what it skips.
func (s *Service) WithLogger(l *slog.Logger) *Service {
	s.log = l
	return s
}
