package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

// secret is the JWT secret apitest configures.
var secret = []byte("test-secret-test-secret-test-secret!")

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBearerTokensThatMustFail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := f.user(t, "ann@example.test", auth.RoleAgent)
	tk := f.login(t, u.Email)
	parsed, _, err := jwt.NewParser().ParseUnverified(tk.AccessToken, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	real := parsed.Claims.(jwt.MapClaims)
	now := apitest.Start
	// valid returns claims equal to a real token's; each case breaks one thing.
	valid := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{}
		for k, v := range real {
			c[k] = v
		}
		if change != nil {
			change(c)
		}
		return c
	}
	tamper := func(tok string) string {
		parts := strings.Split(tok, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var m map[string]any
		_ = json.Unmarshal(payload, &m)
		m["exp"] = now.Add(24 * time.Hour).Unix()
		raw, _ := json.Marshal(m)
		parts[1] = base64.RawURLEncoding.EncodeToString(raw)
		return strings.Join(parts, ".")
	}
	cases := []struct {
		name  string
		token string
		want  int
	}{
		{"the real token works", tk.AccessToken, 200},
		{"a re-signed copy works", sign(t, jwt.SigningMethodHS256, secret, valid(nil)), 200},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid(nil)), 401},
		{"alg outside the allowlist", sign(t, jwt.SigningMethodHS512, secret, valid(nil)), 401},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-!!"), valid(nil)), 401},
		{"tampered payload", tamper(tk.AccessToken), 401},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() })), 401},
		{"nbf in the future", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })), 401},
		{"missing exp", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { delete(c, "exp") })), 401},
		{"wrong iss", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { c["iss"] = "evil" })), 401},
		{"wrong aud", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} })), 401},
		{"missing aud", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { delete(c, "aud") })), 401},
		{"typ refresh", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { c["typ"] = "refresh" })), 401},
		{"another user's session", sign(t, jwt.SigningMethodHS256, secret, valid(func(c jwt.MapClaims) { c["sub"] = "00000000-0000-0000-0000-000000000001" })), 401},
		{"refresh token as access token", tk.RefreshToken, 401},
		{"garbage", "not-a-token", 401},
		{"API key shaped garbage", "sk_12345678_" + strings.Repeat("a", 43), 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tc.token})
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			if tc.want == 401 && res.Code() != "unauthorized" {
				t.Errorf("got code %q, want unauthorized", res.Code())
			}
		})
	}

	t.Run("1 MB bearer header fails fast", func(t *testing.T) {
		start := time.Now()
		res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: strings.Repeat("a", 1<<20)})
		if res.Status != 401 {
			t.Fatalf("got %d, want 401", res.Status)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("got an answer after %v, want it at once", d)
		}
	})
	t.Run("expires after 15 minutes", func(t *testing.T) {
		f.Clock.Advance(auth.AccessTokenTTL)
		if got := f.status(t, "GET", "/api/v1/me", tk.AccessToken, nil); got != 401 {
			t.Errorf("got %d, want 401 once the access token expired", got)
		}
	})
}

func TestSessionsEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.user(t, "root@example.test", auth.RoleAdmin)
	adminTok := f.login(t, admin.Email)

	t.Run("after logout", func(t *testing.T) {
		u := f.user(t, "lo@example.test", auth.RoleAgent)
		tk := f.login(t, u.Email)
		if got := f.status(t, "POST", "/api/v1/auth/logout", tk.AccessToken, nil); got != 204 {
			t.Fatalf("logout: got %d, want 204", got)
		}
		if got := f.status(t, "GET", "/api/v1/me", tk.AccessToken, nil); got != 401 {
			t.Errorf("access token after logout: got %d, want 401", got)
		}
		if got := f.status(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}); got != 401 {
			t.Errorf("refresh after logout: got %d, want 401", got)
		}
	})
	t.Run("after password change", func(t *testing.T) {
		u := f.user(t, "pc@example.test", auth.RoleAgent)
		other := f.login(t, u.Email) // a second session, e.g. another browser
		tk := f.login(t, u.Email)
		res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password", Token: tk.AccessToken,
			Body: map[string]string{"current_password": "wrong-wrong-wrong", "new_password": "marmalade-cosmos-violin"}})
		if res.Status != 400 {
			t.Fatalf("wrong current password: got %d %s, want 400", res.Status, res.Body)
		}
		res = f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password", Token: tk.AccessToken,
			Body: map[string]string{"current_password": testPassword, "new_password": "password12345"}})
		if res.Status != 400 {
			t.Fatalf("common new password: got %d %s, want 400", res.Status, res.Body)
		}
		res = f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/password", Token: tk.AccessToken,
			Body: map[string]string{"current_password": testPassword, "new_password": "marmalade-cosmos-violin"}})
		if res.Status != 204 {
			t.Fatalf("change: got %d %s, want 204", res.Status, res.Body)
		}
		for _, tok := range []string{tk.AccessToken, other.AccessToken} {
			if got := f.status(t, "GET", "/api/v1/me", tok, nil); got != 401 {
				t.Errorf("access token after password change: got %d, want 401", got)
			}
		}
		if got := f.status(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "marmalade-cosmos-violin"}); got != 200 {
			t.Errorf("login with the new password: got %d, want 200", got)
		}
	})
	t.Run("after deactivation", func(t *testing.T) {
		u := f.user(t, "de@example.test", auth.RoleAgent)
		tk := f.login(t, u.Email)
		if got := f.status(t, "POST", "/api/v1/users/"+u.ID+"/deactivate", adminTok.AccessToken, nil); got != 200 {
			t.Fatalf("deactivate: got %d, want 200", got)
		}
		if got := f.status(t, "GET", "/api/v1/me", tk.AccessToken, nil); got != 401 {
			t.Errorf("access token after deactivation: got %d, want 401", got)
		}
		res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": testPassword}})
		if res.Status != 401 {
			t.Errorf("login while deactivated: got %d, want 401", res.Status)
		}
		if got := f.status(t, "POST", "/api/v1/users/"+u.ID+"/reactivate", adminTok.AccessToken, nil); got != 200 {
			t.Fatalf("reactivate: got %d, want 200", got)
		}
		if got := f.status(t, "GET", "/api/v1/me", tk.AccessToken, nil); got != 401 {
			t.Errorf("old access token after reactivation: got %d, want 401 (its session was revoked)", got)
		}
		f.login(t, u.Email)
	})
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := f.user(t, "rot@example.test", auth.RoleAgent)
	first := f.login(t, u.Email)

	refresh := func(token string) (int, tokens) {
		res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]string{"refresh_token": token}})
		var tk tokens
		if res.Status == 200 {
			res.JSON(t, &tk)
		}
		return res.Status, tk
	}
	status, second := refresh(first.RefreshToken)
	if status != 200 || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Fatalf("first refresh: got %d and a new refresh token=%v, want 200 and a rotated token", status, second.RefreshToken != first.RefreshToken)
	}
	if got := f.status(t, "GET", "/api/v1/me", second.AccessToken, nil); got != 200 {
		t.Fatalf("new access token: got %d, want 200", got)
	}
	if status, _ := refresh(first.RefreshToken); status != 401 {
		t.Fatalf("reused refresh token: got %d, want 401", status)
	}
	if status, _ := refresh(second.RefreshToken); status != 401 {
		t.Errorf("newest refresh token after reuse: got %d, want 401 (the family is revoked)", status)
	}
	if got := f.status(t, "GET", "/api/v1/me", second.AccessToken, nil); got != 401 {
		t.Errorf("access token after reuse: got %d, want 401", got)
	}
	if n := f.auditCount(t, "auth.refresh_reused"); n != 1 {
		t.Errorf("got %d auth.refresh_reused audit rows, want 1", n)
	}
	// An unrelated session of the same user lives on.
	other := f.login(t, u.Email)
	if status, _ := refresh(other.RefreshToken); status != 200 {
		t.Errorf("another session: got %d, want 200", status)
	}
}

func TestRefreshCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := f.user(t, "web@example.test", auth.RoleAgent)
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": testPassword}})
	if res.Status != 200 {
		t.Fatalf("login: got %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), "refresh_token\"") {
		t.Errorf("got the refresh token in the body %s, want it only in the cookie", res.Body)
	}
	var cookie = findCookie(res)
	if cookie == nil {
		t.Fatalf("got cookies %v, want %s", res.Cookies, auth.RefreshCookie)
	}
	if !cookie.HttpOnly || cookie.Path != "/api/v1/auth" || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure {
		t.Errorf("got cookie %+v, want HttpOnly, Path /api/v1/auth, SameSite=Strict, not Secure in development", cookie)
	}
	res = f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{cookie}})
	next := findCookie(res)
	if res.Status != 200 || next == nil || next.Value == cookie.Value || next.Value == "" {
		t.Fatalf("refresh by cookie: got %d %s, want 200 and a rotated cookie", res.Status, res.Body)
	}
	res = f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{next}})
	if cleared := findCookie(res); res.Status != 204 || cleared == nil || cleared.MaxAge >= 0 {
		t.Fatalf("logout: got %d and cookie %+v, want 204 and the cookie cleared", res.Status, cleared)
	}
	if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{next}}); res.Status != 401 {
		t.Errorf("refresh after logout: got %d, want 401", res.Status)
	}
}

func findCookie(res *apitest.Response) *http.Cookie {
	for _, c := range res.Cookies {
		if c.Name == auth.RefreshCookie {
			return c
		}
	}
	return nil
}

func TestAccessTokenTTLSetting(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		ttl  time.Duration
		want time.Duration
	}{
		{"default", 0, auth.AccessTokenTTL},
		{"shortened", 30 * time.Second, 30 * time.Second},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewManual(start)
			svc := auth.NewService(g, clk, audit.NewRecorder(clk), auth.Config{
				JWTSecret: []byte(strings.Repeat("k", 32)), AccessTokenTTL: tc.ttl,
			})
			email := fmt.Sprintf("ttl%d@example.test", i)
			if _, err := svc.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{
				Email: email, Role: auth.RoleAgent, Password: testPassword,
			}); err != nil {
				t.Fatalf("create user: %v", err)
			}
			tk, err := svc.Login(context.Background(), auth.LoginInput{Email: email, Password: testPassword, ClientIP: "127.0.0.1"})
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if got := tk.AccessExpiresAt.Sub(start); got != tc.want {
				t.Errorf("got an access token for %v, want %v", got, tc.want)
			}
		})
	}
}
