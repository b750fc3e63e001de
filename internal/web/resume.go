package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/auth"
)

// A session ends (12 hours after sign-in, or when its token is revoked or
// expires) while a page is open. What the person sends next is not lost:
//
//   - a page asked for (GET) goes to the sign-in page, which says that the
//     session ended, and back to the page after sign-in (next);
//   - a form sent from the ended session's page (its CSRF token, derived
//     from the session cookie this browser still holds, proves it) gets
//     the sign-in page saying so, with 401; the questionnaire's form comes
//     back whole inside it, as hidden fields beside the token: signing in
//     there puts every answer typed back in the form, unsaved, in the new
//     session (resumeQuestionnaire).

// questionnairePost is the pattern of the questionnaire's form, the one
// form whose answers the sign-in page carries.
const questionnairePost = "POST /cycles/{cycle}/states/{state}"

// carried is one posted value the sign-in page sends on.
type carried struct{ Name, Value string }

// resume answers a form posted to a page for signed-in people without a
// live session, when it can do better than refuse it: it reports whether
// it answered.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request, rq *req) bool {
	carry := r.Pattern == questionnairePost
	if carry && r.PostForm.Has("token") {
		// Signed in again from the page below, with the pre-session CSRF token.
		if !h.csrfOK(r, rq) {
			h.fail(w, r, rq, errCSRF)
			return true
		}
		secret := strings.TrimSpace(r.PostFormValue("token"))
		p, err := h.Tokens.Authenticate(r.Context(), secret)
		if errors.Is(err, auth.ErrUnauthenticated) {
			msg, err := h.tokenRefused(r, rq, secret)
			if err != nil {
				h.fail(w, r, rq, err)
				return true
			}
			h.sessionEnded(w, r, rq, true, msg)
			return true
		}
		if err == nil {
			err = h.startSession(w, r, rq, p)
		}
		if err == nil {
			err = h.resumeQuestionnaire(w, r.WithContext(auth.WithPrincipal(r.Context(), p)), rq)
		}
		if err != nil {
			h.fail(w, r, rq, err)
		}
		return true
	}
	if rq.ended == "" || !sameToken(r.PostFormValue("csrf"), h.keys.csrf(rq.ended)) {
		return false
	}
	h.sessionEnded(w, r, rq, carry, "")
	return true
}

// sessionEnded renders the sign-in page for a form sent after its session
// ended: with the questionnaire's answers carried (carry), or with the
// page the form came from as where to go after sign-in.
func (h *Handler) sessionEnded(w http.ResponseWriter, r *http.Request, rq *req, carry bool, tokenError string) {
	v := signInView{Ended: true, Error: tokenError, Next: r.URL.Path}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		v.Next = localPath(ref.RequestURI())
	}
	if carry {
		v.Action = r.URL.Path
		for name, vs := range r.PostForm {
			if name == "csrf" || name == "token" || name == "action" || name == "next" {
				continue
			}
			for _, val := range vs {
				v.Carry = append(v.Carry, carried{Name: name, Value: val})
			}
		}
		sort.SliceStable(v.Carry, func(i, j int) bool { return v.Carry[i].Name < v.Carry[j].Name })
	}
	h.render(w, r, rq, http.StatusUnauthorized, "signin", "Sign in", v)
}

// startSession starts a session for p in place of this browser's ended
// one and makes rq act in it.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, rq *req, p auth.Principal) error {
	if rq.sid != "" {
		h.sessions.end(r.Context(), rq.sid, rq.P) //nolint:errcheck // replaced below either way
	}
	id, err := h.sessions.start(r.Context(), p)
	if err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, id, 0)
	rq.P, rq.In, rq.CSRF, rq.sid, rq.ended = p, true, h.keys.csrf(id), id, ""
	return nil
}

// tokenRefused says in the reader's language why a pasted token does not
// sign in: expired, revoked, or not a token at all.
func (h *Handler) tokenRefused(r *http.Request, rq *req, secret string) (string, error) {
	at, revoked, lapsed, err := h.Tokens.Lapsed(r.Context(), secret)
	switch {
	case err != nil:
		return "", err
	case lapsed && revoked:
		return tr(rq.Lang, "This token was withdrawn on {date}. Ask the secretariat for a new token.", "date", dateText(at)), nil
	case lapsed:
		return tr(rq.Lang, "This token expired on {date}. Ask the secretariat for a new token.", "date", dateText(at)), nil
	}
	return tr(rq.Lang, "That token is not valid. Paste the whole token, starting with irm_, as it was given to you."), nil
}

// dateText is a date as the pages print it (the template function date).
func dateText(t time.Time) string {
	return "\u2066" + unbroken(t.UTC().Format("2006-01-02")) + "\u2069"
}
