package web

import (
	"net/http"
	"time"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

type cycleRow struct {
	Cycle         submission.Cycle
	Questionnaire string
	Open          bool
	DaysLeft      int
	Status        string
	Version       int
	Late          bool
}

type glance struct {
	Code, Name, Unit string
	Year             int
	Value            string
	Status           string
}

type homeView struct {
	State         *state.State
	Cycles        []cycleRow
	Glance        []glance
	WorkingGroups []questionnaire.WorkingGroup
}

// today is the date in UTC; deadlines are dates, inclusive.
func today() time.Time {
	n := time.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, rq *req) error {
	ctx := r.Context()
	cycles, err := h.Workflow.Cycles(ctx)
	if err != nil {
		return err
	}
	var v homeView
	if rq.P.Role == auth.FocalPoint {
		st, err := h.States.Get(ctx, rq.P.State)
		if err != nil {
			return err
		}
		v.State = &st
	}
	t := today()
	for _, c := range cycles {
		row := cycleRow{Cycle: c, Open: !t.Before(c.OpensOn) && !t.After(c.ClosesOn),
			DaysLeft: int(c.ClosesOn.Sub(t).Hours() / 24)}
		if q, ok := h.Registry.Get(c.QuestionnaireID); ok {
			row.Questionnaire = q.Label(rq.Lang)
		}
		if rq.P.Role == auth.FocalPoint {
			if t.After(c.ClosesOn) {
				continue // closed cycles are the secretariat's business
			}
			sub, err := h.Workflow.Get(ctx, rq.P, c.ID, rq.P.State)
			if err != nil {
				return err
			}
			row.Status = "Not started"
			if sub != nil {
				row.Status, row.Version, row.Late = string(sub.Status), sub.Version, sub.Late
			}
		}
		v.Cycles = append(v.Cycles, row)
	}
	if rq.P.Role == auth.FocalPoint {
		if v.Glance, err = h.glance(r, rq.P, rq.Lang); err != nil {
			return err
		}
	}
	if rq.P.Role == auth.WorkingGroup {
		for _, id := range rq.P.WorkingGroups {
			if g, ok := h.Registry.WorkingGroup(id); ok {
				v.WorkingGroups = append(v.WorkingGroups, g)
			}
		}
	}
	if rq.P.Role == auth.Secretariat {
		v.WorkingGroups = h.Registry.WorkingGroups()
	}
	h.render(w, r, rq, http.StatusOK, "home", "Home", v)
	return nil
}

// glance is the latest total of every indicator the State reported.
func (h *Handler) glance(r *http.Request, p auth.Principal, lang string) ([]glance, error) {
	var out []glance
	for _, ind := range h.Statistics.Catalogue().Indicators {
		obs, err := h.Statistics.Observations(r.Context(), p, statistics.Filter{Indicator: ind.Code, State: &p.State, Breakdown: map[string]string{}})
		if err != nil {
			return nil, err
		}
		if len(obs) == 0 {
			continue
		}
		last := obs[len(obs)-1]
		out = append(out, glance{Code: ind.Code, Name: ind.NameIn(lang), Unit: ind.UnitIn(lang), Year: last.Year,
			Value: formatValue(last.Value), Status: string(last.Status)})
	}
	return out, nil
}
