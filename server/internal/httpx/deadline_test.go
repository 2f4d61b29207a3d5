package httpx

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestDeadlineBoundsEachRouteByItsClass(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(Deadline(func(c *gin.Context) time.Duration {
		switch c.FullPath() {
		case "/gate":
			return 2 * time.Second
		case "/bulk":
			return 30 * time.Second
		}
		return 0
	}))
	type seen struct {
		arrival, deadline time.Time
		hasDeadline       bool
	}
	got := map[string]seen{}
	record := func(c *gin.Context) {
		d, ok := c.Request.Context().Deadline()
		got[c.FullPath()] = seen{Arrival(c.Request.Context()), d, ok}
	}
	r.GET("/gate", record)
	r.GET("/bulk", record)
	r.GET("/free", record)
	cases := []struct {
		path string
		want time.Duration // 0: no deadline
	}{{"/gate", 2 * time.Second}, {"/bulk", 30 * time.Second}, {"/free", 0}}
	for _, tc := range cases {
		before := time.Now()
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tc.path, nil))
		s := got[tc.path]
		if s.arrival.Before(before) || s.arrival.After(time.Now()) {
			t.Errorf("%s: got arrival %s, want the time the request came in (after %s)", tc.path, s.arrival, before)
		}
		switch {
		case tc.want == 0 && s.hasDeadline:
			t.Errorf("%s: got a deadline %s, want none", tc.path, s.deadline)
		case tc.want > 0 && (!s.hasDeadline || !s.deadline.Equal(s.arrival.Add(tc.want))):
			t.Errorf("%s: got deadline %s (set %v), want arrival + %s", tc.path, s.deadline, s.hasDeadline, tc.want)
		}
	}
}
