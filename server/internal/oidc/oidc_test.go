package oidc_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/oidc"
)

// provider is a real OpenID provider (mockoidc) in the test process. Its
// token endpoint's answers can be tampered with: tamper, when set, edits the
// ID token's claims, and the token is signed again with the provider's own
// key unless forge says to keep the old signature.
type provider struct {
	*mockoidc.MockOIDC
	mu     sync.Mutex
	tamper func(claims jwt.MapClaims)
	forge  bool
	signer *mockoidc.Keypair // nil: the provider's own key
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{MockOIDC: m}
	if err := m.AddMiddleware(p.tamperTokens); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return p
}

func (p *provider) setTamper(forge bool, signer *mockoidc.Keypair, f func(jwt.MapClaims)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper, p.forge, p.signer = f, forge, signer
}

func (p *provider) tamperTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		tamper, forge, signer := p.tamper, p.forge, p.signer
		p.mu.Unlock()
		if signer == nil {
			signer = p.Keypair
		}
		if r.URL.Path != mockoidc.TokenEndpoint || tamper == nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["id_token"] == nil {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		raw := body["id_token"].(string)
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
			panic(err)
		}
		tamper(claims)
		if forge {
			// The provider's signature over other claims.
			parts := strings.Split(raw, ".")
			payload, _ := json.Marshal(claims)
			parts[1] = base64.RawURLEncoding.EncodeToString(payload)
			body["id_token"] = strings.Join(parts, ".")
		} else {
			signed, err := signer.SignJWT(claims)
			if err != nil {
				panic(err)
			}
			body["id_token"] = signed
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
}

// fixture is a Skillgate configured with the provider.
type fixture struct {
	*apitest.Env
	idp     *provider
	clientA string
}

func newFixture(t *testing.T, edit func(*app.Config)) *fixture {
	t.Helper()
	idp := newProvider(t)
	env := apitest.NewWith(t, func(c *app.Config) {
		c.OIDC = &app.OIDCProvider{Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
			Name: "Acme SSO", GroupsClaim: "groups", Scopes: "openid email profile groups"}
		if edit != nil {
			edit(c)
		}
	})
	// The provider dates its tokens by the wall clock.
	env.Clock.Set(time.Now())
	f := &fixture{Env: env, idp: idp, clientA: "8f0c2b0e-6a57-4a51-9d9a-2f2a4b2c1d01"}
	if err := f.DB.Exec(`INSERT INTO clients (id, slug, name) VALUES (?, 'acme-bank', 'Acme Bank')`, f.clientA).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) user(t *testing.T, email string, role auth.Role) *auth.User {
	t.Helper()
	u, err := f.App.Auth.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{
		Email: email, Role: role, Password: "tangerine-orbit-lantern"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// noRedirects is a browser that shows each redirect instead of following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// browser is one browser's sign-in, step by step.
type browser struct {
	f           *fixture
	stateCookie *http.Cookie
	authorize   *url.URL
	callback    string
}

// start asks Skillgate to start a sign-in.
func (f *fixture) start(t *testing.T) *browser {
	t.Helper()
	res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/auth/oidc/start"})
	if res.Status != http.StatusFound {
		t.Fatalf("start: got %d %s, want 302", res.Status, res.Body)
	}
	b := &browser{f: f}
	for _, c := range res.Cookies {
		if c.Name == oidc.StateCookie {
			b.stateCookie = c
		}
	}
	if b.stateCookie == nil || !b.stateCookie.HttpOnly || b.stateCookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("start: got cookies %v, want an HttpOnly SameSite=Lax state cookie", res.Cookies)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	b.authorize = u
	return b
}

// atProvider signs user in at the provider and keeps where it sends the
// browser back to.
func (b *browser) atProvider(t *testing.T, user mockoidc.User) {
	t.Helper()
	b.f.idp.QueueUser(user)
	res, err := noRedirects.Get(b.authorize.String())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("provider: got %d %s, want 302", res.StatusCode, body)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Path != "/api/v1/auth/oidc/callback" {
		t.Fatalf("provider sent the browser to %s, want the callback", loc)
	}
	b.callback = loc.RequestURI()
}

// back follows the provider's redirect to Skillgate's callback, with the
// state cookie when withCookie, and returns where Skillgate sends the
// browser and the refresh cookie, if any.
func (b *browser) back(t *testing.T, withCookie bool) (string, *http.Cookie) {
	t.Helper()
	req := apitest.Request{Method: "GET", Path: b.callback}
	if withCookie {
		req.Cookies = []*http.Cookie{{Name: b.stateCookie.Name, Value: b.stateCookie.Value}}
	}
	res := b.f.Do(req)
	if res.Status != http.StatusFound {
		t.Fatalf("callback: got %d %s, want 302", res.Status, res.Body)
	}
	for _, c := range res.Cookies {
		if c.Name == auth.RefreshCookie && c.Value != "" {
			return res.Header.Get("Location"), c
		}
	}
	return res.Header.Get("Location"), nil
}

// signIn runs the whole flow for user and returns where it ends.
func (f *fixture) signIn(t *testing.T, user mockoidc.User) (string, *http.Cookie) {
	t.Helper()
	b := f.start(t)
	b.atProvider(t, user)
	return b.back(t, true)
}

// me trades the refresh cookie for tokens, as the web app does on load.
func (f *fixture) me(t *testing.T, refresh *http.Cookie) *auth.User {
	t.Helper()
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{refresh}})
	if res.Status != http.StatusOK {
		t.Fatalf("refresh: got %d %s, want 200", res.Status, res.Body)
	}
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(t, &tk)
	res = f.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tk.AccessToken})
	if res.Status != http.StatusOK {
		t.Fatalf("me: got %d %s", res.Status, res.Body)
	}
	var u auth.User
	res.JSON(t, &u)
	return &u
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.DB.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// lastFailure is the reason of the last audited failed sign-in.
func (f *fixture) lastFailure(t *testing.T) string {
	t.Helper()
	var r string
	if err := f.DB.Raw(`SELECT after->>'reason' FROM audit_log WHERE action = 'auth.login_failed' ORDER BY seq DESC LIMIT 1`).Scan(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func agentUser(sub, email string, verified bool, groups ...string) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: sub, Email: email, EmailVerified: verified, Groups: groups}
}

func TestSignInLinksByVerifiedEmailThenBySubject(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	u := f.user(t, "ana@example.com", auth.RoleAgent)

	b := f.start(t)
	q := b.authorize.Query()
	if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorize URL %s: want PKCE S256, a nonce and a state", b.authorize)
	}
	if q.Get("state") != b.stateCookie.Value {
		t.Fatalf("state cookie %q, want the state sent to the provider", b.stateCookie.Value)
	}
	b.atProvider(t, agentUser("okta|ana", "Ana@Example.com", true))
	to, refresh := b.back(t, true)
	if to != "/" || refresh == nil {
		t.Fatalf("callback: got to %q with refresh cookie %v, want / with one", to, refresh)
	}
	if !refresh.HttpOnly || refresh.SameSite != http.SameSiteStrictMode {
		t.Fatalf("refresh cookie %+v, want HttpOnly SameSite=Strict as from a password sign-in", refresh)
	}
	me := f.me(t, refresh)
	if me.ID != u.ID || me.Source != auth.SourceOIDC {
		t.Fatalf("signed in as %s (%s), want %s from oidc", me.ID, me.Source, u.ID)
	}
	if n := f.count(t, `SELECT count(*) FROM user_identities WHERE issuer = ? AND subject = 'okta|ana' AND user_id = ?`, f.idp.Issuer(), u.ID); n != 1 {
		t.Fatalf("identities: got %d, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'user.identity_link' AND subject_id = ?`, u.ID); n != 1 {
		t.Fatalf("link audits: got %d, want 1", n)
	}

	// The provider's subject decides from now on, whatever the address.
	to, refresh = f.signIn(t, agentUser("okta|ana", "ana.renamed@example.com", false))
	if to != "/" || refresh == nil || f.me(t, refresh).ID != u.ID {
		t.Fatalf("second sign-in: got to %q, want / as %s", to, u.ID)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND subject_type = 'session' AND after->>'method' = 'oidc' AND actor_id = ?`, u.ID); n != 2 {
		t.Fatalf("sign-in audits: got %d, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'user.identity_link'`); n != 1 {
		t.Fatalf("link audits after the second sign-in: got %d, want still 1", n)
	}
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.user(t, "ben@example.com", auth.RoleAgent)
	gone := f.user(t, "gone@example.com", auth.RoleAgent)
	if err := f.DB.Exec(`UPDATE users SET active = false, deactivated_at = now() WHERE id = ?`, gone.ID).Error; err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user mockoidc.User
		want string
	}{
		{"unverified email trying to link", agentUser("okta|mallory", "ben@example.com", false), "/login?sso_error=unverified"},
		{"no account and no creation", agentUser("okta|stranger", "stranger@example.com", true), "/login?sso_error=not_linked"},
		{"deactivated account", agentUser("okta|gone", "gone@example.com", true), "/login?sso_error=deactivated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			to, refresh := f.signIn(t, tc.user)
			if to != tc.want || refresh != nil {
				t.Fatalf("got to %q (refresh cookie %v), want %q and none", to, refresh, tc.want)
			}
		})
	}
	if n := f.count(t, `SELECT count(*) FROM user_identities`); n != 0 {
		t.Fatalf("identities: got %d, want none linked", n)
	}
	if n := f.count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatalf("sessions: got %d, want none", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND after->>'method' = 'oidc'`); n != len(tests) {
		t.Fatalf("failure audits: got %d, want %d", n, len(tests))
	}
}

func TestSignInAttacks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	admin := f.user(t, "admin@example.com", auth.RoleAdmin)
	f.user(t, "eve@example.com", auth.RoleAgent)
	eve := agentUser("okta|eve", "eve@example.com", true)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := f.idp.Keypair.KeyID()
	if err != nil {
		t.Fatal(err)
	}
	// A key the provider does not publish, under the provider's key id.
	otherKeys := &mockoidc.Keypair{PrivateKey: otherKey, PublicKey: &otherKey.PublicKey, Kid: kid}

	tests := []struct {
		name   string
		forge  bool
		tamper func(jwt.MapClaims)
		sign   *mockoidc.Keypair
		reason string // in the audited reason
	}{
		{"wrong issuer", false, func(c jwt.MapClaims) { c["iss"] = "https://evil.example.com/oidc" }, nil, "different provider"},
		{"wrong audience", false, func(c jwt.MapClaims) { c["aud"] = []string{"another-app"} }, nil, "audience"},
		{"expired", false, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }, nil, "expired"},
		{"no nonce", false, func(c jwt.MapClaims) { delete(c, "nonce") }, nil, "nonce"},
		{"claims changed under the provider's signature", true, func(c jwt.MapClaims) {
			c["email"], c["sub"] = admin.Email, "okta|admin"
		}, nil, "signature"},
		{"signed by another key", false, func(c jwt.MapClaims) {}, otherKeys, "signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.idp.setTamper(tc.forge, tc.sign, tc.tamper)
			defer f.idp.setTamper(false, nil, nil)
			to, refresh := f.signIn(t, eve)
			if to != "/login?sso_error=token" || refresh != nil {
				t.Fatalf("got to %q (refresh cookie %v), want /login?sso_error=token and none", to, refresh)
			}
			if r := f.lastFailure(t); !strings.Contains(r, tc.reason) {
				t.Fatalf("audited reason %q, want one naming %q", r, tc.reason)
			}
		})
	}

	t.Run("replayed state", func(t *testing.T) {
		b := f.start(t)
		b.atProvider(t, eve)
		if to, refresh := b.back(t, true); to != "/" || refresh == nil {
			t.Fatalf("first use: got %q, want /", to)
		}
		if to, refresh := b.back(t, true); to != "/login?sso_error=state" || refresh != nil {
			t.Fatalf("replay: got %q (refresh cookie %v), want /login?sso_error=state and none", to, refresh)
		}
	})
	t.Run("state of another browser", func(t *testing.T) {
		b := f.start(t)
		b.atProvider(t, eve)
		if to, refresh := b.back(t, false); to != "/login?sso_error=state" || refresh != nil {
			t.Fatalf("got %q (refresh cookie %v), want /login?sso_error=state and none", to, refresh)
		}
	})
	t.Run("replayed nonce", func(t *testing.T) {
		first := f.start(t)
		first.atProvider(t, eve)
		if to, _ := first.back(t, true); to != "/" {
			t.Fatalf("first sign-in: got %q, want /", to)
		}
		// A second sign-in whose ID token carries the first one's nonce.
		second := f.start(t)
		q := second.authorize.Query()
		q.Set("nonce", first.authorize.Query().Get("nonce"))
		second.authorize.RawQuery = q.Encode()
		second.atProvider(t, eve)
		if to, refresh := second.back(t, true); to != "/login?sso_error=token" || refresh != nil {
			t.Fatalf("got %q (refresh cookie %v), want /login?sso_error=token and none", to, refresh)
		}
		if r := f.lastFailure(t); !strings.Contains(r, "nonce") {
			t.Fatalf("audited reason %q, want the nonce named", r)
		}
	})
	t.Run("expired state", func(t *testing.T) {
		b := f.start(t)
		b.atProvider(t, eve)
		f.Clock.Advance(oidc.StateTTL)
		defer f.Clock.Set(time.Now())
		if to, refresh := b.back(t, true); to != "/login?sso_error=state" || refresh != nil {
			t.Fatalf("got %q (refresh cookie %v), want /login?sso_error=state and none", to, refresh)
		}
	})
	t.Run("provider refused", func(t *testing.T) {
		b := f.start(t)
		b.callback = "/api/v1/auth/oidc/callback?error=access_denied&state=" + url.QueryEscape(b.stateCookie.Value)
		if to, _ := b.back(t, true); to != "/login?sso_error=provider" {
			t.Fatalf("got %q, want /login?sso_error=provider", to)
		}
	})

	if n := f.count(t, `SELECT count(*) FROM user_identities WHERE user_id = ?`, admin.ID); n != 0 {
		t.Fatalf("the admin got %d identities, want none", n)
	}
	if n := f.count(t, `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'admin@example.com'`); n != 0 {
		t.Fatalf("the admin got %d sessions, want none", n)
	}
	// Failures the flow decides are audited, without any token.
	var reasons []string
	if err := f.DB.Raw(`SELECT after->>'reason' FROM audit_log WHERE action = 'auth.login_failed' ORDER BY seq`).Scan(&reasons).Error; err != nil {
		t.Fatal(err)
	}
	if len(reasons) != len(tests)+5 {
		t.Fatalf("failure audits: got %d %q, want %d", len(reasons), reasons, len(tests)+5)
	}
	for _, r := range reasons {
		if strings.Contains(r, "eyJ") {
			t.Fatalf("a failure audit holds a token: %s", r)
		}
	}
}

func TestJustInTimeCreationAndGroupMapping(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *app.Config) {
		c.OIDC.CreateUsers = true
		c.GroupMap = auth.GroupMap{
			Roles:   map[string]auth.Role{"sg-trainers": auth.RoleTrainer, "sg-agents": auth.RoleAgent},
			Clients: map[string][]string{"acme-agents": {"acme-bank"}},
		}
	})
	to, refresh := f.signIn(t, &mockoidc.MockUser{Subject: "kc|1", Email: "new@example.com", EmailVerified: true,
		Groups: []string{"sg-agents", "sg-trainers", "acme-agents"}})
	if to != "/" || refresh == nil {
		t.Fatalf("got to %q, want / signed in", to)
	}
	me := f.me(t, refresh)
	if me.Email != "new@example.com" || me.Role != auth.RoleTrainer || me.Source != auth.SourceOIDC ||
		len(me.ClientIDs) != 1 || me.ClientIDs[0] != f.clientA {
		t.Fatalf("created %+v, want a trainer of acme-bank from oidc", me)
	}

	// A token without a groups claim (the scope not granted, say) changes nothing.
	to, refresh = f.signIn(t, &mockoidc.MockUser{Subject: "kc|1", Email: "new@example.com", EmailVerified: true})
	if me = f.me(t, refresh); to != "/" || me.Role != auth.RoleTrainer || len(me.ClientIDs) != 1 {
		t.Fatalf("without a groups claim: %+v, want the trainer of acme-bank still", me)
	}

	// Leaving the groups at the provider takes the membership and lowers
	// the role at the next sign-in.
	to, refresh = f.signIn(t, &mockoidc.MockUser{Subject: "kc|1", Email: "new@example.com", EmailVerified: true,
		Groups: []string{"sg-agents"}})
	me = f.me(t, refresh)
	if to != "/" || me.Role != auth.RoleAgent || len(me.ClientIDs) != 0 {
		t.Fatalf("after leaving groups: %+v, want an agent without memberships", me)
	}
	for _, action := range []string{"user.create", "user.identity_link", "user.role_change", "user.memberships"} {
		if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = ? AND subject_id = ?`, action, me.ID); n == 0 {
			t.Errorf("no %s audit", action)
		}
	}

	// An unverified address is never given an account.
	if to, _ := f.signIn(t, agentUser("kc|2", "unverified@example.com", false)); to != "/login?sso_error=unverified" {
		t.Fatalf("unverified: got %q, want /login?sso_error=unverified", to)
	}
}

func TestPasswordSignInOff(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *app.Config) {
		c.Password = auth.PasswordPolicy{Off: true, BreakGlass: []string{"root@example.com", "lead@example.com"}}
	})
	f.user(t, "root@example.com", auth.RoleAdmin)
	f.user(t, "lead@example.com", auth.RoleSupervisor)
	f.user(t, "agent@example.com", auth.RoleAgent)

	res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/auth/methods"})
	if res.Status != 200 || !bytes.Contains(res.Body, []byte(`"password":false`)) || !bytes.Contains(res.Body, []byte(`"provider":"Acme SSO"`)) {
		t.Fatalf("methods: got %d %s", res.Status, res.Body)
	}
	tests := []struct {
		email string
		want  int
	}{
		{"agent@example.com", http.StatusForbidden},
		{"nobody@example.com", http.StatusForbidden},
		{"lead@example.com", http.StatusUnauthorized}, // listed, but not an admin
		{"root@example.com", http.StatusOK},
	}
	for _, tc := range tests {
		res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": tc.email, "password": "tangerine-orbit-lantern"}})
		if res.Status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.email, res.Status, res.Body, tc.want)
		}
	}
}

func TestNoProviderConfigured(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/auth/methods"})
	if res.Status != 200 || string(bytes.TrimSpace(res.Body)) != `{"password":true}` {
		t.Fatalf("methods: got %d %s, want password only", res.Status, res.Body)
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/auth/oidc/start"}); res.Status != http.StatusNotFound {
		t.Fatalf("start without a provider: got %d, want 404", res.Status)
	}
}
