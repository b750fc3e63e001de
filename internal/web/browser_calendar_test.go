package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/submission"
)

// TestBrowserCalendarExtensionsThreadsAndConsent (issue 15): the
// secretariat grants Ghana an extension on the cycle's page and the focal
// point's home says "your deadline is …"; the focal point consents to
// publishing its profile there, and withdraws; on the review page the
// secretariat sees the open thread, replies, resolves and reopens it; the
// focal point replies beside the question on its form and resubmits,
// warned of the thread still open. Screenshots at 1280 and 360 px.
func TestBrowserCalendarExtensionsThreadsAndConsent(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true}
	fp := s.token(t, auth.FocalPoint, "GHA")
	sec := s.token(t, auth.Secretariat, "")
	ctx := context.Background()
	as := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	actx := auth.WithPrincipal(ctx, as)
	cycle, err := s.Workflow.Cycle(actx, implCycle)
	if err != nil {
		t.Fatal(err)
	}

	// Ghana's answers, submitted and returned with a comment on a question.
	const question = "/general_provisions/consent_to_be_bound"
	res, err := s.Workflow.SaveDraft(actx, as, implCycle, "GHA", demo.SampleAnswers(), nil)
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if res, err = s.Workflow.Submit(actx, as, implCycle, "GHA", res.Submission.Version); err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	q := question
	if res, err = s.Workflow.Return(actx, as, res.Submission.ID, res.Submission.Version,
		[]submission.CommentInput{{Path: &q, Body: "Which instrument did Ghana deposit?"}}); err != nil {
		t.Fatal(err)
	}
	subID := res.Submission.ID

	t.Run("the secretariat grants an extension on the cycle's page", func(t *testing.T) {
		b.signIn(sec)
		b.open("/review/" + implCycle)
		later := cycle.ClosesOn.AddDate(0, 1, 0).Format(time.DateOnly)
		b.do(chromedp.SetValue("#ext-state", "GHA"), chromedp.SetValue("#ext-closes", later), chromedp.SetValue("#ext-reason", " "))
		b.submit(`form[action$="/extensions"] button[type=submit]`)
		if !strings.Contains(b.text(".error-summary"), "reason") {
			t.Fatalf("no reason: want an error, got %q", b.text("main"))
		}
		if got := eval[string](b, `document.querySelector("#ext-closes").value`); got != later {
			t.Fatalf("after the error the date reads %q, want what was typed, %s", got, later)
		}
		b.do(chromedp.SetValue("#ext-reason", "General elections in March"))
		b.submit(`form[action$="/extensions"] button[type=submit]`)
		if got := b.text("#extensions ~ .table-wrap"); !strings.Contains(got, "General elections in March") || !strings.Contains(got, strings.ReplaceAll(later, "-", "\u2060-\u2060")) {
			t.Fatalf("the extensions table: %q", got)
		}
		b.page("calendar-01-extension-granted")
		deadline, err := s.Workflow.Deadline(actx, implCycle, "GHA")
		if err != nil || deadline.Format(time.DateOnly) != later {
			t.Fatalf("Deadline: %s (%v), want %s", deadline, err, later)
		}
	})

	t.Run("the secretariat replies to, resolves and reopens a thread", func(t *testing.T) {
		b.open("/review/" + implCycle + "/GHA")
		if got := b.text("#open-threads-title"); !strings.Contains(got, "(1)") {
			t.Fatalf("open threads heading %q, want one", got)
		}
		if !strings.Contains(b.text(".open-threads"), "Which instrument") {
			t.Fatalf("the open thread is not listed: %q", b.text(".open-threads"))
		}
		cs, err := s.Workflow.Comments(actx, []string{subID})
		if err != nil || len(cs[0]) != 1 {
			t.Fatal(cs, err)
		}
		root := cs[0][0].ID
		thread := "#t-" + root
		b.do(chromedp.Click(thread+" .reply-box summary"), chromedp.SetValue("#r-"+root, "The instrument of ratification, in 2024."))
		b.submit(thread + ` button[value="reply:` + root + `"]`)
		if !strings.Contains(b.text(thread), "The instrument of ratification, in 2024.") {
			t.Fatalf("the reply is not in the thread: %q", b.text(thread))
		}
		b.page("calendar-02-review-thread-replied")
		b.submit(thread + ` button[value="resolve:` + root + `"]`)
		if got := b.text("#open-threads-title"); !strings.Contains(got, "(0)") || !strings.Contains(b.text(thread), "Resolved") {
			t.Fatalf("after resolving: %q / %q", got, b.text(thread))
		}
		b.page("calendar-03-review-thread-resolved")
		b.submit(thread + ` button[value="reopen:` + root + `"]`)
		if got := b.text("#open-threads-title"); !strings.Contains(got, "(1)") {
			t.Fatalf("after reopening: %q", got)
		}
		cs, _ = s.Workflow.Comments(actx, []string{subID})
		if len(cs[0]) != 2 || cs[0][1].ReplyTo == nil || *cs[0][1].ReplyTo != root || cs[0][0].Resolved {
			t.Fatalf("stored: %+v, want the open thread and its reply", cs[0])
		}
		b.signOut()
	})

	t.Run("the focal point sees its own deadline and consents on its home", func(t *testing.T) {
		b.signIn(fp)
		later := cycle.ClosesOn.AddDate(0, 1, 0)
		want := "Your deadline is " + later.Format(time.DateOnly)
		if got := b.text("main"); !strings.Contains(strings.ReplaceAll(got, "\u00a0", " "), "Your deadline is") || !strings.Contains(got, "General elections in March") {
			t.Fatalf("home: want %q and the reason, got:\n%s", want, got)
		}
		form := "#consent-" + implCycle
		if !strings.Contains(b.text(form), "will not be published") {
			t.Fatalf("consent before: %q", b.text(form))
		}
		b.submit(form + ` button[value="true"]`)
		if !strings.Contains(b.text(form), "may be published") {
			t.Fatalf("consent after: %q", b.text(form))
		}
		b.page("calendar-04-home-deadline-and-consent")
		consents, err := s.Workflow.Consents(actx, as, implCycle)
		if err != nil || len(consents) != 1 || !consents[0].PublishProfile || consents[0].StateCode != "GHA" {
			t.Fatalf("stored consents: %+v (%v)", consents, err)
		}
		b.submit(form + ` button[value="false"]`)
		if consents, _ := s.Workflow.Consents(actx, as, implCycle); len(consents) != 1 || consents[0].PublishProfile {
			t.Fatalf("after withdrawing: %+v", consents)
		}
	})

	t.Run("the focal point replies beside the question and is warned on resubmitting", func(t *testing.T) {
		b.open("/cycles/" + implCycle + "/states/GHA?section=general_provisions")
		cs, _ := s.Workflow.Comments(actx, []string{subID})
		root := cs[0][0].ID
		thread := "#t-" + root
		if got := b.text(thread); !strings.Contains(got, "Which instrument") || !strings.Contains(got, "The instrument of ratification") {
			t.Fatalf("the thread beside the question: %q", got)
		}
		b.do(chromedp.Click(thread+" .reply-box summary"), chromedp.SetValue("#r-"+root, "Deposited on 3 May 2024."))
		b.submit(thread + ` button[value="reply:` + root + `"]`)
		if !strings.Contains(b.text(thread), "Deposited on 3 May 2024.") {
			t.Fatalf("the reply is not shown: %q", b.text(thread))
		}
		b.page("calendar-05-form-thread-replied")
		b.submit(`.actions button[value="submit"]`)
		if b.exists(".error-summary") {
			t.Fatalf("submit refused: %s", b.text(".error-summary"))
		}
		if got := b.text(".banner.warn"); !strings.Contains(got, "1 comment thread is still open") {
			t.Fatalf("no warning of the open thread: %q", b.text("main"))
		}
		b.page("calendar-06-resubmitted-with-open-thread")
		sub, err := s.Workflow.Get(actx, as, implCycle, "GHA")
		if err != nil || sub.Status != submission.Submitted || sub.Late {
			t.Fatalf("after resubmitting: %+v (%v), want SUBMITTED, not late", sub, err)
		}
	})
}
