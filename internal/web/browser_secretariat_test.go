package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/submission"
)

// insertRun stores a finished report run (and its PDF when it succeeded)
// as the render worker does (issue 13): a failed run's error in English
// and as a message, a succeeded one's warning (a character no font has)
// likewise.
func (s *site) insertRun(t *testing.T, kind, state, status, errText string, errMessage *i18n.Message) string {
	t.Helper()
	var id string
	pdf := []byte("%PDF-1.4 test report\n%%EOF\n")
	warning := report.MissingGlyph('🎉')
	messages, err := json.Marshal([]i18n.Message{warning})
	if err != nil {
		t.Fatal(err)
	}
	var failure []byte
	if errMessage != nil {
		if failure, err = json.Marshal(errMessage); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Pool.QueryRow(context.Background(), `INSERT INTO report_runs (kind, cycle_id, state_code, scheduled_for, status,
		finished_at, pages, bytes, sha256, file_name, error, warnings, requested_by, error_message, warning_messages)
		VALUES ($6, $1, nullif($2, ''), now(), $3, now(), CASE WHEN $3 = 'SUCCEEDED' THEN 2 END, CASE WHEN $3 = 'SUCCEEDED' THEN $4::int END,
		CASE WHEN $3 = 'SUCCEEDED' THEN 'abc' END, CASE WHEN $3 = 'SUCCEEDED' THEN 'profile.pdf' END, nullif($5, ''),
		CASE WHEN $3 = 'SUCCEEDED' THEN ARRAY[$7] ELSE '{}' END, 'test', $8,
		CASE WHEN $3 = 'SUCCEEDED' THEN $9::jsonb END)
		RETURNING id`, implCycle, state, status, len(pdf), errText, kind, warning.In("en"), failure, messages).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if status == "SUCCEEDED" {
		if _, err := s.Pool.Exec(context.Background(), `INSERT INTO report_files (run_id, pdf) VALUES ($1, $2)`, id, pdf); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// topShot writes what the window shows (the top of the page), beside
// the full-page screenshots.
func (b *browser) topShot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
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
	crash := i18n.M("the renderer crashed; the service's log has the details")
	failed := s.insertRun(t, "COUNTRY_PROFILE", "KEN", "FAILED", "the renderer crashed: out of memory", &crash)
	done := s.insertRun(t, "TECHNICAL_ASSISTANCE", "", "SUCCEEDED", "", nil)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.signIn(s.token(t, auth.Secretariat, ""))
	b.submit(`nav.menu a[href="/runs"]`)
	if got := b.text("#run-" + failed); !strings.Contains(got, "the renderer crashed: out of memory") || !strings.Contains(got, "Failed") {
		t.Errorf("the failed run's row reads %q, want its status and error", got)
	}
	if got := b.text("#run-" + done); !strings.Contains(got, `no embedded font has U+1F389 "🎉": printed as "□"`) || !strings.Contains(got, "Succeeded") {
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

	// The page in Arabic, right to left, with its refusal in Arabic, and
	// the runs' error and warning in Arabic (issue 13).
	b.chooseLanguage("ar")
	if got, want := b.text("#run-"+failed), crash.In("ar"); !strings.Contains(got, want) || strings.Contains(got, "crashed") {
		t.Errorf("the failed run's row in Arabic reads %q, want %q", got, want)
	}
	if got, want := b.text("#run-"+done), report.MissingGlyph('🎉').In("ar"); !strings.Contains(got, want) || strings.Contains(got, "no embedded font") {
		t.Errorf("the finished run's row in Arabic reads %q, want %q", got, want)
	}
	b.do(chromedp.SetValue("#s-kind", "CYCLE_SYNTHESIS"), chromedp.SetValue("#s-cycle", implCycle))
	b.submit(`form[action="/schedules"] button[type=submit]`)
	if got, want := b.text("#schedule-error + ul"), i18n.T("ar", "Repeats (cron)"); !strings.Contains(got, want) {
		t.Errorf("the Arabic summary %q does not name the field %q", got, want)
	}
	b.page("s07-reports")
}

// TestBrowserReviewShowsTheChangedAnswersOnly: issue 17. The review page
// was about 13,000 px tall whatever changed. With a previous version to
// compare with, it now lists the changed answers only (all of them one
// link away), with a contents list that jumps to each change, and a
// changed text marks the words added and removed (ins and del, with
// words for screen readers, underlined and struck through).
func TestBrowserReviewShowsTheChangedAnswersOnly(t *testing.T) {
	s := newSite(t)
	secP := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	ctx := auth.WithPrincipal(context.Background(), secP)
	sample := decodeJSON(t, demo.SampleAnswers())
	res, err := s.Workflow.SaveDraft(ctx, secP, implCycle, "GHA", demo.SampleAnswers(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err = s.Workflow.Submit(ctx, secP, implCycle, "GHA", res.Submission.Version); err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit: %v %+v", err, res.Errors)
	}
	path := "/general_provisions/reservations_details"
	if res, err = s.Workflow.Return(ctx, secP, res.Submission.ID, res.Submission.Version,
		[]submission.CommentInput{{Path: &path, Body: "Say which offences the reservation covers."}}); err != nil {
		t.Fatal(err)
	}
	gp := sample["general_provisions"].(map[string]any)
	gp["reservations_details"] = strings.Replace(gp["reservations_details"].(string),
		"at least four years of imprisonment", "at least five years of imprisonment under the Penal Code", 1)
	raw, _ := json.Marshal(sample)
	if res, err = s.Workflow.SaveDraft(ctx, secP, implCycle, "GHA", raw, &res.Submission.Version); err != nil {
		t.Fatal(err)
	}
	if res, err = s.Workflow.Submit(ctx, secP, implCycle, "GHA", res.Submission.Version); err != nil || len(res.Errors) > 0 {
		t.Fatalf("resubmit: %v %+v", err, res.Errors)
	}

	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.data = questionnaireTexts(s.Registry)
	b.signIn(s.token(t, auth.Secretariat, ""))
	b.open("/review/" + implCycle + "/GHA")
	if n := eval[int](b, `document.querySelectorAll("table.compare tbody tr:not(.group-row)").length`); n != 1 {
		t.Errorf("the review lists %d answers, want the 1 changed", n)
	}
	row := `tr#q\.general_provisions\.reservations_details`
	if !b.exists(`.changes-toc a[href="#q.general_provisions.reservations_details"]`) || !b.exists(row) {
		t.Fatal("no jump link to the changed answer")
	}
	words := func(sel string) string {
		return eval[string](b, `Array.from(document.querySelectorAll("`+sel+`")).map(function (e) { return e.textContent; }).join(" | ")`)
	}
	cell := `tr[id='q.general_provisions.reservations_details'] td:nth-of-type`
	if got := words(cell + "(1) ins"); !strings.Contains(got, "five") || !strings.Contains(got, "Penal Code") || strings.Contains(got, "Declaration") {
		t.Errorf("the added words read %q", got)
	}
	if got := words(cell + "(2) del"); !strings.Contains(got, "four") || strings.Contains(got, "Declaration") {
		t.Errorf("the removed words read %q", got)
	}
	if got := eval[string](b, `getComputedStyle(document.querySelector("ins")).textDecorationLine + "/" + getComputedStyle(document.querySelector("del")).textDecorationLine`); got != "underline/line-through" {
		t.Errorf("ins/del are drawn %q, want underlined and struck through (not colour only)", got)
	}
	b.page("r01-review-changed-only")
	b.submit(`.view-switch a`)
	if n := eval[int](b, `document.querySelectorAll("table.compare tbody tr:not(.group-row)").length`); n < 20 {
		t.Errorf("all answers: %d rows", n)
	}
	b.page("r02-review-all")
	// A comment sent from the whole list comes back to the whole list.
	b.do(chromedp.Click(`tr#q\.prevention\.agency_name summary`), chromedp.SetValue(`tr#q\.prevention\.agency_name textarea`, "Which ministry?"))
	b.submit(`.actions button[value="comment"]`)
	if !strings.Contains(b.location(), "show=all") || !b.exists(`tr#q\.prevention\.agency_name .comment`) {
		t.Errorf("after a comment, at %s, want the whole list with the comment", b.location())
	}
	b.chooseLanguage("ar")
	b.open("/review/" + implCycle + "/GHA")
	b.page("r03-review-changed-only")
}

// TestBrowserConfirmationsAndLabelledErrors: issue 17. Marking a State
// Party took one click; it now asks first on a page that works without
// a script, and going back changes nothing. The form to open a cycle said
// its problems with the API's field names (closesOn); it now says them
// with its labels, beside each field.
func TestBrowserConfirmationsAndLabelledErrors(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.signIn(s.token(t, auth.Secretariat, ""))
	party := func() bool {
		var p bool
		if err := s.Pool.QueryRow(context.Background(), `SELECT party FROM states WHERE code = 'NOR'`).Scan(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b.open("/states")
	b.submit(`#st-NOR button[value="true"]`)
	if got := b.text("h1"); got != "States Parties" || !strings.Contains(b.text(".banner"), "Mark Norway as a State Party?") || party() {
		t.Fatalf("after one click: h1 %q, banner %q, party %v", got, b.text(".banner"), party())
	}
	b.page("c01-confirm-party")
	b.submit(`form.confirm a.secondary`)
	if !strings.HasSuffix(b.location(), "/states#st-NOR") || party() {
		t.Fatalf("going back: at %s, party %v", b.location(), party())
	}
	b.submit(`#st-NOR button[value="true"]`)
	b.submit(`form.confirm button[type=submit]`)
	if !party() {
		t.Fatal("NOR is not a Party after the confirmation")
	}

	b.open("/cycles/new")
	b.do(chromedp.SetValue("#id", "2031"), chromedp.SetValue("#name", "2031 review"),
		chromedp.SetValue("#opens_on", "2031-05-01"), chromedp.SetValue("#closes_on", "2031-03-01"))
	b.submit(`form[action="/cycles"] button[type=submit]`)
	if got := b.text(".error-summary"); !strings.Contains(got, "Deadline (inclusive): The deadline must be on or after the opening date") || strings.Contains(got, "closesOn") {
		t.Errorf("the summary reads %q", got)
	}
	if !b.exists(`.has-error #closes_on[aria-describedby="closes_on-error"]`) {
		t.Error("the deadline field is not marked with its error")
	}
	b.page("c02-open-cycle-refused")
	b.chooseLanguage("ar") // from the refusal, back to the form in Arabic
	if !strings.HasSuffix(b.location(), "/cycles/new") {
		t.Fatalf("choosing a language on the refusal led to %s, want the form", b.location())
	}
	b.do(chromedp.SetValue("#id", "2031"), chromedp.SetValue("#opens_on", "2031-05-01"), chromedp.SetValue("#closes_on", "2031-03-01"))
	b.submit(`form[action="/cycles"] button[type=submit]`)
	if got, want := b.text(".error-summary"), i18n.T("ar", "Deadline (inclusive)"); !strings.Contains(got, want) || !strings.Contains(got, i18n.T("ar", "Name")) {
		t.Errorf("the Arabic summary %q does not name the fields", got)
	}
	b.page("c03-open-cycle-refused")
}

// TestBrowserNarrowScreens: issue 17. At 360 px the tables clipped their
// columns (home hid the status and the version, statistics the latest
// years, the review the previous version), the charts' text shrank to
// about 4 px and the header took 200 px. Tables now scroll within a
// focusable, labelled region (a series opens on its latest years), charts
// keep the size of their text and scroll, and the header is compact; in
// English and in Arabic (right to left).
func TestBrowserNarrowScreens(t *testing.T) {
	s := newSite(t)
	secP := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	ctx := auth.WithPrincipal(context.Background(), secP)
	if _, err := s.Workflow.SaveDraft(ctx, secP, implCycle, "GHA", demo.SampleAnswers(), nil); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Workflow.Submit(ctx, secP, implCycle, "GHA", 1); err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit: %v", err)
	}
	b := newBrowser(t, s.URL)
	b.data = questionnaireTexts(s.Registry)
	b.signIn(s.token(t, auth.FocalPoint, "GHA"))
	csv := filepath.Join(t.TempDir(), "series.csv")
	var rows strings.Builder
	rows.WriteString("indicator,year,value\n")
	for y := 2010; y <= 2025; y++ {
		fmt.Fprintf(&rows, "OFFENCES_RECORDED,%d,%d\n", y, 1000+y)
	}
	if err := os.WriteFile(csv, []byte(rows.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open("/states/GHA/statistics")
	b.do(chromedp.SetUploadFiles("#file", []string{csv}))
	b.submit(`form[enctype="multipart/form-data"] button[type=submit]`)

	// regions: every table's wrapper that scrolls is focusable and named.
	regions := func(name string) {
		t.Helper()
		if bad := eval[string](b, `Array.from(document.querySelectorAll(".table-wrap")).filter(function (w) {
			return w.scrollWidth > w.clientWidth && !(w.tabIndex === 0 && w.getAttribute("role") === "region" && w.getAttribute("aria-label"));
		}).map(function (w) { return w.outerHTML.slice(0, 80); }).join(" ; ")`); bad != "" {
			t.Errorf("%s: tables that scroll but cannot be reached or are not named: %s", name, bad)
		}
	}
	header := func(name string, max int) {
		t.Helper()
		if h := eval[int](b, `Math.round(document.querySelector("header.top").getBoundingClientRect().height)`); h > max {
			t.Errorf("%s: the header is %d px tall, want at most %d", name, h, max)
		}
	}
	for _, lang := range []string{"en", "ar"} {
		if lang == "ar" {
			b.chooseLanguage("ar")
		}
		b.do(chromedp.EmulateViewport(360, 800))
		b.open("/")
		regions("home")
		if !eval[bool](b, `document.querySelector(".table-wrap").scrollWidth > document.querySelector(".table-wrap").clientWidth`) {
			t.Log("home's table fits at 360 px")
		}
		header("home", 130)
		b.shot(lang + "-n01-home-360px")
		b.topShot(lang + "-n01-home-360px-top")
		b.fits("home at 360 px")

		b.open("/states/GHA/statistics")
		regions("statistics")
		// The latest year is in view without scrolling by hand.
		// (2025 as the page's language writes it: ٢٠٢٥ in Arabic.)
		if !eval[bool](b, `(function () {
			var cells = document.querySelectorAll("table.series thead th.num"), last = cells[cells.length - 1];
			var w = last.closest(".table-wrap").getBoundingClientRect(), r = last.getBoundingClientRect();
			return last.textContent.trim() === `+strconv.Quote(map[string]string{"en": "2025", "ar": "٢٠٢٥"}[lang])+` && r.left >= w.left - 1 && r.right <= w.right + 1;
		})()`) {
			t.Errorf("%s: the latest year (2025) is not in view at 360 px", lang)
		}
		b.shot(lang + "-n02-statistics-360px")
		b.fits("statistics at 360 px")
		b.do(chromedp.EmulateViewport(1280, 900))
		b.shot(lang + "-n02-statistics")
	}
	b.signOut()

	b.lang = "ar"
	b.signIn(s.token(t, auth.WorkingGroup, "", "international-cooperation"))
	for _, lang := range []string{"ar", "en"} {
		if lang == "en" {
			b.chooseLanguage("en")
		}
		b.do(chromedp.EmulateViewport(360, 800))
		b.open("/groups/international-cooperation/" + implCycle)
		// Chart text keeps the size it has on a large screen: at least 9 px.
		if px := eval[float64](b, `(function () {
			var svg = document.querySelector("figure.chart svg"), t = svg.querySelector("text");
			return +t.getAttribute("font-size") * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
		})()`); px < 9 {
			t.Errorf("%s: chart text is drawn %.1f px tall at 360 px, want at least 9", lang, px)
		}
		if !eval[bool](b, `Array.from(document.querySelectorAll("figure.chart")).every(function (f) { return f.tabIndex === 0; })`) {
			t.Errorf("%s: a chart that scrolls cannot be reached from the keyboard", lang)
		}
		regions("dashboard")
		b.shot(lang + "-n03-dashboard-360px")
		eval[bool](b, `document.querySelector("figure.chart").scrollIntoView(); true`)
		b.topShot(lang + "-n03-dashboard-360px-chart")
		b.fits("dashboard at 360 px")
		b.do(chromedp.EmulateViewport(1280, 900))
		b.shot(lang + "-n03-dashboard")
	}
	b.signOut()

	b.signIn(s.token(t, auth.Secretariat, ""))
	b.do(chromedp.EmulateViewport(360, 800))
	b.open("/review/" + implCycle + "/GHA")
	regions("review")
	// The secretariat's menu has the most entries (eight with
	// Translations): three rows at 360 px, still under a fifth of the
	// screen.
	header("review", 140)
	b.shot("en-n04-review-360px")
	b.topShot("en-n04-review-360px-top")
	b.fits("review at 360 px")
	b.do(chromedp.EmulateViewport(1280, 900))
}

// TestBrowserOneH1AndNoRepeatedHeadings: issue 17 found pages with
// duplicate headings. Every page has one h1, and no two headings of a
// page say the same.
func TestBrowserOneH1AndNoRepeatedHeadings(t *testing.T) {
	s := newSite(t)
	secP := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	ctx := auth.WithPrincipal(context.Background(), secP)
	if _, err := s.Workflow.SaveDraft(ctx, secP, implCycle, "GHA", demo.SampleAnswers(), nil); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Workflow.Submit(ctx, secP, implCycle, "GHA", 1); err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit: %v", err)
	}
	s.insertRun(t, "TECHNICAL_ASSISTANCE", "", "SUCCEEDED", "", nil)
	b := newBrowser(t, s.URL)
	check := func(path string) {
		t.Helper()
		b.open(path)
		if os.Getenv("IRM_TEST_HEADINGS") != "" {
			t.Log(path, eval[string](b, `Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6, [role=heading]")).map(function (h) { return h.tagName + ":" + h.textContent.replace(/\s+/g, " ").trim(); }).join(" | ")`))
		}
		if got := eval[string](b, `(function () {
			var hs = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6")), seen = {}, out = [];
			if (document.querySelectorAll("h1").length !== 1) { out.push(document.querySelectorAll("h1").length + " h1"); }
			hs.forEach(function (h) {
				var k = h.textContent.replace(/\s+/g, " ").trim();
				if (seen[k]) { out.push("twice: " + k); }
				seen[k] = true;
			});
			return out.join("; ");
		})()`); got != "" {
			t.Errorf("%s (%s): %s", path, b.lang, got)
		}
	}
	for _, tc := range []struct {
		token string
		pages []string
	}{
		{s.token(t, auth.FocalPoint, "GHA"), []string{"/", "/cycles/" + implCycle + "/states/GHA", "/cycles/" + secondCycle + "/states/GHA",
			"/states/GHA/statistics", "/published", "/no-such-page", "/explorer"}},
		{s.token(t, auth.Secretariat, ""), []string{"/", "/review/" + implCycle, "/review/" + implCycle + "/GHA", "/states", "/cycles/new", "/runs", "/published"}},
		{s.token(t, auth.WorkingGroup, "", "international-cooperation"), []string{"/", "/groups/international-cooperation/" + implCycle}},
	} {
		b.signIn(tc.token)
		for _, lang := range []string{"fr", "ar", "en"} { // two keys may share a translation
			b.chooseLanguage(lang)
			for _, p := range tc.pages {
				check(p)
			}
		}
		b.signOut()
	}
	check("/sign-in")
}

// TestBrowserExplorerDocumentsTheSchema: issue 17. The explorer had no
// schema documentation and its first example failed (it saved a draft
// over a submitted one). The schema is now documented beside the editor,
// drawn from the schema itself with no outside request, and the first
// example reads what the signed-in role may read, and succeeds.
func TestBrowserExplorerDocumentsTheSchema(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true}
	for _, role := range []struct {
		role  auth.Role
		state string
		group []string
	}{{auth.FocalPoint, "GHA", nil}, {auth.Secretariat, "", nil}, {auth.WorkingGroup, "", []string{"prevention"}}} {
		tok := s.token(t, role.role, role.state, role.group...)
		b.open("/explorer")
		b.do(chromedp.SetValue("#gql-headers", `{"Authorization": "Bearer `+tok+`"}`), chromedp.Click("#explorer button[type=submit]"))
		res := eval[string](b, `new Promise(function (ok) { var n = 0; (function wait() {
			var t = document.getElementById("gql-result").textContent;
			if (t && t !== "…") { ok(t); } else if (++n > 100) { ok(""); } else { setTimeout(wait, 100); } })(); })`)
		var out struct {
			Data   struct{ Viewer struct{ Role string } }
			Errors []any
		}
		if err := json.Unmarshal([]byte(res), &out); err != nil || len(out.Errors) > 0 || out.Data.Viewer.Role != string(role.role) {
			t.Errorf("%s: the first example answered %s", role.role, res)
		}
	}
	if !b.exists(`.docs #t-Query`) || !b.exists(`.docs #t-Mutation`) || !b.exists(`.docs a[href="#t-Cycle"]`) || !b.exists(`.docs #t-Cycle`) {
		t.Fatal("the schema documentation lacks Query, Mutation or a link to Cycle")
	}
	if got := b.text(`#t-Query`); !strings.Contains(got, "cycles: [Cycle!]!") || !strings.Contains(got, "submission(cycle: ID!, state: ID!): Submission") {
		t.Errorf("Query is documented as %q", got)
	}
	// Beside the editor at 1,280 px.
	if !eval[bool](b, `document.querySelector(".docs").getBoundingClientRect().left > document.querySelector("#gql-query").getBoundingClientRect().right`) {
		t.Error("the documentation is not beside the editor")
	}
	if got := eval[string](b, `performance.getEntriesByType("resource").map(function (e) { return e.name; }).filter(function (u) { return u.indexOf(location.origin) !== 0; }).join(" ")`); got != "" {
		t.Errorf("the explorer asked outside: %s", got)
	}
	b.page("e01-explorer")
}
