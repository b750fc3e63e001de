package web

import (
	"net/http"
	"slices"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
)

type dashboardView struct {
	Group questionnaire.WorkingGroup
	Cycle submission.Cycle
}

// dashboard is a working group's page for a cycle. A member sees the
// groups they belong to; the secretariat sees every group.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, rq *req) error {
	g, ok := h.Registry.WorkingGroup(r.PathValue("group"))
	if !ok {
		return apperr.NotFoundf("no working group %q", r.PathValue("group"))
	}
	switch {
	case rq.P.Role == auth.Secretariat:
	case rq.P.Role == auth.WorkingGroup && slices.Contains(rq.P.WorkingGroups, g.ID):
	default:
		return apperr.Forbiddenf("a %s token may not read the dashboard of %s", rq.P.Role, g.ID)
	}
	c, err := h.Workflow.Cycle(r.Context(), r.PathValue("cycle"))
	if err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "dashboard", g.Name, dashboardView{Group: g, Cycle: c})
	return nil
}
