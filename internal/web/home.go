package web

import (
	"net/http"
	"net/url"
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
	// A focal point's: the State's own deadline (an extension's date, else
	// the cycle's), the extension when there is one, and its consent to
	// publishing its country profile.
	Deadline  time.Time
	Extension *submission.Extension
	Consent   bool
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
		deadline := c.ClosesOn
		var ext *submission.Extension
		var consent bool
		if rq.P.Role == auth.FocalPoint {
			// The State's own deadline rules what it sees: an extended
			// State keeps its cycle open until its own date.
			exts, err := h.Workflow.Extensions(ctx, rq.P, c.ID)
			if err != nil {
				return err
			}
			for i := range exts {
				if exts[i].StateCode == rq.P.State {
					ext, deadline = &exts[i], exts[i].ClosesOn
				}
			}
			consents, err := h.Workflow.Consents(ctx, rq.P, c.ID)
			if err != nil {
				return err
			}
			for _, cs := range consents {
				consent = consent || (cs.StateCode == rq.P.State && cs.PublishProfile)
			}
		}
		row := cycleRow{Cycle: c, Open: !t.Before(c.OpensOn) && !t.After(deadline),
			DaysLeft: int(deadline.Sub(t).Hours() / 24), Deadline: deadline, Extension: ext, Consent: consent}
		if q, ok := h.Registry.Get(c.QuestionnaireID); ok {
			row.Questionnaire = q.Label(rq.Lang)
		}
		if rq.P.Role == auth.FocalPoint {
			if t.After(deadline) {
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

// setConsent records the focal point's consent (or its withdrawal) to
// publishing the State's country profile of a cycle, from the home page.
func (h *Handler) setConsent(w http.ResponseWriter, r *http.Request, rq *req) error {
	if _, err := h.Workflow.SetConsent(r.Context(), rq.P, r.PathValue("cycle"), r.PathValue("state"), r.PostFormValue("publish") == "true"); err != nil {
		return err
	}
	http.Redirect(w, r, "/#consent-"+url.PathEscape(r.PathValue("cycle")), http.StatusSeeOther)
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
			Value: formatValue(lang, last.Value), Status: string(last.Status)})
	}
	return out, nil
}
