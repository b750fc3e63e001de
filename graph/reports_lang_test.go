package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/questionnaires"
)

// noRenderer renders nothing: the runs of this test are stored as a
// worker would have stored them.
type noRenderer struct{}

func (noRenderer) Check(context.Context, report.Request) error { return nil }
func (noRenderer) Render(context.Context, report.Request, time.Time) (report.Document, error) {
	return report.Document{}, nil
}

// TestReportRunMessagesInTheReadersLanguage (issue 13): ReportRun.error
// and warnings are given in the language of Accept-Language, from the
// messages the run kept; English by default, as before; a run stored
// before runs kept messages shows its English text in every language.
func TestReportRunMessagesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO questionnaire_digests (questionnaire_id, sha256) VALUES ('implementation-v1', 'x');
		INSERT INTO cycles (id, name, questionnaire_id, opens_on, closes_on) VALUES ('2027', 'Review 2027', 'implementation-v1', '2027-01-01', '2027-12-31')`); err != nil {
		t.Fatal(err)
	}
	reports, err := schedule.New(pool, noRenderer{}, schedule.Config{})
	if err != nil {
		t.Fatal(err)
	}
	timeout, _ := json.Marshal(i18n.M("rendering took longer than {count} minutes and was stopped", "count", 10))
	glyph, _ := json.Marshal([]i18n.Message{report.MissingGlyph('🎉')})
	insert := func(sql string, args ...any) string {
		t.Helper()
		var id string
		if err := pool.QueryRow(ctx, `INSERT INTO report_runs (kind, cycle_id, scheduled_for, requested_by, status, sha256, error, warnings, error_message, warning_messages)
			VALUES ('CYCLE_SYNTHESIS', '2027', now(), 'Secretariat', `+sql+`) RETURNING id`, args...).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	failed := insert(`'FAILED', NULL, 'rendering took longer than 10 minutes and was stopped', '{}', $1, NULL`, timeout)
	warned := insert(`'SUCCEEDED', 'abc', NULL, ARRAY['no embedded font has U+1F389 "🎉": printed as "□"'], NULL, $1`, glyph)
	old := insert(`'FAILED', NULL, 'rendering took longer than 10m0s and was stopped', ARRAY['no embedded font has U+1F389 ''🎉'': printed as ''□'''], NULL, NULL`)

	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(&Resolver{Log: slog.New(slog.DiscardHandler), Registry: reg, Reports: reports}, Options{}, func(int) {})
	h := withLanguage(withStatus(srv))
	secretariat := auth.Principal{Name: "Secretariat", Role: auth.Secretariat}
	read := func(acceptLanguage, id string) (errText *string, warnings []string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { reportRun(id: $id) { error warnings } }`,
			"variables": map[string]any{"id": id}})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(auth.WithPrincipal(ctx, secretariat))
		req.Header.Set("Content-Type", "application/json")
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct {
			Data struct {
				ReportRun *struct {
					Error    *string
					Warnings []string
				}
			}
			Errors []struct{ Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Errors) > 0 || out.Data.ReportRun == nil {
			t.Fatalf("%s %s: HTTP %d %s (%v)", acceptLanguage, id, rec.Code, rec.Body.String(), err)
		}
		return out.Data.ReportRun.Error, out.Data.ReportRun.Warnings
	}
	for _, c := range []struct {
		header, err, warning string
	}{
		{"", "rendering took longer than 10 minutes and was stopped", `no embedded font has U+1F389 "🎉": printed as "□"`},
		{"fr-CA,fr;q=0.9", "le rendu a pris plus de 10 minutes et a été interrompu",
			"aucune police intégrée n'a le caractère U+1F389 « 🎉 » : imprimé comme « □ »"},
		{"ar", "استغرق إعداد التقرير أكثر من ١٠ دقائق فأُوقف", "لا يحوي أيٌّ من الخطوط المضمَّنة الحرف U+1F389 «🎉»: طُبع بدلاً منه «□»"},
	} {
		if e, _ := read(c.header, failed); e == nil || *e != c.err {
			t.Errorf("%q: error %q, want %q", c.header, deref(e, "null"), c.err)
		}
		if e, ws := read(c.header, warned); e != nil || !slices.Equal(ws, []string{c.warning}) {
			t.Errorf("%q: error %q, warnings %q, want none and %q", c.header, deref(e, "null"), ws, c.warning)
		}
		e, ws := read(c.header, old)
		if e == nil || *e != "rendering took longer than 10m0s and was stopped" ||
			!slices.Equal(ws, []string{"no embedded font has U+1F389 '🎉': printed as '□'"}) {
			t.Errorf("%q: a run without messages reads %q, %q; want its stored text", c.header, deref(e, "null"), ws)
		}
	}
}
