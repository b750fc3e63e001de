package app_test

import (
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
)

const (
	completenessQuery = `query($c: ID!) { completeness(cycle: $c) { group states notStarted drafts submitted accepted rate } }`
	aggregateQuery    = `query($c: ID!, $p: ID!, $g: GroupBy) { questionAggregate(cycle: $c, path: $p, groupBy: $g) {
		question { path kind options } respondents counts { option count share } numeric { n sum mean median min max }
		byGroup { group respondents counts { option count share } numeric { n median } } } }`
	summaryQuery = `query($w: ID!, $c: ID!) { workingGroupSummary(workingGroup: $w, cycle: $c) {
		workingGroup { id } cycle { id } completeness { group rate }
		questions { question { path } respondents counts { option count } numeric { n } }
		indicators { indicator { code } trend { group points { year value states } } } } }`
)

type aggregateAnswer struct {
	QuestionAggregate struct {
		Question struct {
			Path    string   `json:"path"`
			Kind    string   `json:"kind"`
			Options []string `json:"options"`
		} `json:"question"`
		Respondents int `json:"respondents"`
		Counts      []struct {
			Option string  `json:"option"`
			Count  int     `json:"count"`
			Share  float64 `json:"share"`
		} `json:"counts"`
		Numeric *struct {
			N      int     `json:"n"`
			Sum    float64 `json:"sum"`
			Median float64 `json:"median"`
		} `json:"numeric"`
		ByGroup []struct {
			Group       string `json:"group"`
			Respondents int    `json:"respondents"`
		} `json:"byGroup"`
	} `json:"questionAggregate"`
}

// TestAggregatesThroughTheAPI: the three aggregate queries answer the
// contract's shapes for each role, and refuse what they must, with the
// right codes.
func TestAggregatesThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	for _, st := range []string{"KEN", "BRA", "FRA"} {
		w.setParty(t, st, true)
	}
	w.mustSave(t, w.sec, "KEN", sample(t), -1)
	w.mustSubmit(t, w.sec, "KEN", 1)
	w.mustSave(t, w.sec, "BRA", sample(t), -1) // a draft: never counted

	fp := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	ic := w.token(t, "IC member", auth.WorkingGroup, "", "international-cooperation")
	tokens := map[string]string{"the secretariat": w.sec, "a working-group member": ic}

	for who, tok := range tokens {
		t.Run(who+" reads completeness over States Parties", func(t *testing.T) {
			var got struct {
				Completeness []struct {
					Group                                           string
					States, NotStarted, Drafts, Submitted, Accepted int
					Rate                                            float64
				}
			}
			w.env.Do(t, tok, completenessQuery, map[string]any{"c": w.cycle}).Decode(t, &got)
			all := got.Completeness[len(got.Completeness)-1]
			if len(got.Completeness) != 6 || all.Group != "ALL" || all.States != 3 || all.Submitted != 1 || all.Drafts != 1 ||
				all.NotStarted != 1 || all.Rate < 0.333 || all.Rate > 0.334 {
				t.Fatalf("completeness: %+v", got.Completeness)
			}
		})
		t.Run(who+" reads a question's aggregate by regional group", func(t *testing.T) {
			var got aggregateAnswer
			w.env.Do(t, tok, aggregateQuery, map[string]any{"c": w.cycle, "p": "/prevention/national_strategy", "g": "REGIONAL_GROUP"}).Decode(t, &got)
			a := got.QuestionAggregate
			if tok == ic {
				// One respondent is fewer than the minimum-n rule's 3: a
				// member reads every cell withheld, at 0 (issue 15).
				if a.Question.Kind != "SINGLE_CHOICE" || a.Respondents != 0 || len(a.Counts) != len(a.Question.Options) || len(a.ByGroup) != 5 ||
					a.ByGroup[0].Respondents != 0 {
					t.Fatalf("aggregate: %+v", a)
				}
				return
			}
			if a.Question.Kind != "SINGLE_CHOICE" || a.Respondents != 1 || len(a.Counts) != len(a.Question.Options) || a.Numeric != nil || len(a.ByGroup) != 5 {
				t.Fatalf("aggregate: %+v", a)
			}
			total := 0
			for _, c := range a.Counts {
				total += c.Count
				if c.Count == 1 && c.Share != 1 {
					t.Errorf("share of the chosen option: %v", c.Share)
				}
			}
			if total != 1 || a.ByGroup[0].Group != "AFRICAN" || a.ByGroup[0].Respondents != 1 {
				t.Fatalf("counts %+v, groups %+v", a.Counts, a.ByGroup)
			}
		})
	}

	t.Run("a text question has respondents only; a list has numeric item counts", func(t *testing.T) {
		var text, list aggregateAnswer
		// As the secretariat, which reads every count (a member reads one
		// respondent withheld by the minimum-n rule).
		w.env.Do(t, w.sec, aggregateQuery, map[string]any{"c": w.cycle, "p": "/prevention/agency_name"}).Decode(t, &text)
		if a := text.QuestionAggregate; a.Question.Kind != "TEXT" || a.Respondents != 1 || len(a.Counts) != 0 || a.Numeric != nil || len(a.ByGroup) != 0 {
			t.Fatalf("text aggregate: %+v", a)
		}
		q, _ := w.env.Registry.Get("implementation-v1")
		for _, qq := range q.Questions {
			if qq.Kind == "LIST" {
				w.env.Do(t, w.sec, aggregateQuery, map[string]any{"c": w.cycle, "p": qq.Path}).Decode(t, &list)
				break
			}
		}
		if a := list.QuestionAggregate; a.Question.Kind != "LIST" || a.Numeric == nil || a.Numeric.N != a.Respondents {
			t.Fatalf("list aggregate: %+v", a)
		}
	})

	t.Run("a member reads the summary of its own group, with its questions and indicators", func(t *testing.T) {
		var got struct {
			WorkingGroupSummary struct {
				WorkingGroup struct{ ID string }
				Questions    []struct {
					Question    struct{ Path string }
					Respondents int
				}
				Indicators []struct {
					Indicator struct{ Code string }
					Trend     []struct{ Group string }
				}
			}
		}
		w.env.Do(t, ic, summaryQuery, map[string]any{"w": "international-cooperation", "c": w.cycle}).Decode(t, &got)
		s := got.WorkingGroupSummary
		if s.WorkingGroup.ID != "international-cooperation" || len(s.Questions) == 0 || len(s.Indicators) == 0 ||
			len(s.Indicators[0].Trend) != 6 || s.Indicators[0].Trend[5].Group != "ALL" {
			t.Fatalf("summary: %+v", s)
		}
	})

	refusals := []struct {
		name, token, query string
		vars               map[string]any
		code               string
	}{
		{"a focal point may not read completeness", fp, completenessQuery, map[string]any{"c": w.cycle}, "FORBIDDEN"},
		{"a focal point may not read question aggregates", fp, aggregateQuery, map[string]any{"c": w.cycle, "p": "/prevention/national_strategy"}, "FORBIDDEN"},
		{"a focal point may not read summaries", fp, summaryQuery, map[string]any{"w": "international-cooperation", "c": w.cycle}, "FORBIDDEN"},
		{"a member may not read another group's summary", ic, summaryQuery, map[string]any{"w": "technical-assistance", "c": w.cycle}, "FORBIDDEN"},
		{"an unknown cycle is not found", ic, completenessQuery, map[string]any{"c": "1999"}, "NOT_FOUND"},
		{"an unknown path is not found", ic, aggregateQuery, map[string]any{"c": w.cycle, "p": "/prevention/nothing_here"}, "NOT_FOUND"},
		{"a section is not a question", ic, aggregateQuery, map[string]any{"c": w.cycle, "p": "/prevention"}, "BAD_USER_INPUT"},
		{"an unknown working group is not found", w.sec, summaryQuery, map[string]any{"w": "no-such-group", "c": w.cycle}, "NOT_FOUND"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			wantCode(t, w.env.Do(t, r.token, r.query, r.vars), r.code)
		})
	}
}

// A number question says what it measures, and its summary whether its
// sum means something: a count adds up, an average time does not
// (issue 17; additive fields beside the contract's).
func TestNumberQuestionsSayWhetherTheyAddUp(t *testing.T) {
	w := newWorld(t)
	w.setParty(t, "KEN", true)
	w.mustSave(t, w.sec, "KEN", sample(t), -1)
	w.mustSubmit(t, w.sec, "KEN", 1)
	const q = `query($c: ID!, $p: ID!) { questionAggregate(cycle: $c, path: $p, groupBy: NONE) {
		question { path measure } numeric { n additive } } }`
	for path, want := range map[string]struct {
		measure  string
		additive bool
	}{
		"/international_cooperation/mutual_legal_assistance/average_execution_days": {"DURATION", false},
		"/international_cooperation/mutual_legal_assistance/requests_received":      {"COUNT", true},
		"/technical_assistance/assistance_provided_usd":                             {"AMOUNT", true},
		"/criminalization/case_statistics/reference_year":                           {"YEAR", false},
		"/prevention/public_private_cooperation/awareness_campaigns":                {"", true}, // a list: its item count
	} {
		var got struct {
			QuestionAggregate struct {
				Question struct {
					Path    string  `json:"path"`
					Measure *string `json:"measure"`
				} `json:"question"`
				Numeric *struct {
					N        int  `json:"n"`
					Additive bool `json:"additive"`
				} `json:"numeric"`
			} `json:"questionAggregate"`
		}
		w.env.Do(t, w.sec, q, map[string]any{"c": w.cycle, "p": path}).Decode(t, &got)
		a := got.QuestionAggregate
		measure := ""
		if a.Question.Measure != nil {
			measure = *a.Question.Measure
		}
		if measure != want.measure || a.Numeric == nil || a.Numeric.Additive != want.additive {
			t.Errorf("%s: measure %q, numeric %+v; want %q, additive %v", path, measure, a.Numeric, want.measure, want.additive)
		}
	}
}
