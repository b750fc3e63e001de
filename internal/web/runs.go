package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// The secretariat's reports page: every run with its status, error and
// warnings, the forms to render and to schedule a report, publishing a
// run and pausing, resuming or deleting a schedule. It calls the same
// schedule service as the GraphQL API.

var reportKinds = []report.Kind{report.CycleSynthesis, report.CountryProfile, report.TechnicalAssistance}

type runRow struct {
	schedule.Run
	Title      string
	PDF        string    // the PDF's address on the pages, once there is one
	At         time.Time // when it finished; zero before
	CanPublish bool
	// Error and Warnings are the run's in the page's language (issue 13);
	// they stand for the run's English columns of the same names.
	Error    *string
	Warnings []string
}

type scheduleRow struct {
	schedule.Schedule
	Title string
}

type reportForm struct {
	Kind, Cycle, Group, State, Lang string
	Cron, Timezone                  string
}

type runsView struct {
	Runs      []runRow
	Schedules []scheduleRow
	Kinds     []report.Kind
	Cycles    []submission.Cycle
	Groups    []questionnaire.WorkingGroup
	States    []state.State
	Languages []i18n.Language
	Render    reportForm
	Sched     reportForm
	Errs      formErrs // the posted form's problems (render, schedule, or an action on a run)
	Posted    string   // which form Errs belong to: "render", "schedule" or "action"
	Notice    string
}

// runTitle names a run as the reports lists do: its kind and its
// working group or State.
func (h *Handler) runTitle(lang string, run schedule.Run) string {
	title := tr(lang, questionnaire.Humanize(strings.ToLower(string(run.Kind))))
	subject := run.State
	if run.State != "" {
		if n, ok := state.NameIn(run.State, lang); ok && n != "" {
			subject = n
		}
	}
	if g, ok := h.Registry.WorkingGroup(run.WorkingGroup); ok && run.WorkingGroup != "" {
		subject = g.NameIn(lang)
	}
	if subject != "" {
		title = tr(lang, "{report} – {subject}", "report", title, "subject", subject)
	}
	return title
}

func (h *Handler) runsView(r *http.Request, rq *req) (*runsView, error) {
	if err := auth.CanManageReports(rq.P); err != nil {
		return nil, err
	}
	if h.Reports == nil {
		return nil, apperr.NotFoundT("reports are not served here")
	}
	ctx := r.Context()
	v := &runsView{Kinds: reportKinds, Groups: h.Registry.WorkingGroups(), Languages: i18n.Languages,
		Render: reportForm{Lang: rq.Lang}, Sched: reportForm{Lang: rq.Lang, Timezone: "UTC"}}
	var err error
	if v.Cycles, err = h.Workflow.Cycles(ctx); err != nil {
		return nil, err
	}
	if v.States, err = h.States.List(ctx, state.Filter{}); err != nil {
		return nil, err
	}
	state.SortByName(v.States, rq.Lang, func(s state.State) string { return s.Code })
	runs, err := h.Reports.Runs(ctx, rq.P, schedule.RunFilter{})
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		row := runRow{Run: run, Title: h.runTitle(rq.Lang, run), CanPublish: run.Status == schedule.Succeeded && !run.Published,
			Error: run.ErrorIn(rq.Lang), Warnings: run.WarningsIn(rq.Lang)}
		if run.FinishedAt != nil {
			row.At = *run.FinishedAt
		}
		if run.Status == schedule.Succeeded {
			row.PDF = "/published/" + run.ID + ".pdf"
		}
		v.Runs = append(v.Runs, row)
	}
	scheds, err := h.Reports.Schedules(ctx, rq.P)
	if err != nil {
		return nil, err
	}
	for _, sc := range scheds {
		v.Schedules = append(v.Schedules, scheduleRow{Schedule: sc,
			Title: h.runTitle(rq.Lang, schedule.Run{Kind: sc.Kind, WorkingGroup: sc.WorkingGroup, State: sc.State})})
	}
	return v, nil
}

func (h *Handler) runsPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.runsView(r, rq)
	if err != nil {
		return err
	}
	v.Notice = map[string]string{
		"rendered":  tr(rq.Lang, "The report is queued: it appears below as soon as it is rendered. Reload the page to see its status."),
		"published": tr(rq.Lang, "The report is published: everyone signed in may now read it."),
		"scheduled": tr(rq.Lang, "The schedule is created."),
		"paused":    tr(rq.Lang, "The schedule is paused."),
		"resumed":   tr(rq.Lang, "The schedule is resumed: it fires from its next tick on."),
		"deleted":   tr(rq.Lang, "The schedule is deleted; its past runs are kept."),
	}[r.URL.Query().Get("done")]
	h.render(w, r, rq, http.StatusOK, "runs", "Reports", v)
	return nil
}

// readReportForm reads the fields of the render or schedule form (their
// IDs start with prefix) and checks them, field by field, with the
// form's labels in the reader's language.
func (h *Handler) readReportForm(r *http.Request, lang, prefix string, v *runsView, withCron bool) (reportForm, schedule.Input) {
	f := reportForm{Kind: r.PostFormValue("kind"), Cycle: r.PostFormValue("cycle"), Group: r.PostFormValue("working_group"),
		State: r.PostFormValue("state"), Lang: r.PostFormValue("language"),
		Cron: strings.TrimSpace(r.PostFormValue("cron")), Timezone: strings.TrimSpace(r.PostFormValue("timezone"))}
	e := &v.Errs
	if !slices.Contains(reportKinds, report.Kind(f.Kind)) {
		e.add(prefix+"kind", tr(lang, "Report"), tr(lang, "Choose which report to render."))
	}
	if !slices.ContainsFunc(v.Cycles, func(c submission.Cycle) bool { return c.ID == f.Cycle }) {
		e.add(prefix+"cycle", tr(lang, "Cycle"), tr(lang, "Choose a cycle from the list."))
	}
	in := schedule.Input{Kind: report.Kind(f.Kind), CycleID: f.Cycle, Language: f.Lang}
	switch report.Kind(f.Kind) {
	case report.CountryProfile:
		if f.State == "" {
			e.add(prefix+"state", tr(lang, "State (country profile only)"), tr(lang, "Choose the State whose country profile to render."))
		}
		in.State = f.State
	case report.CycleSynthesis:
		in.WorkingGroup = f.Group
	}
	if !i18n.Known(f.Lang) {
		e.add(prefix+"language", tr(lang, "Language"), tr(lang, "Choose one of the six languages."))
	}
	if withCron {
		if f.Cron == "" {
			e.add(prefix+"cron", tr(lang, "Repeats (cron)"), tr(lang, "Say when the report repeats, e.g. 0 6 * * MON (Mondays at 06:00) or @weekly."))
		} else if _, err := cron.ParseStandard(f.Cron); err != nil || strings.Contains(f.Cron, "TZ=") {
			e.add(prefix+"cron", tr(lang, "Repeats (cron)"), tr(lang, "Give five fields (minute, hour, day of the month, month, day of the week), e.g. 0 6 * * MON, or @daily or @weekly."))
		}
		if _, err := time.LoadLocation(f.Timezone); err != nil || f.Timezone == "" || f.Timezone == "Local" {
			e.add(prefix+"timezone", tr(lang, "Time zone"), tr(lang, "Give a time zone such as UTC or Europe/Paris."))
		}
	}
	return f, in
}

// serviceProblem puts a refusal of the service on the form, beside the
// field it was sent from; anything else is the error page's.
func serviceProblem(lang string, e *formErrs, field string, err error) error {
	switch apperr.CodeOf(err) {
	case apperr.BadInput, apperr.NotFound, apperr.Conflict:
		e.add(field, "", tr(lang, "This could not be done: {reason}", "reason", apperr.Message(err, lang)))
		return nil
	}
	return err
}

func (h *Handler) runsRefused(w http.ResponseWriter, r *http.Request, rq *req, v *runsView, posted string) {
	v.Posted = posted
	h.render(w, r, rq, http.StatusBadRequest, "runs", "Reports", v)
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.runsView(r, rq)
	if err != nil {
		return err
	}
	f, in := h.readReportForm(r, rq.Lang, "r-", v, false)
	v.Render = f
	if len(v.Errs) == 0 {
		if _, err = h.Reports.Render(r.Context(), rq.P, in); err == nil {
			http.Redirect(w, r, "/runs?done=rendered#runs", http.StatusSeeOther)
			return nil
		}
		if err := serviceProblem(rq.Lang, &v.Errs, "r-kind", err); err != nil {
			return err
		}
	}
	h.runsRefused(w, r, rq, v, "render")
	return nil
}

func (h *Handler) createSchedule(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.runsView(r, rq)
	if err != nil {
		return err
	}
	f, in := h.readReportForm(r, rq.Lang, "s-", v, true)
	v.Sched = f
	if len(v.Errs) == 0 {
		if _, err = h.Reports.CreateSchedule(r.Context(), rq.P, schedule.ScheduleInput{Report: in, Cron: f.Cron, Timezone: f.Timezone}); err == nil {
			http.Redirect(w, r, "/runs?done=scheduled#schedules", http.StatusSeeOther)
			return nil
		}
		if err := serviceProblem(rq.Lang, &v.Errs, "s-cron", err); err != nil {
			return err
		}
	}
	h.runsRefused(w, r, rq, v, "schedule")
	return nil
}

// publishRun publishes a run once the secretariat has confirmed it.
func (h *Handler) publishRun(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanManageReports(rq.P); err != nil {
		return err
	}
	if h.Reports == nil {
		return apperr.NotFoundT("reports are not served here")
	}
	run, err := h.Reports.Run(r.Context(), rq.P, r.PathValue("run"))
	if err != nil {
		return err
	}
	title := h.runTitle(rq.Lang, run)
	if !h.confirmed(w, r, rq, "Publish a report", confirmView{
		Question: tr(rq.Lang, "Publish “{report}” ({cycle}, {language})?", "report", title, "cycle", run.CycleID, "language", run.Language),
		Detail:   tr(rq.Lang, "Once published, everyone signed in can read and download it. Publishing cannot be undone from the pages."),
		Button:   tr(rq.Lang, "Yes, publish it"), Back: backTo("/runs", "run-"+run.ID)}) {
		return nil
	}
	if _, err := h.Reports.Publish(r.Context(), rq.P, run.ID); err != nil {
		v, verr := h.runsView(r, rq)
		if verr != nil {
			return verr
		}
		if err := serviceProblem(rq.Lang, &v.Errs, "run-"+run.ID, err); err != nil {
			return err
		}
		v.Errs[len(v.Errs)-1].Label = title
		h.runsRefused(w, r, rq, v, "action")
		return nil
	}
	http.Redirect(w, r, "/runs?done=published#run-"+url.PathEscape(run.ID), http.StatusSeeOther)
	return nil
}

// scheduleAction pauses, resumes or (once confirmed) deletes a schedule.
func (h *Handler) scheduleAction(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanManageReports(rq.P); err != nil {
		return err
	}
	if h.Reports == nil {
		return apperr.NotFoundT("reports are not served here")
	}
	id := r.PathValue("schedule")
	ctx := r.Context()
	var err error
	done := r.PathValue("action")
	switch done {
	case "pause", "resume":
		_, err = h.Reports.SetScheduleActive(ctx, rq.P, id, done == "resume")
		done += "d"
	case "delete":
		v, verr := h.runsView(r, rq)
		if verr != nil {
			return verr
		}
		i := slices.IndexFunc(v.Schedules, func(s scheduleRow) bool { return s.ID == id })
		if i < 0 {
			return apperr.NotFoundT("no report schedule \"{id}\"", "id", id)
		}
		sc, title := v.Schedules[i], v.Schedules[i].Title
		if !h.confirmed(w, r, rq, "Delete a schedule", confirmView{
			Question: tr(rq.Lang, "Delete the schedule of “{report}” ({cycle}, {cron} {timezone})?", "report", title,
				"cycle", sc.CycleID, "cron", sc.Cron, "timezone", sc.Timezone),
			Detail: tr(rq.Lang, "It will not render again. The reports it rendered are kept. To stop it for a while instead, pause it."),
			Button: tr(rq.Lang, "Yes, delete the schedule"), Warn: true, Back: backTo("/runs", "sch-"+id)}) {
			return nil
		}
		err = h.Reports.DeleteSchedule(ctx, rq.P, id)
		done = "deleted"
	default:
		return apperr.NotFoundT("there is no page at {path}", "path", r.URL.Path)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/runs?done="+done+"#schedules", http.StatusSeeOther)
	return nil
}
