package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
)

// TestBrowserDashboardWritesNumbersInItsLanguage: the working group's
// dashboard in Russian and Arabic, at 1,280 and 360 px, writes its
// figures as the language does (issue 17): 97,5 and ٩٧٫٥, not 97.5.
func TestBrowserDashboardWritesNumbersInItsLanguage(t *testing.T) {
	s, _ := numberSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"ru": true, "ar": true}
	b.data = questionnaireTexts(s.Registry)
	b.signIn(s.token(t, auth.WorkingGroup, "", "international-cooperation"))
	b.open("/groups/international-cooperation/" + implCycle)
	for lang, want := range map[string]string{"ru": "97,5", "ar": "٩٧٫٥"} {
		b.chooseLanguage(lang)
		days := eval[string](b, `document.getElementById("dq-/international_cooperation/mutual_legal_assistance/average_execution_days").closest("section").innerText`)
		if !strings.Contains(days, want) || strings.Contains(days, "97.5") {
			t.Errorf("%s: the average of days reads %q, want %s", lang, days, want)
		}
		b.page("dashboard-numbers")
	}
}

// dateLinesJS counts, for every date printed in el's text, the lines it
// takes when el is narrower than any date: "2027-03-06:1" when it stays
// on one line.
const dateLinesJS = `(function (el) {
	el.style.width = "3em";
	var out = [], w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), n;
	var re = /\d{4}\u2060?-\u2060?\d{2}\u2060?-\u2060?\d{2}/g;
	while ((n = w.nextNode())) {
		var m;
		while ((m = re.exec(n.data))) {
			var r = document.createRange(), tops = {};
			r.setStart(n, m.index);
			r.setEnd(n, m.index + m[0].length);
			Array.prototype.forEach.call(r.getClientRects(), function (x) { if (x.width) { tops[Math.round(x.top)] = true; } });
			out.push(m[0].replace(/\u2060/g, "") + ":" + Object.keys(tops).length);
		}
	}
	el.style.width = "";
	return out.join(" ");
})(document.querySelector(%s))`

// TestBrowserDatesStayOnOneLine: at 360 px the focal point's status line
// broke its deadline at a hyphen, "2027-" above "03-31" (issue 17). A
// date printed in running text stays on one line, even in a box
// narrower than the date.
func TestBrowserDatesStayOnOneLine(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "ar": true}
	b.signIn(s.token(t, auth.FocalPoint, "GHA"))
	for _, lang := range []string{"en", "ar"} {
		b.open("/cycles/" + implCycle + "/states/GHA?section=implementation")
		if lang != "en" {
			b.chooseLanguage(lang)
		}
		b.do(chromedp.EmulateViewport(360, 800))
		got := eval[string](b, strings.Replace(dateLinesJS, "%s", `".status-line"`, 1))
		b.do(chromedp.EmulateViewport(1280, 900))
		if got == "" {
			t.Fatalf("%s: the status line prints no date: %q", lang, b.text(".status-line"))
		}
		for _, d := range strings.Fields(got) {
			if !strings.HasSuffix(d, ":1") {
				t.Errorf("%s: a date in the status line is broken over lines: %s", lang, got)
			}
		}
		b.page("date-one-line")
	}
}
