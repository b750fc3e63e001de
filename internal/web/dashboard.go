package web

import (
	"html/template"
	"net/http"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
)

type dashQuestion struct {
	Title, Path string
	Respondents int
	Chart       template.HTML
	Numeric     *aggregate.NumericSummary
}

type dashIndicator struct {
	Name, Code, Unit, Description string
	Chart                         template.HTML
}

type dashboardView struct {
	Summary      *aggregate.Summary
	Completeness template.HTML
	Questions    []dashQuestion
	Indicators   []dashIndicator
	Reports      []reportRow
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
	v := dashboardView{Summary: s}
	if c := report.CompletenessChart(s.Completeness); c != nil {
		v.Completeness = localBar(rq.Lang, c).SVG()
	}
	for _, a := range s.Questions {
		dq := dashQuestion{Title: a.Question.Label(rq.Lang), Path: a.Question.Path, Respondents: a.Respondents, Numeric: a.Numeric}
		if c := report.QuestionChart(a); c != nil {
			c = localBar(rq.Lang, c)
			c.Title = dq.Title
			dq.Chart = c.SVG()
		}
		v.Questions = append(v.Questions, dq)
	}
	for _, ind := range s.Indicators {
		di := dashIndicator{Name: ind.Indicator.NameIn(rq.Lang), Code: ind.Indicator.Code, Unit: ind.Indicator.UnitIn(rq.Lang),
			Description: ind.Indicator.DescriptionIn(rq.Lang)}
		if c := report.IndicatorChart(ind.Indicator, ind.Trend); c != nil {
			di.Chart = localLine(rq.Lang, ind.Indicator.NameIn(rq.Lang), ind.Indicator.Unit, c).SVG()
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
