// Package httpapi is IRM's HTTP API beside GraphQL (graph/) and the pages
// (internal/web): the statistics CSV upload and its template, the report
// PDFs, /healthz, and the middleware every request passes — request ids,
// panics, rate limits per address and per token, body bounds, JSON only,
// bearer authentication and idempotency keys. internal/app wires these
// around the three transports.
package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/httpapi/reqbody"
)

// MaxBodyBytes bounds a GraphQL request body; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Config configures the API.
type Config struct {
	Log *slog.Logger
	// Limits per caller; zero fields take their defaults.
	Limits Limits
	// SpoolDir receives uploads before they are stored ("": the system's
	// temporary folder).
	SpoolDir string
}

// Refuser answers a page request refused before it was served (the web
// application's HTML error page).
type Refuser interface {
	Refuse(http.ResponseWriter, *http.Request, error)
}

// API holds what the HTTP API's handlers and middleware share.
type API struct {
	log      *slog.Logger
	limits   Limits
	rates    *rateLimiter
	uploads  *uploadSlots
	spoolDir string
	// pages refuses the requests isPage says are the web application's
	// with its HTML error page.
	pages  Refuser
	isPage func(*http.Request) bool
}

// refuse answers a request refused before it was served, after reading a
// bounded part of what the client is still sending: a page request with
// the web application's HTML error page, the others in the API's JSON.
func (s *API) refuse(w http.ResponseWriter, r *http.Request, err error) {
	drain(w, r)
	if s.pages != nil && s.isPage(r) {
		s.pages.Refuse(w, r, err)
		return
	}
	httperr.Write(w, r, s.log, err)
}

// New returns the API configured by cfg.
func New(cfg Config) *API {
	limits := cfg.Limits.WithDefaults()
	return &API{log: cfg.Log, limits: limits, rates: newRateLimiter(),
		uploads: newUploadSlots(limits.Uploads, limits.UploadsPerToken), spoolDir: cfg.SpoolDir}
}

// RefusePagesWith sends the refusals of requests isPage says are the web
// application's to pages, as HTML.
func (s *API) RefusePagesWith(pages Refuser, isPage func(*http.Request) bool) {
	s.pages, s.isPage = pages, isPage
}

// WithRequestID gives every request an id (X-Request-Id, and in the
// context for logs and internal errors).
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b) //nolint:errcheck
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(apperr.WithRequestID(r.Context(), id)))
	})
}

// RecoverPanics answers a handler's panic as an internal error.
func RecoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				httperr.Write(w, r, log, fmt.Errorf("panic in handler: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// LimitBody reads the body once, at most MaxBodyBytes (more is refused
// with 413 before any parsing), into one buffer that every later reader
// shares (reqbody): the idempotency check, the duplicate-key check and
// gqlgen read those bytes, not the body again.
func LimitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooLarge := apperr.TooLargeT("the request body is larger than {max} bytes", "max", MaxBodyBytes)
		if r.ContentLength > MaxBodyBytes {
			httperr.Write(w, r, nil, tooLarge)
			return
		}
		body, err := readBody(r)
		if err != nil {
			httperr.Write(w, r, nil, apperr.BadInputT("could not read the request body"))
			return
		}
		if len(body) > MaxBodyBytes {
			httperr.Write(w, r, nil, tooLarge)
			return
		}
		next.ServeHTTP(w, reqbody.Keep(r, body))
	})
}

// readBody reads at most MaxBodyBytes+1 of r's body: into one buffer of
// the declared length (and a byte more, to see the end), or, with none
// declared, as it comes.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength < 0 {
		return io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	}
	buf := make([]byte, r.ContentLength+1)
	n, err := io.ReadFull(r.Body, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return buf[:n], nil
	case err != nil:
		return nil, err
	}
	rest, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1-int64(n))) // longer than declared
	return append(buf, rest...), err
}

// RequireJSON refuses a POST whose body is not declared as JSON with 415
// in the contract's error shape (gqlgen would answer a bare 400).
func RequireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			httperr.Write(w, r, nil, apperr.E(apperr.BadInput, http.StatusUnsupportedMediaType,
				`send the operation as JSON with "Content-Type: application/json"`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Authenticate puts the bearer token's principal in the context; requests
// without a valid token get 401 and never reach a resolver.
func Authenticate(tokens *auth.Store, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			httperr.Write(w, r, log, apperr.T(apperr.Unauthenticated, `send "Authorization: Bearer TOKEN" (irm token create makes one)`))
			return
		}
		p, err := tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, auth.ErrUnauthenticated) {
			httperr.Write(w, r, log, err)
			return
		}
		if err != nil {
			// The database did not answer: the client may retry.
			pres := httperr.Log(r, log, fmt.Errorf("authenticate: %w", err))
			pres.Status = http.StatusServiceUnavailable
			httperr.WritePresented(w, pres)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}
