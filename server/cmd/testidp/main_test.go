package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

func newProvider(t *testing.T) *provider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	m.ClientID, m.ClientSecret = "app", "secret"
	m.Server = &http.Server{Addr: "127.0.0.1:1"}
	return &provider{m: m, name: "Test ID", redirectURI: "http://app.test/callback",
		users: []*user{{Username: "sam", Password: "pw", Subject: "s-1", Email: "sam@example.test", EmailVerified: true}}}
}

func authorizeQuery(redirect string) url.Values {
	return url.Values{"client_id": {"app"}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"st"}, "nonce": {"n"}, "code_challenge": {"abc"}, "code_challenge_method": {"S256"}}
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	query := authorizeQuery(p.redirectURI).Encode()
	tests := []struct {
		name, method, query, form string
		status                    int
		want                      string // in the body, or the Location's prefix for a redirect
	}{
		{"the login page", "GET", query, "", 200, `<input id="username"`},
		{"another redirect URI", "GET", authorizeQuery("http://evil.test/cb").Encode(), "", 400, "unknown client or redirect_uri"},
		{"a wrong password", "POST", query, "username=sam&password=nope", 401, "The username or password is wrong."},
		{"an unknown user", "POST", query, "username=una&password=pw", 401, "The username or password is wrong."},
		{"the right password", "POST", query, "username=sam&password=pw", 302, "http://app.test/callback?code="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, mockoidc.AuthorizationEndpoint+"?"+tc.query, strings.NewReader(tc.form))
			if tc.form != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			w := httptest.NewRecorder()
			p.authorize(w, r)
			if w.Code != tc.status {
				t.Fatalf("got %d %s, want %d", w.Code, w.Body, tc.status)
			}
			got := w.Body.String()
			if tc.status == http.StatusFound {
				got = w.Header().Get("Location")
				if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "state=st") {
					t.Fatalf("Location %q, want %s…&state=st", got, tc.want)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("body %q, want it to contain %q", got, tc.want)
			}
		})
	}
}
