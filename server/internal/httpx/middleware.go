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
	"sync/atomic"
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
		id := c.Request.Header.Get(RequestIDHeader)
		if id == "" || !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		c.Writer.Header()["X-Request-Id"] = []string{id} // RequestIDHeader, canonical
		c.Request = c.Request.WithContext(logx.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

// newRequestID is this process's random 8-byte prefix and a counter, as 24
// hex digits: unique per process and, by the prefix, across replicas, for
// an atomic add instead of a read of the system's random source per request
// (an id correlates log lines; it is no secret).
func newRequestID() string {
	var b [24]byte
	hex.Encode(b[:16], requestIDPrefix[:])
	n := requestIDCounter.Add(1)
	const digits = "0123456789abcdef"
	for i := 23; i >= 16; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

var (
	requestIDPrefix  = func() (p [8]byte) { _, _ = rand.Read(p[:]); return p }()
	requestIDCounter atomic.Uint32
)

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
		// A request without a body (every GET) has http.NoBody: nothing to cap.
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
	deny       = []string{"DENY"}
	noStore    = []string{"no-store"}
)

// SecurityHeaders sets conservative browser security headers.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		// Canonical keys and shared one-element values (Header.Add appends
		// into a new array), without Set's canonicalizing and allocating.
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = noReferrer
		h["X-Frame-Options"] = deny
		if strings.HasPrefix(c.Request.URL.Path, "/api/") && c.Request.URL.Path != "/api/docs" {
			h["Cache-Control"] = noStore
		}
		c.Next()
	}
}

// NotFound answers unmatched routes with the error JSON.
func NotFound(c *gin.Context) {
	Error(c, apperr.E(apperr.NotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
}
