package report

import (
	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/statistics"
)

// The charts of the synthesis report, for the web pages that show the same
// figures (internal/web's working-group dashboard): each is taken from the
// very section the PDF draws, so the page and the report never disagree.
// QuestionChart is drawn in the page's language, with the option labels
// the report in that language prints; the others are in English, and the
// page gives their names its language.

// english is the English locale; its catalogue is embedded, so it loads.
func english() *locale { return mustLocale("en") }

// mustLocale is lang's locale, English for a language without a catalogue.
func mustLocale(lang string) *locale {
	l, err := localeFor(lang)
	if err != nil {
		if l, err = localeFor("en"); err != nil {
			panic(err) // the embedded catalogue is checked by the tests
		}
	}
	return l
}

// CompletenessChart is the response rate by regional group.
func CompletenessChart(comp []aggregate.Completeness) *chart.Bar {
	return firstBar(english().completenessSection(comp).Blocks)
}

// QuestionChart is a choice question's respondents by answer in lang (its
// title, series and options as the report in lang prints them); nil for a
// question whose answers are not counted by option.
func QuestionChart(lang string, a aggregate.QuestionAggregate) *chart.Bar {
	return firstBar(mustLocale(lang).questionBlocks(a, false))
}

// IndicatorChart is an indicator's yearly totals by regional group; nil
// when no State reported it.
func IndicatorChart(ind *statistics.Indicator, series []statistics.TrendSeries) *chart.Line {
	for _, b := range english().indicatorBlocks(ind, series, regionalOrder) {
		if l, ok := b.(lineChart); ok {
			return l.Chart
		}
	}
	return nil
}

func firstBar(blocks []block) *chart.Bar {
	for _, b := range blocks {
		if c, ok := b.(barChart); ok {
			return c.Chart
		}
	}
	return nil
}
