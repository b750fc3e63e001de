package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/people"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
)

// The people pages: sign-in by link (a link opens a page that asks to
// continue, so that a mail scanner that follows links does not use it
// up), a new link by e-mail, the contacts, and the secretariat's outbox.

type linkView struct {
	Secret string
	Name   string
	Valid  bool
}

func (h *Handler) linkPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	secret := r.PathValue("secret")
	c, err := h.People.LinkContact(r.Context(), secret)
	if errors.Is(err, people.ErrLinkInvalid) {
		h.render(w, r, rq, http.StatusNotFound, "link", "Sign in", linkView{})
		return nil
	}
	if err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "link", "Sign in", linkView{Secret: secret, Name: c.Name, Valid: true})
	return nil
}

// useLink uses the link once and starts a web session as its contact
// (audited, as a pasted token's).
func (h *Handler) useLink(w http.ResponseWriter, r *http.Request, rq *req) error {
	tokenID, err := h.People.UseLink(r.Context(), r.PathValue("secret"))
	if errors.Is(err, people.ErrLinkInvalid) {
		h.render(w, r, rq, http.StatusNotFound, "link", "Sign in", linkView{})
		return nil
	}
	if err != nil {
		return err
	}
	p, err := h.Tokens.Principal(r.Context(), tokenID)
	if err != nil {
		return err
	}
	if rq.sid != "" {
		h.sessions.end(r.Context(), rq.sid, rq.P) //nolint:errcheck // replaced below either way
	}
	id, err := h.sessions.start(r.Context(), p)
	if err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, id, 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// requestLink e-mails a new link to a registered address; the answer is
// the same whether the address is known or not (and whether a link went
// out or the person asked too often).
func (h *Handler) requestLink(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := h.People.RequestLink(r.Context(), r.PostFormValue("email")); err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "signin", "Sign in", signInView{Next: "/",
		Notice: tr(rq.Lang, "If this address belongs to a registered person, a sign-in link is on its way to it. The link works once, for 24 hours.")})
	return nil
}

type contactsView struct {
	Contacts      []people.Contact
	Manage        bool
	Languages     []i18n.Language
	WorkingGroups []questionnaire.WorkingGroup
	Error         string
	Notice        string
	Form          people.ContactInput
}

func (h *Handler) contactsPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	return h.renderContacts(w, r, rq, http.StatusOK, contactsView{})
}

func (h *Handler) renderContacts(w http.ResponseWriter, r *http.Request, rq *req, status int, v contactsView) error {
	list, err := h.People.Contacts(r.Context(), rq.P, "")
	if err != nil {
		return err
	}
	v.Contacts, v.Manage, v.Languages, v.WorkingGroups = list, rq.P.Role == auth.Secretariat, i18n.Languages, h.Registry.WorkingGroups()
	if v.Form.Language == "" {
		v.Form.Language = rq.Lang // the new person's messages: the page's language unless chosen
	}
	h.render(w, r, rq, status, "contacts", "Contacts", v)
	return nil
}

func (h *Handler) addContact(w http.ResponseWriter, r *http.Request, rq *req) error {
	in := people.ContactInput{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Language: r.PostFormValue("language"),
		Role: auth.Role(r.PostFormValue("role")), State: strings.TrimSpace(r.PostFormValue("state")), WorkingGroups: r.PostForm["wg"]}
	if in.Role != auth.FocalPoint {
		in.State = ""
	}
	if in.Role != auth.WorkingGroup {
		in.WorkingGroups = nil
	}
	c, err := h.People.AddContact(r.Context(), rq.P, in)
	if code := apperr.CodeOf(err); code == apperr.BadInput || code == apperr.NotFound || code == apperr.Conflict {
		// What was typed stays in the form, with what is wrong with it.
		return h.renderContacts(w, r, rq, status(r, err), contactsView{Error: apperr.Present(r.Context(), err).Message, Form: in})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/contacts#contact-"+c.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) inviteContact(w http.ResponseWriter, r *http.Request, rq *req) error {
	if _, err := h.People.Invite(r.Context(), rq.P, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/outbox", http.StatusSeeOther)
	return nil
}

func (h *Handler) deactivateContact(w http.ResponseWriter, r *http.Request, rq *req) error {
	if _, err := h.People.DeactivateContact(r.Context(), rq.P, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/contacts#contact-"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

type outboxView struct {
	Messages []people.Notification
	Relay    bool
	Cycles   []submission.Cycle // their reminders' pages
}

func (h *Handler) outboxPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	list, err := h.People.Outbox(r.Context(), rq.P, 200)
	if err != nil {
		return err
	}
	for i, m := range list { // the page links on its own site, whatever --public-url says
		if u, err := url.Parse(m.Link); err == nil && m.Link != "" {
			list[i].Link = u.EscapedPath()
		}
	}
	cycles, err := h.Workflow.Cycles(r.Context())
	if err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "outbox", "Outbox", outboxView{Messages: list, Relay: h.People.Relay(), Cycles: cycles})
	return nil
}

type remindersView struct {
	Cycle  submission.Cycle
	Days   string
	Weekly bool
	Plan   []people.Planned
	Error  string
	Saved  bool
}

// remindersPage shows a cycle's reminder rules, a form to change them,
// and who would get which reminder on which day (the secretariat).
func (h *Handler) remindersPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	return h.renderReminders(w, r, rq, http.StatusOK, remindersView{Saved: r.URL.Query().Get("saved") == "1"})
}

func (h *Handler) renderReminders(w http.ResponseWriter, r *http.Request, rq *req, status int, v remindersView) error {
	id := r.PathValue("cycle")
	rules, err := h.People.ReminderRules(r.Context(), rq.P, id)
	if err != nil {
		return err
	}
	if v.Cycle, err = h.Workflow.Cycle(r.Context(), id); err != nil {
		return err
	}
	if v.Plan, err = h.People.PreviewReminders(r.Context(), rq.P, id); err != nil {
		return err
	}
	if v.Error == "" {
		days := make([]string, len(rules.DaysBefore))
		for i, d := range rules.DaysBefore {
			days[i] = strconv.Itoa(d)
		}
		v.Days, v.Weekly = strings.Join(days, ", "), rules.WeeklyAfterDeadline
	}
	h.render(w, r, rq, status, "reminders", "Reminders", v)
	return nil
}

func (h *Handler) setReminders(w http.ResponseWriter, r *http.Request, rq *req) error {
	id := r.PathValue("cycle")
	typed := r.PostFormValue("days")
	weekly := r.PostFormValue("weekly") == "true"
	var days []int
	for f := range strings.FieldsFuncSeq(typed, func(c rune) bool { return c == ',' || c == ' ' || c == ';' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return h.renderReminders(w, r, rq, http.StatusBadRequest, remindersView{Days: typed, Weekly: weekly,
				Error: tr(rq.Lang, "Write whole numbers of days, separated by commas: for example 30, 7, 1.")})
		}
		days = append(days, n)
	}
	_, err := h.People.SetReminderRules(r.Context(), rq.P, id, days, weekly)
	if apperr.CodeOf(err) == apperr.BadInput {
		return h.renderReminders(w, r, rq, http.StatusBadRequest, remindersView{Days: typed, Weekly: weekly,
			Error: tr(rq.Lang, "Write whole numbers of days, separated by commas: for example 30, 7, 1.")})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/reminders/"+url.PathEscape(id)+"?saved=1", http.StatusSeeOther)
	return nil
}
