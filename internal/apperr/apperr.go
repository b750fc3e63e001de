// Package apperr owns the error taxonomy that crosses package boundaries:
// every domain error carries one of the contract's codes, and the GraphQL
// layer maps codes to extensions.code in one place.
package apperr

import (
	"errors"
	"fmt"
)

// Code is one of the contract's error codes.
type Code string

const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	Conflict        Code = "CONFLICT"
	BadInput        Code = "BAD_USER_INPUT"
	Internal        Code = "INTERNAL"
)

// Error is a domain error whose message is safe to show to the caller.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// New returns an error with code and a message formatted like fmt.Sprintf.
func New(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errorf shorthands, one per code.
func NotFoundf(format string, args ...any) error  { return New(NotFound, format, args...) }
func Conflictf(format string, args ...any) error  { return New(Conflict, format, args...) }
func BadInputf(format string, args ...any) error  { return New(BadInput, format, args...) }
func Forbiddenf(format string, args ...any) error { return New(Forbidden, format, args...) }

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
