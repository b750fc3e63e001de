package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The interface's own words are written in English in the templates and
// the Go code; each other language maps the English text to its own.
// Questionnaire labels come from the files' x-labels, with English
// fallback. TestEveryInterfaceTextIsTranslated keeps the tables complete.
var languages = []struct{ code, name string }{
	{"en", "English"},
	{"fr", "Français"},
}

func tr(lang, s string) string {
	if t, ok := dictionaries[lang][s]; ok {
		return t
	}
	return s
}

// language is the one chosen (a cookie), else the browser's first known
// one, else English.
func language(r *http.Request) string {
	if c := cookie(r, langCookie); known(c) {
		return c
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if known(tag[:min(2, len(tag))]) {
			return tag[:2]
		}
	}
	return "en"
}

func known(code string) bool {
	for _, l := range languages {
		if l.code == code {
			return true
		}
	}
	return false
}

// setLanguage keeps the chosen language in a cookie for a year and goes
// back to the page it was chosen on.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request, rq *req) error {
	l := r.PostFormValue("lang")
	if known(l) {
		setCookie(w, r, langCookie, l, 365*24*time.Hour)
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// localPath keeps a redirect target on this site.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || p == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/"
	}
	return p
}
