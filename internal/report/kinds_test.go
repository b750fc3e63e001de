package report

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// A dozen States Parties across the regional groups, developing or not.
var (
	submitters = []string{"CIV", "GHA", "NGA", "BRA", "CHL", "IND", "IDN", "RUS", "TUR", "FRA"}
	drafters   = []string{"JPN", "NOR"}
	idle       = []string{"GRC"}
)

// populate fills a fixture: States Parties, submissions in every status,
// and yearly statistics for some of them.
func populate(t *testing.T, f *fixture) {
	t.Helper()
	f.parties(t, append(append(append([]string{}, submitters...), drafters...), idle...)...)
	for i, c := range submitters {
		sub := f.submit(t, c, i)
		if c == "GHA" {
			if res, err := f.subs.Accept(context.Background(), secretariat, sub.ID, sub.Version); err != nil || len(res.Errors) > 0 {
				t.Fatalf("accept: %v %v", err, res.Errors)
			}
		}
	}
	for i, c := range drafters {
		f.draft(t, c, 20+i)
	}
	for i, c := range []string{"CIV", "GHA", "BRA", "IND", "RUS", "FRA", "JPN"} {
		f.report(t, c, float64(100*(i+1)), 2020, 2021, 2022, 2023)
	}
	// Côte d'Ivoire's submission goes back with a comment on a question.
	ctx := context.Background()
	sub, err := submission.SubmissionIn(ctx, f.pool, cycleID, "CIV")
	if err != nil {
		t.Fatal(err)
	}
	path := f.q.Questions[0].Path
	res, err := f.subs.Return(ctx, secretariat, sub.ID, sub.Version, []submission.CommentInput{{Path: &path, Body: returnComment}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("return: %v %v", err, res.Errors)
	}
}

const returnComment = "Please say which law — «Loi n° 2013-451»."

// TestReports renders every kind from one set of data per questionnaire:
// the shipped one and the second schema of the questionnaire tests.
func TestReports(t *testing.T) {
	for _, qid := range []string{shippedID, secondID} {
		t.Run("on "+qid, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, qid)
			populate(t, f)
			t.Run("the synthesis prints the figures the aggregates and trends give", func(t *testing.T) { checkSynthesis(t, f) })
			t.Run("the technical-assistance report prints developing States' figures", func(t *testing.T) { checkTechnicalAssistance(t, f) })
			t.Run("the country profile prints the State's answers and statistics, not the review comments", func(t *testing.T) { checkProfile(t, f) })
		})
	}
}

// between is the part of s from the first from on, up to to (or the end).
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("the text lacks %q", from)
	}
	s = s[i:]
	if to != "" {
		if j := strings.Index(s[len(from):], to); j >= 0 {
			s = s[:len(from)+j]
		}
	}
	return s
}

func wantIn(t *testing.T, where, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the text lacks %q", where, w)
		}
	}
}

// checkQuestions asserts that each question's part of the text holds the
// figures the aggregates give.
func checkQuestions(t *testing.T, flat string, aggs []aggregate.QuestionAggregate) {
	t.Helper()
	// A question's part starts at its heading: its label, then what kind
	// of question it is and how many answered. The label is printed
	// whole in the contents too, wrapped rather than cut (issue 17).
	// A count withheld by the minimum-n rule reads "<N", or "withheld"
	// when withheld against subtraction.
	cellOf := func(a aggregate.QuestionAggregate, n int, suppressed, small bool) string {
		switch {
		case suppressed && small:
			return "<" + num(float64(a.MinRespondents))
		case suppressed:
			return "withheld"
		}
		return num(float64(n))
	}
	marker := func(a aggregate.QuestionAggregate) string {
		return flatten(questionTitle(a.Question)) + " " + english().kindName(a.Question.Kind) + " · " + cellOf(a, a.Respondents, a.Suppressed, a.Small) + " respondents"
	}
	for i, a := range aggs {
		next := ""
		if i+1 < len(aggs) {
			next = marker(aggs[i+1])
		}
		if strings.Contains(flat, a.Question.Path+" ") {
			t.Errorf("the report prints the internal path %s", a.Question.Path)
		}
		if n := strings.Count(flat, flatten(questionTitle(a.Question))); n < 2 {
			t.Errorf("%q is printed %d times, want in the contents and as the heading", questionTitle(a.Question), n)
		}
		part := between(t, flat, marker(a), next)
		cell := func(n int, suppressed, small bool) string { return cellOf(a, n, suppressed, small) }
		switch {
		case len(a.Counts) > 0:
			resp := "Respondents " + cell(a.Respondents, a.Suppressed, a.Small)
			for _, g := range a.ByGroup {
				resp += " " + cell(g.Respondents, g.Suppressed, g.Small)
			}
			wantIn(t, a.Question.Path, part, resp)
			for k, c := range a.Counts {
				share := pct(c.Share)
				if c.Suppressed {
					share = "–"
				}
				row := cell(c.Count, c.Suppressed, c.Small) + " " + share
				for _, g := range a.ByGroup {
					row += " " + cell(g.Counts[k].Count, g.Counts[k].Suppressed, g.Counts[k].Small)
				}
				wantIn(t, a.Question.Path, part, row)
				if l := optionLabel(a.Question, c.Option); len(l) < 18 {
					wantIn(t, a.Question.Path, part, l+" "+row)
				}
			}
		case a.Numeric != nil:
			// A sum only where the answers add up (issue 17).
			n := a.Numeric
			if got := strings.Contains(part, "Respondents Sum Mean"); got != a.Question.Additive() {
				t.Errorf("%s (%s, x-measure %q): a Sum column %v, want %v", a.Question.Path, a.Question.Kind, a.Question.Measure, got, a.Question.Additive())
			}
			figures := func(n *aggregate.NumericSummary) string {
				f := []string{num(n.Mean), num(n.Median), num(n.Min), num(n.Max)}
				if a.Question.Additive() {
					f = append([]string{num(n.Sum)}, f...)
				}
				return strings.Join(f, " ")
			}
			all := "All " + cell(a.Respondents, a.Suppressed, a.Small)
			if n.N > 0 {
				all += " " + figures(n)
			}
			wantIn(t, a.Question.Path, part, all)
			for _, g := range a.ByGroup {
				if g.Numeric != nil && g.Numeric.N > 0 {
					wantIn(t, a.Question.Path, part, num(float64(g.Respondents))+" "+figures(g.Numeric))
				}
			}
		}
	}
}

// checkTrends asserts that each indicator's part of the text holds every
// year's values as the trends give them.
func checkTrends(t *testing.T, flat string, inds []*statistics.Indicator, trends map[string][]statistics.TrendSeries, order []string) {
	t.Helper()
	for i, ind := range inds {
		next := ""
		if i+1 < len(inds) {
			next = inds[i+1].Code + " · "
		}
		part := between(t, flat, ind.Code+" · ", next)
		series := ordered(trends[ind.Code], order)
		years := map[int]bool{}
		for _, s := range series {
			for _, p := range s.Points {
				years[p.Year] = true
			}
		}
		if len(years) == 0 {
			wantIn(t, ind.Code, part, "No State has reported a value for this indicator.")
			continue
		}
		for y := range years {
			row := strconv.Itoa(y)
			for _, s := range series {
				v := "–"
				for _, p := range s.Points {
					if p.Year == y {
						v = chart.Format(p.Value, "")
					}
				}
				row += " " + v
			}
			wantIn(t, ind.Code, part, row)
		}
	}
}

func checkSynthesis(t *testing.T, f *fixture) {
	ctx := context.Background()
	// A working group the questionnaire has questions for, and the whole Conference.
	var wg string
	for _, g := range f.reg.WorkingGroups() {
		if slices.ContainsFunc(f.q.Questions, func(q *questionnaire.Question) bool { return slices.Contains(q.WorkingGroups, g.ID) }) {
			wg = g.ID
			break
		}
	}
	for _, group := range []string{wg, ""} {
		doc, text := f.render(t, Request{Kind: CycleSynthesis, CycleID: cycleID, WorkingGroup: group})
		wantName := "cycle-synthesis-2027-" + group + "-en.pdf"
		if group == "" {
			wantName = "cycle-synthesis-2027-en.pdf"
		}
		if doc.FileName != wantName {
			t.Errorf("file name %q, want %q", doc.FileName, wantName)
		}
		flat := flatten(text)
		// A report reads the aggregates as working groups do: small
		// cells withheld (the minimum-n rule).
		rd := f.agg.Disclosed(f.pool)
		comp, err := rd.Completeness(ctx, cycleID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comp {
			name := groupName(c.Group)
			if c.Group == aggregate.All {
				name = "All States Parties"
			}
			wantIn(t, "completeness", flat, name+" "+strings.Join([]string{num(float64(c.States)), num(float64(c.NotStarted)),
				num(float64(c.Drafts)), num(float64(c.Submitted)), num(float64(c.Accepted)), pct(c.Rate)}, " "))
		}
		qs, inds := f.q.Questions, f.cat.Indicators
		if group != "" {
			qs = slices.DeleteFunc(slices.Clone(qs), func(q *questionnaire.Question) bool { return !slices.Contains(q.WorkingGroups, group) })
			inds = f.cat.ForWorkingGroup(group)
		}
		aggs, err := rd.Questions(ctx, f.cycle, qs, statistics.GroupRegional)
		if err != nil {
			t.Fatal(err)
		}
		checkQuestions(t, flat, aggs)
		codes := make([]string, len(inds))
		for i, ind := range inds {
			codes[i] = ind.Code
		}
		trends, err := f.stats.Trends(ctx, f.pool, statistics.TrendQuery{Codes: codes, By: statistics.GroupRegional, WithAll: true})
		if err != nil {
			t.Fatal(err)
		}
		checkTrends(t, flat, inds, trends, regionalOrder)
		annex := between(t, flat, "ANNEX A", "")
		wantIn(t, "annex", annex, "Côte d'Ivoire African States Returned", "Ghana African States Accepted", "Greece Western European and other States Not started",
			"Japan Asia-Pacific States Draft 1", "Türkiye")
		wantIn(t, "footer", flat, "Cycle Review Ω (2027)", "Rendered 2027-04-01 09:30:00 UTC · data fingerprint "+doc.Fingerprint, "Page 1 of "+strconv.Itoa(doc.Pages))
	}
}

func checkTechnicalAssistance(t *testing.T, f *fixture) {
	ctx := context.Background()
	qid := f.q.ID
	doc, text := f.render(t, Request{Kind: TechnicalAssistance, CycleID: cycleID})
	if doc.FileName != "technical-assistance-2027-en.pdf" {
		t.Errorf("file name %q", doc.FileName)
	}
	flat := flatten(text)
	var qs []*questionnaire.Question
	for _, q := range f.q.Questions {
		if slices.Contains(q.WorkingGroups, TechnicalAssistanceGroup) {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		t.Fatalf("%s has no technical-assistance question: the test proves nothing", qid)
	}
	aggs, err := f.agg.In(f.pool).DevelopingQuestions(ctx, f.cycle, qs)
	if err != nil {
		t.Fatal(err)
	}
	// The figures count developing States with a counted submission
	// only: recount them from the answers. Of the submitters, RUS and FRA
	// are not developing, and CIV was returned.
	counted := []string{"GHA", "NGA", "BRA", "CHL", "IND", "IDN", "TUR"}
	for _, a := range aggs {
		want := map[string]int{}
		respondents := 0
		for _, code := range counted {
			sub, err := submission.SubmissionIn(ctx, f.pool, cycleID, code)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := questionnaire.DecodeAnswers(sub.Answers)
			if err != nil {
				t.Fatal(err)
			}
			for _, ans := range f.q.Answers(doc) {
				if ans.Path != a.Question.Path {
					continue
				}
				respondents++
				switch v := ans.Value.(type) {
				case bool:
					want[strconv.FormatBool(v)]++
				case string:
					want[v]++
				case []any:
					for _, o := range v {
						if s, ok := o.(string); ok {
							want[s]++
						}
					}
				}
			}
		}
		if a.Respondents != respondents {
			t.Errorf("%s: %d developing respondents, want %d", a.Question.Path, a.Respondents, respondents)
		}
		for _, c := range a.Counts {
			if c.Count != want[c.Option] {
				t.Errorf("%s: option %s counted %d times, want %d", a.Question.Path, c.Option, c.Count, want[c.Option])
			}
		}
	}
	disclosed, err := f.agg.Disclosed(f.pool).DevelopingQuestions(ctx, f.cycle, qs)
	if err != nil {
		t.Fatal(err)
	}
	checkQuestions(t, flat, disclosed)
	if !strings.Contains(flat, " <3 ") || !strings.Contains(flat, "fewer than 3 States") {
		t.Error("no cell of the technical-assistance report reads \"<3\", or its note does not say what it means: the minimum-n rule is not applied")
	}
	inds := f.cat.ForWorkingGroup(TechnicalAssistanceGroup)
	codes := make([]string, len(inds))
	for i, ind := range inds {
		codes[i] = ind.Code
	}
	trends, err := f.stats.Trends(ctx, f.pool, statistics.TrendQuery{Codes: codes, By: statistics.GroupDevelop, WithAll: true})
	if err != nil {
		t.Fatal(err)
	}
	checkTrends(t, flat, inds, trends, []string{"DEVELOPING", "OTHER", "ALL"})
	annex := between(t, flat, "ANNEX A", "")
	wantIn(t, "annex", annex, "Côte d'Ivoire", "Brazil", "Türkiye")
	for _, developed := range []string{"France", "Japan", "Norway", "Russian Federation", "Greece"} {
		if strings.Contains(annex, developed) {
			t.Errorf("the annex of developing States lists %s", developed)
		}
	}
	wantIn(t, "participation", flat, "All developing States Parties 8 7 87.5%")
}

func TestEveryStateNameRenders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	if _, err := f.pool.Exec(context.Background(), `UPDATE states SET party = true`); err != nil {
		t.Fatal(err)
	}
	rows, err := f.pool.Query(context.Background(), `SELECT name FROM states ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if len(names) != 193 {
		t.Fatalf("%d States, want 193", len(names))
	}
	_, text := f.render(t, Request{Kind: CycleSynthesis, CycleID: cycleID})
	annex := between(t, text, "ANNEX A", "")
	lines := strings.Split(annex, "\n")
	for _, n := range names {
		// Each name on a line of its own row, with its status after it.
		if !slices.ContainsFunc(lines, func(l string) bool {
			return strings.HasPrefix(strings.TrimSpace(l), n+" ") && strings.Contains(l, "Not started")
		}) {
			t.Errorf("the annex has no row starting with %q", n)
		}
	}
}

func TestRenderPrintsAChineseStateName(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	if _, err := f.pool.Exec(context.Background(), `UPDATE states SET name = '中华人民共和国', party = true WHERE code = 'CHN'`); err != nil {
		t.Fatal(err)
	}
	doc, err := f.r.Render(context.Background(), Request{Kind: CountryProfile, CycleID: cycleID, State: "CHN"}, fixedNow)
	if err != nil {
		t.Fatalf("got %v, want the profile rendered", err)
	}
	if text := pdfText(t, doc.PDF); !strings.Contains(text, "中华人民共和国") {
		t.Error("pdftotext finds no 中华人民共和国")
	}
	if len(doc.Warnings) != 0 {
		t.Errorf("warnings = %v, want none", doc.Warnings)
	}
}

func TestCheckRefusesBadRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	tests := []struct {
		name string
		req  Request
		code apperr.Code
	}{
		{"a country profile without a State is bad input", Request{Kind: CountryProfile, CycleID: cycleID}, apperr.BadInput},
		{"an unknown kind is bad input", Request{Kind: "ANNUAL", CycleID: cycleID}, apperr.BadInput},
		{"a synthesis with a State is bad input", Request{Kind: CycleSynthesis, CycleID: cycleID, State: "GHA"}, apperr.BadInput},
		{"an unknown cycle is not found", Request{Kind: CycleSynthesis, CycleID: "1999"}, apperr.NotFound},
		{"an unknown working group is not found", Request{Kind: CycleSynthesis, CycleID: cycleID, WorkingGroup: "nope"}, apperr.NotFound},
		{"an unknown State is not found", Request{Kind: CountryProfile, CycleID: cycleID, State: "XYZ"}, apperr.NotFound},
		{"a malformed State is not found", Request{Kind: CountryProfile, CycleID: cycleID, State: "GH"}, apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.r.Check(context.Background(), tt.req)
			if got := apperr.CodeOf(err); err == nil || got != tt.code {
				t.Errorf("Check(%+v) = %v (%s), want %s", tt.req, err, got, tt.code)
			}
			if _, err := f.r.Render(context.Background(), tt.req, fixedNow); apperr.CodeOf(err) != tt.code {
				t.Errorf("Render(%+v) = %v, want %s", tt.req, err, tt.code)
			}
		})
	}
	if err := f.r.Check(context.Background(), Request{Kind: CountryProfile, CycleID: cycleID, State: "gha"}); err != nil {
		t.Errorf("a good request: %v", err)
	}
}

func TestFingerprintFollowsTheData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, shippedID)
	f.parties(t, "GHA", "KEN")
	f.submit(t, "GHA", 1)
	req := Request{Kind: CycleSynthesis, CycleID: cycleID}
	a, err := f.r.Render(ctx, req, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.r.Render(ctx, req, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint != b.Fingerprint || string(a.PDF) != string(b.PDF) {
		t.Error("two renders of the same data at the same time differ")
	}
	f.report(t, "KEN", 5, 2022)
	c, err := f.r.Render(ctx, req, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if c.Fingerprint == a.Fingerprint {
		t.Error("a new observation left the fingerprint unchanged")
	}
	f.submit(t, "KEN", 2)
	d, err := f.r.Render(ctx, req, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.Fingerprint == c.Fingerprint {
		t.Error("a new submission left the fingerprint unchanged")
	}
}
