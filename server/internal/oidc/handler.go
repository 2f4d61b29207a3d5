package oidc

import (
	_ "embed"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// StateCookie binds a started sign-in to the browser that started it, so
// a callback URL sent to someone else signs no one in (login CSRF). It is
// SameSite=Lax: the callback is a top-level navigation from the provider.
const StateCookie = "skillgate_oidc_state"

// stateCookiePath keeps the cookie to the flow's own paths.
const stateCookiePath = "/api/v1/auth/oidc"

// Sessions puts a started session's refresh token where the web app finds
// it (auth's handler).
type Sessions interface {
	SendSession(c *gin.Context, t *auth.Tokens)
}

// Handler serves the two steps of the flow, which browsers navigate to.
type Handler struct {
	svc      *Service
	sessions Sessions
}

// NewHandler returns the flow's handler.
func NewHandler(svc *Service, sessions Sessions) *Handler {
	return &Handler{svc: svc, sessions: sessions}
}

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.GET(StartPath, h.start)
	rg.GET(CallbackPath, h.callback)
}

func (h *Handler) setStateCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: StateCookie, Value: value, Path: stateCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: h.svc.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// failed sends the browser to the login page, which explains reason.
func failed(c *gin.Context, reason string) {
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, "/login?sso_error="+url.QueryEscape(reason))
}

func (h *Handler) start(c *gin.Context) {
	state, authURL, err := h.svc.Start(c.Request.Context())
	if err != nil {
		h.svc.cfg.Log.WarnContext(c.Request.Context(), "identity provider sign-in could not start", "err", err)
		failed(c, ReasonProvider)
		return
	}
	h.setStateCookie(c, state, int(StateTTL.Seconds()))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, authURL)
}

func (h *Handler) callback(c *gin.Context) {
	cookie, _ := c.Cookie(StateCookie)
	h.setStateCookie(c, "", -1)
	t, err := h.svc.Callback(c.Request.Context(), c.Query("state"), cookie, c.Query("code"), c.Query("error"), c.ClientIP())
	var f *Failure
	switch {
	case errors.As(err, &f):
		failed(c, f.Reason)
	case err != nil:
		httpx.Error(c, err)
	default:
		h.sessions.SendSession(c, t)
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, "/")
	}
}
