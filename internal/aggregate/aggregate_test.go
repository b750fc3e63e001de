package aggregate_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
)

// stateModel is what the test did to one State's submission, and so what
// the aggregates must count.
type stateModel struct {
	code      string
	party     bool
	status    string         // "" when not started
	submitted map[string]any // the latest submitted answers, when status counts
}

func (m stateModel) counts() bool { return m.status == "SUBMITTED" || m.status == "ACCEPTED" }

// play makes a State's submission go through one of the workflow's paths,
// with answers varied from base, and returns the model of the result.
func play(t *testing.T, e *env, q *questionnaire.Questionnaire, cycle, code string, base map[string]any, path int, rng *rand.Rand) stateModel {
	m := stateModel{code: code}
	if path == 0 {
		return m
	}
	doc := vary(t, q, base, rng)
	v := e.save(t, cycle, code, doc, nil)
	m.status = "DRAFT"
	if path == 1 {
		return m
	}
	id, v := e.submit(t, cycle, code, v)
	m.status, m.submitted = "SUBMITTED", doc
	switch path {
	case 2:
	case 3:
		e.review(t, id, v, true)
		m.status = "ACCEPTED"
	case 4, 5, 6, 7:
		v = e.review(t, id, v, false)
		m.status, m.submitted = "RETURNED", nil
		if path == 4 {
			break
		}
		edited := vary(t, q, base, rng) // different answers, saved as a draft: not counted
		v = e.save(t, cycle, code, edited, &v)
		m.status = "DRAFT"
		if path == 5 {
			break
		}
		_, v = e.submit(t, cycle, code, v)
		m.status, m.submitted = "SUBMITTED", edited
		if path == 7 {
			e.review(t, id, v, true)
			m.status = "ACCEPTED"
		}
	}
	return m
}

// expected computes a question's figures from the models, independently
// of the service: "" is the total, then one entry per group.
func expected(q *questionnaire.Question, models []stateModel, groupOf func(string) string, groups []string) map[string]aggregate.GroupAggregate {
	type acc struct {
		respondents int
		counts      map[string]int
		nums        []float64
	}
	accs := map[string]*acc{}
	get := func(g string) *acc {
		if accs[g] == nil {
			accs[g] = &acc{counts: map[string]int{}}
		}
		return accs[g]
	}
	for _, g := range append([]string{""}, groups...) {
		get(g)
	}
	for _, m := range models {
		if !m.counts() {
			continue
		}
		v, ok := pointer(m.submitted, q.Path)
		if !ok || v == nil {
			continue
		}
		targets := []*acc{get("")}
		if g := groupOf(m.code); accs[g] != nil && g != "" {
			targets = append(targets, accs[g])
		}
		for _, a := range targets {
			a.respondents++
			switch q.Kind {
			case questionnaire.SingleChoice:
				a.counts[v.(string)]++
			case questionnaire.Boolean:
				a.counts[fmt.Sprint(v)]++
			case questionnaire.MultiChoice:
				seen := map[string]bool{}
				for _, o := range v.([]any) {
					if !seen[o.(string)] {
						seen[o.(string)] = true
						a.counts[o.(string)]++
					}
				}
			case questionnaire.Number, questionnaire.Integer:
				a.nums = append(a.nums, v.(float64))
			case questionnaire.List:
				a.nums = append(a.nums, float64(len(v.([]any))))
			}
		}
	}
	out := map[string]aggregate.GroupAggregate{}
	for g := range accs {
		a := accs[g]
		ga := aggregate.GroupAggregate{Group: g, Respondents: a.respondents, Counts: []aggregate.OptionCount{}}
		switch q.Kind {
		case questionnaire.SingleChoice, questionnaire.MultiChoice, questionnaire.Boolean:
			opts := q.Options
			if q.Kind == questionnaire.Boolean {
				opts = []string{"true", "false"}
			}
			for _, o := range opts {
				oc := aggregate.OptionCount{Option: o, Count: a.counts[o]}
				if a.respondents > 0 {
					oc.Share = float64(oc.Count) / float64(a.respondents)
				}
				ga.Counts = append(ga.Counts, oc)
			}
		case questionnaire.Number, questionnaire.Integer, questionnaire.List:
			ns := &aggregate.NumericSummary{N: len(a.nums), Additive: q.Additive()}
			if len(a.nums) > 0 {
				s := sortedCopy(a.nums)
				for _, x := range s {
					ns.Sum += x
				}
				ns.Mean = ns.Sum / float64(len(s))
				ns.Min, ns.Max = s[0], s[len(s)-1]
				if len(s)%2 == 1 {
					ns.Median = s[len(s)/2]
				} else {
					ns.Median = (s[len(s)/2-1] + s[len(s)/2]) / 2
				}
			}
			ga.Numeric = ns
		}
		out[g] = ga
	}
	return out
}

func sameGroup(t *testing.T, what string, got, want aggregate.GroupAggregate) {
	t.Helper()
	if got.Respondents != want.Respondents {
		t.Errorf("%s: respondents %d, want %d", what, got.Respondents, want.Respondents)
	}
	if len(got.Counts) != len(want.Counts) {
		t.Errorf("%s: %d counts, want %d", what, len(got.Counts), len(want.Counts))
	} else {
		for i, w := range want.Counts {
			g := got.Counts[i]
			if g.Option != w.Option || g.Count != w.Count || !near(g.Share, w.Share) {
				t.Errorf("%s: option %d is %+v, want %+v", what, i, g, w)
			}
		}
	}
	switch {
	case (got.Numeric == nil) != (want.Numeric == nil):
		t.Errorf("%s: numeric %+v, want %+v", what, got.Numeric, want.Numeric)
	case got.Numeric != nil:
		g, w := *got.Numeric, *want.Numeric
		if g.N != w.N || g.Additive != w.Additive || !near(g.Sum, w.Sum) || !near(g.Mean, w.Mean) || !near(g.Median, w.Median) || !near(g.Min, w.Min) || !near(g.Max, w.Max) {
			t.Errorf("%s: numeric %+v, want %+v", what, g, w)
		}
	}
}

// TestAggregatesMatchTheSubmissions builds submissions with random answers
// (fixed seed) down every path of the workflow — drafts, submissions,
// acceptances, returns, returned-then-edited drafts, resubmissions with
// other answers — and checks every aggregate against figures computed here
// from what was submitted, on the shipped questionnaire and on a second,
// differently shaped one.
func TestAggregatesMatchTheSubmissions(t *testing.T) {
	cases := []struct {
		name, qid string
		base      func(testing.TB) map[string]any
	}{
		{"the shipped questionnaire", "implementation-v1", shippedComplete},
		{"a differently shaped questionnaire", "training-survey-v2", secondComplete},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, pgtest.New(t), nil)
			q, _ := e.reg.Get(tc.qid)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(7, uint64(len(tc.qid))))
			cycle := e.openCycle(t, "main", tc.qid)
			other := e.openCycle(t, "other", tc.qid)

			codes := state.Codes()
			var models []stateModel
			for i := 0; i < len(codes); i += 5 { // 39 States across every group
				code := codes[i]
				m := play(t, e, q, cycle.ID, code, tc.base(t), rng.IntN(8), rng)
				if m.party = rng.IntN(3) > 0; m.party {
					e.setParty(t, code)
				}
				models = append(models, m)
				// The same State in another cycle, with other answers: never counted here.
				if rng.IntN(2) == 0 {
					play(t, e, q, other.ID, code, tc.base(t), 2, rng)
				}
			}
			statuses := map[string]int{}
			for _, m := range models {
				statuses[m.status]++
			}
			if statuses["SUBMITTED"] == 0 || statuses["ACCEPTED"] == 0 || statuses["DRAFT"] == 0 || statuses["RETURNED"] == 0 || statuses[""] == 0 {
				t.Fatalf("the seed did not reach every status: %v", statuses)
			}

			regional := func(code string) string { return e.states[code].RegionalGroup }
			developing := func(code string) string {
				if e.states[code].Developing {
					return "DEVELOPING"
				}
				return "OTHER"
			}

			t.Run("completeness counts States Parties by status", func(t *testing.T) {
				got, err := e.agg.Completeness(ctx, sec, cycle.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]*aggregate.Completeness{}
				for _, g := range append(slices.Clone(state.RegionalGroups()), aggregate.All) {
					want[g] = &aggregate.Completeness{Group: g}
				}
				for _, m := range models {
					if !m.party {
						continue
					}
					for _, g := range []string{regional(m.code), aggregate.All} {
						c := want[g]
						c.States++
						switch m.status {
						case "":
							c.NotStarted++
						case "DRAFT", "RETURNED":
							c.Drafts++
						case "SUBMITTED":
							c.Submitted++
						case "ACCEPTED":
							c.Accepted++
						}
					}
				}
				if len(got) != 6 || got[5].Group != aggregate.All {
					t.Fatalf("got %d rows ending with %q, want the five groups then ALL", len(got), got[len(got)-1].Group)
				}
				for i, g := range got {
					w := *want[g.Group]
					if w.States > 0 {
						w.Rate = float64(w.Submitted+w.Accepted) / float64(w.States)
					}
					if i < 5 && g.Group != state.RegionalGroups()[i] {
						t.Errorf("row %d is %s, want %s", i, g.Group, state.RegionalGroups()[i])
					}
					if g.States != w.States || g.NotStarted != w.NotStarted || g.Drafts != w.Drafts || g.Submitted != w.Submitted ||
						g.Accepted != w.Accepted || !near(g.Rate, w.Rate) {
						t.Errorf("%s: got %+v, want %+v", g.Group, g, w)
					}
				}
			})

			for _, by := range []struct {
				by      statistics.GroupBy
				groups  []string
				groupOf func(string) string
			}{
				{statistics.GroupNone, nil, func(string) string { return "" }},
				{statistics.GroupRegional, state.RegionalGroups(), regional},
				{statistics.GroupDevelop, []string{"DEVELOPING", "OTHER"}, developing},
			} {
				t.Run(fmt.Sprintf("every question's aggregate by %s equals the submitted answers'", by.by), func(t *testing.T) {
					for _, qq := range q.Questions {
						got, err := e.agg.Question(ctx, sec, cycle.ID, qq.Path, by.by)
						if err != nil {
							t.Fatalf("%s: %v", qq.Path, err)
						}
						want := expected(qq, models, by.groupOf, by.groups)
						sameGroup(t, qq.Path, aggregate.GroupAggregate{Respondents: got.Respondents, Counts: got.Counts, Numeric: got.Numeric}, want[""])
						if got.Question != qq {
							t.Errorf("%s: the aggregate names question %v", qq.Path, got.Question)
						}
						if len(got.ByGroup) != len(by.groups) {
							t.Fatalf("%s: %d groups, want %d", qq.Path, len(got.ByGroup), len(by.groups))
						}
						for i, g := range by.groups {
							if got.ByGroup[i].Group != g {
								t.Errorf("%s: group %d is %s, want %s", qq.Path, i, got.ByGroup[i].Group, g)
							}
							sameGroup(t, qq.Path+" in "+g, got.ByGroup[i], want[g])
						}
					}
				})
			}

			t.Run("a working group's summary holds its questions, in document order, and its indicators' trends", func(t *testing.T) {
				for _, wg := range e.reg.WorkingGroups() {
					sum, err := e.agg.Summary(ctx, sec, wg.ID, cycle.ID)
					if err != nil {
						t.Fatal(err)
					}
					var wantPaths []string
					for _, qq := range q.Questions {
						if slices.Contains(qq.WorkingGroups, wg.ID) {
							wantPaths = append(wantPaths, qq.Path)
						}
					}
					var gotPaths []string
					for _, a := range sum.Questions {
						gotPaths = append(gotPaths, a.Question.Path)
					}
					if !slices.Equal(gotPaths, wantPaths) {
						t.Fatalf("%s: questions\n got %v\nwant %v", wg.ID, gotPaths, wantPaths)
					}
					for _, a := range sum.Questions {
						one, err := e.agg.Question(ctx, sec, cycle.ID, a.Question.Path, statistics.GroupRegional)
						if err != nil {
							t.Fatal(err)
						}
						if string(mustJSON(t, a)) != string(mustJSON(t, one)) {
							t.Errorf("%s %s: the summary's aggregate differs from questionAggregate's", wg.ID, a.Question.Path)
						}
					}
					inds := e.stats.Catalogue().ForWorkingGroup(wg.ID)
					if len(sum.Indicators) != len(inds) {
						t.Fatalf("%s: %d indicators, want %d", wg.ID, len(sum.Indicators), len(inds))
					}
					if sum.Cycle.ID != cycle.ID || sum.WorkingGroup.ID != wg.ID || len(sum.Completeness) != 6 {
						t.Errorf("summary heading: %+v %+v, %d completeness rows", sum.WorkingGroup, sum.Cycle, len(sum.Completeness))
					}
				}
			})
		})
	}
}

// TestSummaryTrendsEqualTheTrendQuery: each indicator's series in a
// summary are trend's by regional group, then trend's over every State.
func TestSummaryTrendsEqualTheTrendQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.New(t), nil)
	ctx := context.Background()
	cycle := e.openCycle(t, "2027", "implementation-v1")
	rng := rand.New(rand.NewPCG(3, 4))
	codes := state.Codes()
	byState := map[string][]statistics.Row{}
	wg := "international-cooperation"
	inds := e.stats.Catalogue().ForWorkingGroup(wg)
	for i := 0; i < len(codes); i += 3 {
		for _, ind := range inds {
			for year := 2019; year <= 2024; year++ {
				v := float64(rng.IntN(500))
				st := statistics.Reported
				if rng.IntN(6) == 0 {
					st = statistics.Confidential
				}
				byState[codes[i]] = append(byState[codes[i]], statistics.Row{Indicator: ind.Code, Year: year, Value: &v, Status: st})
			}
		}
	}
	keys := make([]string, 0, len(byState))
	for k := range byState {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, code := range keys {
		res, err := e.stats.ReportRows(ctx, sec, code, byState[code], nil)
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("report %s: %v %+v", code, err, res.Errors)
		}
	}
	sum, err := e.agg.Summary(ctx, sec, wg, cycle.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range sum.Indicators {
		regional, err := e.stats.Trend(ctx, is.Indicator.Code, statistics.GroupRegional, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		all, err := e.stats.Trend(ctx, is.Indicator.Code, statistics.GroupNone, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := append(regional, all...)
		if g, w := seriesText(is.Trend), seriesText(want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", is.Indicator.Code, g, w)
		}
		if len(is.Trend) != 6 || is.Trend[5].Group != "ALL" || len(is.Trend[5].Points) == 0 {
			t.Errorf("%s: %d series, want five groups then ALL with points", is.Indicator.Code, len(is.Trend))
		}
	}
}

// seriesText prints series with their figures' values, not their pointers.
func seriesText(list []statistics.TrendSeries) string {
	f := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprintf("%.9g", *p)
	}
	var b strings.Builder
	for _, s := range list {
		fmt.Fprintf(&b, "%s %v change=%s cagr=%s slope=%s; ", s.Group, s.Points, f(s.ChangePct), f(s.CagrPct), f(s.Slope))
	}
	return b.String()
}
