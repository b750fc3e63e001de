package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/submission"
)

// Issue 17, the focal point's form: each page it changed is looked at at
// 1,280 and 360 px (b.narrow).

// principal is the holder of secret, as the pages see it.
func (s *site) principal(t *testing.T, secret string) (context.Context, auth.Principal) {
	t.Helper()
	p, err := s.Tokens.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithPrincipal(context.Background(), p), p
}

func (s *site) openCycle(t *testing.T, id string, opens, closes time.Time) {
	t.Helper()
	sec := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	if _, err := s.Workflow.OpenCycle(auth.WithPrincipal(context.Background(), sec), sec, submission.Cycle{ID: id, Name: id + " review",
		QuestionnaireID: "implementation-v1", OpensOn: opens, ClosesOn: closes}); err != nil {
		t.Fatal(err)
	}
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// A cycle not open yet says so before anything is typed, and its form
// cannot be typed in; a save sent anyway is refused with the reason and
// the answer typed still in the form. A cycle past its deadline says so.
// An accepted submission reads as accepted, its review comments history.
func TestBrowserTheFormSaysWhereTheSubmissionStands(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true}
	b.data = questionnaireTexts(s.Registry)
	now := time.Now().UTC()
	opens := day(now.AddDate(0, 0, 30))
	s.openCycle(t, "2028", opens, opens.AddDate(0, 3, 0))
	closed := day(now.AddDate(0, 0, -10))
	s.openCycle(t, "2026", closed.AddDate(0, -3, 0), closed)
	fp := s.token(t, auth.FocalPoint, "GHA")
	b.signIn(fp)

	text := `[name="/implementation/main_challenges"]`
	b.open("/cycles/2028/states/GHA?section=implementation")
	want := i18n.T("en", "This cycle opens on {date}: answers can be typed and saved from that day.", "date", "\u2066"+shownDate(opens)+"\u2069")
	if got := b.text("#not-open"); !strings.Contains(got, want) {
		t.Errorf("a cycle not open yet: banner %q, want %q", got, want)
	}
	if b.exists(".actions") || !eval[bool](b, `document.querySelector('`+text+`').disabled`) {
		t.Error("a cycle not open yet shows a form that can be typed in and saved")
	}
	b.page("17-form-01-cycle-not-open")

	// A save sent anyway (a form kept from before, a script): refused,
	// said why, and the text typed is still there.
	typed := "Typed before the cycle opened, kept."
	eval[bool](b, `document.querySelectorAll("#qform [disabled]").forEach(function (e) { e.disabled = false; });
		var btn = document.createElement("button"); btn.type = "submit"; btn.name = "action"; btn.value = "save"; btn.id = "forced";
		document.getElementById("qform").appendChild(btn); true`)
	b.do(chromedp.SetValue(text, typed))
	b.submit("#forced")
	if got := b.text("#refused"); !strings.Contains(got, want) {
		t.Errorf("a save before the cycle opens: %q, want the reason %q", got, want)
	}
	if h1 := b.text("h1"); strings.Contains(h1, "changed meanwhile") {
		t.Errorf("a save before the cycle opens lands on %q", h1)
	}
	if got := eval[string](b, `document.querySelector('`+text+`').value`); got != typed {
		t.Errorf("after the refused save the field holds %q, want what was typed", got)
	}
	if sub, err := s.Workflow.Get(context.Background(), auth.Principal{Role: auth.Secretariat}, "2028", "GHA"); err != nil || sub != nil {
		t.Errorf("the refused save stored %v (%v)", sub, err)
	}
	b.page("17-form-02-not-open-save-refused")

	b.open("/cycles/2026/states/GHA?section=implementation")
	if got := b.text("#past-deadline"); !strings.Contains(got, shownDate(closed)) {
		t.Errorf("a cycle past its deadline: banner %q, want the deadline %s", got, closed.Format("2006-01-02"))
	}
	if !b.exists(".actions") {
		t.Error("past the deadline the form can no longer be saved (a late submission is allowed)")
	}
	b.page("17-form-03-past-deadline")

	// Returned with a comment, resubmitted, accepted.
	ctx, p := s.principal(t, fp)
	secCtx, sec := s.principal(t, s.token(t, auth.Secretariat, ""))
	res, err := s.Workflow.SaveDraft(ctx, p, implCycle, "GHA", demo.SampleAnswers(), nil)
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	res, err = s.Workflow.Submit(ctx, p, implCycle, "GHA", res.Submission.Version)
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	comment := "Name the coordination body in full."
	path := "/implementation/main_challenges"
	if res, err = s.Workflow.Return(secCtx, sec, res.Submission.ID, res.Submission.Version, []submission.CommentInput{{Path: &path, Body: comment}}); err != nil {
		t.Fatal(err)
	}
	sample := decodeJSON(t, demo.SampleAnswers())
	sample["implementation"].(map[string]any)["main_challenges"] = "Changed after the return."
	raw, _ := json.Marshal(sample)
	cur, _ := s.Workflow.Get(ctx, p, implCycle, "GHA")
	if res, err = s.Workflow.SaveDraft(ctx, p, implCycle, "GHA", raw, &cur.Version); err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if res, err = s.Workflow.Submit(ctx, p, implCycle, "GHA", res.Submission.Version); err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if _, err = s.Workflow.Accept(secCtx, sec, res.Submission.ID, res.Submission.Version); err != nil {
		t.Fatal(err)
	}
	b.open("/cycles/" + implCycle + "/states/GHA?section=implementation")
	if !strings.Contains(b.text("#accepted"), "accepted this submission") {
		t.Errorf("an accepted submission: no banner saying so; main reads %q", b.text("main"))
	}
	if b.exists("section.comments") || b.exists(".field .comment") {
		t.Error("an accepted submission still shows the return's comments as current")
	}
	if strings.Contains(b.text("main"), "changed again if the secretariat returns it") {
		t.Error("an accepted submission still says it can be changed again if returned")
	}
	if !b.exists("details#review-history:not([open])") || !strings.Contains(eval[string](b, `document.getElementById("review-history").textContent`), comment) {
		t.Error("the past review comments are not kept in a collapsed history")
	}
	b.page("17-form-04-accepted")
	b.do(chromedp.Click("#review-history summary"))
	b.page("17-form-05-accepted-history-open")

	// The same in Arabic, right to left: every sentence from the catalogue.
	b.narrow["ar"] = true
	b.chooseLanguage("ar")
	b.page("17-form-04-accepted")
	b.open("/cycles/2028/states/GHA?section=implementation")
	if got, want := b.text("#not-open strong"), i18n.T("ar", "This cycle opens on {date}: answers can be typed and saved from that day.", "date", "\u2066"+shownDate(opens)+"\u2069"); got != want {
		t.Errorf("in Arabic, a cycle not open yet: %q, want %q", got, want)
	}
	b.page("17-form-01-cycle-not-open")
	b.open("/cycles/2026/states/GHA?section=implementation")
	b.page("17-form-03-past-deadline")
}

// A long text shows its limit and a counter; over the limit it is
// refused, whole, never cut; a line break counts as one character. A date
// field's help does not contradict its picker. What is still required is
// listed in questionnaire order, each linked to its field.
func TestBrowserLongTextsDatesAndWhatIsMissing(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true}
	b.data = questionnaireTexts(s.Registry)
	fp := s.token(t, auth.FocalPoint, "GHA")
	b.signIn(fp)
	base := "/cycles/" + implCycle + "/states/GHA"
	b.open(base + "?section=implementation")

	// What is missing: every required answer, in questionnaire order.
	q, _ := s.Registry.Get("implementation-v1")
	order := map[string]int{}
	for i, sec := range q.Sections {
		order[sec.ID] = i
	}
	var links []struct{ Href, Text string }
	if err := json.Unmarshal([]byte(eval[string](b, `JSON.stringify(Array.from(document.querySelectorAll("#missing li a")).map(function (a) {
		return {Href: a.getAttribute("href"), Text: a.textContent}; }))`)), &links); err != nil {
		t.Fatal(err)
	}
	total := eval[string](b, `document.querySelector(".status-line strong").textContent`)
	if len(links) == 0 || strings.Fields(total)[0] != strconv.Itoa(len(links)) {
		t.Fatalf("missing list: %d links, status line %q", len(links), total)
	}
	last, sawHere := -1, false
	for _, l := range links {
		section := "implementation"
		if !strings.HasPrefix(l.Href, "#") {
			u, err := url.Parse(l.Href)
			if err != nil {
				t.Fatal(err)
			}
			section = u.Query().Get("section")
			if u.Fragment == "" {
				t.Errorf("missing %q links to %s, without its field", l.Text, l.Href)
			}
		} else {
			sawHere = true
			if !eval[bool](b, `document.getElementById(`+jsonText(l.Href[1:])+`) !== null`) {
				t.Errorf("missing %q links to %s, which is not on the page", l.Text, l.Href)
			}
		}
		if order[section] < last {
			t.Errorf("missing %q (section %s) is listed after a later section", l.Text, section)
		}
		last = order[section]
	}
	if !sawHere {
		t.Error("no missing answer of this section links to its field on the page")
	}
	b.do(chromedp.Click("#missing summary"))
	b.page("17-form-06-missing-list")
	first := links[0].Href
	b.do(chromedp.Click(`#missing li a[href="` + first + `"]`))
	b.do(chromedp.WaitReady("#qform"))
	if loc := b.location(); !strings.Contains(loc, "section="+q.Sections[0].ID) || !strings.Contains(loc, "#") {
		t.Errorf("the first missing answer leads to %s, want its field in section %s", loc, q.Sections[0].ID)
	}
	u, _ := url.Parse(first)
	if !eval[bool](b, `document.getElementById(`+jsonText(u.Fragment)+`) !== null`) {
		t.Errorf("the field %s is not on the page the list leads to", u.Fragment)
	}
	b.open(base + "?section=implementation")

	// The date: no YYYY-MM-DD beside the picker.
	date := `.field[data-path="/implementation/completed_on"]`
	if got := eval[string](b, `document.querySelector('`+date+`').innerText`); strings.Contains(got, "YYYY") {
		t.Errorf("the date field says %q beside its picker", got)
	}
	if !eval[bool](b, `document.querySelector('`+date+` input').type === "date" && document.querySelector('`+date+` .date-hint').hidden`) {
		t.Error("the date field's format hint shows beside the browser's picker")
	}

	// The long text: its limit said, counted, refused over it, not cut.
	text := `[name="/implementation/main_challenges"]`
	field := `.field[data-path="/implementation/main_challenges"]`
	if got := b.text(field + " .limit"); !strings.Contains(got, "4000") && !strings.Contains(got, "4,000") {
		t.Errorf("the long text's limit reads %q, want 4000 characters", got)
	}
	if eval[bool](b, `document.querySelector('`+text+`').hasAttribute("maxlength")`) {
		t.Error("the browser still cuts the text at its limit (maxlength)")
	}
	long := strings.Repeat("Lorem ipsum dolor sit amet. ", 143) + "xxxxx" // 4,009 characters
	setText := func(v string) {
		eval[bool](b, `(function (el, v) { el.value = v; el.dispatchEvent(new Event("input", {bubbles: true})); return true; })(document.querySelector('`+text+`'), `+jsonText(v)+`)`)
	}
	setText(long)
	if got := b.text(field + " .counter"); !strings.Contains(got, "4009 / 4000") {
		t.Errorf("the counter reads %q, want 4009 / 4000", got)
	}
	if !eval[bool](b, `!document.querySelector('`+field+` .too-long').hidden`) {
		t.Error("over the limit, the counter does not say so")
	}
	b.page("17-form-07-long-text-over-the-limit")
	b.submit(`.actions button[value="save"]`)
	if got := b.text(".error-summary"); !strings.Contains(got, "4000") && !strings.Contains(got, "4,000") {
		t.Errorf("a text over the limit: error summary %q, want the limit", got)
	}
	if got := eval[string](b, `document.querySelector('`+text+`').value`); got != strings.TrimSpace(long) {
		t.Errorf("after the refused save the text holds %d characters, want the %d typed", utf8.RuneCountInString(got), utf8.RuneCountInString(long))
	}
	if sub, _ := s.Workflow.Get(context.Background(), auth.Principal{Role: auth.Secretariat}, implCycle, "GHA"); sub != nil {
		t.Error("the text over the limit was stored")
	}
	b.page("17-form-08-long-text-refused")

	// Exactly 4,000 characters with line breaks (sent as CR LF) is saved whole.
	exact := strings.Repeat("a", 1998) + "\n\n" + strings.Repeat("b", 2000)
	setText(exact)
	if got := b.text(field + " .counter"); !strings.Contains(got, "4000 / 4000") {
		t.Errorf("the counter reads %q for 4,000 characters with line breaks", got)
	}
	b.submit(`.actions button[value="save"]`)
	if b.exists(".error-summary") {
		t.Fatalf("4,000 characters refused: %s", b.text(".error-summary"))
	}
	got, _ := s.storedAnswers(t, implCycle, "GHA")
	if v := got["implementation"].(map[string]any)["main_challenges"]; v != exact {
		t.Errorf("stored %d characters, want the 4,000 typed, line breaks as typed", utf8.RuneCountInString(v.(string)))
	}

	// In Arabic the limit and the counter are written in Arabic digits,
	// the counter as the sentence beside it is.
	b.chooseLanguage("ar")
	b.open(base + "?section=implementation")
	if got := b.text(field + " .limit"); !strings.Contains(got, "٤٠٠٠") || strings.ContainsAny(got, "0123456789") {
		t.Errorf("the Arabic limit and counter read %q, want ٤٠٠٠ in Arabic digits", got)
	}
	setText("abc")
	if got := b.text(field + " .counter"); !strings.Contains(got, "٣ / ٤٠٠٠") {
		t.Errorf("the Arabic counter reads %q, want ٣ / ٤٠٠٠", got)
	}
}

// A save from an older window of the same person names that person's
// other window, shows the answers that differ, and offers to save again
// only where the form can still be saved.
func TestBrowserASaveFromAnOlderWindowOfTheSamePerson(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true}
	b.data = questionnaireTexts(s.Registry)
	fp := s.token(t, auth.FocalPoint, "GHA")
	b.signIn(fp)
	base := "/cycles/" + implCycle + "/states/GHA"
	text := `[name="/implementation/main_challenges"]`
	b.open(base + "?section=implementation")
	mine := "Typed in the older window."
	b.do(chromedp.SetValue(text, mine))

	// Meanwhile the same person saves from another window.
	ctx, p := s.principal(t, fp)
	res, err := s.Workflow.SaveDraft(ctx, p, implCycle, "GHA", demo.SampleAnswers(), nil)
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	saved := decodeJSON(t, demo.SampleAnswers())["implementation"].(map[string]any)["main_challenges"].(string)
	b.submit(`.actions button[value="save"]`)
	if got, want := b.text("#conflict h2"), i18n.T("en", "You saved this submission in another window"); got != want {
		t.Errorf("a save from an older window of the same person: %q, want %q", got, want)
	}
	if strings.Contains(b.text("main"), "Someone else") {
		t.Error("the page says someone else saved it, naming the same person")
	}
	changes := b.text("#conflict-changes")
	if !strings.Contains(changes, mine) || !strings.Contains(changes, saved) {
		t.Errorf("the answers that differ are not shown:\n%s", changes)
	}
	if !strings.Contains(b.text("#conflict"), "Saving again") || !b.exists(".actions") {
		t.Error("a draft's conflict does not offer to save again")
	}
	if got := eval[string](b, `document.querySelector('`+text+`').value`); got != mine {
		t.Errorf("after the conflict the field holds %q, want what was typed", got)
	}
	b.page("17-form-09-conflict-same-person")

	// Then submitted from the other window: this page can no longer save.
	if res, err = s.Workflow.Submit(ctx, p, implCycle, "GHA", res.Submission.Version); err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	again := "Typed once more in the older window."
	b.do(chromedp.SetValue(text, again))
	b.submit(`.actions button[value="save"]`)
	if strings.Contains(b.text("main"), "Saving again") || b.exists(".actions") {
		t.Error("a read-only form offers to save again")
	}
	if !strings.Contains(b.text("#conflict-changes"), again) {
		t.Errorf("what was sent is not shown beside the saved version:\n%s", b.text("#conflict-changes"))
	}
	if got := eval[string](b, `document.querySelector('`+text+`').value`); got != saved {
		t.Errorf("the read-only form shows %q, want the saved version", got)
	}
	b.page("17-form-10-conflict-read-only")
}

// An expired token says so; an ended session sends to sign-in saying so,
// and back; a form sent after the session ended keeps every answer typed
// through the sign-in.
func TestBrowserExpiredTokensAndEndedSessions(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true}
	b.data = questionnaireTexts(s.Registry)
	expired := s.token(t, auth.FocalPoint, "KEN")
	var until time.Time
	if err := s.Pool.QueryRow(context.Background(), `UPDATE tokens SET expires_at = now() - interval '2 days' WHERE id = $1 RETURNING expires_at`,
		tokenID(t, s, expired)).Scan(&until); err != nil {
		t.Fatal(err)
	}
	b.open("/sign-in")
	b.do(chromedp.SetValue("#token", expired))
	b.submit("form[action='/sign-in'] button[type=submit]")
	if got := b.text("#token-error"); !strings.Contains(got, "expired on") || !strings.Contains(got, shownDate(until.UTC())) {
		t.Errorf("an expired token: %q, want that it expired and when", got)
	}
	b.page("17-form-11-expired-token")

	fp := s.token(t, auth.FocalPoint, "GHA")
	b.signIn(fp)
	base := "/cycles/" + implCycle + "/states/GHA"
	b.open(base + "?section=implementation")
	text := `[name="/implementation/main_challenges"]`
	typed := "Typed while the session ended.\nSecond line."
	b.do(chromedp.SetValue(text, typed), chromedp.Click(`input[name="/implementation/coordination_mechanism"][value="true"]`))
	if _, err := s.Pool.Exec(context.Background(), `DELETE FROM web_sessions`); err != nil {
		t.Fatal(err)
	}
	b.submit(`.actions button[value="save"]`)
	if !strings.Contains(b.text("main"), i18n.T("en", "Your session has ended. Sign in again to continue.")) || !b.exists("#token") {
		t.Fatalf("a form sent after the session ended: %s", b.text("main"))
	}
	b.page("17-form-12-session-ended-answers-kept")
	b.do(chromedp.SetValue("#token", fp))
	b.submit("form.narrow button[type=submit]")
	if !strings.Contains(b.text(".banner.ok"), "signed in again") {
		t.Errorf("after signing in again: %s", b.text("main"))
	}
	if got := eval[string](b, `document.querySelector('`+text+`').value`); got != typed {
		t.Errorf("after signing in again the text holds %q, want %q", got, typed)
	}
	if !eval[bool](b, `document.querySelector('input[name="/implementation/coordination_mechanism"][value="true"]').checked`) {
		t.Error("after signing in again the choice made is gone")
	}
	b.page("17-form-13-signed-in-again-answers-back")
	b.submit(`.actions button[value="save"]`)
	got, _ := s.storedAnswers(t, implCycle, "GHA")
	if v := got["implementation"].(map[string]any)["main_challenges"]; v != typed {
		t.Errorf("stored %q, want %q", v, typed)
	}

	// A page opened after the session ended: sign in, and back.
	if _, err := s.Pool.Exec(context.Background(), `DELETE FROM web_sessions`); err != nil {
		t.Fatal(err)
	}
	b.open(base + "?section=prevention")
	if !strings.Contains(b.location(), "/sign-in") || !strings.Contains(b.text("main"), i18n.T("en", "Your session has ended. Sign in again to continue.")) {
		t.Fatalf("a page after the session ended: at %s, %s", b.location(), b.text("main"))
	}
	b.page("17-form-14-session-ended-sign-in")
	b.do(chromedp.SetValue("#token", fp))
	b.submit("form[action='/sign-in'] button[type=submit]")
	if loc := b.location(); !strings.HasSuffix(loc, base+"?section=prevention") {
		t.Errorf("after sign-in: at %s, want back at %s", loc, base+"?section=prevention")
	}
}
