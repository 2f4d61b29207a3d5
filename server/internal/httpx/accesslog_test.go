package httpx

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestAccessLogQuietsTheHotPath: a quiet route's requests are logged only
// when they fail with a 5xx or are slow; every other route's always.
func TestAccessLogQuietsTheHotPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		status int
		slow   time.Duration
		logged bool
	}{
		{"quiet, fast, ok", "/hot", 200, time.Hour, false},
		{"quiet, fast, refused", "/hot", 403, time.Hour, false},
		{"quiet, fast, unavailable", "/hot", 503, time.Hour, true},
		{"quiet, slow", "/hot", 200, -1, true},
		{"other, fast, ok", "/other", 200, time.Hour, true},
		{"other, fast, refused", "/other", 404, time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, nil))
			r := gin.New()
			r.Use(AccessLog(log, func(c *gin.Context) bool { return c.FullPath() == "/hot" }, tc.slow))
			for _, p := range []string{"/hot", "/other"} {
				r.GET(p, func(c *gin.Context) { c.Status(tc.status) })
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			line := buf.String()
			if got := strings.Contains(line, "http request"); got != tc.logged {
				t.Errorf("logged: got %v (%q), want %v", got, line, tc.logged)
			}
			if tc.logged && !strings.Contains(line, "route="+tc.path) {
				t.Errorf("got %q, want the route %s", line, tc.path)
			}
		})
	}
}
