package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
)

// The dashboard shows a sum only for numbers that add up: a count of
// requests has its sum, an average number of days has none (issue 17).
func TestBrowserDashboardSumsOnlyWhatAddsUp(t *testing.T) {
	s := newSite(t)
	secP := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	ctx := auth.WithPrincipal(context.Background(), secP)
	for _, code := range []string{"GHA", "KEN", "NGA"} { // three, so that no figure is withheld (minimum n)
		if _, err := s.Workflow.SaveDraft(ctx, secP, implCycle, code, demo.SampleAnswers(), nil); err != nil {
			t.Fatal(err)
		}
		if res, err := s.Workflow.Submit(ctx, secP, implCycle, code, 1); err != nil || len(res.Errors) > 0 {
			t.Fatalf("submit %s: %v %+v", code, err, res.Errors)
		}
	}
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ru": true}
	b.data = questionnaireTexts(s.Registry)
	b.signIn(s.token(t, auth.WorkingGroup, "", "international-cooperation"))
	figures := func(path string) string {
		t.Helper()
		return eval[string](b, `(function () { var e = document.getElementById("dq-`+path+`"); return e ? e.closest("section").innerText : "no question"; })()`)
	}
	b.open("/groups/international-cooperation/" + implCycle)
	for _, lang := range []string{"en", "ru"} {
		if lang != "en" {
			b.chooseLanguage(lang)
		}
		sum := strings.SplitN(i18n.T(lang, "Sum {sum} · mean {mean} · median {median} · min {min} · max {max}"), " ", 2)[0]
		mean := strings.SplitN(i18n.T(lang, "Mean {mean} · median {median} · min {min} · max {max}"), " ", 2)[0]
		days := figures("/international_cooperation/mutual_legal_assistance/average_execution_days")
		if strings.Contains(days, sum) || !strings.Contains(days, mean) {
			t.Errorf("%s: average days: %q, want a mean and no sum", lang, days)
		}
		requests := figures("/international_cooperation/mutual_legal_assistance/requests_received")
		if !strings.Contains(requests, sum) {
			t.Errorf("%s: requests received: %q, want their sum", lang, requests)
		}
		b.page("dashboard-sums")
	}
}

// The reports page says what a country profile holds, and what it does
// not: the review comments stay with the review (issue 17).
func TestBrowserReportsPageSaysWhatAProfileHolds(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.signIn(s.token(t, auth.FocalPoint, "GHA"))
	for _, lang := range []string{"en", "ar"} {
		b.open("/published")
		if lang != "en" {
			b.chooseLanguage(lang)
		}
		want := i18n.T(lang, "A country profile holds the State's answers and statistics. The review comments exchanged between the secretariat and the State are part of the review, not of the profile, and are not printed.")
		if got := b.text("main"); !strings.Contains(got, want) {
			t.Errorf("%s: the reports page does not say what a profile holds:\n%s", lang, got)
		}
		b.page("reports-profile-holds")
	}
}
