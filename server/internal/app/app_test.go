package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
)

func TestSystemEndpoints(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	cases := []struct {
		name       string
		req        apitest.Request
		wantStatus int
		wantCode   string
		wantBody   string
	}{
		{"healthz", apitest.Request{Method: "GET", Path: "/healthz"}, 200, "", `"status":"ok"`},
		{"readyz", apitest.Request{Method: "GET", Path: "/readyz"}, 200, "", `"status":"ready"`},
		{"openapi", apitest.Request{Method: "GET", Path: "/api/openapi.json"}, 200, "", `"openapi":"3.0.3"`},
		{"docs", apitest.Request{Method: "GET", Path: "/api/docs"}, 200, "", "<h1>Skillgate API</h1>"},
		{"unknown api route", apitest.Request{Method: "GET", Path: "/api/v1/nope"}, 404, "not_found", "no route GET /api/v1/nope"},
		{"unknown method", apitest.Request{Method: "DELETE", Path: "/healthz"}, 404, "not_found", ""},
		{"oversize body", apitest.Request{Method: "POST", Path: "/api/v1/anything", Body: strings.Repeat("x", 2<<20)}, 413, "too_large", "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(tc.req)
			if res.Status != tc.wantStatus {
				t.Fatalf("got status %d, want %d: %s", res.Status, tc.wantStatus, res.Body)
			}
			if got := res.Code(); got != tc.wantCode {
				t.Errorf("got code %q, want %q", got, tc.wantCode)
			}
			if !strings.Contains(string(res.Body), tc.wantBody) {
				t.Errorf("got body %.300s, want it to contain %q", res.Body, tc.wantBody)
			}
			if res.Header.Get("X-Request-ID") == "" {
				t.Errorf("got no X-Request-ID header, want one")
			}
		})
	}
}

func TestRequestIDIsEchoed(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	res := env.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "abc-123"}})
	if got := res.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("got request id %q, want abc-123", got)
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "bad id\twith spaces"}})
	if got := res.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Errorf("got request id %q, want a fresh one in place of the malformed one", got)
	}
}

func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	if missing := env.App.Doc.Missing(env.App.Routes()); len(missing) > 0 {
		for _, op := range missing {
			t.Errorf("route %s %s is not in the OpenAPI document", op.Method, op.Path)
		}
	}
}

func TestReadyzFailsWhenDatabaseIsUnreachable(t *testing.T) {
	t.Parallel()
	a := offlineApp(t, app.Config{MaxBodyBytes: 1 << 20, JWTSecret: []byte(strings.Repeat("k", 32))})
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "/readyz", nil)
	rec := newRecorder()
	a.Router.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("got %d, want 503: %s", rec.Code, rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"database":"unreachable"`) {
		t.Errorf("got %s, want the database check to say unreachable", rec.Body)
	}
	rec = newRecorder()
	a.Router.ServeHTTP(rec, httptestRequest("GET", "/healthz"))
	if rec.Code != http.StatusOK {
		t.Errorf("got healthz %d, want 200 while the database is down", rec.Code)
	}
}

func TestReadyzFailsWhenSchemaIsBehind(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	if err := env.DB.Exec("DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)").Error; err != nil {
		t.Fatal(err)
	}
	res := env.Do(apitest.Request{Method: "GET", Path: "/readyz"})
	if res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Body), "expected") {
		t.Errorf("got %d %s, want 503 naming the expected schema version", res.Status, res.Body)
	}
}

func TestClientAddressIgnoresForwardedForFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no trusted proxies", nil, "192.0.2.10"},
		{"peer is a trusted proxy", []string{"192.0.2.0/24"}, "203.0.113.7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := app.LoadConfig(func(k string) string {
				if k == "TRUSTED_PROXIES" {
					return strings.Join(tc.proxies, ",")
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			a := offlineApp(t, cfg)
			var got string
			a.Router.GET("/whoami", func(c *gin.Context) { got = c.ClientIP() })
			req := httptestRequest("GET", "/whoami")
			req.RemoteAddr = "192.0.2.10:5555"
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			a.Router.ServeHTTP(newRecorder(), req)
			if got != tc.want {
				t.Errorf("got client IP %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAPIDocIsWhatTheServerServes(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	doc, err := app.APIDoc()
	if err != nil {
		t.Fatal(err)
	}
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/openapi.json"})
	if string(res.Body) != string(doc.JSON) {
		t.Errorf("got %d bytes served at /api/openapi.json, want the %d bytes of app.APIDoc()", len(res.Body), len(doc.JSON))
	}
}
