package web_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// pageTextsJS lists a page's texts as a reader meets them: each text node
// (SVG's included) and each aria-label, title, placeholder and alt, trimmed.
const pageTextsJS = `(function () {
	var out = {};
	var w = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT, null);
	for (var n = w.nextNode(); n; n = w.nextNode()) {
		var p = n.parentNode && n.parentNode.nodeName.toLowerCase();
		if (p === "script" || p === "style" || p === "textarea") { continue; }
		// Text marked as in another language (the explorer's schema
		// documentation, lang="en") is data, declared as such.
		var marked = n.parentElement && n.parentElement.closest("[lang]");
		if (marked && marked.getAttribute("lang") !== document.documentElement.lang) { continue; }
		var t = n.nodeValue.trim();
		if (t) { out[t] = true; }
	}
	document.querySelectorAll("[aria-label], [title], [placeholder], [alt]").forEach(function (e) {
		["aria-label", "title", "placeholder", "alt"].forEach(function (a) {
			var v = e.getAttribute(a);
			if (v && v.trim()) { out[v.trim()] = true; }
		});
	});
	return JSON.stringify(Object.keys(out));
})()`

var words = regexp.MustCompile(`\S+`)

// checkLanguage: the page is in b.lang (<html lang dir>), and, in a
// language other than English, shows no English sentence of the
// catalogue whose translation differs: no text is one, and no text holds
// one of three words or more. Data (names, questionnaire labels not yet
// translated) is not in the catalogue and is not looked at.
func (b *browser) checkLanguage(name string) {
	b.t.Helper()
	if got := eval[string](b, `document.documentElement.lang`); got != b.lang {
		b.t.Errorf("%s (%s): <html lang=%q>, want %q", name, b.location(), got, b.lang)
	}
	if got, want := eval[string](b, `document.documentElement.dir`), i18n.Dir(b.lang); got != want {
		b.t.Errorf("%s (%s): <html dir=%q>, want %q", name, b.location(), got, want)
	}
	if b.lang == "en" {
		return
	}
	var texts []string
	if err := json.Unmarshal([]byte(eval[string](b, pageTextsJS)), &texts); err != nil {
		b.t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, t := range texts {
		shown[t] = true
	}
	for _, key := range i18n.Keys() {
		en := i18n.T("en", key)
		if len(i18n.KeyPlaceholders(key)) > 0 || en == i18n.T(b.lang, key) || b.data[en] {
			continue
		}
		if shown[en] {
			b.t.Errorf("%s (%s): shows the English %q", name, b.location(), en)
			continue
		}
		if len(words.FindAllString(en, -1)) >= 3 {
			for _, t := range texts {
				if strings.Contains(t, en) {
					b.t.Errorf("%s (%s): %q holds the English %q", name, b.location(), t, en)
				}
			}
		}
	}
}

// Every page in each of the six languages: lang and dir, no English
// sentence of the catalogue, no serious or critical axe-core violation;
// Arabic and Chinese pages are also photographed at 360 px.
func TestBrowserEveryPageInEachLanguage(t *testing.T) {
	s := newSite(t)
	fp := s.token(t, auth.FocalPoint, "GHA")
	sec := s.token(t, auth.Secretariat, "")
	member := s.token(t, auth.WorkingGroup, "", "international-cooperation")

	// Ghana has submitted; Kenya has a draft with a comment to answer.
	secP := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	ctx := auth.WithPrincipal(context.Background(), secP)
	if _, err := s.Workflow.SaveDraft(ctx, secP, implCycle, "GHA", demo.SampleAnswers(), nil); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Workflow.Submit(ctx, secP, implCycle, "GHA", 1); err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit GHA: %v %+v", err, res.Errors)
	}

	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"ar": true, "zh": true}
	b.data = questionnaireTexts(s.Registry)
	base := "/cycles/" + implCycle + "/states/GHA"
	for _, l := range i18n.Languages {
		b.open("/sign-in")
		b.chooseLanguage(l.Code)
		b.page("all-01-sign-in")
		b.do(chromedp.SetValue("#token", "irm_not_a_token"))
		b.submit("form[action='/sign-in'] button[type=submit]")
		b.page("all-02-sign-in-refused")

		b.signIn(fp)
		b.page("all-03-focal-point-home")
		b.open(base)
		b.page("all-04-questionnaire")
		b.open("/cycles/" + implCycle + "/states/KEN")
		b.page("all-05-forbidden")
		b.open("/no-such-page")
		if got, want := b.text("h1"), i18n.T(l.Code, "Page not found"); got != want {
			t.Errorf("%s: an unknown address shows %q, want %q", l.Code, got, want)
		}
		b.page("all-06-not-found")
		b.open("/states/GHA/statistics")
		b.page("all-07-statistics")
		b.open("/published")
		b.page("all-08-reports")
		b.open("/cycles/" + secondCycle + "/states/GHA")
		if !b.exists(`input[type=number]`) {
			t.Fatal("the second questionnaire's first section has no number to get wrong")
		}
		b.do(chromedp.SetValue(`input[type=number]`, "-5"))
		b.submit(`.actions button[value="save"]`)
		if !b.exists(".error-summary") {
			t.Fatalf("%s: no error summary after saving -5", l.Code)
		}
		b.page("all-09-field-errors")
		b.signOut()

		b.signIn(sec)
		b.page("all-10-secretariat-home")
		b.open("/review/" + implCycle)
		b.page("all-11-submissions")
		b.open("/review/" + implCycle + "/GHA")
		b.page("all-12-review")
		b.open("/states")
		b.page("all-13-states-parties")
		b.open("/cycles/new")
		b.page("all-14-open-cycle")
		b.signOut()

		b.signIn(member)
		b.page("all-15-working-group-home")
		b.open("/groups/international-cooperation/" + implCycle)
		b.page("all-16-dashboard")
		b.signOut()
	}
}

// questionnaireTexts are the English words a questionnaire file gives its
// pages (every title, option codes as shown): data, translated in the
// file's x-labels where it has them, not in the catalogue.
func questionnaireTexts(reg *questionnaire.Registry) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["title"].(string); ok {
				out[t] = true
			}
			if enum, ok := x["enum"].([]any); ok {
				for _, o := range enum {
					if o, ok := o.(string); ok && o != "" {
						out[strings.ToUpper(o[:1])+strings.ReplaceAll(o[1:], "_", " ")] = true
					}
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	for _, q := range reg.Questionnaires() {
		walk(q.Schema())
	}
	return out
}
