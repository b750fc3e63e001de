// Package translation owns how far each questionnaire is translated into
// the six languages: what is missing (from the files) and which
// translations the secretariat has reviewed (translation_reviews).
package translation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// Translation is how far one language of a questionnaire is translated.
type Translation struct {
	Lang     string
	Missing  int  // labelled nodes and options without a label in Lang
	Reviewed bool // reviewed by the secretariat, for the labels as they are now
}

// Questionnaires finds a questionnaire by id; *questionnaire.Registry is one.
type Questionnaires interface {
	Get(id string) (*questionnaire.Questionnaire, bool)
}

// Service reads and records translation reviews, and the translations
// uploaded as kits (kit.go).
type Service struct {
	pool *pgxpool.Pool
	reg  Questionnaires
	log  *slog.Logger

	mu      sync.Mutex     // one upload or refresh at a time
	applied map[key]string // the upload (its file's digest) each questionnaire and language reads
}

// NewService returns a Service over pool and the questionnaires in reg.
// Uploads need reg to be a Registry (one that can replace a
// questionnaire), as *questionnaire.Registry is.
func NewService(pool *pgxpool.Pool, reg Questionnaires) *Service {
	return &Service{pool: pool, reg: reg, log: slog.New(slog.DiscardHandler), applied: map[key]string{}}
}

// Translations lists the six languages of the questionnaire q, in the
// order of questionnaire.Languages. A review counts only while the labels
// it reviewed are unchanged: the stored digest must be the current one.
func (s *Service) Translations(ctx context.Context, q *questionnaire.Questionnaire) ([]Translation, error) {
	out, err := s.TranslationsOf(ctx, []string{q.ID})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// TranslationsOf returns the translations of each questionnaire in ids, in
// the same order, reading the reviews of all of them in one query.
func (s *Service) TranslationsOf(ctx context.Context, ids []string) ([][]Translation, error) {
	qs := make([]*questionnaire.Questionnaire, len(ids))
	for i, id := range ids {
		q, ok := s.reg.Get(id)
		if !ok {
			return nil, apperr.NotFoundT("no questionnaire with id \"{id}\"", "id", id)
		}
		qs[i] = q
	}
	type key struct{ id, lang string }
	reviewed := map[key]string{} // → the digest of the labels reviewed
	rows, err := s.pool.Query(ctx, `SELECT questionnaire_id, lang, labels_sha256 FROM translation_reviews
		WHERE questionnaire_id = ANY($1) AND reviewed`, ids)
	if err != nil {
		return nil, fmt.Errorf("read translation reviews: %w", err)
	}
	var id, lang, digest string
	if _, err := pgx.ForEachRow(rows, []any{&id, &lang, &digest}, func() error {
		reviewed[key{id, lang}] = digest
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read translation reviews: %w", err)
	}
	out := make([][]Translation, len(qs))
	for i, q := range qs {
		out[i] = make([]Translation, len(questionnaire.Languages))
		for j, l := range questionnaire.Languages {
			d, ok := reviewed[key{q.ID, l}]
			out[i][j] = Translation{Lang: l, Missing: q.Missing(l), Reviewed: ok && d == q.LabelsSHA256(l)}
		}
	}
	return out, nil
}

// Reviewed reports whether the text of questionnaire id in lang is as
// the secretariat reviewed it: English, the original, always is; another
// language while a review holds for its labels as they are now. One
// query of one row, for a page that asks on every request.
func (s *Service) Reviewed(ctx context.Context, id, lang string) (bool, error) {
	if !questionnaire.IsLanguage(lang) {
		return false, apperr.BadInputT("language \"{language}\": use one of {languages}", "language", lang, "languages", strings.Join(questionnaire.Languages, ", "))
	}
	q, ok := s.reg.Get(id)
	if !ok {
		return false, apperr.NotFoundT("no questionnaire with id \"{id}\"", "id", id)
	}
	if lang == "en" {
		return true, nil
	}
	var digest string
	err := s.pool.QueryRow(ctx, `SELECT labels_sha256 FROM translation_reviews
		WHERE questionnaire_id = $1 AND lang = $2 AND reviewed`, q.ID, lang).Scan(&digest)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read translation review: %w", err)
	}
	return digest == q.LabelsSHA256(lang), nil
}

// Review marks the translation of questionnaire id into lang reviewed (or
// not) for its labels as they are now. Secretariat only; audited.
func (s *Service) Review(ctx context.Context, p auth.Principal, id, lang string, reviewed bool) (Translation, error) {
	if err := auth.CanReviewTranslation(p); err != nil {
		return Translation{}, err
	}
	if !questionnaire.IsLanguage(lang) {
		return Translation{}, apperr.BadInputT("language \"{language}\": use one of {languages}", "language", lang, "languages", strings.Join(questionnaire.Languages, ", "))
	}
	q, ok := s.reg.Get(id)
	if !ok {
		return Translation{}, apperr.NotFoundT("no questionnaire with id \"{id}\"", "id", id)
	}
	digest := q.LabelsSHA256(lang)
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		var was bool
		err := tx.QueryRow(ctx, `SELECT reviewed AND labels_sha256 = $3 FROM translation_reviews
			WHERE questionnaire_id = $1 AND lang = $2 FOR UPDATE`, q.ID, lang, digest).Scan(&was)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("review translation: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO translation_reviews (questionnaire_id, lang, reviewed, labels_sha256, reviewed_by)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (questionnaire_id, lang) DO UPDATE
			SET reviewed = EXCLUDED.reviewed, labels_sha256 = EXCLUDED.labels_sha256,
			    reviewed_by = EXCLUDED.reviewed_by, reviewed_at = now()`,
			q.ID, lang, reviewed, digest, p.Name); err != nil {
			return fmt.Errorf("review translation: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "translation.review",
			Subject: "questionnaire/" + q.ID + "/" + lang,
			Detail:  map[string]any{"reviewed": reviewed, "was": was, "labelsSha256": digest, "sha256": q.SHA256}})
	})
	if err != nil {
		return Translation{}, err
	}
	return Translation{Lang: lang, Missing: q.Missing(lang), Reviewed: reviewed}, nil
}
