package report

import (
	"slices"
	"testing"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

// TestQuestionChartIsInThePagesLanguage (issue 13): the dashboard's chart
// of a choice question names its options, its series and its title as the
// report in the page's language prints them, not in English.
func TestQuestionChartIsInThePagesLanguage(t *testing.T) {
	reg, _ := registry(t)
	q, _ := reg.Get(shippedID)
	var question *questionnaire.Question
	for _, qq := range q.Questions {
		if qq.Kind == questionnaire.SingleChoice && len(qq.Choices) > 1 && qq.Choices[0].Translations["ru"] != "" {
			question = qq
			break
		}
	}
	if question == nil {
		t.Fatal("implementation-v1 has no single-choice question with Russian option labels")
	}
	a := aggregate.QuestionAggregate{Question: question, Respondents: 5, MinRespondents: 3}
	for i, c := range question.Choices {
		a.Counts = append(a.Counts, aggregate.OptionCount{Option: c.Value, Count: i + 1})
	}
	for _, lang := range Languages {
		l := mustLocale(lang)
		c := QuestionChart(lang, a)
		if c == nil {
			t.Fatalf("%s: no chart", lang)
		}
		var want []string
		for _, ch := range question.Choices {
			want = append(want, l.optionLabel(question, ch.Value))
		}
		if !slices.Equal(c.Categories, want) {
			t.Errorf("%s: options %q, want the report's %q", lang, c.Categories, want)
		}
		if lang == "ru" && slices.Contains(c.Categories, question.Choices[0].Title) {
			t.Errorf("%s: an option is in English: %q", lang, c.Categories)
		}
		if c.Title != l.t("chart.respondentsByAnswer") || c.Series[0].Name != l.t("chart.states") {
			t.Errorf("%s: title %q, series %q; want the %s catalogue's", lang, c.Title, c.Series[0].Name, lang)
		}
	}
}
