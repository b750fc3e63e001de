package web_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
)

// shownDate is a day as the pages print it: word joiners (invisible)
// beside its hyphens keep it on one line (issue 17).
func shownDate(t time.Time) string {
	return strings.ReplaceAll(t.Format("2006-01-02"), "-", "\u2060-\u2060")
}

const profileHolds = "A country profile holds the State's answers and statistics. The review comments exchanged between the secretariat and the State are part of the review, not of the profile, and are not printed."

// TestTheRenderFormSaysWhatAProfileHolds: the secretariat's render form
// on the reports page says, beside the choice of report, what a
// published country profile holds (issue 17), in the page's language.
func TestTheRenderFormSaysWhatAProfileHolds(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, auth.Secretariat, ""))
	for _, lang := range []string{"en", "fr", "ar"} {
		c.post("/language", url.Values{"lang": {lang}, "next": {"/runs"}})
		body := c.get("/runs").Body
		for _, p := range []string{"r-", "s-"} {
			help := regexp.MustCompile(`<p class="help" id="` + p + `kind-help">([^<]*)</p>`).FindStringSubmatch(body)
			if help == nil || html.UnescapeString(help[1]) != i18n.T(lang, profileHolds) {
				t.Errorf("%s: the form %skind says nothing of what a profile holds", lang, p)
			}
			if !strings.Contains(body, `<select id="`+p+`kind" name="kind" aria-describedby="`+p+`kind-help">`) {
				t.Errorf("%s: the choice of report %skind is not described by the sentence", lang, p)
			}
		}
	}
}

// numberSite is a site where Ghana, Kenya and Nigeria submitted the
// sample answers (an average of 97.5 days), and Ghana reported a median of
// 1234.5 days to execute a request in 2025.
func numberSite(t *testing.T) (s *site, focalPoint string) {
	t.Helper()
	s = newSite(t)
	secP := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	ctx := auth.WithPrincipal(context.Background(), secP)
	for _, code := range []string{"GHA", "KEN", "NGA"} { // three: no figure is withheld
		if _, err := s.Workflow.SaveDraft(ctx, secP, implCycle, code, demo.SampleAnswers(), nil); err != nil {
			t.Fatal(err)
		}
		if res, err := s.Workflow.Submit(ctx, secP, implCycle, code, 1); err != nil || len(res.Errors) > 0 {
			t.Fatalf("submit %s: %v %+v", code, err, res.Errors)
		}
	}
	focalPoint = s.token(t, auth.FocalPoint, "GHA")
	fp := newClient(t, s)
	fp.signIn(focalPoint)
	fp.get("/states/GHA/statistics")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", fp.csrf) //nolint:errcheck
	f, _ := mw.CreateFormFile("file", "ghana.csv")
	f.Write([]byte("indicator,year,value\nMLA_EXECUTION_DAYS_MEDIAN,2025,1234.5\n")) //nolint:errcheck
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/states/GHA/statistics", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := fp.do(req); !strings.Contains(html.UnescapeString(r.Body), i18n.T("en", "The file is stored: {count} values were new or changed.", "count", 1)) {
		t.Fatalf("upload: HTTP %d\n%s", r.Status, r.Body)
	}
	return s, focalPoint
}

// TestPagesWriteNumbersInTheirLanguage: the dashboard showed "97.5" on a
// Russian page, where Russian writes 97,5 (issue 17). Every page that
// prints numbers writes them as the reports in its language do.
func TestPagesWriteNumbersInTheirLanguage(t *testing.T) {
	s, focalPoint := numberSite(t)
	wg, fp, sec := newClient(t, s), newClient(t, s), newClient(t, s)
	wg.signIn(s.token(t, auth.WorkingGroup, "", "international-cooperation"))
	fp.signIn(focalPoint)
	sec.signIn(s.token(t, auth.Secretariat, ""))
	for _, tc := range []struct {
		lang, days, offences, year, pct string
	}{
		{"en", "97.5", "1,234.5", "2025", "50%"},
		{"fr", "97,5", "1\u00a0234,5", "2025", "50\u00a0%"},
		{"ru", "97,5", "1\u00a0234,5", "2025", "50\u00a0%"},
		{"ar", "٩٧٫٥", "١٬٢٣٤٫٥", "٢٠٢٥", "٥٠٪؜"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			get := func(c *client, path string) string {
				t.Helper()
				c.post("/language", url.Values{"lang": {tc.lang}, "next": {path}})
				r := c.get(path)
				if r.Status != http.StatusOK {
					t.Fatalf("%s: HTTP %d", path, r.Status)
				}
				return html.UnescapeString(r.Body)
			}
			dash := get(wg, "/groups/international-cooperation/"+implCycle)
			if want := i18n.T(tc.lang, "Mean {mean} · median {median} · min {min} · max {max}",
				"mean", tc.days, "median", tc.days, "min", tc.days, "max", tc.days); !strings.Contains(dash, want) {
				t.Errorf("the dashboard does not say %q", want)
			}
			// Three of the six States Parties submitted: 50 %.
			if !strings.Contains(dash, `<td class="num">`+tc.pct+`</td>`) {
				t.Errorf("the dashboard's response rate is not written %q", tc.pct)
			}
			for _, page := range []string{"/", "/states/GHA/statistics"} {
				body := get(fp, page)
				if !strings.Contains(body, ">"+tc.offences+"<") || !strings.Contains(body, ">"+tc.year+"<") {
					t.Errorf("%s does not write the value %q of %q", page, tc.offences, tc.year)
				}
			}
			review := get(sec, "/review/"+implCycle+"/GHA")
			if !strings.Contains(review, tc.days) {
				t.Errorf("the review page does not write the average of days as %q", tc.days)
			}
			if tc.lang != "en" && (strings.Contains(dash, ">97.5<") || strings.Contains(review, "97.5")) {
				t.Errorf("a page in %s still writes 97.5", tc.lang)
			}
			// The indicator's chart names its unit in the page's language.
			if tc.lang != "en" && strings.Contains(dash, "(days)") {
				t.Errorf("the dashboard in %s names the unit of days in English", tc.lang)
			}
		})
	}
}
