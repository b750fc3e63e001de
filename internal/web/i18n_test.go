package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/state"
)

// Every message the templates and handlers ask for is in the catalogue,
// and every call gives exactly the message's placeholders, so no page
// shows a key or a "{name}" instead of a sentence.
func TestEveryTemplateKeyIsInTheCatalogue(t *testing.T) {
	arg := `(?:\([^()]*\)|[^\s(){}"]+)`
	calls := []*regexp.Regexp{
		regexp.MustCompile(`\btr [$.A-Za-z]+ "([^"]+)"((?:\s+"[A-Za-z_]+"\s+` + arg + `)*)`), // templates
		regexp.MustCompile(`\btr\([A-Za-z.]+, "([^"]+)"((?:, "[A-Za-z_]+", [^,)]+)*)\)`),     // Go
		regexp.MustCompile(`h\.render\([^"]*"[a-z_]+", "([^"]+)"()`),                         // page titles
	}
	names := regexp.MustCompile(`"([A-Za-z_]+)"[\s,]+` + arg)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range append(files, gofiles...) {
		if filepath.Ext(f) == ".go" && len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range calls {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen++
				key := m[1]
				if !i18n.Has(key) {
					t.Errorf("%s: %q is not in the catalogue (internal/i18n/locales/en.json)", f, key)
					continue
				}
				var given []string
				for _, n := range names.FindAllStringSubmatch(m[2], -1) {
					given = append(given, n[1])
				}
				slices.Sort(given)
				given = slices.Compact(given)
				if want := i18n.KeyPlaceholders(key); !slices.Equal(given, want) {
					t.Errorf("%s: %q is given %v, its placeholders are %v", f, key, given, want)
				}
			}
		}
	}
	for _, s := range []string{"Not started", "Draft", "Submitted", "Returned", "Accepted", "Reported", "Estimated",
		"Not available", "Confidential", "Focal point", "Working-group member", "Secretariat",
		"Sign in again", "You may not open this page", "Page not found", "This changed meanwhile",
		"Something in the request is wrong", "This is too large to send", "Too many requests: wait a moment",
		"Something went wrong", "Statistics", "Review", "Home",
		"{count} of {total} answered", "{count} still required", "nothing missing",
		// the report's chart words the dashboard translates (charts.go)
		"Response rate by regional group (submitted or accepted, % of States Parties)", "Response rate",
		"All States Parties", "Respondents by answer", "States",
		// report kinds (reports.go)
		"Cycle synthesis", "Country profile", "Technical assistance",
		// report run statuses and confirmation titles (runs.go, review.go)
		"Queued", "Running", "Succeeded", "Failed", "Publish a report", "Delete a schedule",
		"Accept the submission", "Return to the State", "States Parties"} {
		if !i18n.Has(s) {
			t.Errorf("%q is not in the catalogue", s)
		}
	}
	if seen < 100 {
		t.Fatalf("found only %d interface texts: the patterns no longer match the templates", seen)
	}
}

// TestGroupNamesComeFromOneCatalogue: issue 14. The regional groups'
// names were translated twice, in the pages' catalogue and the reports';
// the pages now read the report catalogue's, in full (tables, filters)
// and short (the dashboard's charts), and the pages' catalogue has none.
func TestGroupNamesComeFromOneCatalogue(t *testing.T) {
	groupName := funcs["groupName"].(func(string, string) string)
	for _, lang := range []string{"ar", "zh", "en", "fr", "ru", "es"} {
		for _, g := range append(state.RegionalGroups(), "") {
			full := groupName(lang, g)
			if full == "" || full != report.GroupName(lang, g) {
				t.Errorf("%s %q: the page says %q, the report %q", lang, g, full, report.GroupName(lang, g))
			}
			if lang != "en" && full == groupName("en", g) {
				t.Errorf("%s %q: %q is the English name", lang, g, full)
			}
			if i18n.Has(groupName("en", g)) {
				t.Errorf("the pages' catalogue still translates %q", groupName("en", g))
			}
		}
		c := &chart.Bar{Categories: []string{"African", "All"}, Series: []chart.Series{{Name: "Response rate", Values: []float64{0.5, 0.25}}}}
		got := localBar(lang, c)
		for i, en := range c.Categories {
			want, ok := report.TranslateGroupName(lang, en)
			if !ok || got.Categories[i] != want || (lang != "en" && want == en) {
				t.Errorf("%s: the chart's %q reads %q, want the report's %q", lang, en, got.Categories[i], want)
			}
		}
	}
	if _, ok := report.TranslateGroupName("fr", "Response rate"); ok {
		t.Error("a series that is not a group was taken for one")
	}
}
