// Package web is IRM's HTML transport: server-rendered pages for focal
// points, the secretariat and working groups, beside the GraphQL one in
// graph/. Its handlers call the same domain services and policy functions
// as the resolvers; it holds no business rule and no SQL except for the
// tables it owns, web_sessions and web_key (sign-in by pasting a token
// once; an HttpOnly, SameSite=Strict session cookie, __Host- over TLS; a
// CSRF token on every form, derived from web_key's key; forms from
// other origins refused).
// Templates and assets are embedded; no request leaves the user's network.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/people"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/internal/translation"
)

// Deps are the services the pages call.
type Deps struct {
	Pool       *pgxpool.Pool // for web_sessions and web_key only
	Log        *slog.Logger
	Registry   *questionnaire.Registry
	Workflow   *submission.Service
	States     *state.Store
	Statistics *statistics.Service
	Tokens     *auth.Store
	Aggregates *aggregate.Service
	Reports    *schedule.Service // report runs and their PDFs
	People     *people.Service   // contacts, sign-in links, the outbox
	// Translation reads how far each questionnaire is translated, records
	// reviews and serves and receives the translation kits.
	Translation *translation.Service
	// SpoolUpload receives an uploaded file (the form's file part) under
	// the CSV endpoint's rules (an upload slot, whole into a temporary file,
	// at a minimum rate); nil reads it directly.
	SpoolUpload func(w http.ResponseWriter, r *http.Request, p auth.Principal, file io.Reader) (io.ReadCloser, error)
	// Dev serves the GraphQL explorer at /explorer, prefilled with the
	// headers ExplorerHeaders gives for the request (none: nil) and the
	// answers document ExplorerAnswers as the variable $answers.
	Dev             bool
	ExplorerHeaders func(*http.Request) map[string]string
	ExplorerAnswers json.RawMessage
	// ExplorerSchema is the GraphQL schema the explorer documents beside
	// its editor (nil: no documentation).
	ExplorerSchema *ast.Schema
}

// Handler serves the web application.
type Handler struct {
	Deps
	sessions sessions
	keys     keys
	origins  *http.CrossOriginProtection // same origin only, for every unsafe method
	tmpl     *template.Template
	forms    sync.Map    // questionnaire id → its *qform, for the questionnaire the registry holds (form)
	docs     *schemaDocs // the explorer's documentation of ExplorerSchema
	mux      *http.ServeMux
}

// New builds the web application. It fails when a template does not parse,
// a questionnaire cannot be turned into a form or the database has no key
// for the pages (web_key, made by irm migrate).
func New(ctx context.Context, d Deps) (*Handler, error) {
	h := &Handler{Deps: d, sessions: sessions{pool: d.Pool}, origins: http.NewCrossOriginProtection()}
	var err error
	if h.keys, err = loadKeys(ctx, d.Pool); err != nil {
		return nil, err
	}
	if h.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	for _, q := range d.Registry.Questionnaires() {
		f, err := newQForm(q)
		if err != nil {
			return nil, fmt.Errorf("questionnaire %s: %w", q.ID, err)
		}
		h.forms.Store(q.ID, f)
	}
	if d.Dev {
		h.docs = newSchemaDocs(d.ExplorerSchema)
	}
	h.routes()
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if err := h.origins.Check(r); err != nil {
		h.fail(w, r, nil, errCrossSite)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Refuse answers a page request that is refused before the pages serve it
// (over a rate limit, say) with err's status on an HTML error page, not
// the API's JSON: it reads no session, so it costs no database query.
func (h *Handler) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	securityHeaders(w)
	h.fail(w, r, nil, err)
}

func securityHeaders(w http.ResponseWriter) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Frame-Options", "DENY")
}

// errCrossSite refuses a form sent from another site, even a sibling
// subdomain: browsers say where a request comes from (Sec-Fetch-Site, or
// Origin in older ones), and the pages take unsafe methods only from
// their own origin. Requests without either header (curl, scripts) are
// not a browser's and pass on to the CSRF token check.
// form returns the form of questionnaire id as the registry holds it
// now: built again when an uploaded translation has replaced it.
func (h *Handler) form(id string) (*qform, error) {
	q, ok := h.Registry.Get(id)
	if !ok {
		return nil, apperr.NotFoundT("questionnaire {id} is not loaded", "id", id)
	}
	if f, ok := h.forms.Load(id); ok && f.(*qform).q == q {
		return f.(*qform), nil
	}
	f, err := newQForm(q)
	if err != nil {
		return nil, err
	}
	h.forms.Store(id, f)
	return f, nil
}

var errCrossSite = apperr.ForbiddenT("this form was sent from another site: IRM accepts forms only from its own pages; open the page on this site and send it again")

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /static/{file}", serveStatic)
	// Browsers and tools that ignore the page's icon link ask for this.
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	m.Handle("GET /{$}", h.page(h.home))
	m.Handle("GET /sign-in", h.public(h.signInForm))
	m.Handle("POST /sign-in", h.public(h.signIn))
	m.Handle("POST /sign-out", h.page(h.signOut))
	m.Handle("POST /sign-in/email", h.public(h.requestLink))
	m.Handle("GET "+people.LinkPath+"{secret}", h.public(h.linkPage))
	m.Handle("POST "+people.LinkPath+"{secret}", h.public(h.useLink))
	m.Handle("GET /contacts", h.page(h.contactsPage))
	m.Handle("POST /contacts", h.page(h.addContact))
	m.Handle("POST /contacts/{id}/invite", h.page(h.inviteContact))
	m.Handle("POST /contacts/{id}/deactivate", h.page(h.deactivateContact))
	m.Handle("GET /outbox", h.page(h.outboxPage))
	m.Handle("GET /reminders/{cycle}", h.page(h.remindersPage))
	m.Handle("POST /reminders/{cycle}", h.page(h.setReminders))
	m.Handle("POST /language", h.public(h.setLanguage))

	m.Handle("GET /cycles/{cycle}/states/{state}", h.page(h.questionnairePage))
	m.Handle("POST /cycles/{cycle}/states/{state}", h.largeForm(h.questionnairePost))
	m.Handle("POST /cycles/{cycle}/states/{state}/required", h.largeForm(h.requiredJSON))
	m.Handle("POST /cycles/{cycle}/states/{state}/consent", h.page(h.setConsent))
	m.Handle("GET /states/{state}/statistics", h.page(h.statisticsPage))
	m.Handle("POST /states/{state}/statistics", h.upload(h.statisticsUpload))

	m.Handle("GET /review/{cycle}", h.page(h.reviewList))
	m.Handle("GET /review/{cycle}/{state}", h.page(h.reviewPage))
	m.Handle("POST /review/{cycle}/{state}", h.largeForm(h.reviewPost))
	m.Handle("POST /review/{cycle}/extensions", h.page(h.grantExtension))
	m.Handle("GET /states", h.page(h.statesPage))
	m.Handle("POST /states/{state}/party", h.page(h.setParty))
	m.Handle("GET /cycles/new", h.page(h.cycleForm))
	m.Handle("POST /cycles", h.page(h.openCycle))

	m.Handle("GET /groups/{group}/{cycle}", h.page(h.dashboard))
	m.Handle("GET /runs", h.page(h.runsPage))
	m.Handle("POST /runs", h.page(h.renderReport))
	m.Handle("POST /runs/{run}/publish", h.page(h.publishRun))
	m.Handle("POST /schedules", h.page(h.createSchedule))
	m.Handle("POST /schedules/{schedule}/{action}", h.page(h.scheduleAction))
	m.Handle("GET /translations", h.page(h.translationsPage))
	m.Handle("GET /translations/{questionnaire}/{file}", h.page(h.translationKit))
	m.Handle("POST /translations/{questionnaire}", h.upload(h.uploadTranslation))
	m.Handle("POST /translations/{questionnaire}/{lang}/review", h.page(h.reviewTranslation))
	m.Handle("GET /published", h.page(h.reportsPage))
	m.Handle("GET /published/{file}", h.page(h.reportPDF))
	m.Handle("GET /", h.public(func(w http.ResponseWriter, r *http.Request, rq *req) error {
		return apperr.NotFoundT("there is no page at {path}", "path", r.URL.Path)
	}))

	if h.Dev {
		m.Handle("GET /explorer", h.public(h.explorer))
	}
	h.mux = m
}

// req is what every page handler gets: who is asking, in which language,
// with which CSRF token for the forms it renders.
type req struct {
	P    auth.Principal
	In   bool // signed in
	Lang string
	CSRF string
	sid  string
	// unoffered are the languages the browser asked for when none of them
	// is one of the six and no language was chosen: the page is in
	// English and says so.
	unoffered []string
	// ended is the id of this browser's session cookie when that session
	// can no longer be used (expired, its token revoked or expired since).
	ended string
}

type pageFunc func(w http.ResponseWriter, r *http.Request, rq *req) error

// Posted forms are bounded before they are parsed: the questionnaire's
// sections and the review's comments (largeForm) up to maxFormBytes, every
// other form (sign-in, sign-out, language, States Parties, a new cycle) up
// to smallFormBytes. Only the statistics upload takes multipart/form-data.
const smallFormBytes = 16 << 10

// public serves pages that need no session (sign-in, language); their
// forms carry the pre-session CSRF token, checked on POST.
func (h *Handler) public(fn pageFunc) http.Handler { return h.serve(false, smallFormBytes, fn) }

// page serves pages for signed-in users; others go to the sign-in page.
func (h *Handler) page(fn pageFunc) http.Handler { return h.serve(true, smallFormBytes, fn) }

// largeForm is page for the forms that may reach maxFormBytes.
func (h *Handler) largeForm(fn pageFunc) http.Handler { return h.serve(true, maxFormBytes, fn) }

func (h *Handler) serve(signedIn bool, maxBody int64, fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq, err := h.load(w, r)
		if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		if rq.In { // the services' transactions act as the principal (row-level security)
			r = r.WithContext(auth.WithPrincipal(r.Context(), rq.P))
		}
		if r.Method == http.MethodPost {
			if err := readForm(w, r, maxBody); err != nil {
				h.fail(w, r, rq, err)
				return
			}
			if signedIn && !rq.In && h.resume(w, r, rq) { // resume.go: an ended session, or signing in again
				return
			}
			if !h.csrfOK(r, rq) {
				h.fail(w, r, rq, errCSRF)
				return
			}
		}
		if signedIn && !rq.In {
			if r.Method == http.MethodGet {
				to := "/sign-in?next=" + url.QueryEscape(r.URL.RequestURI())
				if rq.ended != "" {
					to += "&ended=1"
				}
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
			h.fail(w, r, rq, apperr.T(apperr.Unauthenticated, "your session has ended: sign in again"))
			return
		}
		if err := fn(w, r, rq); err != nil {
			h.fail(w, r, rq, err)
		}
	})
}

// readForm parses a posted form of at most maxBody bytes, refusing a
// larger one (413, before a byte is read when its length is declared) and
// a multipart one (415, unread): nothing of a refused body is kept.
func readForm(w http.ResponseWriter, r *http.Request, maxBody int64) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return apperr.E(apperr.BadInput, http.StatusUnsupportedMediaType,
			"this form takes no file: send it as the page does (application/x-www-form-urlencoded)")
	}
	tooLarge := apperr.TooLargeT("the form is larger than {size} KiB: shorten what you typed and send it again", "size", maxBody>>10)
	if r.ContentLength > maxBody {
		return tooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tooLarge
		}
		return apperr.BadInputT("the form could not be read: {reason}", "reason", err)
	}
	return nil
}

// upload is page for a multipart POST, whose CSRF token is checked by
// the handler itself, before the file is received.
func (h *Handler) upload(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq, err := h.load(w, r)
		if err == nil && !rq.In {
			err = apperr.T(apperr.Unauthenticated, "your session has ended: sign in again")
		}
		if err == nil {
			r = r.WithContext(auth.WithPrincipal(r.Context(), rq.P))
		}
		if err == nil {
			err = fn(w, r, rq)
		}
		if err != nil {
			h.fail(w, r, rq, err)
		}
	})
}

var errCSRF = apperr.ForbiddenT("this form has expired or did not come from this site: go back, reload the page and send it again")

func (h *Handler) csrfOK(r *http.Request, rq *req) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return sameToken(got, rq.CSRF)
}

// load reads the session and the language.
func (h *Handler) load(w http.ResponseWriter, r *http.Request) (*req, error) {
	rq := newReq(r)
	if sid := cookie(r, sessionCookie); sid != "" {
		sess, ok, err := h.sessions.get(r.Context(), sid)
		if err != nil {
			return rq, err
		}
		if ok {
			p, err := h.Tokens.Principal(r.Context(), sess.TokenID)
			switch {
			case errors.Is(err, auth.ErrUnauthenticated): // revoked since
			case err != nil:
				return rq, err
			default:
				rq.P, rq.In, rq.CSRF, rq.sid = p, true, h.keys.csrf(sid), sid
				return rq, nil
			}
		}
		rq.ended = sid
	}
	if pre := cookie(r, preCookie); h.keys.preOK(pre) {
		rq.CSRF = pre
	} else {
		rq.CSRF = h.keys.newPre()
		setCookie(w, r, preCookie, rq.CSRF, 0)
	}
	return rq, nil
}

// status is the HTTP status of a domain error, as every transport maps it.
func status(r *http.Request, err error) int { return apperr.Present(r.Context(), err).Status }

// fail renders an error page through the one error presenter: a domain
// error with its message, anything else logged and shown only as
// "internal error (request …)".
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, rq *req, err error) {
	if rq == nil {
		rq = newReq(r)
	}
	p := httperr.Log(r, h.Log, err)
	if strings.HasSuffix(r.URL.Path, "/required") { // the page script's JSON endpoint
		httperr.WritePresented(w, p)
		return
	}
	if ra := p.RetryAfterHeader(); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	titles := map[int]string{401: "Sign in again", 403: "You may not open this page", 404: "Page not found",
		409: "This changed meanwhile", 400: "Something in the request is wrong", 413: "This is too large to send",
		429: "Too many requests: wait a moment", 500: "Something went wrong"}
	title, ok := titles[p.Status]
	if !ok {
		title = "Something in the request is wrong"
		if p.Status >= 500 {
			title = "Something went wrong"
		}
	}
	msg := p.In(rq.Lang)
	if rq.Lang != i18n.Default && (p.Internal || !p.Translated()) {
		// An internal error, or a message made without a catalogue key
		// (English only): the page says what the status means in a
		// sentence of its own.
		msg = statusSentence(rq.Lang, p.Status, apperr.RequestID(r.Context()))
	}
	h.render(w, r, rq, p.Status, "error", title, struct {
		Status  int
		Message string
	}{p.Status, msg})
}

// statusSentence says in lang what an error page's status means.
func statusSentence(lang string, status int, requestID string) string {
	switch {
	case status == http.StatusUnauthorized:
		return tr(lang, "Your session has ended. Sign in again to continue.")
	case status == http.StatusForbidden:
		return tr(lang, "Your role does not give access to this page.")
	case status == http.StatusNotFound:
		return tr(lang, "There is no page at this address.")
	case status == http.StatusConflict:
		return tr(lang, "This was changed at the same time by someone else. Go back, reload the page and try again.")
	case status == http.StatusRequestEntityTooLarge:
		return tr(lang, "What was sent is larger than this form accepts.")
	case status == http.StatusTooManyRequests:
		return tr(lang, "Too many requests came in a short time. Wait a moment and try again.")
	case status >= 500:
		return tr(lang, "The server could not complete the request. Try again; if it happens again, tell the secretariat this reference: {request}.", "request", requestID)
	}
	return tr(lang, "The request could not be carried out. Go back and try again.")
}
