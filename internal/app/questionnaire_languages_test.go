package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
)

const questionnaireLanguagesQuery = `query($id: ID!) { questionnaire(id: $id) {
	title en: title(lang: "en") fr: title(lang: "fr") zh: title(lang: "zh")
	translations { lang missing reviewed }
	sections { id title ar: title(lang: "ar") ru: title(lang: "ru") }
	questions { path options choices { value label es: label(lang: "es") fr: label(lang: "fr") ar: label(lang: "ar") } }
} }`

type translationOut struct {
	Lang     string `json:"lang"`
	Missing  int    `json:"missing"`
	Reviewed bool   `json:"reviewed"`
}

type questionnaireLanguages struct {
	Title, En, Fr, Zh string
	Translations      []translationOut
	Sections          []struct{ ID, Title, Ar, Ru string }
	Questions         []struct {
		Path    string
		Options []string
		Choices []struct{ Value, Label, Es, Fr, Ar string }
	}
}

func readLanguages(t *testing.T, env *apptest.Env, token, id string) questionnaireLanguages {
	t.Helper()
	var out struct{ Questionnaire *questionnaireLanguages }
	env.Do(t, token, questionnaireLanguagesQuery, map[string]any{"id": id}).Decode(t, &out)
	if out.Questionnaire == nil {
		t.Fatalf("questionnaire %s not found", id)
	}
	return *out.Questionnaire
}

func TestQuestionnaireLanguages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	q := readLanguages(t, env, env.FocalPoint(t, "GHA"), "implementation-v1")

	t.Run("titles come in the language asked, English by default", func(t *testing.T) {
		const en = "Questionnaire on the implementation of the United Nations Convention on countering the use of information and communications technologies for criminal purposes"
		if q.Title != en || q.En != en {
			t.Errorf("title = %q, title(en) = %q, want %q", q.Title, q.En, en)
		}
		if want := "关于执行《联合国打击为犯罪目的使用信息和通信技术行为公约》情况的调查问卷"; q.Zh != want {
			t.Errorf("title(zh) = %q, want %q", q.Zh, want)
		}
		if q.Fr == q.En || q.Fr == "" {
			t.Errorf("title(fr) = %q, want a French title", q.Fr)
		}
		s := q.Sections[0]
		if s.ID != "general_provisions" || s.Title != "General provisions" || s.Ar != "أحكام عامة" || s.Ru != "Общие положения" {
			t.Errorf("first section = %+v, want general_provisions in English, Arabic and Russian", s)
		}
	})
	t.Run("choices list the options in order with their labels", func(t *testing.T) {
		found := false
		for _, qq := range q.Questions {
			if len(qq.Choices) != len(qq.Options) {
				t.Errorf("%s: %d choices for %d options", qq.Path, len(qq.Choices), len(qq.Options))
				continue
			}
			for i, c := range qq.Choices {
				if c.Value != qq.Options[i] {
					t.Errorf("%s: choice %d is %q, option %q", qq.Path, i, c.Value, qq.Options[i])
				}
			}
			if qq.Path == "/prevention/national_strategy" {
				found = true
				want := []struct{ Value, Label, Es, Fr, Ar string }{
					{"adopted", "Adopted", "Aprobada", "Adoptée", "معتمدة"},
					{"in_preparation", "In preparation", "En preparación", "En cours d'élaboration", "قيد الإعداد"},
					{"none", "None", "Ninguna", "Aucune", "لا توجد"},
				}
				for i, w := range want {
					if qq.Choices[i] != w {
						t.Errorf("national_strategy choice %d = %+v, want %+v", i, qq.Choices[i], w)
					}
				}
			}
		}
		if !found {
			t.Error("no /prevention/national_strategy question")
		}
	})
	t.Run("the six languages are complete and none is reviewed yet", func(t *testing.T) {
		want := []string{"ar", "zh", "en", "fr", "ru", "es"}
		if len(q.Translations) != len(want) {
			t.Fatalf("translations = %+v, want six", q.Translations)
		}
		for i, tr := range q.Translations {
			if tr.Lang != want[i] || tr.Missing != 0 || tr.Reviewed {
				t.Errorf("translation %d = %+v, want %s, 0 missing, not reviewed", i, tr, want[i])
			}
		}
	})
}

func TestReviewTranslation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const review = `mutation($q: ID!, $l: String!, $r: Boolean!) { reviewTranslation(questionnaire: $q, lang: $l, reviewed: $r) { lang missing reviewed } }`
	do := func(token, q, lang string, reviewed bool) apptest.Response {
		return w.env.Do(t, token, review, map[string]any{"q": q, "l": lang, "r": reviewed})
	}
	reviewedLangs := func() map[string]bool {
		out := map[string]bool{}
		for _, tr := range readLanguages(t, w.env, w.sec, "implementation-v1").Translations {
			out[tr.Lang] = tr.Reviewed
		}
		return out
	}

	t.Run("the secretariat marks a translation reviewed, and it is audited", func(t *testing.T) {
		var out struct{ ReviewTranslation translationOut }
		do(w.sec, "implementation-v1", "ar", true).Decode(t, &out)
		if out.ReviewTranslation != (translationOut{Lang: "ar", Missing: 0, Reviewed: true}) {
			t.Errorf("reviewTranslation = %+v, want ar reviewed", out.ReviewTranslation)
		}
		if got := reviewedLangs(); !got["ar"] || got["fr"] || got["en"] {
			t.Errorf("reviewed = %v, want ar only", got)
		}
		var actor string
		if err := w.env.Pool.QueryRow(context.Background(), `SELECT actor FROM audit_events
			WHERE action = 'translation.review' AND subject = 'questionnaire/implementation-v1/ar'`).Scan(&actor); err != nil || actor != secName {
			t.Errorf("audit event by %q (%v), want one by %q", actor, err, secName)
		}
	})
	t.Run("and withdraws it", func(t *testing.T) {
		var out struct{ ReviewTranslation translationOut }
		do(w.sec, "implementation-v1", "ar", false).Decode(t, &out)
		if out.ReviewTranslation.Reviewed || reviewedLangs()["ar"] {
			t.Errorf("ar still reviewed after reviewed: false")
		}
	})
	before := w.snapshot(t)
	for _, tt := range []struct {
		name, token, q, lang, code string
	}{
		{"a focal point is forbidden", w.token(t, "Ghana FP", auth.FocalPoint, "GHA"), "implementation-v1", "fr", "FORBIDDEN"},
		{"a working-group member is forbidden", w.token(t, "IC member", auth.WorkingGroup, "", "international-cooperation"), "implementation-v1", "fr", "FORBIDDEN"},
		{"a language outside the six is bad input", w.sec, "implementation-v1", "de", "BAD_USER_INPUT"},
		{"an unknown questionnaire is not found", w.sec, "implementation-v9", "fr", "NOT_FOUND"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := do(tt.token, tt.q, tt.lang, true)
			if res.Code() != tt.code || !noData(res) {
				t.Errorf("got errors %+v, data %s, want %s and no data", res.Errors, res.Data, tt.code)
			}
		})
	}
	if after := w.snapshot(t); after != before {
		t.Errorf("refused calls changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// The second test questionnaire, served with --questionnaires, reports
// what it lacks in each language (counted by hand in
// internal/questionnaire's TestSecondQuestionnaireMissingLabels).
func TestSecondQuestionnaireTranslations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "questionnaire", "testdata", "second", "training-survey-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "training-survey-v2.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	env := apptest.NewQuestionnaires(t, dir)
	q := readLanguages(t, env, env.Secretariat(t), "training-survey-v2")
	want := map[string]int{"ar": 65, "zh": 65, "en": 0, "fr": 32, "ru": 65, "es": 38}
	for _, tr := range q.Translations {
		if tr.Missing != want[tr.Lang] {
			t.Errorf("missing in %s = %d, want %d", tr.Lang, tr.Missing, want[tr.Lang])
		}
	}
	if q.Fr != "Enquête sur le renforcement des capacités et la formation" || q.Zh != "Capacity-building and training survey" {
		t.Errorf("title(fr), title(zh) = %q, %q, want the French label and the English fallback", q.Fr, q.Zh)
	}
}

// countingTracer counts the statements that name a table.
type countingTracer struct {
	table string
	n     atomic.Int64
}

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.Contains(data.SQL, c.table) {
		c.n.Add(1)
	}
	return ctx
}

func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A list of cycles names the same questionnaire once per cycle; its
// translations are read in one statement, not one per cycle.
func TestTranslationsOfAListAreOneStatement(t *testing.T) {
	t.Parallel()
	tracer := &countingTracer{table: "translation_reviews"}
	env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1}},
		func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = tracer })
	w := &world{env: env, cycle: "2027"}
	w.sec = w.token(t, secName, auth.Secretariat, "")
	for _, id := range []string{"2027", "2028", "2029", "2030"} {
		w.openCycle(t, id, "2026-01-01", "2099-12-31")
	}
	var out struct {
		Cycles []struct {
			Questionnaire struct{ Translations []translationOut }
		}
	}
	before := tracer.n.Load()
	env.Do(t, w.sec, `{ cycles { questionnaire { translations { lang missing reviewed } } } }`, nil).Decode(t, &out)
	if len(out.Cycles) != 4 {
		t.Fatalf("%d cycles, want 4", len(out.Cycles))
	}
	for _, c := range out.Cycles {
		if len(c.Questionnaire.Translations) != 6 {
			t.Errorf("translations = %+v, want six", c.Questionnaire.Translations)
		}
	}
	if n := tracer.n.Load() - before; n != 1 {
		t.Errorf("%d statements read translation_reviews for 4 cycles, want 1", n)
	}
}
