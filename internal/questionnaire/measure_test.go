package questionnaire_test

import (
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// A number question says what it measures (x-measure), and only counts
// and amounts add up across States; unannotated, a whole number is a
// count and a decimal number is not summed (issue 17).
func TestMeasureSaysWhetherAnswersAddUp(t *testing.T) {
	q, err := inline(t, `{
		"n": {"type": "integer", "x-measure": "count"},
		"usd": {"type": "number", "x-measure": "amount"},
		"days": {"type": "number", "x-measure": "duration"},
		"pct": {"type": "number", "x-measure": "rate"},
		"grade": {"type": "integer", "x-measure": "score"},
		"y": {"$ref": "#/$defs/year"},
		"plain_int": {"type": "integer"},
		"plain_num": {"type": "number"},
		"list": {"type": "array", "items": {"type": "string"}}
	}`, `{"year": {"type": "integer", "x-measure": "year"}}`)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]struct {
		measure  questionnaire.Measure
		additive bool
	}{
		"/s/n": {questionnaire.Count, true}, "/s/usd": {questionnaire.Amount, true},
		"/s/days": {questionnaire.Duration, false}, "/s/pct": {questionnaire.Rate, false},
		"/s/grade": {questionnaire.Score, false}, "/s/y": {questionnaire.Year, false},
		"/s/plain_int": {"", true}, "/s/plain_num": {"", false}, "/s/list": {"", true},
	} {
		qq, ok := q.Question(path)
		if !ok {
			t.Fatalf("no question %s", path)
		}
		if qq.Measure != want.measure || qq.Additive() != want.additive {
			t.Errorf("%s: measure %q additive %v, want %q %v", path, qq.Measure, qq.Additive(), want.measure, want.additive)
		}
	}
	if _, err := inline(t, `{"n": {"type": "integer", "x-measure": "average"}}`, ""); err == nil || !strings.Contains(err.Error(), "x-measure") {
		t.Errorf("an unknown x-measure: err %v, want one naming x-measure", err)
	}
}

// x-measure is an annotation: adding it to a questionnaire that cycles
// use leaves its validation digest as it was, so the service still starts.
func TestMeasureLeavesTheValidationDigest(t *testing.T) {
	with, err := inline(t, `{"days": {"type": "number", "x-measure": "duration"}}`, "")
	if err != nil {
		t.Fatal(err)
	}
	without, err := inline(t, `{"days": {"type": "number"}}`, "")
	if err != nil {
		t.Fatal(err)
	}
	if with.ValidationSHA256 != without.ValidationSHA256 {
		t.Errorf("validation digest changed by x-measure: %s vs %s", with.ValidationSHA256, without.ValidationSHA256)
	}
}

// Every number question of the shipped questionnaire says what it measures.
func TestShippedNumberQuestionsSayWhatTheyMeasure(t *testing.T) {
	q := shipped(t)
	for _, qq := range q.Questions {
		if (qq.Kind == questionnaire.Integer || qq.Kind == questionnaire.Number) && qq.Measure == "" {
			t.Errorf("%s has no x-measure", qq.Path)
		}
	}
	days, _ := q.Question("/international_cooperation/mutual_legal_assistance/average_execution_days")
	if days.Additive() {
		t.Error("average execution days add up")
	}
}
