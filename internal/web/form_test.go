package web

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

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

func testRegistry(t testing.TB) *questionnaire.Registry {
	t.Helper()
	second, err := os.ReadFile("../questionnaire/testdata/second/training-survey-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]questionnaire.WorkingGroup{}
	for _, g := range reg.WorkingGroups() {
		known[g.ID] = g
	}
	q2, err := questionnaire.Compile("training-survey-v2", second, known)
	if err != nil {
		t.Fatal(err)
	}
	_ = q2
	return reg
}

// A complete answers document, flattened into form values as the page
// shows it and decoded back as a post, comes back unchanged: the form
// loses nothing, for either questionnaire shape.
func TestFormRoundTripKeepsEveryAnswer(t *testing.T) {
	reg := testRegistry(t)
	impl, _ := reg.Get("implementation-v1")
	known := map[string]questionnaire.WorkingGroup{}
	for _, g := range reg.WorkingGroups() {
		known[g.ID] = g
	}
	second, _ := os.ReadFile("../questionnaire/testdata/second/training-survey-v2.json")
	q2, err := questionnaire.Compile("training-survey-v2", second, known)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		q       *questionnaire.Questionnaire
		answers []byte
	}{
		{"implementation-v1 with the demo answers", impl, demo.SampleAnswers()},
		{"the second questionnaire with its complete case", q2, secondComplete(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := newQForm(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := decodeDoc(tc.answers)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for _, sec := range tc.q.Sections {
				vals := f.encodeSection(doc, sec)
				f.decodeSection(got, sec, vals)
			}
			if !sameJSON(normalize(got), normalize(doc)) {
				a, _ := json.Marshal(got)
				b, _ := json.Marshal(doc)
				t.Fatalf("round trip changed the answers:\ngot  %s\nwant %s", a, b)
			}
			if errs := tc.q.ValidateValue(got, questionnaire.Complete); len(errs) > 0 {
				t.Fatalf("round-tripped answers fail validation: %v", errs)
			}
		})
	}
}

// normalize makes two answers documents comparable the way a form can
// keep them: the choices of a multi-choice question as a set (a form lists
// them in the questionnaire's order) and numbers by value (340000.0 is
// 340000).
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		strs := true
		for i, e := range x {
			out[i] = normalize(e)
			if _, ok := e.(string); !ok {
				strs = false
			}
		}
		if strs {
			sort.Slice(out, func(i, j int) bool { return out[i].(string) < out[j].(string) })
		}
		return out
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	}
	return v
}
