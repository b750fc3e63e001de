package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
)

// What the questionnaire's page says about where the submission stands
// (issue 17): a cycle not open yet, a deadline passed, an accepted
// submission; what is still missing before submitting; a save refused
// (the answers typed stay in the form); a save over a newer version.

// missingLink is one required answer still missing, linked to its field.
type missingLink struct {
	Href, Label, Section string
}

// change is one answer of the section that differs between the version
// saved meanwhile and the answers just sent.
type change struct {
	Label, Saved, Yours, Href string
}

// missingLinks lists the required answers still missing in questionnaire
// order (section by section, question by question), each linked to its
// field: on this page to the field itself, else to the field on its
// section's page.
func (fc *formCtx) missingLinks(lang string, b *builder, required map[string]map[string]bool) []missingLink {
	var out []missingLink
	for _, sec := range fc.form.q.Sections {
		req := required[sec.ID]
		if len(req) == 0 {
			continue
		}
		paths := sortedKeys(req)
		for _, qq := range sec.Questions {
			for _, p := range paths {
				if p != qq.Path && !strings.HasPrefix(p, qq.Path+"/") {
					continue
				}
				delete(req, p)
				l := missingLink{Label: qq.Label(lang), Section: sec.Label(lang), Href: fc.url(sec.ID) + "#" + fieldID(p)}
				if p != qq.Path {
					l.Label += " – " + questionnaire.Humanize(lastToken(p))
				}
				if sec.ID == fc.sec.ID {
					if fl := nearest(b.index, b.order, p); fl != nil {
						l.Href = "#" + fl.ID
					} else {
						l.Href = "#" + fieldID(qq.Path)
					}
				}
				out = append(out, l)
			}
		}
		for _, p := range sortedKeys(req) { // a group required as a whole
			out = append(out, missingLink{Label: questionnaire.Humanize(lastToken(p)), Section: sec.Label(lang), Href: fc.url(sec.ID) + "#" + fieldID(p)})
		}
	}
	return out
}

func lastToken(ptr string) string {
	toks := splitPointer(ptr)
	if len(toks) == 0 {
		return ptr
	}
	return toks[len(toks)-1]
}

// sectionChanges compares the section's answers in two documents, question
// by question, and returns those that differ as a person reads them.
func (fc *formCtx) sectionChanges(lang string, saved, yours map[string]any) []change {
	var out []change
	for _, qq := range fc.sec.Questions {
		a, _ := lookup(saved, qq.Path)
		b, _ := lookup(yours, qq.Path)
		if canonicalJSON(a) == canonicalJSON(b) {
			continue
		}
		s := fc.form.specs[qq.Path]
		out = append(out, change{Label: qq.Label(lang), Saved: shown(s, a, lang), Yours: shown(s, b, lang), Href: "#" + fieldID(qq.Path)})
	}
	return out
}

func canonicalJSON(v any) string {
	b, _ := json.Marshal(v) // maps are written with sorted keys
	return string(b)
}

// shown is an answer as a person reads it: options by their labels, yes
// and no, rows one after the other.
func shown(s *questionnaire.Control, v any, lang string) string {
	if v == nil {
		return "–"
	}
	switch x := v.(type) {
	case bool:
		if x {
			return tr(lang, "Yes")
		}
		return tr(lang, "No")
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			var item *questionnaire.Control
			if s != nil {
				item = s.Item
				if s.Kind == questionnaire.MultiChoice {
					item = s
				}
			}
			parts = append(parts, shown(item, e, lang))
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if s != nil && len(s.Fields) > 0 {
			keys = keys[:0]
			for _, f := range s.Fields {
				if _, ok := x[f.Name]; ok {
					keys = append(keys, f.Name)
				}
			}
		}
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, questionnaire.Humanize(k)+": "+shown(nil, x[k], lang))
		}
		return strings.Join(parts, ", ")
	case string:
		if s != nil && (s.Kind == questionnaire.SingleChoice || s.Kind == questionnaire.MultiChoice) {
			return s.OptionLabel(x, lang)
		}
		return x
	}
	return canonicalJSON(v)
}

// refusal says in the reader's language why a save was refused; the
// answers typed stay in the form below it.
func refusal(lang string, c submission.Cycle, err error) string {
	switch apperr.CodeOf(err) {
	case apperr.Unauthenticated:
		return tr(lang, "Your session has ended. Sign in again to continue.")
	case apperr.Forbidden:
		return tr(lang, "Your role does not give access to this page.")
	case apperr.Conflict:
		if !c.Opened(time.Now()) {
			return notOpen(lang, c)
		}
		return tr(lang, "This submission was changed meanwhile, so your answers are not saved. They are still in the form below: reload the page in another tab to see the saved version.")
	}
	return tr(lang, "Your answers could not be saved as they are: something in them cannot be stored (for example an invisible character in pasted text). They are still in the form below; check them and save again.")
}

func notOpen(lang string, c submission.Cycle) string {
	return tr(lang, "This cycle opens on {date}: answers can be typed and saved from that day.", "date", dateText(c.OpensOn))
}

// refusedPage shows the form again with exactly what was sent and why it
// was not saved.
func (h *Handler) refusedPage(w http.ResponseWriter, r *http.Request, rq *req, fc *formCtx, vals values, err error) error {
	if apperr.CodeOf(err) == apperr.Internal {
		return err
	}
	v := h.formView(r, rq, fc, vals, nil)
	v.Version = postedVersion(r)
	v.Refused = refusal(rq.Lang, fc.cycle, err)
	h.render(w, r, rq, apperr.Present(r.Context(), err).Status, "questionnaire", fc.sec.Label(rq.Lang), v)
	return nil
}

// resumeQuestionnaire shows the questionnaire's form with the answers
// carried through the sign-in page after a session ended: back in the
// form, not saved yet.
func (h *Handler) resumeQuestionnaire(w http.ResponseWriter, r *http.Request, rq *req) error {
	fc, err := h.loadForm(r, rq, r.PostFormValue("section"))
	if err != nil {
		return err
	}
	form := postedValues(r)
	fc.form.decodeSection(fc.doc, fc.sec, form)
	vals := fc.form.encodeSection(fc.doc, fc.sec)
	keepRows(fc, form, vals)
	v := h.formView(r, rq, fc, vals, nil)
	v.Version = postedVersion(r)
	v.Notice = tr(rq.Lang, "You are signed in again. What you typed is back in the form below, not saved yet: save it now.")
	h.render(w, r, rq, http.StatusOK, "questionnaire", fc.sec.Label(rq.Lang), v)
	return nil
}

// postedValues are the posted form's values, with the line breaks a
// browser sends from a text area (CR LF) read as one character each, as
// the page's counter counts them and as a person does.
func postedValues(r *http.Request) values {
	out := make(values, len(r.PostForm))
	for k, vs := range r.PostForm {
		n := make([]string, len(vs))
		for i, v := range vs {
			n[i] = strings.ReplaceAll(v, "\r\n", "\n")
		}
		out[k] = n
	}
	return out
}

// keepRows keeps the rows the form showed, empty ones included, until the
// next save.
func keepRows(fc *formCtx, form, vals values) {
	for k := range form {
		if list, ok := strings.CutPrefix(k, "rows:"); ok && sectionOf(list) == fc.sec.ID {
			posted, _ := strconv.Atoi(form.get(k))
			kept, _ := strconv.Atoi(vals.get(k))
			vals[k] = []string{strconv.Itoa(min(max(posted, kept), maxRows))}
		}
	}
}

// dateFormatHint matches a sentence that gives a date's format in
// letters (YYYY-MM-DD, AAAA-MM-JJ, ГГГГ-ММ-ДД …): beside a date picker,
// which shows dates as the browser's settings say, it would contradict
// what is seen. The format's Latin or Cyrillic letters stand apart from
// other letters (\b knows only ASCII letters: a Cyrillic format slipped
// through it, and a Chinese sentence writes no space before the format).
var dateFormatHint = regexp.MustCompile(`(?i)[^.。]*(?:^|[^\pL\pN]|\p{Han})[\p{Latin}\p{Cyrillic}]{4}-[\p{Latin}\p{Cyrillic}]{2}-[\p{Latin}\p{Cyrillic}]{2}(?:[^\pL\pN.。][^.。]*|\p{Han}[^.。]*)?(?:[.。]|$)\s*`)

// dateHelp is a date field's help without its format hint.
func dateHelp(help string) string {
	return strings.TrimSpace(dateFormatHint.ReplaceAllString(help, ""))
}
