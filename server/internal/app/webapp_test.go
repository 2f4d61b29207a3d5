package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

func TestWebAppServesDeepLinksAndAssets(t *testing.T) {
	t.Parallel()
	dist := fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><div id=root></div>")},
		"assets/app-1.js":  {Data: []byte("console.log(1)")},
		"assets/app-1.css": {Data: []byte("body{}")},
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.NoRoute(webApp(dist))
	cases := []struct {
		method, path string
		wantStatus   int
		wantBody     string
		wantCache    string
	}{
		{"GET", "/", 200, "id=root", "no-cache"},
		{"GET", "/training/modules/card-products", 200, "id=root", "no-cache"},
		{"GET", "/assets/app-1.js", 200, "console.log", "immutable"},
		{"GET", "/assets/missing.js", 200, "id=root", "no-cache"},
		{"GET", "/api/v1/unknown", 404, `"code":"not_found"`, ""},
		{"POST", "/somewhere", 404, `"code":"not_found"`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body, tc.wantStatus, tc.wantBody)
			}
			if tc.wantCache != "" && !strings.Contains(rec.Header().Get("Cache-Control"), tc.wantCache) {
				t.Errorf("got Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), tc.wantCache)
			}
			if tc.wantStatus == 200 && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("got CSP %q, want the app policy", rec.Header().Get("Content-Security-Policy"))
			}
		})
	}
}

func TestWebAppNotBuiltSaysHowToBuild(t *testing.T) {
	t.Parallel()
	r := gin.New()
	r.NoRoute(webApp(fstest.MapFS{}))
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make build") {
		t.Errorf("got %d %q, want the not-built page", rec.Code, rec.Body)
	}
}
