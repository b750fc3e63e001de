package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

type listRow struct {
	State state.State
	Sub   *submission.Submission
}

type listView struct {
	Cycle          submission.Cycle
	Rows           []listRow
	Status, Group  string
	Statuses       []string
	RegionalGroups []string
	// The cycle's extensions, and the form that grants one.
	Extensions []extensionRow
	AllStates  []state.State
	Grant      grantForm
	Notice     string
}

type extensionRow struct {
	State state.State
	submission.Extension
}

type grantForm struct {
	State, ClosesOn, Reason, Error string
}

func (h *Handler) reviewList(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.reviewListView(r, rq)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("done") == "extended" {
		v.Notice = tr(rq.Lang, "The extension is granted.")
	}
	h.render(w, r, rq, http.StatusOK, "review_list", "Submissions", v)
	return nil
}

// grantExtension grants a State a later deadline from the cycle's page.
func (h *Handler) grantExtension(w http.ResponseWriter, r *http.Request, rq *req) error {
	g := grantForm{State: strings.ToUpper(r.PostFormValue("state")), ClosesOn: r.PostFormValue("closes_on"), Reason: r.PostFormValue("reason")}
	closes, err := time.Parse(time.DateOnly, g.ClosesOn)
	if err != nil {
		err = apperr.BadInputT("Enter the new deadline as a date, e.g. 2029-04-30.")
	} else {
		_, err = h.Workflow.GrantExtension(r.Context(), rq.P, r.PathValue("cycle"), g.State, closes, g.Reason)
	}
	if c := apperr.CodeOf(err); err != nil && (c == apperr.BadInput || c == apperr.NotFound) {
		v, verr := h.reviewListView(r, rq)
		if verr != nil {
			return verr
		}
		g.Error = apperr.Message(err, rq.Lang)
		v.Grant = g
		h.render(w, r, rq, status(r, err), "review_list", "Submissions", v)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/review/"+url.PathEscape(r.PathValue("cycle"))+"?done=extended#extensions", http.StatusSeeOther)
	return nil
}

func (h *Handler) reviewListView(r *http.Request, rq *req) (*listView, error) {
	if err := auth.CanReview(rq.P); err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := h.Workflow.Cycle(ctx, r.PathValue("cycle"))
	if err != nil {
		return nil, err
	}
	v := &listView{Cycle: c, Status: r.URL.Query().Get("status"), Group: r.URL.Query().Get("group"),
		Statuses:       []string{"DRAFT", "SUBMITTED", "RETURNED", "ACCEPTED"},
		RegionalGroups: state.RegionalGroups()}
	if v.AllStates, err = h.States.List(ctx, state.Filter{}); err != nil {
		return nil, err
	}
	state.SortByName(v.AllStates, rq.Lang, func(s state.State) string { return s.Code })
	exts, err := h.Workflow.Extensions(ctx, rq.P, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range exts {
		for _, st := range v.AllStates {
			if st.Code == e.StateCode {
				v.Extensions = append(v.Extensions, extensionRow{State: st, Extension: e})
			}
		}
	}
	var status *submission.Status
	if v.Status != "" {
		s := submission.Status(v.Status)
		status = &s
	}
	f := state.Filter{}
	if v.Group != "" {
		f.RegionalGroup = &v.Group
	}
	states, err := h.States.List(ctx, f)
	if err != nil {
		return nil, err
	}
	byCode := map[string]state.State{}
	for _, s := range states {
		byCode[s.Code] = s
	}
	var after *string
	for {
		page, err := h.Workflow.List(ctx, rq.P, c.ID, status, submission.MaxPageSize, after)
		if err != nil {
			return nil, err
		}
		for _, sub := range page.Submissions {
			if st, ok := byCode[sub.StateCode]; ok {
				v.Rows = append(v.Rows, listRow{State: st, Sub: sub})
			}
		}
		if !page.HasNext || len(page.Submissions) == 0 {
			break
		}
		cur := submission.Cursor(page.Submissions[len(page.Submissions)-1])
		after = &cur
	}
	state.SortByName(v.Rows, rq.Lang, func(r listRow) string { return r.State.Code })
	return v, nil
}

type reviewRow struct {
	Path, ID, Label string
	Heading         string
	group           string // the row's group (its parent pointer), "" if none
	groupLabel      string
	Now, Before     []string
	// NowDiff and BeforeDiff mark the words a changed text gained and
	// lost (a word diff); nil when it is not a text or shares no word.
	NowDiff, BeforeDiff []seg
	Changed             bool
	Comments            []viewComment
	Draft               string // a comment typed but not yet sent
}

type reviewView struct {
	Cycle       submission.Cycle
	State       state.State
	Sub         *submission.Submission
	Previous    int // the previous submitted version compared with, 0 if none
	Sections    []reviewSection
	General     []viewComment
	GeneralText string
	Changes     int
	// ChangedOnly: only the changed answers are listed (the default when
	// there is a previous version to compare with; ?show=all lists all).
	ChangedOnly bool
	Contents    []reviewSection // the sections with changes and their changed questions, for jump links
	Error       string
	Notice      string
	Open        []openThread // the threads not resolved, in order
	Unreviewed  bool         // the labels are a translation the secretariat has not reviewed
}

// openThread links to a thread not resolved yet from the top of the page.
type openThread struct {
	Href, Question, Body, Author string
}

type reviewSection struct {
	ID, Title string
	Rows      []reviewRow
}

func (h *Handler) reviewView(r *http.Request, rq *req, drafts map[string]string) (*reviewView, error) {
	if err := auth.CanReview(rq.P); err != nil {
		return nil, err
	}
	ctx := r.Context()
	code := strings.ToUpper(r.PathValue("state"))
	sub, err := h.Workflow.Get(ctx, rq.P, r.PathValue("cycle"), code)
	if err != nil {
		return nil, err
	}
	if sub == nil {
		return nil, apperr.NotFoundT("{state} has no submission in cycle {cycle}", "state", code, "cycle", r.PathValue("cycle"))
	}
	c, err := h.Workflow.Cycle(ctx, sub.CycleID)
	if err != nil {
		return nil, err
	}
	st, err := h.States.Get(ctx, code)
	if err != nil {
		return nil, err
	}
	f, err := h.form(c.QuestionnaireID)
	if err != nil {
		return nil, err
	}
	v := &reviewView{Cycle: c, State: st, Sub: sub, GeneralText: drafts[""], Unreviewed: h.unreviewed(r, rq, c.QuestionnaireID)}
	// The previous submitted version: the last one submitted before the
	// answers now shown were submitted.
	vs, err := h.Workflow.Versions(ctx, []string{sub.ID})
	if err != nil {
		return nil, err
	}
	var submitted []submission.Version
	for _, ver := range vs[0] {
		if ver.Status == submission.Submitted {
			submitted = append(submitted, ver)
		}
	}
	if (sub.Status == submission.Submitted || sub.Status == submission.Accepted) && len(submitted) > 0 {
		submitted = submitted[:len(submitted)-1]
	}
	var before map[string]any
	if len(submitted) > 0 {
		prev := submitted[len(submitted)-1]
		v.Previous = prev.Version
		if before, err = decodeDoc(prev.Answers); err != nil {
			return nil, err
		}
	}
	now, err := decodeDoc(sub.Answers)
	if err != nil {
		return nil, err
	}
	comments := map[string][]viewComment{}
	cs, err := h.Workflow.Comments(ctx, []string{sub.ID})
	if err != nil {
		return nil, err
	}
	for _, t := range threads(cs[0]) {
		if !t.Resolved {
			ot := openThread{Href: "#t-" + t.ID, Body: t.Body, Author: t.Author, Question: tr(rq.Lang, "The whole submission")}
			if t.Path != nil {
				ot.Question = *t.Path
				if qq, ok := f.q.Question(*t.Path); ok {
					ot.Question = qq.Label(rq.Lang)
				}
			}
			v.Open = append(v.Open, ot)
		}
		if t.Path == nil {
			v.General = append(v.General, *t)
			continue
		}
		comments[*t.Path] = append(comments[*t.Path], *t)
	}
	for _, sec := range f.q.Sections {
		rs := reviewSection{ID: sec.ID, Title: sec.Label(rq.Lang)}
		for _, qq := range sec.Questions {
			s := f.specs[qq.Path]
			row := reviewRow{Path: qq.Path, ID: fieldID(qq.Path), Label: qq.Label(rq.Lang), Comments: comments[qq.Path], Draft: drafts[qq.Path]}
			if g := parentPointer(qq.Path); g != "" {
				if l, ok := f.groups[g]; ok {
					row.group, row.groupLabel = g, l.Label(rq.Lang)
				}
			}
			nv, _ := lookup(now, qq.Path)
			row.Now = answerText(s, nv, rq.Lang)
			if before != nil {
				bv, _ := lookup(before, qq.Path)
				row.Before = answerText(s, bv, rq.Lang)
				row.Changed = !sameJSON(nv, bv)
				if row.Changed {
					v.Changes++
					if s != nil && s.Kind == questionnaire.Text && len(row.Now) == 1 && len(row.Before) == 1 {
						row.BeforeDiff, row.NowDiff, _ = wordDiff(row.Before[0], row.Now[0])
					}
				}
			}
			rs.Rows = append(rs.Rows, row)
		}
		v.Sections = append(v.Sections, rs)
	}
	v.ChangedOnly = v.Previous > 0 && r.FormValue("show") != "all"
	var kept []reviewSection
	for _, sec := range v.Sections {
		changed := reviewSection{ID: sec.ID, Title: sec.Title}
		shown := reviewSection{ID: sec.ID, Title: sec.Title}
		for _, row := range sec.Rows {
			if row.Changed {
				changed.Rows = append(changed.Rows, row)
			}
			// A comment typed on a row, and a row's threads, are never
			// hidden: the open threads listed at the top link to them.
			if !v.ChangedOnly || row.Changed || row.Draft != "" || len(row.Comments) > 0 {
				shown.Rows = append(shown.Rows, row)
			}
		}
		if len(changed.Rows) > 0 {
			v.Contents = append(v.Contents, changed)
		}
		if len(shown.Rows) > 0 {
			kept = append(kept, shown)
		}
	}
	v.Sections = kept
	for i := range v.Sections {
		last := ""
		for j := range v.Sections[i].Rows {
			row := &v.Sections[i].Rows[j]
			if row.group != last {
				row.Heading = row.groupLabel
				last = row.group
			}
		}
	}
	return v, nil
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// answerText writes an answer as lines of text for reading.
func answerText(s *questionnaire.Control, v any, lang string) []string {
	if v == nil {
		return nil
	}
	switch s.Kind {
	case questionnaire.Boolean:
		if b, ok := v.(bool); ok {
			if b {
				return []string{tr(lang, "Yes")}
			}
			return []string{tr(lang, "No")}
		}
	case questionnaire.SingleChoice:
		return []string{s.OptionLabel(optionString(v), lang)}
	case questionnaire.MultiChoice:
		if arr, ok := v.([]any); ok {
			var parts []string
			for _, e := range arr {
				parts = append(parts, s.OptionLabel(optionString(e), lang))
			}
			return []string{strings.Join(parts, ", ")}
		}
	case questionnaire.List:
		if arr, ok := v.([]any); ok {
			var out []string
			for _, e := range arr {
				out = append(out, itemText(s.Item, e, lang))
			}
			return out
		}
	}
	return []string{itemText(s, v, lang)}
}

func itemText(s *questionnaire.Control, v any, lang string) string {
	if s != nil && s.Kind == questionnaire.Object {
		m, _ := v.(map[string]any)
		var parts []string
		for _, p := range s.Fields {
			if pv, ok := m[p.Name]; ok {
				parts = append(parts, named(p.Labels, p.Name).Label(lang)+": "+strings.Join(answerText(p, pv, lang), "; "))
			}
		}
		return strings.Join(parts, " · ")
	}
	if s != nil && (s.Kind == questionnaire.Boolean || s.Kind == questionnaire.SingleChoice || s.Kind == questionnaire.MultiChoice) {
		return strings.Join(answerText(s, v, lang), "; ")
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		// A number reads as the page's language writes it, as the
		// country profile prints it.
		if f, err := x.Float64(); err == nil {
			return report.Answer(lang, f)
		}
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (h *Handler) reviewPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.reviewView(r, rq, nil)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "returned":
		v.Notice = tr(rq.Lang, "The submission is returned to the State with your comments.")
	case "accepted":
		v.Notice = tr(rq.Lang, "The submission is accepted.")
	case "commented":
		v.Notice = tr(rq.Lang, "Your comments are added.")
	case "reply":
		v.Notice = tr(rq.Lang, "Your reply is added.")
	case "resolve":
		v.Notice = tr(rq.Lang, "The thread is resolved.")
	case "reopen":
		v.Notice = tr(rq.Lang, "The thread is reopened.")
	}
	h.render(w, r, rq, http.StatusOK, "review", "Review", v)
	return nil
}

func (h *Handler) reviewPost(w http.ResponseWriter, r *http.Request, rq *req) error {
	drafts := map[string]string{}
	var comments []submission.CommentInput
	for k, vals := range r.PostForm {
		path, ok := strings.CutPrefix(k, "comment:")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		drafts[path] = vals[0]
		ci := submission.CommentInput{Body: strings.TrimSpace(vals[0])}
		if path != "" {
			p := path
			ci.Path = &p
		}
		comments = append(comments, ci)
	}
	// Comments in questionnaire order, whatever order the form sent.
	v, err := h.reviewView(r, rq, drafts)
	if err != nil {
		return err
	}
	order := map[string]int{"": -1}
	i := 0
	for _, s := range v.Sections {
		for _, row := range s.Rows {
			order[row.Path] = i
			i++
		}
	}
	sortComments(comments, order)
	version := postedVersion(r)
	stateName := v.State.Name
	if n, ok := state.NameIn(v.State.Code, rq.Lang); ok && n != "" {
		stateName = n
	}
	back := backTo(r.URL.Path, "general")
	switch act := r.PostFormValue("action"); {
	case act == "accept":
		if !h.confirmed(w, r, rq, "Accept the submission", confirmView{
			Question: tr(rq.Lang, "Accept the submission of {state}, version {version}?", "state", stateName, "version", version),
			Detail:   tr(rq.Lang, "Accepting ends the review of this submission: the State can change it again only if it is returned."),
			Button:   tr(rq.Lang, "Yes, accept it"), Back: back}) {
			return nil
		}
	case act == "return" && len(comments) > 0: // without a comment the service refuses it at once
		if !h.confirmed(w, r, rq, "Return to the State", confirmView{
			Question: tr(rq.Lang, "Return the submission of {state} with {count} comments?", "state", stateName, "count", len(comments)),
			Detail:   tr(rq.Lang, "The State can then change its answers and submit them again."),
			Button:   tr(rq.Lang, "Yes, return it"), Warn: true, Back: back}) {
			return nil
		}
	}
	var done string
	action := r.PostFormValue("action")
	if verb, id, ok := strings.Cut(action, ":"); ok && (verb == "reply" || verb == "resolve" || verb == "reopen") {
		return h.threadAction(w, r, rq, v, verb, id, len(comments) > 0)
	}
	switch action {
	case "return":
		_, err = h.Workflow.Return(r.Context(), rq.P, v.Sub.ID, version, comments)
		done = "returned"
	case "accept":
		_, err = h.Workflow.Accept(r.Context(), rq.P, v.Sub.ID, version)
		done = "accepted"
	case "comment":
		if len(comments) == 0 {
			err = apperr.BadInputT("write a comment first")
		}
		for _, c := range comments {
			if _, err = h.Workflow.Comment(r.Context(), rq.P, v.Sub.ID, c.Path, c.Body, nil); err != nil {
				break
			}
		}
		done = "commented"
	default:
		err = apperr.BadInputT("unknown action")
	}
	if c := apperr.CodeOf(err); err != nil && (c == apperr.BadInput || c == apperr.Conflict) {
		v.Error = apperr.Message(err, rq.Lang)
		h.render(w, r, rq, status(r, err), "review", "Review", v)
		return nil
	}
	if err != nil {
		return err
	}
	show := ""
	if r.FormValue("show") == "all" {
		show = "&show=all"
	}
	http.Redirect(w, r, "/review/"+url.PathEscape(v.Cycle.ID)+"/"+v.State.Code+"?done="+done+show, http.StatusSeeOther)
	return nil
}

// threadAction replies to a thread, or resolves or reopens it, from the
// review page. Comments typed elsewhere on the page are kept: with any,
// the page is shown again with them instead of redirecting.
func (h *Handler) threadAction(w http.ResponseWriter, r *http.Request, rq *req, v *reviewView, verb, id string, drafts bool) error {
	var err error
	var notice string
	switch verb {
	case "reply":
		_, err = h.Workflow.Comment(r.Context(), rq.P, v.Sub.ID, nil, r.PostFormValue("reply:"+id), &id)
		notice = tr(rq.Lang, "Your reply is added.")
	case "resolve":
		_, err = h.Workflow.ResolveComment(r.Context(), rq.P, id, true)
		notice = tr(rq.Lang, "The thread is resolved.")
	case "reopen":
		_, err = h.Workflow.ResolveComment(r.Context(), rq.P, id, false)
		notice = tr(rq.Lang, "The thread is reopened.")
	}
	if c := apperr.CodeOf(err); err != nil && (c == apperr.BadInput || c == apperr.NotFound) {
		v.Error = apperr.Message(err, rq.Lang)
		h.render(w, r, rq, status(r, err), "review", "Review", v)
		return nil
	}
	if err != nil {
		return err
	}
	if drafts {
		nv, err := h.reviewView(r, rq, draftsOf(r))
		if err != nil {
			return err
		}
		nv.Notice = notice
		h.render(w, r, rq, http.StatusOK, "review", "Review", nv)
		return nil
	}
	http.Redirect(w, r, "/review/"+url.PathEscape(v.Cycle.ID)+"/"+v.State.Code+"?done="+verb+"#t-"+id, http.StatusSeeOther)
	return nil
}

// draftsOf is the comments typed on the review page, by path.
func draftsOf(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, vals := range r.PostForm {
		if path, ok := strings.CutPrefix(k, "comment:"); ok && len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
			out[path] = vals[0]
		}
	}
	return out
}

func sortComments(cs []submission.CommentInput, order map[string]int) {
	key := func(c submission.CommentInput) int {
		if c.Path == nil {
			return -1
		}
		return order[*c.Path]
	}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && key(cs[j]) < key(cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

type statesView struct {
	States         []state.State
	Group          string
	RegionalGroups []string
	Parties        int
}

func (h *Handler) statesPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanSetStateParty(rq.P); err != nil {
		return err
	}
	v := statesView{Group: r.URL.Query().Get("group"), RegionalGroups: state.RegionalGroups()}
	f := state.Filter{}
	if v.Group != "" {
		f.RegionalGroup = &v.Group
	}
	var err error
	if v.States, err = h.States.List(r.Context(), f); err != nil {
		return err
	}
	state.SortByName(v.States, rq.Lang, func(s state.State) string { return s.Code })
	for _, s := range v.States {
		if s.Party {
			v.Parties++
		}
	}
	h.render(w, r, rq, http.StatusOK, "states", "States Parties", v)
	return nil
}

func (h *Handler) setParty(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanSetStateParty(rq.P); err != nil {
		return err
	}
	code := strings.ToUpper(r.PathValue("state"))
	st, err := h.States.Get(r.Context(), code)
	if err != nil {
		return err
	}
	name := st.Name
	if n, ok := state.NameIn(code, rq.Lang); ok && n != "" {
		name = n
	}
	party := r.PostFormValue("party") == "true"
	cv := confirmView{Question: tr(rq.Lang, "Mark {state} as a State Party?", "state", name),
		Detail: tr(rq.Lang, "Its focal points then report in the review cycles, and it counts among the States Parties in every list and report."),
		Button: tr(rq.Lang, "Yes, mark it as a Party"), Back: backTo(localPath(r.PostFormValue("next")), "st-"+code)}
	if !party {
		cv.Question = tr(rq.Lang, "Mark {state} as not a State Party?", "state", name)
		cv.Detail = tr(rq.Lang, "It then no longer counts among the States Parties in the lists and reports; its submissions are kept.")
		cv.Button, cv.Warn = tr(rq.Lang, "Yes, mark it as not a Party"), true
	}
	if !h.confirmed(w, r, rq, "States Parties", cv) {
		return nil
	}
	if _, err := h.States.SetParty(r.Context(), rq.P, code, party); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next"))+"#st-"+code, http.StatusSeeOther)
	return nil
}

type cycleFormView struct {
	Questionnaires []*questionnaire.Questionnaire
	ID, Name, QID  string
	Opens, Closes  string
	Errs           formErrs
}

func (h *Handler) cycleForm(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanOpenCycle(rq.P); err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "cycle_new", "Open a cycle", cycleFormView{Questionnaires: h.Registry.Questionnaires()})
	return nil
}

// cycleIDShape is the cycle ids the service takes (submission.OpenCycle),
// checked here too to say so beside the field.
var cycleIDShape = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// openCycle checks the form field by field, saying each problem with the
// field's label in the reader's language; the service checks it again.
func (h *Handler) openCycle(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := auth.CanOpenCycle(rq.P); err != nil {
		return err
	}
	v := cycleFormView{Questionnaires: h.Registry.Questionnaires(), ID: strings.TrimSpace(r.PostFormValue("id")),
		Name: r.PostFormValue("name"), QID: r.PostFormValue("questionnaire"),
		Opens: r.PostFormValue("opens_on"), Closes: r.PostFormValue("closes_on")}
	l := rq.Lang
	switch {
	case v.ID == "":
		v.Errs.add("id", tr(l, "Cycle id"), tr(l, "Enter a cycle id."))
	case !cycleIDShape.MatchString(v.ID):
		v.Errs.add("id", tr(l, "Cycle id"), tr(l, "Use up to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit."))
	}
	if n := strings.TrimSpace(v.Name); n == "" || utf8.RuneCountInString(n) > 200 {
		v.Errs.add("name", tr(l, "Name"), tr(l, "Enter a name of 1 to 200 characters."))
	}
	if _, ok := h.Registry.Get(v.QID); !ok {
		v.Errs.add("questionnaire", tr(l, "Questionnaire"), tr(l, "Choose a questionnaire from the list."))
	}
	opens, err1 := time.Parse(time.DateOnly, v.Opens)
	closes, err2 := time.Parse(time.DateOnly, v.Closes)
	if err1 != nil {
		v.Errs.add("opens_on", tr(l, "Opens on"), tr(l, "Enter the opening date as a date, e.g. 2028-11-01."))
	}
	switch {
	case err2 != nil:
		v.Errs.add("closes_on", tr(l, "Deadline (inclusive)"), tr(l, "Enter the deadline as a date, e.g. 2029-03-31."))
	case err1 == nil && closes.Before(opens):
		v.Errs.add("closes_on", tr(l, "Deadline (inclusive)"), tr(l, "The deadline must be on or after the opening date ({date}).", "date", dateText(opens)))
	}
	if len(v.Errs) > 0 {
		h.render(w, r, rq, http.StatusBadRequest, "cycle_new", "Open a cycle", v)
		return nil
	}
	_, err := h.Workflow.OpenCycle(r.Context(), rq.P, submission.Cycle{ID: v.ID, Name: v.Name, QuestionnaireID: v.QID, OpensOn: opens, ClosesOn: closes})
	switch c := apperr.CodeOf(err); {
	case err == nil:
		http.Redirect(w, r, "/review/"+url.PathEscape(v.ID), http.StatusSeeOther)
		return nil
	case c == apperr.Conflict:
		v.Errs.add("id", tr(l, "Cycle id"), tr(l, "A cycle with this id exists already: choose another id."))
	case c == apperr.BadInput || c == apperr.NotFound:
		v.Errs.add("id", "", tr(l, "The cycle could not be opened: {reason}", "reason", apperr.Message(err, l)))
	default:
		return err
	}
	h.render(w, r, rq, status(r, err), "cycle_new", "Open a cycle", v)
	return nil
}
