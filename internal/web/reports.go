package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/questionnaire"

	"github.com/cosp-ict/irm/internal/httpapi"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/schedule"
)

type reportRow struct {
	Title, URL, Cycle string
	Pages             *int
	Published         bool
	At                time.Time
}

// reportRows lists the report runs p may read that have a PDF, newest
// first; the schedule service decides who reads what.
func (h *Handler) reportRows(r *http.Request, rq *req, f schedule.RunFilter, group string) ([]reportRow, error) {
	if h.Reports == nil {
		return nil, nil
	}
	runs, err := h.Reports.Runs(r.Context(), rq.P, f)
	if err != nil {
		return nil, err
	}
	var out []reportRow
	for _, run := range runs {
		if run.Status != schedule.Succeeded || (group != "" && run.WorkingGroup != group && run.WorkingGroup != "") {
			continue
		}
		title := tr(rq.Lang, questionnaire.Humanize(strings.ToLower(string(run.Kind))))
		subject := run.State
		if g, ok := h.Registry.WorkingGroup(run.WorkingGroup); ok && run.WorkingGroup != "" {
			subject = g.NameIn(rq.Lang)
		}
		if subject != "" {
			title = tr(rq.Lang, "{report} – {subject}", "report", title, "subject", subject)
		}
		at := run.CreatedAt
		if run.FinishedAt != nil {
			at = *run.FinishedAt
		}
		out = append(out, reportRow{Title: title, URL: "/published/" + run.ID + ".pdf", Cycle: run.CycleID,
			Pages: run.Pages, Published: run.Published, At: at})
	}
	return out, nil
}

func (h *Handler) reportsPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	rows, err := h.reportRows(r, rq, schedule.RunFilter{}, "")
	if err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "reports", "Reports", rows)
	return nil
}

// reportPDF serves a report's PDF to a signed-in user who may read it
// (the bearer-token API serves the same files at /reports/{id}.pdf).
func (h *Handler) reportPDF(w http.ResponseWriter, r *http.Request, rq *req) error {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
	if !ok || h.Reports == nil {
		return apperr.NotFoundT("report files are named {pattern}", "pattern", "/published/{id}.pdf")
	}
	f, err := h.Reports.PDF(r.Context(), rq.P, id)
	if err != nil {
		return err
	}
	httpapi.ServePDF(w, r, f)
	return nil
}
