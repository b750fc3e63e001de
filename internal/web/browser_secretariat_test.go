package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
)

// insertRun stores a finished report run (and its PDF when it succeeded)
// as the render worker would.
func (s *site) insertRun(t *testing.T, kind, state, status, errText string) string {
	t.Helper()
	var id string
	pdf := []byte("%PDF-1.4 test report\n%%EOF\n")
	if err := s.Pool.QueryRow(context.Background(), `INSERT INTO report_runs (kind, cycle_id, state_code, scheduled_for, status,
		finished_at, pages, bytes, sha256, file_name, error, warnings, requested_by)
		VALUES ($6, $1, nullif($2, ''), now(), $3, now(), CASE WHEN $3 = 'SUCCEEDED' THEN 2 END, CASE WHEN $3 = 'SUCCEEDED' THEN $4::int END,
		CASE WHEN $3 = 'SUCCEEDED' THEN 'abc' END, CASE WHEN $3 = 'SUCCEEDED' THEN 'profile.pdf' END, nullif($5, ''),
		CASE WHEN $3 = 'SUCCEEDED' THEN ARRAY['2 characters no font has were drawn as boxes'] ELSE '{}' END, 'test')
		RETURNING id`, implCycle, state, status, len(pdf), errText, kind).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if status == "SUCCEEDED" {
		if _, err := s.Pool.Exec(context.Background(), `INSERT INTO report_files (run_id, pdf) VALUES ($1, $2)`, id, pdf); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func (s *site) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrowserSecretariatReportsPage: issue 17. Rendering, publishing and
// scheduling reports could only be done through GraphQL, and failed runs
// appeared nowhere on the pages. The secretariat's reports page lists
// every run with its status, error and warnings, renders, publishes
// (after a confirmation), and creates, pauses, resumes and deletes
// (after a confirmation) schedules; problems are said against the form's
// labels. In English and in Arabic, at 1,280 and 360 px.
func TestBrowserSecretariatReportsPage(t *testing.T) {
	s := newSite(t)
	failed := s.insertRun(t, "COUNTRY_PROFILE", "KEN", "FAILED", "the renderer crashed: out of memory")
	done := s.insertRun(t, "TECHNICAL_ASSISTANCE", "", "SUCCEEDED", "")
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.signIn(s.token(t, auth.Secretariat, ""))
	b.submit(`nav.menu a[href="/runs"]`)
	if got := b.text("#run-" + failed); !strings.Contains(got, "the renderer crashed: out of memory") || !strings.Contains(got, "Failed") {
		t.Errorf("the failed run's row reads %q, want its status and error", got)
	}
	if got := b.text("#run-" + done); !strings.Contains(got, "drawn as boxes") || !strings.Contains(got, "Succeeded") {
		t.Errorf("the finished run's row reads %q, want its status and warnings", got)
	}
	b.page("s01-reports")

	// Render: problems against the labels, nothing queued.
	runs := func() int { return s.count(t, `SELECT count(*) FROM report_runs`) }
	b.do(chromedp.SetValue("#r-kind", "COUNTRY_PROFILE"), chromedp.SetValue("#r-cycle", implCycle))
	b.submit(`form[action="/runs"] button[type=submit]`)
	if got := b.text("#render-error + ul"); !strings.Contains(got, "State (country profile only): Choose the State") {
		t.Errorf("a country profile without a State: the summary reads %q", b.text(".error-summary"))
	}
	if !b.exists(`.has-error #r-state`) || runs() != 2 {
		t.Errorf("the State field is not marked, or a run was queued (%d runs)", runs())
	}
	if got := eval[string](b, `document.querySelector("#r-kind").value + "/" + document.querySelector("#r-cycle").value`); got != "COUNTRY_PROFILE/"+implCycle {
		t.Errorf("after the refusal the form holds %q, want what was chosen", got)
	}
	b.page("s02-render-refused")
	b.do(chromedp.SetValue("#r-state", "NGA"), chromedp.SetValue("#r-language", "fr"))
	b.submit(`form[action="/runs"] button[type=submit]`)
	if runs() != 3 || s.count(t, `SELECT count(*) FROM report_runs WHERE state_code = 'NGA' AND language = 'fr' AND status = 'QUEUED'`) != 1 {
		t.Fatalf("rendering queued no run for NGA in French: %s", b.text("main"))
	}
	if !strings.Contains(b.text(".banner.ok"), "queued") {
		t.Errorf("no notice after render: %q", b.text("main"))
	}

	// Publish asks first; going back changes nothing.
	b.submit(`#run-` + done + ` form button`)
	if got := b.text("h1"); got != "Publish a report" {
		t.Fatalf("publish: h1 %q, want the confirmation step", got)
	}
	if s.count(t, `SELECT count(*) FROM report_runs WHERE published`) != 0 {
		t.Fatal("published before it was confirmed")
	}
	b.page("s03-confirm-publish")
	b.submit(`form.confirm a.secondary`)
	if !strings.HasSuffix(b.location(), "/runs#run-"+done) || s.count(t, `SELECT count(*) FROM report_runs WHERE published`) != 0 {
		t.Fatalf("going back: at %s", b.location())
	}
	b.submit(`#run-` + done + ` form button`)
	b.submit(`form.confirm button[type=submit]`)
	if s.count(t, `SELECT count(*) FROM report_runs WHERE id = $1 AND published`, done) != 1 {
		t.Fatalf("not published after the confirmation: %s", b.text("main"))
	}

	// Schedules: a bad cron spec said against its label, then created,
	// paused, resumed and deleted (after a confirmation).
	b.do(chromedp.SetValue("#s-kind", "CYCLE_SYNTHESIS"), chromedp.SetValue("#s-cycle", implCycle),
		chromedp.SetValue("#s-cron", "every monday"))
	b.submit(`form[action="/schedules"] button[type=submit]`)
	if got := b.text("#schedule-error + ul"); !strings.Contains(got, "Repeats (cron): Give five fields") {
		t.Errorf("a bad cron spec: the summary reads %q", b.text(".error-summary"))
	}
	if got := eval[string](b, `document.querySelector("#s-cron").value`); got != "every monday" {
		t.Errorf("the cron field holds %q after the refusal, want what was typed", got)
	}
	b.page("s04-schedule-refused")
	b.do(chromedp.SetValue("#s-cron", "0 6 * * MON"), chromedp.SetValue("#s-timezone", "Europe/Paris"))
	b.submit(`form[action="/schedules"] button[type=submit]`)
	var id string
	if err := s.Pool.QueryRow(context.Background(), `SELECT id FROM report_schedules WHERE cron = '0 6 * * MON' AND timezone = 'Europe/Paris' AND active`).Scan(&id); err != nil {
		t.Fatalf("no schedule created: %v\n%s", err, b.text("main"))
	}
	row := "#sch-" + id
	b.page("s05-schedule-created")
	b.submit(row + ` form[action$="/pause"] button`)
	if s.count(t, `SELECT count(*) FROM report_schedules WHERE id = $1 AND NOT active`, id) != 1 || !strings.Contains(b.text(row), "Paused") {
		t.Fatalf("pause: %s", b.text(row))
	}
	b.submit(row + ` form[action$="/resume"] button`)
	if s.count(t, `SELECT count(*) FROM report_schedules WHERE id = $1 AND active`, id) != 1 || !strings.Contains(b.text(row), "Active") {
		t.Fatalf("resume: %s", b.text(row))
	}
	b.submit(row + ` form[action$="/delete"] button`)
	if got := b.text("h1"); got != "Delete a schedule" || s.count(t, `SELECT count(*) FROM report_schedules WHERE deleted_at IS NULL`) != 1 {
		t.Fatalf("delete: h1 %q, want the confirmation step and the schedule kept", got)
	}
	b.page("s06-confirm-delete")
	b.submit(`form.confirm button[type=submit]`)
	if s.count(t, `SELECT count(*) FROM report_schedules WHERE deleted_at IS NULL`) != 0 || b.exists(row) {
		t.Fatal("the schedule is not deleted after the confirmation")
	}

	// The page in Arabic, right to left, with its refusal in Arabic.
	b.chooseLanguage("ar")
	b.do(chromedp.SetValue("#s-kind", "CYCLE_SYNTHESIS"), chromedp.SetValue("#s-cycle", implCycle))
	b.submit(`form[action="/schedules"] button[type=submit]`)
	if got, want := b.text("#schedule-error + ul"), i18n.T("ar", "Repeats (cron)"); !strings.Contains(got, want) {
		t.Errorf("the Arabic summary %q does not name the field %q", got, want)
	}
	b.page("s07-reports")
}
