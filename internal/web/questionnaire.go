package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// maxFormBytes bounds a posted questionnaire section (and a review's
// comments); the answers document itself is bounded by the submission
// service.
const maxFormBytes = 2 << 20

type navSection struct {
	ID, Title, URL string
	Current        bool
	progress
}

type errorLink struct {
	Href, Message string
}

type viewComment struct {
	Author, Body, Question string
	Link                   string // the question's place, in another section
	At                     time.Time
	// Threads (issue 15): a thread's first comment carries its replies.
	ID       string
	Path     *string
	Resolved bool
	Replies  []viewComment
}

type conflict struct {
	SavedBy string
	SavedAt time.Time
	Version int
	Self    bool     // saved by the same person, in another window
	Changes []change // the section's answers that differ from those sent
}

type formView struct {
	Cycle                           submission.Cycle
	State                           state.State
	Title                           string
	Status                          string
	Version                         int
	Editable                        bool
	Action                          string
	Sections                        []navSection
	Section                         navSection
	SectionHelp                     string
	SectionHelpLang, SectionHelpDir string // "en" and "ltr" on an English fallback (helpIn)
	Fields                          []*Field
	Errors                          []errorLink
	Comments                        []viewComment // on the whole submission, or on questions of other sections
	Notice                          string
	Warning                         string // e.g. threads still open when the submission was sent
	Conflict                        *conflict
	NextSection                     string
	StorageKey                      string
	Saved                           bool
	SavedKey                        string // the storage key of the section just saved, when it is another
	TotalMissing                    int
	RequiredURL                     string
	SubmitBlocked                   bool
	// Where the submission stands (formstate.go).
	NotOpen      string        // the cycle has not opened yet: when it opens
	PastDeadline bool          // the deadline has passed: a submission now is late
	Accepted     bool          // accepted: final, its review comments are history
	AcceptedAt   time.Time     //
	History      []viewComment // past review comments, shown collapsed
	Missing      []missingLink // required answers still missing, in questionnaire order
	Refused      string        // why the answers just sent were not saved
	Unreviewed   bool          // the labels are a translation the secretariat has not reviewed
}

// formCtx is what one questionnaire request works on.
type formCtx struct {
	cycle submission.Cycle
	state state.State
	sub   *submission.Submission
	form  *qform
	sec   *questionnaire.Section
	next  string
	doc   map[string]any
}

func (h *Handler) loadForm(r *http.Request, rq *req, sectionID string) (*formCtx, error) {
	ctx := r.Context()
	code := strings.ToUpper(r.PathValue("state"))
	// The policy check comes first: a focal point learns nothing about
	// another State's submission, not even whether the cycle exists.
	sub, err := h.Workflow.Get(ctx, rq.P, r.PathValue("cycle"), code)
	if err != nil {
		return nil, err
	}
	c, err := h.Workflow.Cycle(ctx, r.PathValue("cycle"))
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
	fc := &formCtx{cycle: c, state: st, sub: sub, form: f}
	if sectionID == "" {
		sectionID = f.q.Sections[0].ID
	}
	sec, i := f.section(sectionID)
	if sec == nil {
		return nil, apperr.NotFoundT("questionnaire {id} has no section \"{section}\"", "id", f.q.ID, "section", sectionID)
	}
	fc.sec = sec
	if i+1 < len(f.q.Sections) {
		fc.next = f.q.Sections[i+1].ID
	}
	fc.doc = map[string]any{}
	if sub != nil {
		if fc.doc, err = decodeDoc(sub.Answers); err != nil {
			return nil, err
		}
	}
	return fc, nil
}

func (fc *formCtx) url(section string) string {
	return "/cycles/" + url.PathEscape(fc.cycle.ID) + "/states/" + fc.state.Code + "?section=" + url.QueryEscape(section)
}

// draftKey is where the page script keeps a section's unsaved answers in
// the browser: per person, cycle, State and section.
func (h *Handler) draftKey(rq *req, fc *formCtx, section string) string {
	return h.keys.drafts(rq.P.TokenID) + fc.cycle.ID + ":" + fc.state.Code + ":" + section
}

func (h *Handler) questionnairePage(w http.ResponseWriter, r *http.Request, rq *req) error {
	fc, err := h.loadForm(r, rq, r.URL.Query().Get("section"))
	if err != nil {
		return err
	}
	v := h.formView(r, rq, fc, fc.form.encodeSection(fc.doc, fc.sec), nil)
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Notice, v.Saved = tr(rq.Lang, "Your answers are saved."), true
		if from := r.URL.Query().Get("from"); from != "" {
			if sec, _ := fc.form.section(from); sec != nil {
				v.SavedKey = h.draftKey(rq, fc, sec.ID)
			}
		}
	case "submitted":
		v.Notice, v.Saved = tr(rq.Lang, "Your submission is sent to the secretariat. Thank you."), true
		if n, _ := strconv.Atoi(r.URL.Query().Get("open")); n > 0 {
			v.Warning = tr(rq.Lang, "{count} comment threads are still open: the secretariat may return the submission until they are answered.", "count", n)
		}
	case "replied":
		v.Notice = tr(rq.Lang, "Your answers are saved and your reply is added.")
	}
	h.render(w, r, rq, http.StatusOK, "questionnaire", fc.sec.Label(rq.Lang), v)
	return nil
}

// formView assembles the page: the section's fields with their values,
// what is required now, errors beside fields and in the summary, comments.
func (h *Handler) formView(r *http.Request, rq *req, fc *formCtx, vals values, errs []questionnaire.FieldError) *formView {
	v := &formView{Cycle: fc.cycle, State: fc.state, Title: fc.form.q.Label(rq.Lang), Status: "Not started",
		Editable: true, NextSection: fc.next,
		Action:      "/cycles/" + url.PathEscape(fc.cycle.ID) + "/states/" + fc.state.Code,
		StorageKey:  h.draftKey(rq, fc, fc.sec.ID),
		RequiredURL: "/cycles/" + url.PathEscape(fc.cycle.ID) + "/states/" + fc.state.Code + "/required"}
	v.SectionHelp, v.SectionHelpLang, v.SectionHelpDir = helpIn(fc.sec.Description, rq.Lang)
	v.Unreviewed = h.unreviewed(r, rq, fc.form.q.ID)
	if fc.sub != nil {
		v.Status, v.Version = string(fc.sub.Status), fc.sub.Version
		v.Editable = fc.sub.Status == submission.Draft || fc.sub.Status == submission.Returned
		v.Accepted, v.AcceptedAt = fc.sub.Status == submission.Accepted, fc.sub.UpdatedAt
	}
	now := time.Now()
	if !fc.cycle.Opened(now) { // nothing typed before the cycle opens could be saved
		v.Editable, v.NotOpen = false, notOpen(rq.Lang, fc.cycle)
	}
	// Late or not is decided by the first submission: only one not yet
	// sent is late from now on.
	v.PastDeadline = v.Editable && fc.cycle.PastDeadline(now) && (fc.sub == nil || fc.sub.SubmittedAt == nil)
	b := &builder{lang: rq.Lang, vals: vals, index: map[string]*Field{}, readOnly: !v.Editable}
	v.Fields = fc.form.fields(fc.sec, b)
	required := map[string]map[string]bool{}
	for _, s := range fc.form.q.Sections {
		ns := navSection{ID: s.ID, Title: s.Label(rq.Lang), URL: fc.url(s.ID), Current: s.ID == fc.sec.ID,
			progress: fc.form.progressOf(fc.doc, s)}
		required[s.ID] = maps.Clone(ns.Required)
		v.TotalMissing += ns.Missing
		if ns.Current {
			v.Section = ns
			for p := range ns.Required {
				if fl, ok := b.index[p]; ok {
					fl.Required = true
				}
			}
		}
		v.Sections = append(v.Sections, ns)
	}
	if v.Editable {
		v.Missing = fc.missingLinks(rq.Lang, b, required)
	}
	for _, e := range errs {
		msg := e.In(rq.Lang)
		href := "#"
		if sectionOf(e.Path) == fc.sec.ID {
			if fl := nearest(b.index, b.order, e.Path); fl != nil {
				fl.Errors = append(fl.Errors, msg)
				href = "#" + fl.ID
			}
		} else if s := sectionOf(e.Path); s != "" {
			href = fc.url(s) + "#" + fieldID(e.Path)
		}
		v.Errors = append(v.Errors, errorLink{Href: href, Message: msg})
	}
	if fc.sub != nil {
		if cs, err := h.Workflow.Comments(r.Context(), []string{fc.sub.ID}); err == nil && len(cs) == 1 {
			for _, t := range threads(cs[0]) {
				vc, c := *t, t
				if v.Accepted { // the review is over: its threads are history, not something to act on
					if c.Path != nil {
						vc.Question = *c.Path
						if qq, ok := fc.form.q.Question(*c.Path); ok {
							vc.Question = qq.Label(rq.Lang)
						}
					}
					v.History = append(v.History, vc)
					continue
				}
				if c.Path != nil && sectionOf(*c.Path) == fc.sec.ID {
					if fl := nearest(b.index, b.order, *c.Path); fl != nil {
						fl.Comments = append(fl.Comments, vc)
						continue
					}
				}
				if c.Path != nil {
					vc.Question = *c.Path
					if qq, ok := fc.form.q.Question(*c.Path); ok {
						vc.Question = qq.Label(rq.Lang)
					}
					vc.Link = fc.url(sectionOf(*c.Path)) + "#" + fieldID(*c.Path)
				}
				v.Comments = append(v.Comments, vc)
			}
		}
	}
	return v
}

func (h *Handler) questionnairePost(w http.ResponseWriter, r *http.Request, rq *req) error {
	fc, err := h.loadForm(r, rq, r.PostFormValue("section"))
	if err != nil {
		return err
	}
	form := postedValues(r)
	action := r.PostFormValue("action")
	if arg, ok := strings.CutPrefix(action, "remove:"); ok {
		form = removeRow(form, arg)
	}
	fc.form.decodeSection(fc.doc, fc.sec, form)
	vals := fc.form.encodeSection(fc.doc, fc.sec)
	lang := rq.Lang

	if strings.HasPrefix(action, "add:") || strings.HasPrefix(action, "remove:") {
		// Rows left empty are not answers, but the page keeps showing them
		// until the next save.
		keepRows(fc, form, vals)
		if arg, ok := strings.CutPrefix(action, "add:"); ok && sectionOf(arg) == fc.sec.ID {
			if s, known := fc.form.specs[arg]; known && s.Kind == questionnaire.List {
				n, _ := strconv.Atoi(vals.get("rows:" + arg))
				vals["rows:"+arg] = []string{strconv.Itoa(min(n+1, maxRows))}
			}
		}
		v := h.formView(r, rq, fc, vals, nil)
		v.Version = postedVersion(r)
		v.Notice = tr(lang, "The rows changed; your answers are not saved yet.")
		h.render(w, r, rq, http.StatusOK, "questionnaire", fc.sec.Label(lang), v)
		return nil
	}

	raw, err := json.Marshal(fc.doc)
	if err != nil {
		return err
	}
	var expected *int
	if n := postedVersion(r); n > 0 {
		expected = &n
	}
	if !fc.cycle.Opened(time.Now()) {
		return h.refusedPage(w, r, rq, fc, vals, apperr.ConflictT("the cycle has not opened"))
	}
	res, err := h.Workflow.SaveDraft(r.Context(), rq.P, fc.cycle.ID, fc.state.Code, raw, expected)
	if apperr.Is(err, apperr.Conflict) && fc.cycle.Opened(time.Now()) {
		return h.conflictPage(w, r, rq, fc, vals, err)
	}
	if err != nil {
		return h.refusedPage(w, r, rq, fc, vals, err)
	}
	if len(res.Errors) > 0 {
		v := h.formView(r, rq, fc, vals, res.Errors)
		v.Version = postedVersion(r)
		h.render(w, r, rq, http.StatusUnprocessableEntity, "questionnaire", fc.sec.Label(lang), v)
		return nil
	}
	fc.sub = res.Submission
	switch action {
	case "submit":
		sres, err := h.Workflow.Submit(r.Context(), rq.P, fc.cycle.ID, fc.state.Code, fc.sub.Version)
		if err != nil {
			return h.refusedPage(w, r, rq, fc, vals, err)
		}
		if len(sres.Errors) > 0 {
			fc.sub = sres.Submission
			if fc.doc, err = decodeDoc(fc.sub.Answers); err != nil {
				return err
			}
			v := h.formView(r, rq, fc, vals, sres.Errors)
			v.Notice = tr(lang, "Your answers are saved, but the submission is not sent: some answers are still missing or wrong.")
			h.render(w, r, rq, http.StatusUnprocessableEntity, "questionnaire", fc.sec.Label(lang), v)
			return nil
		}
		open := ""
		if sres.OpenThreads > 0 {
			open = "&open=" + strconv.Itoa(sres.OpenThreads)
		}
		http.Redirect(w, r, fc.url(fc.sec.ID)+"&done=submitted"+open, http.StatusSeeOther)
	case "next":
		target := fc.sec.ID
		if fc.next != "" {
			target = fc.next
		}
		http.Redirect(w, r, fc.url(target)+"&done=saved&from="+url.QueryEscape(fc.sec.ID), http.StatusSeeOther)
	default:
		if id, ok := strings.CutPrefix(action, "reply:"); ok {
			// The answers are saved above; then the reply.
			if _, err := h.Workflow.Comment(r.Context(), rq.P, fc.sub.ID, nil, r.PostFormValue("reply:"+id), &id); err != nil {
				if apperr.CodeOf(err) != apperr.BadInput && apperr.CodeOf(err) != apperr.NotFound {
					return err
				}
				v := h.formView(r, rq, fc, vals, nil)
				v.Errors = append(v.Errors, errorLink{Href: "#r-" + id, Message: apperr.Message(err, lang)})
				h.render(w, r, rq, status(r, err), "questionnaire", fc.sec.Label(lang), v)
				return nil
			}
			http.Redirect(w, r, fc.url(fc.sec.ID)+"&done=replied#t-"+id, http.StatusSeeOther)
			return nil
		}
		http.Redirect(w, r, fc.url(fc.sec.ID)+"&done=saved", http.StatusSeeOther)
	}
	return nil
}

func postedVersion(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("version"))
	return n
}

// conflictPage explains a stale version: who saved what and when; the
// answers just posted stay in the form, unsaved, and saving them again is
// an explicit choice over the newer version.
func (h *Handler) conflictPage(w http.ResponseWriter, r *http.Request, rq *req, fc *formCtx, vals values, cause error) error {
	cur, err := h.Workflow.Get(r.Context(), rq.P, fc.cycle.ID, fc.state.Code)
	if err != nil {
		return err
	}
	if cur == nil {
		return cause
	}
	c := &conflict{Version: cur.Version, SavedAt: cur.UpdatedAt}
	if vs, err := h.Workflow.Versions(r.Context(), []string{cur.ID}); err == nil && len(vs) == 1 && len(vs[0]) > 0 {
		last := vs[0][len(vs[0])-1]
		c.SavedBy, c.SavedAt = last.SavedBy, last.SavedAt
		c.Self = strings.EqualFold(last.SavedBy, rq.P.Name)
	}
	saved, err := decodeDoc(cur.Answers)
	if err != nil {
		return err
	}
	c.Changes = fc.sectionChanges(rq.Lang, saved, fc.doc)
	fc.sub = cur
	if cur.Status != submission.Draft && cur.Status != submission.Returned {
		// Not editable any more: the form shows what is saved, and what
		// was sent stays readable in the list of changes.
		fc.doc, vals = saved, fc.form.encodeSection(saved, fc.sec)
	}
	v := h.formView(r, rq, fc, vals, nil)
	v.Conflict = c
	h.render(w, r, rq, http.StatusConflict, "questionnaire", fc.sec.Label(rq.Lang), v)
	return nil
}

// requiredJSON answers the page's script: which questions of the section
// are required for the answers as they stand in the form (unsaved).
func (h *Handler) requiredJSON(w http.ResponseWriter, r *http.Request, rq *req) error {
	fc, err := h.loadForm(r, rq, r.PostFormValue("section"))
	if err != nil {
		return err
	}
	fc.form.decodeSection(fc.doc, fc.sec, values(r.PostForm))
	p := fc.form.progressOf(fc.doc, fc.sec)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"required": sortedKeys(p.Required), "answered": p.Answered,
		"questions": p.Questions, "missing": p.Missing, "progress": progressText(rq.Lang, p.Answered, p.Questions, p.Missing)})
}
