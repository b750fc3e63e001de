package web

import (
	"html/template"
	"net/http"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
)

type dashQuestion struct {
	Title, Path string
	Respondents string // a count, or what the minimum-n rule shows instead
	Chart       template.HTML
	Numeric     *aggregate.NumericSummary
	Withheld    []string // cells the minimum-n rule withholds: "option (group): fewer than N"
}

type dashIndicator struct {
	Name, Code, Unit, Description string
	Chart                         template.HTML
}

type dashboardView struct {
	Summary      *aggregate.Summary
	MinN         int // set when some cell is withheld by the minimum-n rule
	Completeness template.HTML
	Questions    []dashQuestion
	Indicators   []dashIndicator
	Reports      []reportRow
	Unreviewed   bool // the questions' labels are a translation the secretariat has not reviewed
}

// dashboard is a working group's page for a cycle: completeness by
// regional group, each of the group's questions and indicators, drawn
// with the very charts of the synthesis report. Members of the group and
// the secretariat read it (the aggregate service's policy).
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, rq *req) error {
	s, err := h.Aggregates.Summary(r.Context(), rq.P, r.PathValue("group"), r.PathValue("cycle"))
	if err != nil {
		return err
	}
	v := dashboardView{Summary: s, Unreviewed: h.unreviewed(r, rq, s.Cycle.QuestionnaireID)}
	if c := report.CompletenessChart(s.Completeness); c != nil {
		v.Completeness = localBar(rq.Lang, c).SVG()
	}
	for _, a := range s.Questions {
		cell := func(n int, suppressed, small bool) string {
			switch {
			case suppressed && small:
				return tr(rq.Lang, "fewer than {count}", "count", a.MinRespondents)
			case suppressed:
				return tr(rq.Lang, "withheld")
			}
			return report.Number(rq.Lang, float64(n), "")
		}
		dq := dashQuestion{Title: a.Question.Label(rq.Lang), Path: a.Question.Path,
			Respondents: cell(a.Respondents, a.Suppressed, a.Small), Numeric: a.Numeric}
		groups := append([]aggregate.GroupAggregate{{Group: aggregate.All, Counts: a.Counts, Suppressed: a.Suppressed, Small: a.Small}}, a.ByGroup...)
		for _, g := range groups {
			name := groupName(rq.Lang, g.Group) // "All States" for aggregate.All
			if g.Suppressed {
				dq.Withheld = append(dq.Withheld, name+": "+cell(0, true, g.Small))
				continue
			}
			for _, oc := range g.Counts {
				if oc.Suppressed {
					dq.Withheld = append(dq.Withheld, optionLabel(a.Question, oc.Option, rq.Lang)+" ("+name+"): "+cell(0, true, oc.Small))
				}
			}
		}
		if len(dq.Withheld) > 0 {
			v.MinN = a.MinRespondents
		}
		if c := report.QuestionChart(rq.Lang, a); c != nil {
			c = describedBar(rq.Lang, c)
			c.Title = dq.Title
			dq.Chart = c.SVG()
		}
		v.Questions = append(v.Questions, dq)
	}
	for _, ind := range s.Indicators {
		di := dashIndicator{Name: ind.Indicator.NameIn(rq.Lang), Code: ind.Indicator.Code, Unit: ind.Indicator.UnitIn(rq.Lang),
			Description: ind.Indicator.DescriptionIn(rq.Lang)}
		if c := report.IndicatorChart(ind.Indicator, ind.Trend); c != nil {
			di.Chart = localLine(rq.Lang, ind.Indicator.NameIn(rq.Lang), ind.Indicator.UnitIn(rq.Lang), c).SVG()
		}
		v.Indicators = append(v.Indicators, di)
	}
	published := true
	if v.Reports, err = h.reportRows(r, rq, schedule.RunFilter{CycleID: &s.Cycle.ID, Published: &published}, s.WorkingGroup.ID); err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "dashboard", s.WorkingGroup.NameIn(rq.Lang), v)
	return nil
}

// optionLabel is what a person reads for an option of q ("true" and
// "false" of a yes/no question as Yes and No).
func optionLabel(q *questionnaire.Question, option, lang string) string {
	switch {
	case q.Kind == questionnaire.Boolean && option == "true":
		return tr(lang, "Yes")
	case q.Kind == questionnaire.Boolean && option == "false":
		return tr(lang, "No")
	}
	for _, c := range q.Choices {
		if c.Value == option {
			return c.Label(lang)
		}
	}
	return questionnaire.Humanize(option)
}

// groupName is a regional group's name in lang.
func groupName(lang, g string) string {
	return funcs["groupName"].(func(string, string) string)(lang, g)
}
