package report

import (
	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/statistics"
)

// The charts of the synthesis report, for the web pages that show the same
// figures (internal/web's working-group dashboard): each is taken from the
// very section the PDF draws, so the page and the report never disagree.
// They are in English, as the web pages are.

// english is the English locale; its catalogue is embedded, so it loads.
func english() *locale {
	l, err := localeFor("en")
	if err != nil {
		panic(err) // the embedded catalogue is checked by the tests
	}
	return l
}

// CompletenessChart is the response rate by regional group.
func CompletenessChart(comp []aggregate.Completeness) *chart.Bar {
	return firstBar(english().completenessSection(comp).Blocks)
}

// QuestionChart is a choice question's respondents by answer; nil for a
// question whose answers are not counted by option.
func QuestionChart(a aggregate.QuestionAggregate) *chart.Bar {
	return firstBar(english().questionBlocks(a, false))
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
