package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestRequestIDs: a well-formed X-Request-ID is echoed; a missing or
// malformed one is replaced by a fresh id, well-formed and different each
// time.
func TestRequestIDs(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(RequestID())
	r.GET("/", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	ask := func(id string) string {
		req := httptest.NewRequest("GET", "/", nil)
		if id != "" {
			req.Header.Set(RequestIDHeader, id)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w.Header().Get(RequestIDHeader)
	}
	if got := ask("abc-123.x:y"); got != "abc-123.x:y" {
		t.Errorf("a well-formed id came back as %q", got)
	}
	seen := map[string]bool{}
	for _, in := range []string{"", "", "bad id!", ""} {
		got := ask(in)
		if len(got) != 24 || !validRequestID.MatchString(got) || seen[got] {
			t.Errorf("id for %q: %q (want 24 well-formed characters, not seen before)", in, got)
		}
		seen[got] = true
	}
}
