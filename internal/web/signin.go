package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

type signInView struct {
	Next   string
	Error  string
	Notice string // after a link was asked for
	Ended  bool   // the session ended: say so
	// Action is where the form goes ("/sign-in" when empty); the
	// questionnaire's form, sent after its session ended, comes back here
	// with its answers carried (resume.go).
	Action string
	Carry  []carried
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request, rq *req) error {
	if rq.In {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	h.render(w, r, rq, http.StatusOK, "signin", "Sign in", signInView{Next: localPath(r.URL.Query().Get("next")),
		Ended: r.URL.Query().Get("ended") == "1"})
	return nil
}

// signIn checks the pasted token once and starts a session (audited; the
// token's oldest session ends beyond maxSessionsPerToken); the token is
// never stored, shown or sent back.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, rq *req) error {
	next := localPath(r.PostFormValue("next"))
	secret := strings.TrimSpace(r.PostFormValue("token"))
	p, err := h.Tokens.Authenticate(r.Context(), secret)
	if errors.Is(err, auth.ErrUnauthenticated) {
		msg, err := h.tokenRefused(r, rq, secret)
		if err != nil {
			return err
		}
		h.render(w, r, rq, http.StatusUnauthorized, "signin", "Sign in", signInView{Next: next, Error: msg})
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.startSession(w, r, rq, p); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, rq *req) error {
	if err := h.sessions.end(r.Context(), rq.sid, rq.P); err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}

// forbiddenUnless turns a policy refusal into the page's error.
func forbiddenUnless(err error) error {
	if err != nil && apperr.CodeOf(err) == apperr.Forbidden {
		return err
	}
	return err
}
