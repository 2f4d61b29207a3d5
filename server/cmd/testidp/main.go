// Command testidp is an OpenID provider with a login page, for Skillgate's
// end-to-end tests only: a browser signs in to it with a username and a
// password, as at Okta or Entra ID, and it sends the browser back to
// Skillgate with an authorization code. It is github.com/oauth2-proxy/mockoidc
// (discovery, keys, code exchange with PKCE, signed ID tokens) behind an HTML
// form that decides which user the code is for. Never run it in production:
// its users and their passwords are in a file, in clear.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testidp:", err)
		os.Exit(1)
	}
}

// user is one account at the provider: what the login form checks and what
// the ID token says.
type user struct {
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	Subject       string   `json:"subject"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	Groups        []string `json:"groups"`
}

// idTokenClaims are the claims of an ID token the provider signs.
type idTokenClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups,omitempty"`
}

// ID is the subject (mockoidc.User).
func (u *user) ID() string { return u.Subject }

// Userinfo answers the userinfo endpoint (mockoidc.User).
func (u *user) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]any{"sub": u.Subject, "email": u.Email, "email_verified": u.EmailVerified, "name": u.Name})
}

// Claims are the ID token's claims (mockoidc.User); scopes are ignored.
func (u *user) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &idTokenClaims{IDTokenClaims: base, Email: u.Email, EmailVerified: u.EmailVerified, Name: u.Name, Groups: u.Groups}, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("testidp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:19090", "listen on this address; the issuer is http://<addr>/oidc")
	clientID := fs.String("client-id", "", "the one client's id (required)")
	clientSecret := fs.String("client-secret", "", "the one client's secret (required)")
	redirectURI := fs.String("redirect-uri", "", "the one redirect URI the client may use (required)")
	usersFile := fs.String("users", "", "a JSON file: a list of {username, password, subject, email, email_verified, name, groups} (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clientID == "" || *clientSecret == "" || *redirectURI == "" || *usersFile == "" {
		return errors.New("-client-id, -client-secret, -redirect-uri and -users are required")
	}
	raw, err := os.ReadFile(*usersFile)
	if err != nil {
		return err
	}
	var users []*user
	if err := json.Unmarshal(raw, &users); err != nil {
		return fmt.Errorf("%s: %w", *usersFile, err)
	}

	m, err := mockoidc.NewServer(nil)
	if err != nil {
		return err
	}
	m.ClientID, m.ClientSecret = *clientID, *clientSecret
	m.CodeChallengeMethodsSupported = []string{"S256"}
	p := &provider{m: m, users: users, redirectURI: *redirectURI, name: "Skillgate Test ID"}

	mux := http.NewServeMux()
	mux.HandleFunc(mockoidc.AuthorizationEndpoint, p.authorize)
	mux.HandleFunc(mockoidc.TokenEndpoint, m.Token)
	mux.HandleFunc(mockoidc.UserinfoEndpoint, m.Userinfo)
	mux.HandleFunc(mockoidc.JWKSEndpoint, m.JWKS)
	mux.HandleFunc(mockoidc.DiscoveryEndpoint, m.Discovery)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// mockoidc names its issuer and endpoints after its server's address.
	m.Server = &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(stderr, "testidp: issuer", m.Issuer())
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return m.Server.Shutdown(shutdown)
	}
}

// provider puts a login page in front of mockoidc's authorization endpoint.
type provider struct {
	m           *mockoidc.MockOIDC
	users       []*user
	redirectURI string
	name        string
	// mu makes "queue the user who signed in, then issue the code" one step:
	// mockoidc's authorization endpoint issues the code to the queued user.
	mu sync.Mutex
}

// authorize shows the login form (GET) and checks it (POST): a right
// username and password send the browser back to the client with a code.
func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.Form.Get("client_id") != p.m.ClientID || r.Form.Get("redirect_uri") != p.redirectURI {
		// Never redirect to a URI the client has not registered.
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	switch r.Method {
	case http.MethodGet:
		p.page(w, r, http.StatusOK, "")
	case http.MethodPost:
		u := p.find(r.PostForm.Get("username"), r.PostForm.Get("password"))
		if u == nil {
			p.page(w, r, http.StatusUnauthorized, "The username or password is wrong.")
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.m.QueueUser(u)
		p.m.Authorize(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (p *provider) find(username, password string) *user {
	for _, u := range p.users {
		if u.Username == username && u.Password == password {
			return u
		}
	}
	return nil
}

// oauthParams are the authorization request's parameters the form carries
// through its POST.
var oauthParams = []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"}

func (p *provider) page(w http.ResponseWriter, r *http.Request, status int, problem string) {
	hidden := make([][2]string, 0, len(oauthParams))
	for _, k := range oauthParams {
		if v := r.Form.Get(k); v != "" {
			hidden = append(hidden, [2]string{k, v})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, map[string]any{"Name": p.name, "Problem": problem, "Hidden": hidden,
		"Username": r.PostForm.Get("username")})
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – {{.Name}}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #1f2a44; color: #111; }
  main { max-width: 22rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #555; border-radius: 4px; }
  button { margin-top: 1.5rem; width: 100%; padding: .6rem; font: inherit; color: #fff; background: #1f4fbf; border: 0; border-radius: 4px; }
  .error { color: #a30000; font-weight: 600; }
  @media (max-width: 30rem) { main { margin: 1rem; } }
</style>
</head>
<body>
<main>
  <h1>{{.Name}}</h1>
  <p>Sign in to continue to Skillgate.</p>
  {{if .Problem}}<p class="error" role="alert">{{.Problem}}</p>{{end}}
  <form method="post">
    {{range .Hidden}}<input type="hidden" name="{{index . 0}}" value="{{index . 1}}">
    {{end}}
    <label for="username">Username</label>
    <input id="username" name="username" autocomplete="username" value="{{.Username}}" required>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Continue</button>
  </form>
</main>
</body>
</html>
`))
