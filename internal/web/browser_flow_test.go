package web_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/state"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/submission"
)

// The whole review in a browser: a focal point fills in implementation-v1
// through the form and submits; the secretariat returns it with a comment;
// the focal point sees the comment, fixes and resubmits; the secretariat
// accepts; a working-group member opens the dashboard; a focal point
// cannot open another State's pages. Every page is screenshotted and
// checked with axe-core. The whole review runs in English and in Arabic
// (right to left), each page checked for its language.
func TestBrowserReviewFromFirstAnswerToAcceptance(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) { reviewFromFirstAnswerToAcceptance(t, lang) })
	}
}

func reviewFromFirstAnswerToAcceptance(t *testing.T, lang string) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.data = questionnaireTexts(s.Registry)
	msg := func(key string) string { return i18n.T(lang, key) }
	fp := s.token(t, auth.FocalPoint, "GHA")
	sec := s.token(t, auth.Secretariat, "")
	member := s.token(t, auth.WorkingGroup, "", "international-cooperation")
	sample := decodeJSON(t, demo.SampleAnswers())
	q, _ := s.Registry.Get("implementation-v1")
	base := "/cycles/" + implCycle + "/states/GHA"

	b.open("/sign-in")
	if lang != "en" {
		b.chooseLanguage(lang)
	}
	b.page("01-sign-in")
	b.signIn(fp)
	// The State's UN short name in the page's language.
	if got, want := b.text("h1"), ghanaIn(lang); got != want {
		t.Fatalf("focal point's home: h1 %q, want %q", got, want)
	}
	if !strings.Contains(b.text("main"), implCycle+" review") {
		t.Fatalf("home does not list the open cycle:\n%s", b.text("main"))
	}
	b.page("02-focal-point-home")

	b.submit("a[href='" + base + "']")
	b.page("03-questionnaire-first-section")

	for i, section := range q.Sections {
		if !strings.Contains(b.location(), "section="+section.ID) && i > 0 {
			t.Fatalf("after section %d, at %s, want section %s", i, b.location(), section.ID)
		}
		if section.ID == "prevention" {
			// A conditional question: agency_name is required exactly
			// when agency_designated is yes.
			req := `.field[data-path="/prevention/agency_name"] > label > .req`
			if eval[bool](b, `!document.querySelector('`+req+`').hidden`) {
				t.Fatal("agency_name shows as required before agency_designated is answered")
			}
			b.do(chromedp.Click(`input[name="/prevention/agency_designated"][value="true"]`), chromedp.WaitVisible(req))
			b.page("04-conditional-question-required")
		}
		b.fillSection(section.ID, sample)
		if section.ID == "prevention" {
			// A bad value: above the maximum of 120 months.
			months := `[name="/prevention/provider_responsibilities/log_retention_months"]`
			b.do(chromedp.SetValue(months, "500"))
			b.submit(`.actions button[value="save"]`)
			if !b.exists(".error-summary") {
				t.Fatal("no error summary after saving 500 months")
			}
			if got, want := b.text(".error-summary"), map[string]string{"ar": "١٢٠"}[lang]; !strings.Contains(got, cmp.Or(want, "120")) {
				t.Errorf("error summary %q does not give the maximum", got)
			}
			describedBy := eval[string](b, `document.querySelector('`+months+`').getAttribute("aria-describedby") || ""`)
			errID := strings.Fields(describedBy)
			if len(errID) == 0 || !b.exists("#"+cssEscape(errID[len(errID)-1])) || !strings.HasSuffix(errID[len(errID)-1], "-error") {
				t.Errorf("the field's aria-describedby %q does not name its error message", describedBy)
			}
			if got := eval[string](b, `document.querySelector('`+months+`').value`); got != "500" {
				t.Errorf("after the failed save the field holds %q, want what was typed, 500", got)
			}
			if got := eval[string](b, `document.querySelector('[name="/prevention/agency_name"]').value`); got == "" {
				t.Error("after the failed save, the other answers of the section are gone")
			}
			b.page("05-field-error")
			b.do(chromedp.SetValue(months, "6"))
		}
		if i+1 < len(q.Sections) {
			b.submit(`.actions button[value="next"]`)
			if b.exists(".error-summary") {
				t.Fatalf("saving section %s: %s", section.ID, b.text(".error-summary"))
			}
		}
	}
	b.submit(`.actions button[value="submit"]`)
	if b.exists(".error-summary") {
		t.Fatalf("submit refused: %s", b.text(".error-summary"))
	}
	if !strings.Contains(b.text(".banner.ok"), msg("Your submission is sent to the secretariat. Thank you.")) {
		t.Fatalf("no confirmation after submit: %q", b.text("main"))
	}
	b.page("06-submitted")
	got, status := s.storedAnswers(t, implCycle, "GHA")
	if status != submission.Submitted {
		t.Fatalf("status %s, want SUBMITTED", status)
	}
	if !sameAnswers(got, sample) {
		t.Fatalf("the answers stored through the form differ from those typed in:\ngot  %v\nwant %v", got, sample)
	}

	// Another State's pages are closed to this focal point.
	b.open("/cycles/" + implCycle + "/states/NGA")
	if got := b.text("h1"); got != msg("You may not open this page") {
		t.Errorf("another State's questionnaire: h1 %q, want the 403 page", got)
	}
	b.page("07-other-state-forbidden")
	b.open("/states/NGA/statistics")
	if got := b.text("h1"); got != msg("You may not open this page") {
		t.Errorf("another State's statistics: h1 %q, want the 403 page", got)
	}

	// Statistics: a bad file gets every row error in a table.
	b.open("/states/GHA/statistics")
	csv := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(csv, []byte("indicator,year,value\nOFFENCES_RECORDED,2025,12\nNO_SUCH,2025,3\nOFFENCES_RECORDED,1800,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetUploadFiles("#file", []string{csv}))
	b.submit(`form[enctype="multipart/form-data"] button[type=submit]`)
	if n := eval[int](b, `document.querySelectorAll("#row-errors + .table-wrap tbody tr").length`); n != 2 {
		t.Errorf("row errors shown: %d, want 2 (lines 3 and 4)\n%s", n, b.text("main"))
	}
	b.page("08-statistics-row-errors")
	b.signOut()

	// The secretariat returns it with a comment on one question.
	b.signIn(sec)
	b.page("09-secretariat-home")
	b.open("/review/" + implCycle)
	b.page("10-submissions-list")
	b.open("/review/" + implCycle + "/GHA")
	comment := "Please give the agency's full legal name."
	row := `tr#q\.prevention\.agency_name`
	b.do(chromedp.Click(row+" summary"), chromedp.SetValue(row+" textarea", comment))
	b.page("11-review")
	b.submit(`button[value="return"]`)
	// Returning asks first, on a page of its own (issue 17).
	if got := b.text("h1"); got != msg("Return to the State") {
		t.Fatalf("return: h1 %q, want the confirmation step", got)
	}
	if _, st := s.storedAnswers(t, implCycle, "GHA"); st != submission.Submitted {
		t.Fatalf("returned before it was confirmed: %s", st)
	}
	b.page("11b-confirm-return")
	b.submit(`form.confirm button[type=submit]`)
	if !strings.Contains(b.text(".banner.ok"), msg("The submission is returned to the State with your comments.")) {
		t.Fatalf("no confirmation of the return: %s", b.text("main"))
	}
	b.signOut()

	// The focal point sees the comment beside the question, fixes, resubmits.
	b.signIn(fp)
	b.open(base + "?section=prevention")
	if got := b.text(`.field[data-path="/prevention/agency_name"] .comment`); !strings.Contains(got, comment) {
		t.Fatalf("the comment is not beside its question; got %q", got)
	}
	b.page("12-returned-with-comment")
	b.do(chromedp.SetValue(`[name="/prevention/agency_name"]`, "National Cyber Security and Crime Prevention Agency of Ghana"))
	b.submit(`.actions button[value="submit"]`)
	if !strings.Contains(b.text(".banner.ok"), msg("Your submission is sent to the secretariat. Thank you.")) {
		t.Fatalf("resubmit failed: %s", b.text("main"))
	}
	b.signOut()

	// The secretariat sees the change and accepts.
	b.signIn(sec)
	b.open("/review/" + implCycle + "/GHA")
	if n := eval[int](b, `document.querySelectorAll("tr.changed").length`); n != 1 {
		t.Errorf("changed answers highlighted: %d, want 1 (agency_name)", n)
	}
	b.page("13-review-with-changes")
	b.submit(`button[value="accept"]`)
	if got := b.text("h1"); got != msg("Accept the submission") {
		t.Fatalf("accept: h1 %q, want the confirmation step", got)
	}
	b.page("13b-confirm-accept")
	b.submit(`form.confirm button[type=submit]`)
	if _, st := s.storedAnswers(t, implCycle, "GHA"); st != submission.Accepted {
		t.Fatalf("after accept, status %s", st)
	}
	b.open("/states")
	b.page("14-states-parties")
	b.open("/cycles/new")
	b.page("15-open-cycle")
	// The explorer runs with its embedded script: the README's saveDraft
	// with the sample answers as a variable reaches the API (and meets
	// the submission already there).
	b.open("/explorer?example=save")
	b.do(chromedp.SetValue("#gql-headers", `{"Authorization": "Bearer `+fp+`"}`), chromedp.Click("#explorer button[type=submit]"))
	if !eval[bool](b, `new Promise(function (ok) { var n = 0; (function wait() {
		if (document.getElementById("gql-result").textContent.indexOf("CONFLICT") >= 0) { ok(true); }
		else if (++n > 100) { ok(false); } else { setTimeout(wait, 100); } })(); })`) {
		t.Errorf("the explorer's run answered %q, want the API's CONFLICT", b.text("#gql-result"))
	}
	b.page("16-explorer")
	b.signOut()

	// A working-group member sees the group's dashboard, not a submission.
	b.signIn(member)
	b.page("17-working-group-home")
	b.open("/groups/international-cooperation/" + implCycle)
	if n := eval[int](b, `document.querySelectorAll("figure.chart svg[role=img]").length`); n < 2 {
		t.Errorf("the dashboard draws %d charts, want the completeness chart and the questions' and indicators'", n)
	}
	// 16.7 as the page's language writes it (issue 17).
	if got, want := b.text("#completeness + .table-wrap tbody tr:last-child"), map[string]string{"en": "16.7%", "ar": "١٦٫٧٪"}[lang]; !strings.Contains(got, want) {
		t.Errorf("completeness of all States Parties: %q, want 1 of 6 (%s)", got, want)
	}
	b.page("18-working-group-dashboard")
	b.open("/groups/prevention/" + implCycle)
	if got := b.text("h1"); got != msg("You may not open this page") {
		t.Errorf("a member opening another group's dashboard: h1 %q, want the 403 page", got)
	}
	b.open(base)
	if got := b.text("h1"); got != msg("You may not open this page") {
		t.Errorf("a member opening a submission: h1 %q, want the 403 page", got)
	}
	b.signOut()

	// The questionnaire page at 360 px, in French (after English) or in
	// the language of the run.
	b.signIn(fp)
	if lang == "en" {
		b.chooseLanguage("fr")
	}
	b.do(chromedp.EmulateViewport(360, 800))
	b.open(base + "?section=international_cooperation")
	b.page("19-questionnaire-360px")
}

// The second, differently shaped questionnaire works through the same
// form: if/then/else requirements follow the answers, nested groups, a
// repeat group of $ref'd items, odd property names; submitted intact.
func TestBrowserSecondQuestionnaire(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	answers := decodeJSON(t, secondComplete(t))
	b.signIn(s.token(t, auth.FocalPoint, "KEN"))
	q, _ := s.Registry.Get("training-survey-v2")
	b.open("/cycles/" + secondCycle + "/states/KEN")
	name := `.field[data-path="/programme/programme_name"] > label > .req`
	plans := `.field[data-path="/programme/plans_programme"] > fieldset > legend > .req`
	b.do(chromedp.Click(`input[name="/programme/has_programme"][value="false"]`), chromedp.WaitVisible(plans))
	if eval[bool](b, `!document.querySelector('`+name+`').hidden`) {
		t.Error("without a programme, its name shows as required")
	}
	b.do(chromedp.Click(`input[name="/programme/has_programme"][value="true"]`), chromedp.WaitVisible(name))
	if eval[bool](b, `!document.querySelector('`+plans+`').hidden`) {
		t.Error("with a programme, plans_programme still shows as required")
	}
	if got := b.text("#progress"); !strings.HasPrefix(got, "1 of 8 answered") || !strings.Contains(got, "3 still required") {
		t.Errorf("the section's progress reads %q, want 1 of 8 answered and 3 still required", got)
	}
	b.page("20-second-questionnaire")

	// Typed, never sent (the connection dropped, the tab was reloaded):
	// the page offers it back from the device's storage.
	b.do(chromedp.SendKeys(`[name="/programme/programme_name"]`, "Typed but never sent"))
	b.open("/cycles/" + secondCycle + "/states/KEN")
	b.do(chromedp.WaitVisible("#restore"), chromedp.Click("#restore-yes"))
	if got := eval[string](b, `document.querySelector('[name="/programme/programme_name"]').value`); got != "Typed but never sent" {
		t.Errorf("after a reload, the unsent answer put back is %q", got)
	}
	for i, sec := range q.Sections {
		b.fillSection(sec.ID, answers)
		if i+1 < len(q.Sections) {
			b.submit(`.actions button[value="next"]`)
			if b.exists(".error-summary") {
				t.Fatalf("saving section %s: %s", sec.ID, b.text(".error-summary"))
			}
		}
	}
	b.page("21-second-questionnaire-last-section")
	b.submit(`.actions button[value="submit"]`)
	if b.exists(".error-summary") {
		t.Fatalf("submit refused: %s", b.text(".error-summary"))
	}
	got, status := s.storedAnswers(t, secondCycle, "KEN")
	if status != submission.Submitted || !sameAnswers(got, answers) {
		t.Fatalf("stored %s %v, want SUBMITTED %v", status, got, answers)
	}
}

func cssEscape(id string) string {
	r := strings.NewReplacer(".", `\.`, ":", `\:`, "~", `\~`)
	return r.Replace(id)
}

// sameAnswers compares documents the way a form keeps them: multi-choice
// answers as sets, numbers by value.
func sameAnswers(a, b map[string]any) bool {
	return canon(a) == canon(b)
}

func canon(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var sb strings.Builder
		sb.WriteString("{")
		for _, k := range keys {
			sb.WriteString(strconv.Quote(k) + ":" + canon(x[k]) + ",")
		}
		return sb.String() + "}"
	case []any:
		parts := make([]string, len(x))
		strs := true
		for i, e := range x {
			parts[i] = canon(e)
			if _, ok := e.(string); !ok {
				strs = false
			}
		}
		if strs {
			sort.Strings(parts)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case string:
		return strconv.Quote(x)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(jsonText(v)), 64)
	if err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return jsonText(v)
}

// Unsaved answers stay in the browser for the person who typed them only,
// and go when that person signs out (issue 16, finding 8).
func TestBrowserDraftsStayWithTheirPersonAndGoAtSignOut(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	first := s.token(t, auth.FocalPoint, "KEN")
	second, err := s.Tokens.Create(context.Background(), auth.NewToken{Name: "second focal point KEN", Role: auth.FocalPoint, State: "KEN"})
	if err != nil {
		t.Fatal(err)
	}
	page := "/cycles/" + secondCycle + "/states/KEN"
	field := `[name="/programme/programme_name"]`
	drafts := func() int {
		return eval[int](b, `Object.keys(localStorage).filter(function (k) { return k.indexOf("irm") === 0; }).length`)
	}

	b.signIn(first)
	b.open(page)
	eval[bool](b, `localStorage.setItem("irm:`+secondCycle+`:KEN:programme", "{}"); true`) // kept by State, before
	b.do(chromedp.SendKeys(field, "Typed by the first"))
	if n := drafts(); n != 2 {
		t.Fatalf("drafts in the browser after typing: %d, want 2 (the old one and this one)", n)
	}
	// The first person's session ends without a sign-out (it expired).
	if _, err := s.Pool.Exec(context.Background(), `DELETE FROM web_sessions`); err != nil {
		t.Fatal(err)
	}

	b.signIn(second)
	b.open(page)
	if eval[bool](b, `!document.getElementById("restore").hidden`) {
		t.Error("the second person is offered the first person's unsaved answers")
	}
	b.signOut()
	if n := drafts(); n != 1 {
		t.Errorf("after the second person signs out: %d drafts, want the first person's 1 kept", n)
	}

	b.signIn(first)
	b.open(page)
	b.do(chromedp.WaitVisible("#restore"))
	b.signOut()
	if n := drafts(); n != 0 {
		t.Errorf("after the first person signs out: %d drafts, want none", n)
	}
}

func ghanaIn(lang string) string {
	if n, ok := state.NameIn("GHA", lang); ok && n != "" {
		return n
	}
	return "Ghana"
}
