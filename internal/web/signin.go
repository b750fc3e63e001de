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
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request, rq *req) error {
	if rq.In {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	h.render(w, r, rq, http.StatusOK, "signin", "Sign in", signInView{Next: localPath(r.URL.Query().Get("next"))})
	return nil
}

// signIn checks the pasted token once and starts a session (audited; the
// token's oldest session ends beyond maxSessionsPerToken); the token is
// never stored, shown or sent back.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, rq *req) error {
	next := localPath(r.PostFormValue("next"))
	p, err := h.Tokens.Authenticate(r.Context(), strings.TrimSpace(r.PostFormValue("token")))
	if errors.Is(err, auth.ErrUnauthenticated) {
		h.render(w, r, rq, http.StatusUnauthorized, "signin", "Sign in", signInView{Next: next,
			Error: tr(rq.Lang, "That token is not valid. Paste the whole token, starting with irm_, as it was given to you.")})
		return nil
	}
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
