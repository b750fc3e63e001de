package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
)

// site is the whole application over its own database, with both test
// questionnaires loaded and a cycle open for each.
type site struct {
	URL      string
	Handler  http.Handler // the same, for requests sent without a network
	Pool     *pgxpool.Pool
	Registry *questionnaire.Registry
	Workflow *submission.Service
	Tokens   *auth.Store
}

const (
	implCycle   = "2027"
	secondCycle = "training-2027"
)

// newSite loads implementation-v1 and the second test questionnaire from a
// folder, as --questionnaires does, and opens a cycle of each.
func newSite(t testing.TB) *site {
	t.Helper()
	return newSiteWith(t, app.HandlerOptions{Dev: true})
}

func newSiteWith(t testing.TB, opts app.HandlerOptions) *site {
	t.Helper()
	dir := t.TempDir()
	copyFS(t, questionnaires.Files(), dir, ".json")
	copyFS(t, questionnaires.Catalogue(), filepath.Join(dir, "catalogue"), ".json")
	second, err := os.ReadFile("../questionnaire/testdata/second/training-survey-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "training-survey-v2.json"), second, 0o644); err != nil {
		t.Fatal(err)
	}
	content, err := app.LoadContent(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The site runs as the service's app role, under row-level security;
	// the test sets up and inspects as the owner.
	pool, appPool := pgtest.NewApp(t)
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("IRM_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h := apptest.Handler(t, appPool, content, log, opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &site{URL: srv.URL, Handler: h, Pool: pool, Registry: content.Registry, Workflow: submission.NewService(pool, content.Registry, aggregate.Projection{}),
		Tokens: auth.NewStore(pool)}
	if _, err := pool.Exec(context.Background(), `UPDATE states SET party = true WHERE code IN ('GHA', 'KEN', 'NGA', 'FRA', 'BRA', 'JPN')`); err != nil {
		t.Fatal(err)
	}
	sec := auth.Principal{Name: "test secretariat", Role: auth.Secretariat}
	now := time.Now().UTC()
	for id, q := range map[string]string{implCycle: "implementation-v1", secondCycle: "training-survey-v2"} {
		if _, err := s.Workflow.OpenCycle(auth.WithPrincipal(context.Background(), sec), sec, submission.Cycle{ID: id, Name: id + " review", QuestionnaireID: q,
			OpensOn: now.AddDate(0, -1, 0), ClosesOn: now.AddDate(0, 3, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func copyFS(t testing.TB, fsys fs.FS, dir, ext string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ext) {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (s *site) token(t testing.TB, role auth.Role, state string, groups ...string) string {
	t.Helper()
	secret, err := s.Tokens.Create(context.Background(), auth.NewToken{Name: fmt.Sprintf("test %s %s", strings.ToLower(string(role)), state),
		Role: role, State: state, WorkingGroups: groups})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// browser drives headless Chromium. Without Chromium the test fails
// (CI installs Debian's chromium; see README "Before you start"), unless
// IRM_SKIP_BROWSER=1 says to skip it, loudly.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	axe     string
	shots   string
	checked map[string]bool
	lang    string // the language the pages are expected in
	// wide and narrow: widths (px) at which page also takes a screenshot
	// of the page in these languages, besides the one at the current width.
	narrow map[string]bool
	data   map[string]bool // English texts that are data, not the catalogue's (checkLanguage)
}

func chromiumPath() string {
	if p := os.Getenv("IRM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// repoRoot is two folders up from this package.
func repoRoot() string { return filepath.Join("..", "..") }

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("IRM_SKIP_BROWSER") == "1" {
			t.Skip("SKIPPED: no Chromium and IRM_SKIP_BROWSER=1; the browser tests did not run")
		}
		t.Fatal("no Chromium found: install Debian's chromium (apt-get install chromium), set IRM_CHROMIUM, " +
			"or set IRM_SKIP_BROWSER=1 to skip the browser tests knowingly")
	}
	axePath := os.Getenv("IRM_AXE")
	if axePath == "" {
		axePath = filepath.Join(repoRoot(), ".cache", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run \"make axe\" (npm install of axe-core into .cache/axe), or set IRM_AXE", err)
	}
	shots := filepath.Join(repoRoot(), "test-output", "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	return &browser{t: t, ctx: ctx, base: base, axe: string(axe), shots: shots, checked: map[string]bool{}, lang: "en"}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	l, _ := chromedp.Run(ctx, chromedp.Location())
	return l
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.80s: %v (at %s)", js, err, b.location())
	}
	return v
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + path))
}

// submit clicks a submit button and waits for the next page.
func (b *browser) submit(sel string) {
	b.t.Helper()
	eval[bool](b, `document.body.dataset.stale = "1"; true`)
	b.do(chromedp.Click(sel), chromedp.WaitReady("body:not([data-stale])"))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(function(){var e=document.querySelector(%q);return e?e.innerText:""})()`, sel))
}

func (b *browser) exists(sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

// chooseLanguage picks a language with the switcher of the page open.
func (b *browser) chooseLanguage(lang string) {
	b.t.Helper()
	b.submit(`form.lang button[value="` + lang + `"]`)
	b.lang = lang
}

// shot writes a full-page screenshot.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	// The whole page as the <html> element's box: Chromium's full-size
	// capture shifts a right-to-left page shorter than the window sideways.
	png, err := chromedp.Run(ctx, chromedp.ScreenshotScale("html", 1))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fits: nothing makes the page wider than the window (in a right-to-left
// page, what sticks out to the left is where a mirrored layout broke).
func (b *browser) fits(name string) {
	b.t.Helper()
	if over := eval[string](b, `(function () {
		var w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) { return ""; }
		var out = [];
		document.querySelectorAll("body *").forEach(function (e) {
			var r = e.getBoundingClientRect();
			if (r.width && (r.left < -1 || r.right > w + 1) && out.length < 5) { out.push(e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " " + Math.round(r.left) + ".." + Math.round(r.right)); }
		});
		return document.documentElement.scrollWidth + " px wide in a window of " + w + ": " + out.join(", ");
	})()`); over != "" {
		b.t.Errorf("%s (%s) is %s", name, b.location(), over)
	}
}

// page takes a full-page screenshot (in a language other than English,
// named after it), checks that the page is in the expected language
// (lang, dir, and no English sentence of the catalogue), and runs
// axe-core on it: a serious or critical violation fails the test.
func (b *browser) page(name string) {
	b.t.Helper()
	if b.lang != "en" {
		name = b.lang + "-" + name
	}
	b.shot(name)
	b.fits(name)
	if b.narrow[b.lang] {
		b.do(chromedp.EmulateViewport(360, 800))
		b.shot(name + "-360px")
		b.fits(name + " at 360 px")
		b.do(chromedp.EmulateViewport(1280, 900))
	}
	b.checkLanguage(name)
	eval[bool](b, b.axe+"\n;true")
	res := eval[string](b, `axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
			.map(function (v) { return v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.slice(0, 5).map(function (n) { return n.target.join(" "); }).join(", "); }));
	})`)
	var violations []string
	if err := json.Unmarshal([]byte(res), &violations); err != nil {
		b.t.Fatalf("axe result %s: %v", res, err)
	}
	if len(violations) > 0 {
		b.t.Errorf("axe-core on %s (%s): %d serious or critical violations:\n%s", name, b.location(), len(violations), strings.Join(violations, "\n"))
	}
	b.checked[name] = true
}

func (b *browser) signIn(token string) {
	b.t.Helper()
	b.open("/sign-in")
	b.do(chromedp.SetValue("#token", token))
	b.submit("form[action='/sign-in'] button[type=submit]")
	if b.exists("#token") {
		b.t.Fatalf("sign-in failed: %s", b.text("main"))
	}
}

func (b *browser) signOut() {
	b.t.Helper()
	b.submit("form[action='/sign-out'] button")
	if !b.exists("#token") {
		b.t.Fatalf("after sign-out, want the sign-in page, got %s", b.location())
	}
}

// flatten turns an answers document into form field values, as the page
// names them: JSON Pointers, arrays of strings as checkbox sets, arrays of
// objects as rows.
func flatten(ptr string, v any, out map[string][]string, rows map[string]int) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(ptr+"/"+questionnaire.EscapeToken(k), e, out, rows)
		}
	case []any:
		if len(x) > 0 {
			if _, ok := x[0].(map[string]any); ok {
				rows[ptr] = len(x)
				for i, e := range x {
					flatten(ptr+"/"+strconv.Itoa(i), e, out, rows)
				}
				return
			}
		}
		for _, e := range x {
			out[ptr] = append(out[ptr], fmt.Sprint(e))
		}
	case bool:
		out[ptr] = []string{strconv.FormatBool(x)}
	case json.Number:
		out[ptr] = []string{x.String()}
	case float64:
		out[ptr] = []string{strconv.FormatFloat(x, 'f', -1, 64)}
	default:
		out[ptr] = []string{fmt.Sprint(x)}
	}
}

const fillJS = `(function (vals) {
	var missing = [];
	Object.keys(vals).forEach(function (name) {
		var els = document.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
		if (!els.length) { missing.push(name); return; }
		var want = vals[name];
		els.forEach(function (el) {
			if (el.type === "radio" || el.type === "checkbox") { el.checked = want.indexOf(el.value) >= 0; }
			else { el.value = want[0]; }
			el.dispatchEvent(new Event("change", { bubbles: true }));
		});
		var matched = Array.prototype.some.call(els, function (el) {
			return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value === want[0];
		});
		if (!matched) { missing.push(name + "=" + want.join("|")); }
	});
	return JSON.stringify(missing);
})`

// fillSection fills one section of the form with a document's answers: it
// adds the rows its repeat groups need with the "Add a row" button, then
// sets every field; a value without a field fails the test.
func (b *browser) fillSection(section string, doc map[string]any) {
	b.t.Helper()
	vals, rows := map[string][]string{}, map[string]int{}
	if v, ok := doc[section]; ok {
		flatten("/"+questionnaire.EscapeToken(section), v, vals, rows)
	}
	lists := make([]string, 0, len(rows))
	for l := range rows {
		lists = append(lists, l)
	}
	sort.Strings(lists)
	for _, l := range lists {
		for eval[int](b, fmt.Sprintf(`document.querySelectorAll('[name="rows:%s"]').length ? +document.querySelector('[name="rows:%s"]').value : -1`, l, l)) < rows[l] {
			b.submit(fmt.Sprintf(`button[value="add:%s"]`, l))
		}
	}
	js, _ := json.Marshal(vals)
	var missing []string
	if err := json.Unmarshal([]byte(eval[string](b, fillJS+"("+string(js)+")")), &missing); err != nil {
		b.t.Fatal(err)
	}
	if len(missing) > 0 {
		b.t.Fatalf("section %s: no field took these answers: %v", section, missing)
	}
}

// storedAnswers reads a State's current answers through the service.
func (s *site) storedAnswers(t testing.TB, cycle, state string) (map[string]any, submission.Status) {
	t.Helper()
	sub, err := s.Workflow.Get(context.Background(), auth.Principal{Role: auth.Secretariat, Name: "test"}, cycle, state)
	if err != nil || sub == nil {
		t.Fatalf("get submission: %v %v", sub, err)
	}
	v, err := questionnaire.DecodeAnswers(sub.Answers)
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any), sub.Status
}

func decodeJSON(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	v, err := questionnaire.DecodeAnswers(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// secondComplete is the complete answers case of the second questionnaire.
func secondComplete(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("../questionnaire/testdata/second/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string          `json:"name"`
		Answers json.RawMessage `json:"answers"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Name == "complete answers are valid on submit" {
			return c.Answers
		}
	}
	t.Fatal("no complete case in cases.json")
	return nil
}
