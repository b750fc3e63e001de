package app_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// TestHugeNumbersAreRefusedAtTheDoor: issue 16, finding 1. 1e400 was
// stored for an INTEGER answer (and left out of aggregates), 1.797e308 for
// a NUMBER one (two of them made every sum +Inf, and every reader's
// summary INTERNAL). Now each is a field error and nothing is stored.
func TestHugeNumbersAreRefusedAtTheDoor(t *testing.T) {
	w := newWorld(t)
	q, _ := w.env.Registry.Get("implementation-v1")
	integer, number := firstQuestionOfKind(t, q, questionnaire.Integer), firstQuestionOfKind(t, q, questionnaire.Number)
	for _, c := range []struct{ path, literal, keyword string }{
		{integer, "1e400", "maximum"},
		{integer, "9223372036854775808", "maximum"},
		{integer, "-1e400", "minimum"},
		{number, "1.797e308", "maximum"},
		{number, "-1.797e308", "minimum"},
		{number, "1e-10000000", "type"},
	} {
		before := w.snapshot(t)
		doc := sample(t)
		setAnswer(doc, c.path, json.Number(c.literal))
		p := payloadOf(t, w.saveDraft(t, w.sec, "KEN", doc, -1), "saveDraft")
		if p.Submission != nil || len(p.Errors) != 1 || p.Errors[0].Path != c.path || p.Errors[0].Keyword != c.keyword {
			t.Errorf("saveDraft with %s at %s: submission %v, errors %+v; want one %s error there", c.literal, c.path, p.Submission, p.Errors, c.keyword)
		}
		if after := w.snapshot(t); after != before {
			t.Errorf("saveDraft with %s changed the database", c.literal)
		}
	}
}

// TestLargestAcceptedAnswersKeepEveryAggregateFinite: every State answers
// every number question with the largest value it accepts (the 64-bit
// maximum for an integer, MaxNumber or the file's own maximum for a
// number) and submits; every aggregate and every kind of report still
// answers, with finite sums and means that say what was answered.
func TestLargestAcceptedAnswersKeepEveryAggregateFinite(t *testing.T) {
	w := newWorld(t)
	w.env.StartReports(t)
	q, _ := w.env.Registry.Get("implementation-v1")

	// The largest accepted value of each number question, learned from
	// the refusals of a first save (a question may bound itself tighter).
	largest := map[string]json.Number{}
	for _, qq := range q.Questions {
		switch qq.Kind {
		case questionnaire.Integer:
			largest[qq.Path] = json.Number(strconv.FormatInt(questionnaire.MaxInteger, 10))
		case questionnaire.Number:
			largest[qq.Path] = json.Number("1000000000000000")
		}
	}
	doc := sample(t)
	for p, v := range largest {
		setAnswer(doc, p, v)
	}
	bound := regexp.MustCompile(`^The largest value allowed here is (\d+)\.$`)
	for _, e := range payloadOf(t, w.saveDraft(t, w.sec, "AFG", doc, -1), "saveDraft").Errors {
		m := bound.FindStringSubmatch(e.Message)
		if _, ok := largest[e.Path]; !ok || e.Keyword != "maximum" || m == nil {
			t.Fatalf("saving the largest values: unexpected error %+v", e)
		}
		largest[e.Path] = json.Number(m[1])
		setAnswer(doc, e.Path, json.Number(m[1]))
	}

	var states struct{ States []struct{ Code string } }
	w.env.Do(t, w.sec, `{ states { code } }`, nil).Decode(t, &states)
	if len(states.States) != 193 {
		t.Fatalf("%d States, want 193", len(states.States))
	}
	for _, st := range states.States {
		w.setParty(t, st.Code, true)
		w.mustSave(t, w.sec, st.Code, doc, -1)
		w.mustSubmit(t, w.sec, st.Code, 1)
	}
	n := len(states.States)

	t.Run("every number question's aggregate is finite and right", func(t *testing.T) {
		for path, v := range largest {
			var got struct {
				QuestionAggregate struct {
					Numeric *struct {
						N                           int
						Sum, Mean, Median, Min, Max float64
					}
				}
			}
			w.env.Do(t, w.sec, `query($c: ID!, $p: ID!) { questionAggregate(cycle: $c, path: $p, groupBy: REGIONAL_GROUP) {
				numeric { n sum mean median min max } byGroup { numeric { n sum mean } } } }`,
				map[string]any{"c": w.cycle, "p": path}).Decode(t, &got)
			want, _ := strconv.ParseFloat(string(v), 64)
			a := got.QuestionAggregate.Numeric
			if a == nil || a.N != n || a.Max != want || a.Min != want || a.Median != want || !near(a.Mean, want) || !near(a.Sum, want*float64(n)) {
				t.Errorf("%s: %+v, want n %d, each of min, max, median and mean %v, sum %v", path, a, n, want, want*float64(n))
			}
		}
	})
	t.Run("every working group's summary answers", func(t *testing.T) {
		for _, wg := range w.env.Registry.WorkingGroups() {
			res := w.env.Do(t, w.sec, `query($w: ID!, $c: ID!) { workingGroupSummary(workingGroup: $w, cycle: $c) {
				questions { question { path } numeric { n sum mean median min max } } } }`, map[string]any{"w": wg.ID, "c": w.cycle})
			if len(res.Errors) > 0 {
				t.Errorf("workingGroupSummary(%s): %+v", wg.ID, res.Errors)
			}
		}
	})
	t.Run("every kind of report renders without a non-finite number", func(t *testing.T) {
		for _, in := range []map[string]any{
			{"kind": "CYCLE_SYNTHESIS", "cycle": w.cycle},
			{"kind": "COUNTRY_PROFILE", "cycle": w.cycle, "state": "GHA"},
			{"kind": "TECHNICAL_ASSISTANCE", "cycle": w.cycle},
		} {
			run := w.waitSucceeded(t, w.mustRender(t, in).ID)
			pdf := w.env.Raw(t, http.MethodGet, *run.URL, w.sec, nil, nil)
			if pdf.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", *run.URL, pdf.Status)
			}
			cmd := exec.CommandContext(context.Background(), "pdftotext", "-", "-")
			cmd.Stdin = strings.NewReader(string(pdf.Body))
			text, err := cmd.Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text = fingerprint.ReplaceAll(text, nil)
			if m := nonFinite.Find(text); m != nil {
				i := nonFinite.FindIndex(text)
				t.Errorf("%s report prints %q: %q", in["kind"], m, text[max(0, i[0]-80):min(len(text), i[1]+40)])
			}
		}
	})
}

// nonFinite finds what a non-finite or overflowing number prints as.
// (a report's data fingerprint, 64 hexadecimal digits, is taken out first).
var (
	nonFinite   = regexp.MustCompile(`\bInf\b|\bNaN\b|[0-9]e[+-][0-9]|[0-9]{20}`)
	fingerprint = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
)

func near(got, want float64) bool {
	return !math.IsInf(got, 0) && math.Abs(got-want) <= math.Abs(want)*1e-9
}

func firstQuestionOfKind(t *testing.T, q *questionnaire.Questionnaire, kind questionnaire.Kind) string {
	t.Helper()
	for _, qq := range q.Questions {
		if qq.Kind == kind {
			return qq.Path
		}
	}
	t.Fatalf("no %s question", kind)
	return ""
}

// setAnswer writes v at the JSON Pointer path of doc, creating objects on
// the way.
func setAnswer(doc map[string]any, path string, v any) {
	tokens := strings.Split(path[1:], "/")
	for _, tok := range tokens[:len(tokens)-1] {
		next, ok := doc[tok].(map[string]any)
		if !ok {
			next = map[string]any{}
			doc[tok] = next
		}
		doc = next
	}
	doc[tokens[len(tokens)-1]] = v
}

// TestAHugeNumberWrittenInTheQueryIsBadInput: a number of 1e400 written
// inline in the operation (not as a variable) made gqlparser panic while
// the arguments were read, and the client got INTERNAL; found trying the
// service as a new user would.
func TestAHugeNumberWrittenInTheQueryIsBadInput(t *testing.T) {
	w := newWorld(t)
	before := w.snapshot(t)
	res := w.env.Do(t, w.sec, `mutation { saveDraft(cycle: "2027", state: "GHA", answers: {prevention: {critical_information_infrastructure: {designated_operators: 1e400}}}) { errors { path } } }`, nil)
	wantCode(t, res, "BAD_USER_INPUT")
	if res.Status < 400 || res.Status >= 500 || !strings.Contains(res.Errors[0].Message, "cannot be read") {
		t.Fatalf("HTTP %d %q, want a 4xx saying the value cannot be read", res.Status, res.Errors[0].Message)
	}
	if w.snapshot(t) != before {
		t.Fatal("the refused operation changed the database")
	}
}
