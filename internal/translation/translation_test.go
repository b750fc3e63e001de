package translation_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/translation"
	"github.com/cosp-ict/irm/questionnaires"
)

const id = "implementation-v1"

// load returns implementation-v1 with one edit applied (none when old is "").
// load is the shipped registry with old replaced by new in
// implementation-v1, and without its x-languages: a file that declares no
// language, so that an upload may leave a label to read English (what
// the kit's tests exercise; shippedRegistry keeps the declaration).
func load(t *testing.T, old, new string) *questionnaire.Registry {
	t.Helper()
	q, _ := shippedRegistry(t).Get(id)
	raw := xLanguages.ReplaceAll(q.Raw, nil)
	if bytes.Equal(raw, q.Raw) {
		t.Fatalf("%s.json has no x-languages to take out", id)
	}
	if old != "" {
		if !bytes.Contains(raw, []byte(old)) {
			t.Fatalf("%s.json has no %q", id, old)
		}
		raw = bytes.Replace(raw, []byte(old), []byte(new), 1)
	}
	reg, err := questionnaire.Load(fstest.MapFS{id + ".json": {Data: raw}}, questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

var xLanguages = regexp.MustCompile(`\s*"x-languages":\s*\[[^\]]*\],`)

// shippedRegistry is the registry as the service loads it.
func shippedRegistry(t *testing.T) *questionnaire.Registry {
	t.Helper()
	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func reviewed(t *testing.T, svc *translation.Service, reg *questionnaire.Registry) map[string]bool {
	t.Helper()
	q, _ := reg.Get(id)
	ts, err := svc.Translations(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, tr := range ts {
		out[tr.Lang] = tr.Reviewed
	}
	return out
}

func TestReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	sec := auth.Principal{Name: "Secretariat", Role: auth.Secretariat}
	reg := load(t, "", "")
	svc := translation.NewService(pool, reg)

	t.Run("a new questionnaire lists six languages, none reviewed", func(t *testing.T) {
		q, _ := reg.Get(id)
		ts, err := svc.Translations(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 6 {
			t.Fatalf("%d translations, want 6", len(ts))
		}
		for i, tr := range ts {
			if tr.Lang != questionnaire.Languages[i] || tr.Reviewed {
				t.Errorf("translation %d = %+v, want %s not reviewed", i, tr, questionnaire.Languages[i])
			}
		}
	})
	isReviewed := func(t *testing.T, svc *translation.Service, lang string) bool {
		t.Helper()
		ok, err := svc.Reviewed(ctx, id, lang)
		if err != nil {
			t.Fatalf("Reviewed(%s) = %v", lang, err)
		}
		return ok
	}
	t.Run("before any review only English, the original, reads as reviewed", func(t *testing.T) {
		for _, lang := range questionnaire.Languages {
			if got := isReviewed(t, svc, lang); got != (lang == "en") {
				t.Errorf("Reviewed(%s) = %v, want %v", lang, got, lang == "en")
			}
		}
	})
	for _, lang := range []string{"fr", "es"} {
		if _, err := svc.Review(ctx, sec, id, lang, true); err != nil {
			t.Fatalf("Review(%s) = %v", lang, err)
		}
	}
	t.Run("a review is stored and audited", func(t *testing.T) {
		if got := reviewed(t, svc, reg); !got["fr"] || !got["es"] || got["ar"] {
			t.Errorf("reviewed = %v, want fr and es", got)
		}
		if !isReviewed(t, svc, "fr") || !isReviewed(t, svc, "es") || isReviewed(t, svc, "ar") {
			t.Error("Reviewed disagrees with Translations: want fr and es")
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'translation.review'
			AND subject IN ('questionnaire/implementation-v1/fr', 'questionnaire/implementation-v1/es') AND actor = 'Secretariat'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d audit events (%v), want 2", n, err)
		}
	})
	t.Run("a changed French label makes the French translation a draft again, and only it", func(t *testing.T) {
		edited := load(t, `"fr": "Dispositions générales"`, `"fr": "Dispositions générales de la Convention"`)
		if got := reviewed(t, translation.NewService(pool, edited), edited); got["fr"] || !got["es"] {
			t.Errorf("reviewed = %v, want es only", got)
		}
		if isReviewed(t, translation.NewService(pool, edited), "fr") || !isReviewed(t, translation.NewService(pool, edited), "es") {
			t.Error("Reviewed after a French label changed: want es only")
		}
	})
	t.Run("a changed French help text makes the French translation a draft again, and only it", func(t *testing.T) {
		edited := load(t, `"fr": "Ministère ou organisme et service concerné en son sein."`,
			`"fr": "Ministère ou organisme, et service compétent en son sein."`)
		if got := reviewed(t, translation.NewService(pool, edited), edited); got["fr"] || !got["es"] {
			t.Errorf("reviewed = %v, want es only", got)
		}
	})
	t.Run("a review can be withdrawn", func(t *testing.T) {
		tr, err := svc.Review(ctx, sec, id, "es", false)
		if err != nil || tr.Reviewed || tr.Lang != "es" {
			t.Fatalf("Review(es, false) = %+v, %v", tr, err)
		}
		if got := reviewed(t, svc, reg); got["es"] || !got["fr"] {
			t.Errorf("reviewed = %v, want fr only", got)
		}
		if isReviewed(t, svc, "es") || !isReviewed(t, svc, "fr") {
			t.Error("Reviewed after the Spanish review was withdrawn: want fr only")
		}
	})
	for _, tt := range []struct {
		name string
		p    auth.Principal
		id   string
		lang string
		code apperr.Code
	}{
		{"a focal point may not review", auth.Principal{Name: "fp", Role: auth.FocalPoint, State: "KEN"}, id, "fr", apperr.Forbidden},
		{"a working-group member may not review", auth.Principal{Name: "wg", Role: auth.WorkingGroup}, id, "fr", apperr.Forbidden},
		{"a language outside the six is bad input", sec, id, "de", apperr.BadInput},
		{"an upper-case code is bad input", sec, id, "FR", apperr.BadInput},
		{"an unknown questionnaire is not found", sec, "implementation-v9", "fr", apperr.NotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.Review(ctx, tt.p, tt.id, tt.lang, true); apperr.CodeOf(err) != tt.code {
				t.Errorf("Review = %v, want %s", err, tt.code)
			}
		})
	}
	for _, tt := range []struct {
		name, id, lang string
		code           apperr.Code
	}{
		{"a language outside the six is bad input", id, "de", apperr.BadInput},
		{"an unknown questionnaire is not found", "implementation-v9", "fr", apperr.NotFound},
	} {
		t.Run("Reviewed: "+tt.name, func(t *testing.T) {
			if _, err := svc.Reviewed(ctx, tt.id, tt.lang); apperr.CodeOf(err) != tt.code {
				t.Errorf("Reviewed = %v, want %s", err, tt.code)
			}
		})
	}
}
