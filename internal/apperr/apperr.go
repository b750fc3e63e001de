// Package apperr owns the error taxonomy that crosses package boundaries:
// every domain error carries one of the contract's codes, and Present is
// the one mapping from an error to what a client sees (code, HTTP status,
// message) that every transport uses: GraphQL, CSV, PDFs and pages.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cosp-ict/irm/internal/i18n"
)

// Code is one of the contract's error codes.
type Code string

const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	BadInput        Code = "BAD_USER_INPUT"
	// RateLimited is a caller over one of its limits of rate or
	// concurrency: the same request succeeds later (Retry-After says
	// when), unlike a BAD_USER_INPUT.
	RateLimited Code = "RATE_LIMITED"
	Internal    Code = "INTERNAL"
)

// HTTPStatus is the status a transport answers a request with when the
// request as a whole fails with c.
func (c Code) HTTPStatus() int {
	switch c {
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case BadInput:
		return http.StatusBadRequest
	case RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Error is a domain error whose message is safe to show to the caller.
type Error struct {
	Code    Code
	Message string
	// Status overrides the code's HTTP status (413 for a body over a
	// limit, 429 for a rate limit ...); 0 means Code.HTTPStatus().
	Status int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Key is the message's key in the internal/i18n catalogue (its English
	// text with named placeholders, "no cycle with id \"{id}\""), and Args
	// its parameters, pairs of name and value; Message is the English text
	// the two make, which logs read. An error made with a format (the ...f
	// constructors) has no key and is English in every language.
	Key  string
	Args []any
}

func (e *Error) Error() string { return e.Message }

// In is the error's message in lang (one of internal/i18n's six): the
// catalogue's sentence with its placeholders filled. A parameter that is
// itself a domain error is given in lang too.
func (e *Error) In(lang string) string {
	if e.Key == "" {
		return e.Message
	}
	return i18n.T(lang, e.Key, localArgs(lang, e.Args)...)
}

// Phrase is a parameter that is itself a catalogue key, a part of a
// sentence the catalogue translates whole ("open a cycle" in "a {role}
// token may not {action}").
type Phrase string

func localArgs(lang string, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if i%2 == 1 {
			switch v := a.(type) {
			case error:
				a = Message(v, lang)
			case Phrase:
				a = i18n.T(lang, string(v))
			}
		}
		out[i] = a
	}
	return out
}

// Message is err's message in lang: a domain error's through the
// catalogue, anything else as it is.
func Message(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.In(lang)
	}
	return err.Error()
}

// Stored is err's message kept as data, to be read later in any
// language (a report run's failure): the key and parameters of the first
// domain error in err's chain that has a key, and false when there is
// none. A parameter that is itself an error or a phrase is kept as its
// English text.
func Stored(err error) (i18n.Message, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Key == "" {
		return i18n.Message{}, false
	}
	key := e.Key // passed on: the error's own key, checked where it was made
	return i18n.M(key, localArgs(i18n.Default, e.Args)...), true
}

// T returns a domain error with code whose message is the catalogue's
// key with its named placeholders filled from args, pairs of name and
// value: T(NotFound, "no cycle with id \"{id}\"", "id", id). The key
// must be a string literal in the internal/i18n catalogue (a test reads
// the code for them).
func T(code Code, key string, args ...any) error { return newT(code, 0, key, args) }

// E is T with an HTTP status of its own (0: the code's), for the few
// errors that also set RetryAfter.
func E(code Code, status int, key string, args ...any) *Error { return newT(code, status, key, args) }

func newT(code Code, status int, key string, args []any) *Error {
	return &Error{Code: code, Status: status, Key: key, Args: args, Message: i18n.T(i18n.Default, key, localArgs(i18n.Default, args)...)}
}

// Catalogue-keyed shorthands, one per code (see T).
func NotFoundT(key string, args ...any) error  { return newT(NotFound, 0, key, args) }
func ConflictT(key string, args ...any) error  { return newT(Conflict, 0, key, args) }
func BadInputT(key string, args ...any) error  { return newT(BadInput, 0, key, args) }
func ForbiddenT(key string, args ...any) error { return newT(Forbidden, 0, key, args) }

// TooLargeT is TooLargef with a catalogue key (HTTP 413).
func TooLargeT(key string, args ...any) error {
	return newT(BadInput, http.StatusRequestEntityTooLarge, key, args)
}

// LimitT is Limitf with a catalogue key (HTTP 422).
func LimitT(key string, args ...any) error {
	return newT(BadInput, http.StatusUnprocessableEntity, key, args)
}

// TooManyRequestsT is TooManyRequests with a catalogue key.
func TooManyRequestsT(retryAfter time.Duration, key string, args ...any) error {
	e := newT(RateLimited, http.StatusTooManyRequests, key, args)
	e.RetryAfter = retryAfter
	return e
}

// New returns an error with code and a message formatted like fmt.Sprintf.
func New(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errorf shorthands, one per code.
func NotFoundf(format string, args ...any) error  { return New(NotFound, format, args...) }
func Conflictf(format string, args ...any) error  { return New(Conflict, format, args...) }
func BadInputf(format string, args ...any) error  { return New(BadInput, format, args...) }
func Forbiddenf(format string, args ...any) error { return New(Forbidden, format, args...) }

// TooLargef is a BAD_USER_INPUT for input over a size limit (HTTP 413).
func TooLargef(format string, args ...any) error {
	return &Error{Code: BadInput, Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf(format, args...)}
}

// Limitf is a BAD_USER_INPUT for an operation refused by a limit on the
// work it asks for (HTTP 422, as for a GraphQL document that fails
// validation).
func Limitf(format string, args ...any) error {
	return &Error{Code: BadInput, Status: http.StatusUnprocessableEntity, Message: fmt.Sprintf(format, args...)}
}

// TooManyRequests is a RATE_LIMITED for a caller over its rate (HTTP 429
// with Retry-After).
func TooManyRequests(retryAfter time.Duration, format string, args ...any) error {
	return &Error{Code: RateLimited, Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Presented is what a client may see of an error.
type Presented struct {
	Code       Code
	Status     int    // HTTP status when the error fails the whole request
	Message    string // safe to show: the domain's message, or InternalMessage
	RetryAfter time.Duration
	// Internal is true when the cause must be logged with the request id:
	// the client only learns that something failed.
	Internal bool

	err       *Error // the domain error, for In
	requestID string // an internal error's request id, for In
}

// Translated reports whether the message comes from the catalogue (a
// domain error with a key, or an internal error), so that In gives it in
// every language.
func (p Presented) Translated() bool { return p.Internal || (p.err != nil && p.err.Key != "") }

// In is the presented message in lang: the domain error's sentence from
// the catalogue, or the internal error's with its request id. Message
// stays the English text.
func (p Presented) In(lang string) string {
	switch {
	case p.err != nil:
		return p.err.In(lang)
	case p.Internal:
		return i18n.T(lang, internalKey, "request", p.requestID)
	}
	return p.Message
}

// RetryAfterHeader is the Retry-After value in whole seconds (at least 1),
// or "" when there is none.
func (p Presented) RetryAfterHeader() string {
	if p.RetryAfter <= 0 {
		return ""
	}
	return strconv.Itoa(int((p.RetryAfter + time.Second - 1) / time.Second))
}

// Present maps err to what a client sees. Domain errors keep their code
// and message; anything else is INTERNAL with the request id of ctx only.
func Present(ctx context.Context, err error) Presented {
	var e *Error
	if errors.As(err, &e) {
		status := e.Status
		if status == 0 {
			status = e.Code.HTTPStatus()
		}
		return Presented{Code: e.Code, Status: status, Message: e.Message, RetryAfter: e.RetryAfter, err: e}
	}
	if failed, ok := ctx.Value(failureKey{}).(*atomic.Bool); ok {
		failed.Store(true)
	}
	return Presented{Code: Internal, Status: http.StatusInternalServerError, Message: InternalMessage(ctx), Internal: true,
		requestID: RequestID(ctx)}
}

type failureKey struct{}

// WithFailureRecord returns a context in which Present notes that it
// presented an INTERNAL error, and the function that says whether it did:
// a layer around a transport (the idempotency keys) learns how a request
// ended from the error's code, not by reading the answer it wrote.
func WithFailureRecord(ctx context.Context) (context.Context, func() bool) {
	failed := new(atomic.Bool)
	return context.WithValue(ctx, failureKey{}, failed), failed.Load
}

// InternalMessage is the one message an internal error shows: the request
// id, which the logs carry with the cause.
func InternalMessage(ctx context.Context) string {
	return i18n.T(i18n.Default, internalKey, "request", RequestID(ctx))
}

const internalKey = "internal error (request {request})"

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request's id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the request carrying ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
