package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/logx"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// RequestID accepts a well-formed X-Request-ID from the caller or makes one,
// echoes it in the response, and puts it in the request context for logging.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(logx.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AccessLog writes one line per request: method, route, status, duration,
// size. It never logs headers, query strings or bodies, which may hold secrets.
// Requests that quiet reports as a hot path (the gate's reads, thousands a
// second) are logged only when they fail with a 5xx or take longer than slow:
// a line per check would cost the gate a tenth of its throughput, and the
// metrics histogram counts every request all the same.
func AccessLog(log *slog.Logger, quiet func(c *gin.Context) bool, slow time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		took := time.Since(start)
		status := c.Writer.Status()
		if quiet != nil && status < 500 && took <= slow && quiet(c) {
			return
		}
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "http request",
			"method", c.Request.Method,
			"route", route,
			"path", c.Request.URL.Path,
			"status", status,
			"duration_ms", float64(took.Microseconds())/1000,
			"bytes", c.Writer.Size(),
			"client_ip", c.ClientIP(),
		)
	}
}

// Recover turns a panic into a logged 500 with the error JSON.
func Recover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.ErrorContext(c.Request.Context(), "panic serving request",
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					Error(c, apperr.E(apperr.Internal, "internal error"))
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

// BodyLimit caps request bodies at n bytes. A declared Content-Length over
// the cap is refused at once; a body that grows past it fails when read.
func BodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			Error(c, apperr.E(apperr.TooLarge, "the request body is larger than %d bytes", n))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// SecurityHeaders sets conservative browser security headers.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") && c.Request.URL.Path != "/api/docs" {
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// NotFound answers unmatched routes with the error JSON.
func NotFound(c *gin.Context) {
	Error(c, apperr.E(apperr.NotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
}
