// Package httpx holds the Gin helpers every handler shares: the error JSON,
// request binding, and the middleware (request id, access log, recovery,
// body limit).
package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:              http.StatusBadRequest,
	apperr.Unauthorized:         http.StatusUnauthorized,
	apperr.Forbidden:            http.StatusForbidden,
	apperr.NotFound:             http.StatusNotFound,
	apperr.Conflict:             http.StatusConflict,
	apperr.PreconditionRequired: http.StatusPreconditionRequired,
	apperr.TooLarge:             http.StatusRequestEntityTooLarge,
	apperr.TooManyRequests:      http.StatusTooManyRequests,
	apperr.Unavailable:          http.StatusServiceUnavailable,
	apperr.Internal:             http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code.
func Status(code apperr.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Code    apperr.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Details any               `json:"details,omitempty"`
}

// Error writes err as the error JSON and aborts the request. Errors that are
// not *apperr.Error are logged with the request id and shown as a bare
// "internal error"; database outages and timeouts become unavailable.
func Error(c *gin.Context, err error) {
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae):
	case db.IsUnavailable(err), errors.Is(err, context.DeadlineExceeded):
		ae = apperr.Wrap(apperr.Unavailable, err, "the service is temporarily unavailable, try again shortly")
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		c.Abort()
		return
	default:
		ae = &apperr.Error{Code: apperr.Internal, Message: "internal error", Err: err}
	}
	if Status(ae.Code) >= 500 {
		slog.Default().ErrorContext(c.Request.Context(), "request failed",
			"code", ae.Code, "method", c.Request.Method, "route", c.FullPath(), "err", err)
	}
	write(c, ae)
}

// write renders ae as the error JSON and aborts, without logging.
func write(c *gin.Context, ae *apperr.Error) {
	status := Status(ae.Code)
	if ae.Code == apperr.Unavailable && ae.RetryAfter == 0 {
		ae.RetryAfter = 2e9
	}
	if ae.RetryAfter > 0 {
		secs := int(ae.RetryAfter.Seconds() + 0.999)
		c.Header("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	msg := ae.Message
	if ae.Code == apperr.Internal {
		msg = "internal error"
	}
	c.AbortWithStatusJSON(status, ErrorBody{Code: ae.Code, Message: msg, Fields: ae.Fields, Details: ae.Details})
}
