package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
)

// The interface's words come from the catalogues of internal/i18n: the
// templates and the Go code name a message by its key (its English text)
// and give its placeholders by name. Questionnaire labels come from the
// files' x-labels, with English fallback. TestEveryTemplateKeyIsInTheCatalogue
// keeps the keys and the catalogues together.

// tr is the message key in lang, its placeholders filled from args (pairs
// of name and value).
func tr(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// progressText is a section's progress as the navigation and the page's
// script show it: two whole sentences.
func progressText(lang string, answered, questions, missing int) string {
	done := tr(lang, "{count} of {total} answered", "count", answered, "total", questions)
	if missing == 0 {
		return done + " · " + tr(lang, "nothing missing")
	}
	return done + " · " + tr(lang, "{count} still required", "count", missing)
}

// language is the one chosen (a cookie), else the best match of the
// browser's Accept-Language among the six, else English.
func language(r *http.Request) string {
	if c := cookie(r, langCookie); i18n.Known(c) {
		return c
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// newReq is a request's language as language chooses it, with the
// languages the browser asked for when it asked only for others than the
// six (and chose none here).
func newReq(r *http.Request) *req {
	rq := &req{Lang: language(r)}
	if !i18n.Known(cookie(r, langCookie)) {
		rq.unoffered = i18n.Unoffered(r.Header.Get("Accept-Language"))
	}
	return rq
}

// setLanguage keeps the chosen language in a cookie for a year and goes
// back to the page it was chosen on.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request, rq *req) error {
	l := r.PostFormValue("lang")
	if !i18n.Known(l) {
		// Only a hand-made form asks for another: it is told which there are.
		return apperr.BadInputT("language \"{language}\": use one of {languages}", "language", l, "languages", "ar, zh, en, fr, ru, es")
	}
	setCookie(w, r, langCookie, l, 365*24*time.Hour)
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

// unreviewed reports whether a page in rq.Lang shows the labels of
// questionnaire id in a translation the secretariat has not reviewed, so
// that the page says the English is authoritative. English is the
// original. One single-row query; when it fails the page still shows,
// with the notice (it is never wrong to point to the original).
func (h *Handler) unreviewed(r *http.Request, rq *req, id string) bool {
	if rq.Lang == "en" {
		return false
	}
	if h.Translation == nil {
		return true
	}
	ok, err := h.Translation.Reviewed(r.Context(), id, rq.Lang)
	if err != nil {
		h.Log.ErrorContext(r.Context(), "translation review", "questionnaire", id, "lang", rq.Lang, "err", err)
		return true
	}
	return !ok
}
