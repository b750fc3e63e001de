package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// fieldErr is one problem with a posted form, said against the field's
// label as the form shows it (in the reader's language), never against
// the API's field name: the summary links it to the field by ID.
type fieldErr struct {
	ID, Label, Message string
}

// formErrs are a form's problems in the form's order.
type formErrs []fieldErr

func (e *formErrs) add(id, label, msg string) {
	*e = append(*e, fieldErr{ID: id, Label: label, Message: msg})
}

// For is the message for the field id, "" when it has none.
func (e formErrs) For(id string) string {
	for _, f := range e {
		if f.ID == id {
			return f.Message
		}
	}
	return ""
}

// confirmView is the confirmation step of a consequential action, which
// works without a script: the same form again, with every field it was
// sent with, and confirmed=yes.
type confirmView struct {
	Question, Detail, Button string
	Warn                     bool
	Action, Back             string
	Fields                   []hiddenField
}

type hiddenField struct{ Name, Value string }

// confirmed reports whether the posted form r says it was confirmed;
// if not, it renders the confirmation step (question and detail in the
// reader's language, button the confirming button's words) and the
// handler stops.
func (h *Handler) confirmed(w http.ResponseWriter, r *http.Request, rq *req, title string, v confirmView) bool {
	if r.PostFormValue("confirmed") == "yes" {
		return true
	}
	v.Action = r.URL.Path
	v.Back = localPath(v.Back)
	names := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		if k != "csrf" && k != "confirmed" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, val := range r.PostForm[k] {
			v.Fields = append(v.Fields, hiddenField{Name: k, Value: val})
		}
	}
	h.render(w, r, rq, http.StatusOK, "confirm", title, v)
	return false
}

// backTo is a page's own address with a fragment, for a confirmation's
// "No, go back".
func backTo(path, fragment string) string {
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	return path + "#" + url.PathEscape(fragment)
}
