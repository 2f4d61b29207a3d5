// Package apperr defines Skillgate's one error type. Services return *Error
// values with a Code; the HTTP layer (package httpx) maps each code to a
// status and renders the JSON body {"code","message","fields"}.
//
// The type lives here rather than in httpx so that services and stores can
// speak in error codes without importing anything HTTP.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for clients. Each code maps to exactly one HTTP
// status in httpx.
type Code string

// The error codes. Anything that is not an *Error is "internal".
const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	// PreconditionRequired: a write that must name the version it edits
	// (If-Match) did not.
	PreconditionRequired Code = "precondition_required"
	TooLarge             Code = "too_large"
	TooManyRequests      Code = "too_many_requests"
	Unavailable          Code = "unavailable"
	Internal             Code = "internal"
)

// Error is an error a client can act on. Message is safe to show to the
// client; Err (if any) is the underlying cause and is only logged.
type Error struct {
	Code    Code
	Message string
	// Fields names the request fields (or "file:line" locations) at fault,
	// each with what to fix.
	Fields map[string]string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Details carries structured, client-safe data (e.g. eligibility reasons).
	Details any
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code and a formatted message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf reports bad input in one field.
func Invalidf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: field + ": " + msg, Fields: map[string]string{field: msg}}
}

// InvalidFields reports bad input in several fields at once.
func InvalidFields(message string, fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: message, Fields: fields}
}

// NotFoundf reports a missing resource, e.g. NotFoundf("module %q", slug).
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...) + " not found"}
}

// Wrap attaches a cause to an error code and message.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Fields collects per-field problems so that every mistake in a request is
// reported at once.
type Fields map[string]string

// Add records a problem with a field; the first problem per field wins.
func (f Fields) Add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// Err returns an Invalid error listing the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "the request has invalid fields", Fields: map[string]string(f)}
}
