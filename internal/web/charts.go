package web

import (
	"strings"

	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/report"
)

// The dashboard draws the synthesis report's own charts. A question's
// chart comes in the page's language, its options as the report in that
// language names them (report.QuestionChart); the others come in the
// report's English and a page in another language gives them its own.
// A chart's names that are groups are translated by the report's
// catalogue (the one catalogue of group names), other series by the
// pages'; its title and its description for screen readers are whole
// sentences of the catalogue. Everything else is data.

// localName is a chart's category or series name in lang.
func localName(lang, name string) string {
	if s, ok := report.TranslateGroupName(lang, name); ok {
		return s
	}
	return tr(lang, name)
}

// localBar is c, an English chart, in lang.
func localBar(lang string, c *chart.Bar) *chart.Bar {
	out := *c
	out.Title = tr(lang, c.Title)
	out.Categories = make([]string, len(c.Categories))
	for i, cat := range c.Categories {
		out.Categories[i] = localName(lang, cat)
	}
	out.Series = make([]chart.Series, len(c.Series))
	for i, s := range c.Series {
		out.Series[i] = chart.Series{Name: localName(lang, s.Name), Values: s.Values}
	}
	return describedBar(lang, &out)
}

// describedBar is c, whose words are already in lang, drawing its figures
// as lang writes them and described for screen readers in lang.
func describedBar(lang string, c *chart.Bar) *chart.Bar {
	out := *c
	out.Number = chartNumber(lang)
	var figures []string
	for i, cat := range out.Categories {
		var vals []string
		for _, s := range out.Series {
			v := chart.Missing
			if i < len(s.Values) {
				v = s.Values[i]
			}
			if len(out.Series) > 1 {
				vals = append(vals, s.Name+" "+report.Number(lang, v, out.Unit))
			} else {
				vals = append(vals, report.Number(lang, v, out.Unit))
			}
		}
		figures = append(figures, cat+": "+strings.Join(vals, ", "))
	}
	out.Desc = tr(lang, "Bar chart. {figures}.", "figures", strings.Join(figures, "; "))
	return &out
}

// localLine is c, an indicator's yearly totals by regional group, in lang.
func localLine(lang, indicator, unit string, c *chart.Line) *chart.Line {
	out := *c
	out.Number, out.Year = chartNumber(lang), chartYear(lang)
	out.Title = tr(lang, "{indicator} ({unit}) by regional group", "indicator", indicator, "unit", unit)
	out.Series = make([]chart.Series, len(c.Series))
	var figures []string
	for i, s := range c.Series {
		out.Series[i] = chart.Series{Name: localName(lang, s.Name), Values: s.Values}
		var vals []string
		for j, y := range c.Years {
			v := chart.Missing
			if j < len(s.Values) {
				v = s.Values[j]
			}
			vals = append(vals, report.Whole(lang, y)+" "+report.Number(lang, v, c.Unit))
		}
		figures = append(figures, out.Series[i].Name+": "+strings.Join(vals, ", "))
	}
	from, to := 0, 0
	if len(c.Years) > 0 {
		from, to = c.Years[0], c.Years[len(c.Years)-1]
	}
	out.Desc = tr(lang, "Line chart from {from} to {to}. {figures}.", "from", report.Whole(lang, from), "to", report.Whole(lang, to), "figures", strings.Join(figures, "; "))
	return &out
}

// chartNumber and chartYear have a chart draw its figures and years as
// lang writes them; English charts keep the chart's own format (the same
// figures).
func chartNumber(lang string) func(float64, string) string {
	if lang == "en" {
		return nil
	}
	return func(v float64, unit string) string { return report.Number(lang, v, unit) }
}

func chartYear(lang string) func(int) string {
	if lang == "en" {
		return nil
	}
	return func(y int) string { return report.Whole(lang, y) }
}
