package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"
)

const runFields = `id kind status published url sha256 bytes pages fileName error scheduledFor language warnings
	cycle { id } workingGroup { id } state { code } schedule { id }`

type reportRun struct {
	ID           string   `json:"id"`
	Kind         string   `json:"kind"`
	Status       string   `json:"status"`
	Published    bool     `json:"published"`
	URL          *string  `json:"url"`
	SHA256       *string  `json:"sha256"`
	Bytes        *int     `json:"bytes"`
	Pages        *int     `json:"pages"`
	FileName     *string  `json:"fileName"`
	Error        *string  `json:"error"`
	ScheduledFor string   `json:"scheduledFor"`
	Language     string   `json:"language"`
	Warnings     []string `json:"warnings"`
	Cycle        struct{ ID string }
	WorkingGroup *struct{ ID string }
	State        *struct{ Code string }
	Schedule     *struct{ ID string }
}

func (w *world) render(t *testing.T, token string, input map[string]any) apptest.Response {
	t.Helper()
	return w.env.Do(t, token, `mutation($in: ReportInput!) { renderReport(input: $in) { `+runFields+` } }`, map[string]any{"in": input})
}

func (w *world) mustRender(t *testing.T, input map[string]any) reportRun {
	t.Helper()
	var out struct{ RenderReport reportRun }
	w.render(t, w.sec, input).Decode(t, &out)
	return out.RenderReport
}

func (w *world) run(t *testing.T, token, id string) *reportRun {
	t.Helper()
	var out struct{ ReportRun *reportRun }
	w.env.Do(t, token, `query($id: ID!) { reportRun(id: $id) { `+runFields+` } }`, map[string]any{"id": id}).Decode(t, &out)
	return out.ReportRun
}

func (w *world) waitSucceeded(t *testing.T, id string) reportRun {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := w.run(t, w.sec, id)
		if r.Status == "SUCCEEDED" {
			return *r
		}
		if r.Status == "FAILED" || time.Now().After(deadline) {
			t.Fatalf("run %s: got %s (%v), want SUCCEEDED within 30s", id, r.Status, r.Error)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReportsEndToEnd: the secretariat queues a report, which renders;
// publishes it; and every role reads runs and PDFs as the rules say,
// over GraphQL and GET /reports/{id}.pdf.
func TestReportsEndToEnd(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env.StartReports(t)
	kenya := w.token(t, "Kenya FP", "FOCAL_POINT", "KEN")
	france := w.token(t, "France FP", "FOCAL_POINT", "FRA")
	member := w.token(t, "IC member", "WORKING_GROUP", "", "international-cooperation")

	queued := w.mustRender(t, map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027", "workingGroup": "international-cooperation"})
	if queued.Status != "QUEUED" && queued.Status != "RUNNING" || queued.URL != nil || queued.Published || queued.Schedule != nil ||
		queued.WorkingGroup == nil || queued.WorkingGroup.ID != "international-cooperation" || queued.Cycle.ID != "2027" {
		t.Fatalf("renderReport returned %+v, want a queued run of the synthesis", queued)
	}
	profile := w.mustRender(t, map[string]any{"kind": "COUNTRY_PROFILE", "cycle": "2027", "state": "KEN"})
	synthesis := w.waitSucceeded(t, queued.ID)
	w.waitSucceeded(t, profile.ID)
	if synthesis.URL == nil || *synthesis.URL != "/reports/"+queued.ID+".pdf" || synthesis.SHA256 == nil || *synthesis.Bytes == 0 ||
		*synthesis.FileName != "cycle-synthesis-2027-international-cooperation-en.pdf" {
		t.Fatalf("succeeded run: %+v", synthesis)
	}

	t.Run("no one but the secretariat publishes", func(t *testing.T) {
		for _, tok := range []string{kenya, member} {
			res := w.env.Do(t, tok, `mutation($id: ID!) { publishReport(run: $id) { id } }`, map[string]any{"id": queued.ID})
			wantCode(t, res, "FORBIDDEN")
		}
	})

	// Before publishing: the secretariat reads both, Kenya its profile only.
	access := func(t *testing.T, id string, want map[string]bool) {
		t.Helper()
		for name, tok := range map[string]string{"secretariat": w.sec, "Kenya": kenya, "France": france, "member": member} {
			got := w.run(t, tok, id) != nil
			pdf := w.env.Raw(t, http.MethodGet, "/reports/"+id+".pdf", tok, nil, nil)
			if got != want[name] || (pdf.Status == http.StatusOK) != want[name] {
				t.Errorf("%s reading run %s: reportRun %v, GET %d; want readable %v", name, id, got, pdf.Status, want[name])
			}
			if !want[name] && pdf.Status != http.StatusNotFound {
				t.Errorf("%s: GET %d, want 404", name, pdf.Status)
			}
		}
	}
	t.Run("an unpublished synthesis is the secretariat's only", func(t *testing.T) {
		access(t, queued.ID, map[string]bool{"secretariat": true})
	})
	t.Run("a focal point reads its own State's unpublished profile", func(t *testing.T) {
		access(t, profile.ID, map[string]bool{"secretariat": true, "Kenya": true})
	})

	var pub struct{ PublishReport reportRun }
	w.env.Do(t, w.sec, `mutation($id: ID!) { publishReport(run: $id) { `+runFields+` } }`, map[string]any{"id": queued.ID}).Decode(t, &pub)
	if !pub.PublishReport.Published {
		t.Fatalf("publishReport: %+v", pub.PublishReport)
	}
	t.Run("a published synthesis is everyone's", func(t *testing.T) {
		access(t, queued.ID, map[string]bool{"secretariat": true, "Kenya": true, "France": true, "member": true})
	})

	t.Run("reportRuns lists what each may read", func(t *testing.T) {
		for name, c := range map[string]struct {
			tok  string
			want int
		}{"secretariat": {w.sec, 2}, "Kenya": {kenya, 2}, "France": {france, 1}, "member": {member, 1}} {
			var out struct{ ReportRuns []reportRun }
			w.env.Do(t, c.tok, `{ reportRuns { id } }`, nil).Decode(t, &out)
			if len(out.ReportRuns) != c.want {
				t.Errorf("%s: got %d runs, want %d", name, len(out.ReportRuns), c.want)
			}
		}
		var out struct{ ReportRuns []reportRun }
		w.env.Do(t, w.sec, `{ reportRuns(kind: COUNTRY_PROFILE, cycle: "2027", published: false) { id state { code } } }`, nil).Decode(t, &out)
		if len(out.ReportRuns) != 1 || out.ReportRuns[0].ID != profile.ID || out.ReportRuns[0].State.Code != "KEN" {
			t.Errorf("filtered: got %+v, want Kenya's profile only", out.ReportRuns)
		}
	})

	t.Run("the PDF comes with its type, name and ETag", func(t *testing.T) {
		res := w.env.Raw(t, http.MethodGet, "/reports/"+queued.ID+".pdf", member, nil, nil)
		sum := sha256.Sum256(res.Body)
		etag := `"` + hex.EncodeToString(sum[:]) + `"`
		switch {
		case res.Status != http.StatusOK || !strings.HasPrefix(string(res.Body), "%PDF-"):
			t.Fatalf("GET: %d %q", res.Status, res.Body[:min(len(res.Body), 40)])
		case res.Header.Get("Content-Type") != "application/pdf":
			t.Fatalf("Content-Type: %q", res.Header.Get("Content-Type"))
		case res.Header.Get("Content-Disposition") != `attachment; filename="cycle-synthesis-2027-international-cooperation-en.pdf"`:
			t.Fatalf("Content-Disposition: %q", res.Header.Get("Content-Disposition"))
		case res.Header.Get("ETag") != etag || *synthesis.SHA256 != hex.EncodeToString(sum[:]):
			t.Fatalf("ETag %q, sha256 %s, want %s", res.Header.Get("ETag"), *synthesis.SHA256, etag)
		}
		again := w.env.Raw(t, http.MethodGet, "/reports/"+queued.ID+".pdf", member, map[string]string{"If-None-Match": etag}, nil)
		if again.Status != http.StatusNotModified || len(again.Body) != 0 {
			t.Fatalf("If-None-Match: got %d with %d bytes, want 304 and none", again.Status, len(again.Body))
		}
		stale := w.env.Raw(t, http.MethodGet, "/reports/"+queued.ID+".pdf", member, map[string]string{"If-None-Match": `"other"`}, nil)
		if stale.Status != http.StatusOK {
			t.Fatalf("stale If-None-Match: got %d, want 200", stale.Status)
		}
	})

	t.Run("without a token the PDF is 401", func(t *testing.T) {
		for _, tok := range []string{"", "irm_not-a-token"} {
			if res := w.env.Raw(t, http.MethodGet, "/reports/"+queued.ID+".pdf", tok, nil, nil); res.Status != http.StatusUnauthorized {
				t.Fatalf("token %q: got %d, want 401", tok, res.Status)
			}
		}
	})

	t.Run("an unknown run is 404 and null", func(t *testing.T) {
		for _, path := range []string{"/reports/00000000-0000-0000-0000-000000000000.pdf", "/reports/nope.pdf", "/reports/" + queued.ID} {
			if res := w.env.Raw(t, http.MethodGet, path, w.sec, nil, nil); res.Status != http.StatusNotFound {
				t.Fatalf("%s: got %d, want 404", path, res.Status)
			}
		}
		if r := w.run(t, w.sec, "00000000-0000-0000-0000-000000000000"); r != nil {
			t.Fatalf("reportRun of an unknown id: %+v", r)
		}
	})
}

func TestReportBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	before := w.snapshot(t)
	runs := func() int {
		var n int
		if err := w.env.Pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM report_runs) + (SELECT count(*) FROM report_schedules) + (SELECT count(*) FROM river_job)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, c := range []struct {
		name  string
		input map[string]any
		code  string
	}{
		{"a country profile without a State", map[string]any{"kind": "COUNTRY_PROFILE", "cycle": "2027"}, "BAD_USER_INPUT"},
		{"an unknown cycle", map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "1999"}, "NOT_FOUND"},
		{"an unknown working group", map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027", "workingGroup": "gardening"}, "NOT_FOUND"},
		{"an unknown State", map[string]any{"kind": "COUNTRY_PROFILE", "cycle": "2027", "state": "QQQ"}, "NOT_FOUND"},
		{"an unknown kind", map[string]any{"kind": "ANNUAL", "cycle": "2027"}, "BAD_USER_INPUT"},
	} {
		t.Run(c.name+" is "+c.code, func(t *testing.T) {
			wantCode(t, w.render(t, w.sec, c.input), c.code)
			res := w.env.Do(t, w.sec, `mutation($in: ScheduleReportInput!) { scheduleReport(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"report": c.input, "cron": "@weekly"}})
			wantCode(t, res, c.code)
		})
	}
	for _, c := range []struct{ name, cron, tz string }{
		{"a cron spec of four fields", "0 6 * *", "UTC"},
		{"a cron spec with seconds", "0 0 6 * * MON", "UTC"},
		{"a made-up descriptor", "@fortnightly", "UTC"},
		{"an unknown time zone", "@weekly", "Mars/Olympus_Mons"},
		{"a schedule every minute", "* * * * *", "UTC"},
	} {
		t.Run(c.name+" is BAD_USER_INPUT", func(t *testing.T) {
			res := w.env.Do(t, w.sec, `mutation($in: ScheduleReportInput!) { scheduleReport(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"report": map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027"}, "cron": c.cron, "timezone": c.tz}})
			wantCode(t, res, "BAD_USER_INPUT")
		})
	}
	if after := w.snapshot(t); after != before || runs() != 0 {
		t.Fatalf("bad input changed the database (runs, schedules and jobs: %d)", runs())
	}
}

func TestReportSchedulesOverGraphQL(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const fields = `id kind cron timezone nextRunAt active cycle { id } workingGroup { id } state { code } createdBy`
	type sched struct {
		ID, Kind, Cron, Timezone, NextRunAt, CreatedBy string
		Active                                         bool
		Cycle                                          struct{ ID string }
	}
	var created struct{ ScheduleReport sched }
	w.env.Do(t, w.sec, `mutation($in: ScheduleReportInput!) { scheduleReport(input: $in) { `+fields+` } }`,
		map[string]any{"in": map[string]any{"report": map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027"},
			"cron": "30 6 * * MON", "timezone": "Europe/Paris"}}).Decode(t, &created)
	s := created.ScheduleReport
	next, err := time.Parse(time.RFC3339, s.NextRunAt)
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	local := next.In(paris)
	if !s.Active || s.Timezone != "Europe/Paris" || s.CreatedBy != secName || local.Weekday() != time.Monday ||
		local.Hour() != 6 || local.Minute() != 30 || !next.After(time.Now()) || next.After(time.Now().Add(8*24*time.Hour)) {
		t.Fatalf("scheduleReport: %+v (next run %s in Paris)", s, local)
	}
	member := w.token(t, "IC member", "WORKING_GROUP", "", "international-cooperation")
	for _, op := range []string{"pauseReportSchedule", "resumeReportSchedule", "deleteReportSchedule"} {
		wantCode(t, w.env.Do(t, member, `mutation($id: ID!) { `+op+`(id: $id) `+map[bool]string{true: "", false: "{ id }"}[op == "deleteReportSchedule"]+` }`,
			map[string]any{"id": s.ID}), "FORBIDDEN")
	}
	wantCode(t, w.env.Do(t, member, `{ reportSchedules { id } }`, nil), "FORBIDDEN")

	var paused struct{ PauseReportSchedule sched }
	w.env.Do(t, w.sec, `mutation($id: ID!) { pauseReportSchedule(id: $id) { `+fields+` } }`, map[string]any{"id": s.ID}).Decode(t, &paused)
	if paused.PauseReportSchedule.Active {
		t.Fatalf("paused: %+v", paused.PauseReportSchedule)
	}
	var list struct{ ReportSchedules []sched }
	w.env.Do(t, w.sec, `{ reportSchedules { `+fields+` } }`, nil).Decode(t, &list)
	if len(list.ReportSchedules) != 1 || list.ReportSchedules[0].Active {
		t.Fatalf("reportSchedules: %+v", list.ReportSchedules)
	}
	var resumed struct{ ResumeReportSchedule sched }
	w.env.Do(t, w.sec, `mutation($id: ID!) { resumeReportSchedule(id: $id) { `+fields+` } }`, map[string]any{"id": s.ID}).Decode(t, &resumed)
	if !resumed.ResumeReportSchedule.Active || resumed.ResumeReportSchedule.NextRunAt != s.NextRunAt {
		t.Fatalf("resumed: %+v, want active with next run %s", resumed.ResumeReportSchedule, s.NextRunAt)
	}
	var deleted struct{ DeleteReportSchedule string }
	w.env.Do(t, w.sec, `mutation($id: ID!) { deleteReportSchedule(id: $id) }`, map[string]any{"id": s.ID}).Decode(t, &deleted)
	w.env.Do(t, w.sec, `{ reportSchedules { id } }`, nil).Decode(t, &list)
	if deleted.DeleteReportSchedule != s.ID || len(list.ReportSchedules) != 0 {
		t.Fatalf("after delete: %+v", list.ReportSchedules)
	}
	wantCode(t, w.env.Do(t, w.sec, `mutation($id: ID!) { deleteReportSchedule(id: $id) }`, map[string]any{"id": s.ID}), "NOT_FOUND")
}

// TestReportsInEveryLanguage: a profile whose answers hold Chinese,
// Arabic with digits and a Latin name, Russian, Greek, accented Latin and
// an emoji renders in each of the six languages, through the API; the
// emoji is the run's warning; a seventh language is refused.
func TestReportsInEveryLanguage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env.StartReports(t)
	answers := sample(t)
	fp := section(section(answers, "general_provisions"), "national_focal_point")
	fp["name"] = "王小明 · Российская Федерация · Ελληνική Δημοκρατία · Ñandú 🎉"
	fp["institution"] = "وزارة العدل، الإدارة 12 للتعاون مع Interpol"
	w.mustSave(t, w.sec, "KEN", answers, -1)

	res := w.render(t, w.sec, map[string]any{"kind": "COUNTRY_PROFILE", "cycle": "2027", "state": "KEN", "language": "de"})
	wantCode(t, res, "BAD_USER_INPUT")

	ids := map[string]string{}
	for _, lang := range []string{"ar", "zh", "en", "fr", "ru", "es"} {
		ids[lang] = w.mustRender(t, map[string]any{"kind": "COUNTRY_PROFILE", "cycle": "2027", "state": "KEN", "language": lang}).ID
	}
	for lang, id := range ids {
		run := w.waitSucceeded(t, id)
		if run.Language != lang || *run.FileName != "country-profile-2027-ken-"+lang+".pdf" {
			t.Errorf("%s: language %q, file %q", lang, run.Language, *run.FileName)
		}
		if len(run.Warnings) != 1 || !strings.Contains(run.Warnings[0], "U+1F389") {
			t.Errorf("%s: warnings %q, want one naming the emoji U+1F389", lang, run.Warnings)
		}
		pdf := w.env.Raw(t, http.MethodGet, "/reports/"+id+".pdf", w.sec, nil, nil)
		if pdf.Status != http.StatusOK {
			t.Fatalf("%s: GET %d", lang, pdf.Status)
		}
		text := strings.Join(strings.Fields(pdfToText(t, pdf.Body)), " ")
		for _, want := range []string{"王小明", "Российская Федерация", "Ελληνική Δημοκρατία", "Ñandú □"} {
			// The answer's line is left to right (its first strong
			// character is Latin), but pdftotext orders a line by its
			// neighbours: amid the Arabic report's Arabic headings it reads
			// the placeholder before the run it follows.
			if lang == "ar" && want == "Ñandú □" && strings.Contains(text, "□") && strings.Contains(text, "Ñandú") {
				continue
			}
			if !strings.Contains(text, want) {
				t.Errorf("%s: pdftotext finds no %q", lang, want)
			}
		}
	}
	schedule := func(lang string) apptest.Response {
		return w.env.Do(t, w.sec, `mutation($in: ScheduleReportInput!) { scheduleReport(input: $in) { id language } }`,
			map[string]any{"in": map[string]any{"report": map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027", "language": lang}, "cron": "@weekly"}})
	}
	wantCode(t, schedule("xx"), "BAD_USER_INPUT")
	var sched struct{ ScheduleReport struct{ Language string } }
	schedule("fr").Decode(t, &sched)
	if sched.ScheduleReport.Language != "fr" {
		t.Errorf("scheduleReport: language %q, want fr", sched.ScheduleReport.Language)
	}
	var def struct{ RenderReport reportRun }
	w.render(t, w.sec, map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027"}).Decode(t, &def)
	if def.RenderReport.Language != "en" {
		t.Errorf("a report without a language is in %q, want en", def.RenderReport.Language)
	}
}

func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (install poppler-utils)", err)
	}
	return string(out)
}
