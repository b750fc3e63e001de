package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/state"
)

// TestNoEnglishLeftOnPagesInOtherLanguages (issue 13) reads every page
// each role opens on the demo data, in Arabic, Chinese, French, Russian
// and Spanish, and fails on any English text the page shows or speaks
// (aria-label, title, alt, placeholder, visually hidden text) that has a
// translation in the page's language: the sources are listed in
// sweepSources, one entry each, so that another is one more entry. Data a
// person typed (answers, cycle and contact names, reasons, comments) is
// taken out first, and so is text marked as being in another language
// (lang="…": a message in its recipient's language).
func TestNoEnglishLeftOnPagesInOtherLanguages(t *testing.T) {
	d := newDemoSite(t)
	pages := d.pages(t)
	typed := d.typed(t)
	sort.Slice(typed, func(i, j int) bool { return len(typed[i]) > len(typed[j]) })
	for _, lang := range []string{"ar", "zh", "fr", "ru", "es"} {
		t.Run(lang, func(t *testing.T) {
			needles := sweepNeedles(d.content, lang)
			if len(needles) < 500 {
				t.Fatalf("only %d English texts with a %s translation: the sources are not read", len(needles), lang)
			}
			clients := map[string]*client{}
			for role, token := range d.tokens {
				clients[role] = newClient(t, d.site)
				clients[role].signIn(token)
			}
			for _, p := range pages {
				r := clients[p.role].getIn(p.path, lang)
				if r.Status != http.StatusOK {
					t.Errorf("%s %s: HTTP %d", p.role, p.path, r.Status)
					continue
				}
				if !strings.Contains(r.Body, `<html lang="`+lang+`"`) {
					t.Errorf("%s %s: the page is not in %s", p.role, p.path, lang)
					continue
				}
				if want, ok := sweepHolds[p.path]; ok && !strings.Contains(r.Body, want) {
					t.Errorf("%s %s: the page lacks %s: the demo data is not all there", p.role, p.path, want)
				}
				text := readable(r.Body, lang)
				for _, s := range typed {
					text = strings.ReplaceAll(text, s, "\x00")
				}
				var found []string
				for _, n := range needles {
					if at := n.re.FindStringSubmatchIndex(text); at != nil {
						line := text[strings.LastIndex(text[:at[3]], "\n")+1:]
						if i := strings.Index(line, "\n"); i >= 0 {
							line = line[:i]
						}
						found = append(found, fmt.Sprintf("%s %q (in %s: %q), in %q", n.source, n.english, lang, n.local, line))
					}
				}
				if len(found) > 0 {
					sort.Strings(found)
					if len(found) > 12 {
						found = append(found[:12], fmt.Sprintf("… and %d more", len(found)-12))
					}
					t.Errorf("%s %s in %s shows English:\n\t%s", p.role, p.path, lang, strings.Join(found, "\n\t"))
				}
			}
		})
	}
}

// sweepSource is a kind of text that has translations: Pairs gives, for a
// language, each English text and its translation.
type sweepSource struct {
	Name  string
	Pairs func(c app.Content, lang string) [][2]string
}

// sweepSources are the texts the sweep looks for.
var sweepSources = []sweepSource{
	{"questionnaire help text", func(c app.Content, lang string) [][2]string {
		q, _ := c.Registry.Get(demo.QuestionnaireID)
		var doc any
		if err := json.Unmarshal(q.Raw, &doc); err != nil {
			panic(err)
		}
		var out [][2]string
		var walk func(v any)
		walk = func(v any) {
			switch n := v.(type) {
			case map[string]any:
				if d, ok := n["description"].(string); ok {
					tr, _ := n["x-descriptions"].(map[string]any)
					l, _ := tr[lang].(string)
					out = append(out, [2]string{strings.Join(strings.Fields(d), " "), l})
				}
				for _, c := range n {
					walk(c)
				}
			case []any:
				for _, c := range n {
					walk(c)
				}
			}
		}
		walk(doc)
		return out
	}},
	{"questionnaire label", func(c app.Content, lang string) [][2]string {
		q, _ := c.Registry.Get(demo.QuestionnaireID)
		var doc any
		if err := json.Unmarshal(q.Raw, &doc); err != nil {
			panic(err)
		}
		var out [][2]string
		walkLabels(doc, lang, &out)
		return append(out, [2]string{q.Title, q.Label(lang)})
	}},
	{"State name", func(_ app.Content, lang string) [][2]string {
		var out [][2]string
		for _, code := range state.Codes() {
			en, _ := state.NameIn(code, "en")
			l, _ := state.NameIn(code, lang)
			out = append(out, [2]string{en, l})
		}
		return out
	}},
	{"regional group", func(_ app.Content, lang string) [][2]string {
		var out [][2]string
		for _, g := range []string{"AFRICAN", "ASIA_PACIFIC", "EASTERN_EUROPEAN", "LATIN_AMERICAN_CARIBBEAN", "WESTERN_EUROPEAN_OTHER", "DEVELOPING", "OTHER"} {
			en := report.GroupName("en", g)
			out = append(out, [2]string{en, report.GroupName(lang, g)})
		}
		return out
	}},
	{"working group", func(c app.Content, lang string) [][2]string {
		var out [][2]string
		for _, wg := range c.Registry.WorkingGroups() {
			// Its id too: a person reads a name, never the id.
			out = append(out, [2]string{wg.Name, wg.NameIn(lang)}, [2]string{wg.Description, wg.DescriptionIn(lang)},
				[2]string{wg.ID, wg.NameIn(lang)})
		}
		return out
	}},
	{"indicator", func(c app.Content, lang string) [][2]string {
		var out [][2]string
		for _, ind := range c.Indicators.Indicators {
			out = append(out, [2]string{ind.Name, ind.NameIn(lang)}, [2]string{ind.Description, ind.DescriptionIn(lang)})
		}
		for unit := range c.Indicators.Units {
			if en := c.Indicators.UnitIn(unit, "en"); en != strings.ToUpper(en) { // a code (USD) is every language's
				out = append(out, [2]string{en, c.Indicators.UnitIn(unit, lang)})
			}
		}
		for _, dim := range c.Indicators.Dimensions {
			out = append(out, [2]string{dim.Name, dim.NameIn(lang)})
			for _, v := range dim.Values {
				if dim.CodeList == "" {
					out = append(out, [2]string{dim.ValueIn(v, "en"), dim.ValueIn(v, lang)})
				}
			}
		}
		return out
	}},
	{"page sentence", func(_ app.Content, lang string) [][2]string {
		var out [][2]string
		placeholder := regexp.MustCompile(`\{[A-Za-z_]+\}`)
		for _, key := range i18n.Keys() {
			en, local := i18n.T("en", key), i18n.T(lang, key)
			if !strings.Contains(key, "{") {
				if len(strings.Fields(en)) >= 2 {
					out = append(out, [2]string{en, local})
				}
				continue
			}
			// A sentence with placeholders: its runs of three words or
			// more between them.
			for _, part := range placeholder.Split(en, -1) {
				part = strings.Trim(part, " ,.:;()–-\"“”«»")
				if len(strings.Fields(part)) >= 3 && !strings.Contains(local, part) {
					out = append(out, [2]string{part, local})
				}
			}
		}
		return out
	}},
}

// walkLabels collects a schema's titles and choice labels with their
// translations: x-labels beside a title, x-choice-labels by option.
func walkLabels(v any, lang string, out *[][2]string) {
	switch n := v.(type) {
	case map[string]any:
		if title, ok := n["title"].(string); ok {
			if tr, ok := n["x-labels"].(map[string]any); ok {
				l, _ := tr[lang].(string)
				*out = append(*out, [2]string{title, l})
			}
		}
		if choices, ok := n["x-choice-labels"].(map[string]any); ok {
			for _, c := range choices {
				if m, ok := c.(map[string]any); ok {
					en, _ := m["en"].(string)
					l, _ := m[lang].(string)
					*out = append(*out, [2]string{en, l})
				}
			}
		}
		for k, c := range n {
			if k != "x-labels" && k != "x-choice-labels" {
				walkLabels(c, lang, out)
			}
		}
	case []any:
		for _, c := range n {
			walkLabels(c, lang, out)
		}
	}
}

type needle struct {
	source, english, local string
	re                     *regexp.Regexp
}

// sweepNeedles are the English texts that have a translation in lang
// other than themselves, each matched as whole words.
func sweepNeedles(c app.Content, lang string) []needle {
	pairs := map[string][][2]string{}
	locals := map[string]bool{} // every translation: an English text that is one too is no sign
	for _, src := range sweepSources {
		pairs[src.Name] = src.Pairs(c, lang)
		for _, p := range pairs[src.Name] {
			locals[strings.TrimSpace(p[1])] = true
		}
	}
	seen := map[string]bool{}
	var out []needle
	for _, src := range sweepSources {
		for _, p := range pairs[src.Name] {
			en, local := strings.TrimSpace(p[0]), strings.TrimSpace(p[1])
			if en == "" || local == "" || local == en || seen[en] || locals[en] {
				continue
			}
			seen[en] = true
			out = append(out, needle{source: src.Name, english: en, local: local,
				re: regexp.MustCompile(`(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(en) + `($|[^\p{L}\p{N}])`)})
		}
	}
	return out
}

// readable is what a page shows and says in its own language: its text
// and its aria-label, title, alt, placeholder and data-label (shown by the
// narrow layout) attributes, without
// scripts, styles, what a person is typing (textarea) and anything marked
// as being in another language, one piece a line.
func readable(page, lang string) string {
	tag := regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--.*?-->|<!(?i:doctype)[^>]*>`)
	attr := regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"`)
	void := map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
		"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}
	type open struct {
		name string
		skip bool
	}
	var stack []open
	skipping := func() bool { return len(stack) > 0 && stack[len(stack)-1].skip }
	var out []string
	add := func(s string) {
		if s = strings.Join(strings.Fields(html.UnescapeString(s)), " "); s != "" && !skipping() {
			out = append(out, s)
		}
	}
	last := 0
	for _, m := range tag.FindAllStringSubmatchIndex(page, -1) {
		add(page[last:m[0]])
		last = m[1]
		if m[4] < 0 { // a comment or the doctype
			continue
		}
		closing, name, attrs := page[m[2]:m[3]] == "/", strings.ToLower(page[m[4]:m[5]]), page[m[6]:m[7]]
		if closing {
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name == name {
					stack = stack[:i]
					break
				}
			}
			continue
		}
		skip := skipping() || name == "script" || name == "style" || name == "textarea"
		for _, a := range attr.FindAllStringSubmatch(attrs, -1) {
			switch strings.ToLower(a[1]) {
			case "lang":
				if a[2] != lang && name != "html" {
					skip = true
				}
			case "aria-label", "title", "alt", "placeholder", "data-label":
				if !skip {
					add(a[2])
				}
			}
		}
		if !void[name] && !strings.HasSuffix(strings.TrimSpace(attrs), "/") {
			stack = append(stack, open{name, skip})
		}
	}
	add(page[last:])
	return strings.Join(out, "\n")
}

// getIn opens path asking for lang, as a browser set to it does.
func (c *client) getIn(path, lang string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+path, nil)
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// demoSite is the application over the demo data make run loads.
type demoSite struct {
	*site
	content app.Content
	tokens  map[string]string // role → token
}

func newDemoSite(t *testing.T) *demoSite {
	t.Helper()
	ctx := context.Background()
	content, err := app.LoadContent("")
	if err != nil {
		t.Fatal(err)
	}
	pool, appPool := pgtest.NewApp(t)
	log := slog.New(slog.DiscardHandler)
	svc, err := app.NewServices(pool, content, log, schedule.Config{Poll: 100 * time.Millisecond, FetchPoll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, pool, content.Registry, log); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedStatistics(ctx, pool, svc.Statistics, log); err != nil {
		t.Fatal(err)
	}
	tokens, err := demo.Tokens(ctx, svc.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedContacts(ctx, svc.People, svc.Tokens, tokens); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedReportSchedules(ctx, svc.Reports, content.Registry); err != nil {
		t.Fatal(err)
	}
	// A published synthesis, as make run's tour has: the runs and
	// published pages then list one.
	if err := svc.Reports.Start(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = demo.PublishedReport(ctx, svc.Reports, 2*time.Minute)
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if stopErr := svc.Reports.Stop(stopCtx); err != nil || stopErr != nil {
		t.Fatalf("the demo's published report: %v; stop: %v", err, stopErr)
	}
	h := apptest.Handler(t, appPool, content, log, app.HandlerOptions{Dev: true})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	d := &demoSite{site: &site{URL: srv.URL, Handler: h, Pool: pool, Registry: content.Registry, Tokens: svc.Tokens},
		content: content, tokens: map[string]string{}}
	for _, tk := range tokens {
		d.tokens[tk.Role] = tk.Secret
	}
	return d
}

type sweepPage struct{ role, path string }

// sweepHolds is what a page must show for the sweep to read more than its
// frame: a row of the list it is about.
var sweepHolds = map[string]string{
	"/published": ".pdf\" download>",
	"/runs":      ".pdf\" download>",
	"/outbox":    `class="msg-`,
	"/contacts":  `/invite"`,
}

// pages are the GET pages of each role on the demo data.
func (d *demoSite) pages(t *testing.T) []sweepPage {
	t.Helper()
	var review string
	if err := d.Pool.QueryRow(context.Background(), `SELECT state_code FROM submissions
		WHERE cycle_id = $1 AND status = 'SUBMITTED' ORDER BY version DESC, state_code LIMIT 1`, demo.CycleID).Scan(&review); err != nil {
		t.Fatal(err)
	}
	cycle := demo.CycleID
	fp, wg, sec := "FOCAL_POINT", "WORKING_GROUP", "SECRETARIAT"
	// An invitation in the outbox.
	c := newClient(t, d.site)
	c.signIn(d.tokens[sec])
	invite := regexp.MustCompile(`action="(/contacts/[^"/]+/invite)"`).FindStringSubmatch(c.get("/contacts").Body)
	if invite == nil {
		t.Fatal("the demo's contacts page has no invitation to send")
	}
	if r := c.post(invite[1], url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("invite: HTTP %d", r.Status)
	}
	out := []sweepPage{
		{fp, "/"}, {fp, "/states/" + demo.FocalPointState + "/statistics"}, {fp, "/published"},
		{wg, "/"}, {wg, "/published"},
		{sec, "/"}, {sec, "/review/" + cycle}, {sec, "/review/" + cycle + "/" + review}, {sec, "/states"},
		{sec, "/cycles/new"}, {sec, "/runs"}, {sec, "/published"}, {sec, "/contacts"}, {sec, "/outbox"},
		{sec, "/reminders/" + cycle},
	}
	q, _ := d.Registry.Get(demo.QuestionnaireID)
	for _, s := range q.Sections {
		out = append(out, sweepPage{fp, "/cycles/" + cycle + "/states/" + demo.FocalPointState + "?section=" + s.ID})
	}
	for _, g := range d.Registry.WorkingGroups() {
		out = append(out, sweepPage{sec, "/groups/" + g.ID + "/" + cycle})
		if g.ID == "international-cooperation" || g.ID == "technical-assistance" {
			out = append(out, sweepPage{wg, "/groups/" + g.ID + "/" + cycle})
		}
	}
	for role := range d.tokens {
		if !slices.ContainsFunc(out, func(p sweepPage) bool { return p.role == role }) {
			t.Fatalf("no page for role %s", role)
		}
	}
	return out
}

var sweepCode = regexp.MustCompile(`^(?:[a-z0-9_-]+|[A-Z]{3}|\d{4}-\d{2}-\d{2}.*)$`)

// typed is what people typed into the demo data: every string of every
// answers document, the names of cycles, contacts and tokens, the
// reasons of extensions and the comments of reviews. Longest first, so
// that a text is taken out before a part of it.
func (d *demoSite) typed(t *testing.T) []string {
	t.Helper()
	rows, err := d.Pool.Query(context.Background(), `
		SELECT answers::text, true FROM submissions
		UNION ALL SELECT answers::text, true FROM submission_versions
		UNION ALL SELECT name, false FROM cycles
		UNION ALL SELECT name, false FROM contacts
		UNION ALL SELECT email, false FROM contacts
		UNION ALL SELECT name, false FROM tokens
		UNION ALL SELECT reason, false FROM extensions
		UNION ALL SELECT body, false FROM review_comments`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			// Codes (options, States, dates) are not typed: taking them
			// out would hide what the page says around them.
			if s := strings.Join(strings.Fields(x), " "); s != "" && !sweepCode.MatchString(s) {
				seen[s] = true
			}
		case map[string]any:
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	for rows.Next() {
		var s string
		var isJSON bool
		if err := rows.Scan(&s, &isJSON); err != nil {
			t.Fatal(err)
		}
		if !isJSON {
			walk(s)
			continue
		}
		var doc any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			t.Fatal(err)
		}
		walk(doc)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	return out
}

// TestStatisticsTemplatesComeInThePagesLanguage (issue 13): the
// statistics page's templates are linked in the page's language, so that
// a browser asking for another language still gets the help the page
// promised; each is CSV with the indicators' names in that language.
func TestStatisticsTemplatesComeInThePagesLanguage(t *testing.T) {
	s := newSite(t)
	c := newClient(t, s)
	c.signIn(s.token(t, "FOCAL_POINT", "GHA"))
	page := c.getIn("/states/GHA/statistics", "ar")
	links := regexp.MustCompile(`href="(/statistics/template\.csv[^"]*)"`).FindAllStringSubmatch(page.Body, -1)
	if page.Status != http.StatusOK || len(links) < 3 {
		t.Fatalf("HTTP %d with %d template links, want 200 with a link for all indicators, each group and each indicator", page.Status, len(links))
	}
	for _, l := range links {
		href := html.UnescapeString(l[1])
		if !strings.Contains(href, "lang=ar") {
			t.Errorf("the link %s does not ask for the page's language", href)
		}
	}
	r := c.getIn(html.UnescapeString(links[len(links)-1][1]), "en") // a browser in English, the page in Arabic
	code := regexp.MustCompile(`indicators=([A-Z_]+)`).FindStringSubmatch(links[len(links)-1][1])
	if code == nil {
		t.Fatalf("the last link is not one indicator's: %s", links[len(links)-1][1])
	}
	content, err := app.LoadContent("")
	if err != nil {
		t.Fatal(err)
	}
	ind, _ := content.Indicators.Indicator(code[1])
	if r.Status != http.StatusOK || r.Header.Get("Content-Language") != "ar" || !strings.Contains(r.Body, "# "+code[1]+": "+ind.NameIn("ar")) {
		t.Errorf("the template: HTTP %d, Content-Language %q, want 200 in ar naming %s %q:\n%s", r.Status, r.Header.Get("Content-Language"), code[1], ind.NameIn("ar"), r.Body)
	}
}

// TestTheSweepReadsWhatAPersonMeets: readable keeps text, hidden text and
// the attributes read aloud, and leaves out scripts, what is being typed
// and what is marked as another language.
func TestTheSweepReadsWhatAPersonMeets(t *testing.T) {
	page := `<!DOCTYPE html><html lang="fr" dir="ltr"><head><title>Titre</title><style>p{}</style><script src="/s.js"></script></head>
<body><button aria-label="Fermer la fenêtre">X<span class="vh"> – Antigua and Barbuda</span></button>
<img src="a.png" alt="Légende"><input placeholder="Par exemple" value="typed by someone"><br>
<td data-label="Année">2025</td><textarea>Draft answer</textarea>
<p>Un <b>texte</b> &amp; plus</p><bdi lang="en">Ghana submitted its answers</bdi><svg><title>Bar chart</title><text>Always</text></svg></body></html>`
	got := strings.Split(readable(page, "fr"), "\n")
	want := []string{"Titre", "Fermer la fenêtre", "X", "– Antigua and Barbuda", "Légende", "Par exemple", "Année", "2025",
		"Un", "texte", "& plus", "Bar chart", "Always"}
	if !slices.Equal(got, want) {
		t.Errorf("readable =\n%q\nwant\n%q", got, want)
	}
}
