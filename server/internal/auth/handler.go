package auth

import (
	_ "embed"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Refresh cookie.
const (
	RefreshCookie     = "skillgate_refresh"
	RefreshCookiePath = "/api/v1/auth"
)

// Handler serves sign-in, the signed-in user, user administration and API keys.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1). Every route declares who may
// call it; the services check the rest (e.g. which users a trainer sees).
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.POST("/auth/login", h.login)
	rg.GET("/auth/methods", h.methods)
	rg.POST("/auth/refresh", h.refresh)
	rg.POST("/auth/logout", h.logout)
	rg.POST("/auth/password", RequireUser(), h.changePassword)

	rg.GET("/me", RequireUser(), h.me)
	rg.PATCH("/me", RequireUser(), h.updateMe)

	admin := RequireUser(RoleAdmin)
	rg.GET("/users", RequireUser(RoleAdmin, RoleCompliance, RoleTrainer, RoleSupervisor), h.listUsers)
	rg.POST("/users", admin, h.createUser)
	rg.POST("/users/import", admin, h.importUsers)
	rg.GET("/users/:id", RequireUser(), h.getUser)
	rg.PATCH("/users/:id", admin, h.updateUser)
	rg.POST("/users/:id/deactivate", admin, h.setActive(false))
	rg.POST("/users/:id/reactivate", admin, h.setActive(true))
	rg.PUT("/users/:id/memberships", admin, h.setMemberships)

	rg.GET("/api-keys", admin, h.listAPIKeys)
	rg.POST("/api-keys", admin, h.createAPIKey)
	rg.DELETE("/api-keys/:id", admin, h.revokeAPIKey)
}

type loginRequest struct {
	Email    string `json:"email" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=1024"`
	// RefreshTokenDelivery is "cookie" (the default, for the web app) or
	// "body" (for API clients).
	RefreshTokenDelivery string `json:"refresh_token_delivery" binding:"omitempty,oneof=cookie body"`
}

type tokenResponse struct {
	AccessToken      string    `json:"access_token"`
	TokenType        string    `json:"token_type"`
	ExpiresIn        int       `json:"expires_in"`
	ExpiresAt        time.Time `json:"expires_at"`
	RefreshToken     string    `json:"refresh_token,omitempty"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	User             *User     `json:"user,omitempty"`
}

// sendTokens answers with the access token, and the refresh token either
// in the body or in the HttpOnly cookie.
func (h *Handler) sendTokens(c *gin.Context, t *Tokens, inBody bool) {
	res := tokenResponse{
		AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresAt: t.AccessExpiresAt,
		ExpiresIn:        int(t.AccessExpiresAt.Sub(h.svc.clock.Now()).Seconds()),
		RefreshExpiresAt: t.RefreshExpires, User: t.User,
	}
	if inBody {
		res.RefreshToken = t.RefreshToken
	} else {
		h.setRefreshCookie(c, t.RefreshToken, t.RefreshExpires)
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) setRefreshCookie(c *gin.Context, value string, expires time.Time) {
	maxAge := int(expires.Sub(h.svc.clock.Now()).Seconds())
	if value == "" {
		maxAge = -1
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: RefreshCookie, Value: value, Path: RefreshCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: h.svc.cfg.SecureCookies, SameSite: http.SameSiteStrictMode,
	})
}

func (h *Handler) login(c *gin.Context) {
	var req loginRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	t, err := h.svc.Login(c.Request.Context(), LoginInput{Email: req.Email, Password: req.Password, ClientIP: c.ClientIP()})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	h.sendTokens(c, t, req.RefreshTokenDelivery == "body")
}

func (h *Handler) methods(c *gin.Context) {
	c.JSON(http.StatusOK, h.svc.Methods())
}

// SendSession puts the refresh token of a session started elsewhere (a
// sign-in with the identity provider) in the web app's cookie.
func (h *Handler) SendSession(c *gin.Context, t *Tokens) {
	h.setRefreshCookie(c, t.RefreshToken, t.RefreshExpires)
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token" binding:"max=200"`
}

// bindOptionalJSON binds a body when there is one.
func bindOptionalJSON(c *gin.Context, req any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody || c.Request.ContentLength == 0 {
		return nil
	}
	return httpx.BindJSON(c, req)
}

// refreshToken is the token from the body, else from the cookie.
func refreshFrom(c *gin.Context, req refreshRequest) (token string, inBody bool) {
	if req.RefreshToken != "" {
		return req.RefreshToken, true
	}
	v, _ := c.Cookie(RefreshCookie)
	return v, false
}

func (h *Handler) refresh(c *gin.Context) {
	var req refreshRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	raw, inBody := refreshFrom(c, req)
	t, err := h.svc.Refresh(c.Request.Context(), raw)
	if err != nil {
		if !inBody {
			h.setRefreshCookie(c, "", time.Time{})
		}
		httpx.Error(c, err)
		return
	}
	h.sendTokens(c, t, inBody)
}

func (h *Handler) logout(c *gin.Context) {
	var req refreshRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	raw, _ := refreshFrom(c, req)
	if err := h.svc.Logout(c.Request.Context(), raw); err != nil {
		httpx.Error(c, err)
		return
	}
	h.setRefreshCookie(c, "", time.Time{})
	c.Status(http.StatusNoContent)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" binding:"required,max=1024"`
	NewPassword     string `json:"new_password" binding:"required,max=1024"`
}

func (h *Handler) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	if err := h.svc.ChangePassword(c.Request.Context(), req.CurrentPassword, req.NewPassword); err != nil {
		httpx.Error(c, err)
		return
	}
	h.setRefreshCookie(c, "", time.Time{})
	c.Status(http.StatusNoContent)
}

func (h *Handler) me(c *gin.Context) {
	u, err := h.svc.Me(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// updateMeRequest holds the one field users may change about themselves;
// any other field (role, email, active…) is refused as unknown.
type updateMeRequest struct {
	DisplayName string `json:"display_name" binding:"max=200"`
}

func (h *Handler) updateMe(c *gin.Context) {
	var req updateMeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	u, err := h.svc.UpdateMe(c.Request.Context(), req.DisplayName)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

type userList struct {
	Users []*User `json:"users"`
	// Next is the "after" value for the next page, "" on the last page.
	Next string `json:"next"`
}

func (h *Handler) listUsers(c *gin.Context) {
	var f UserFilter
	if err := httpx.BindQuery(c, &f); err != nil {
		httpx.Error(c, err)
		return
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	users, err := h.svc.ListUsers(c.Request.Context(), f)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	res := userList{Users: users}
	if res.Users == nil {
		res.Users = []*User{}
	}
	if len(users) == f.Limit {
		res.Next = users[len(users)-1].Email
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) createUser(c *gin.Context) {
	var req CreateUserInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	u, err := h.svc.CreateUser(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

func (h *Handler) importUsers(c *gin.Context) {
	users, err := h.svc.ImportUsers(c.Request.Context(), c.Request.Body)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"created": len(users), "users": users})
}

func (h *Handler) getUser(c *gin.Context) {
	u, err := h.svc.GetUser(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *Handler) updateUser(c *gin.Context) {
	var req UpdateUserInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	u, err := h.svc.UpdateUser(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *Handler) setActive(active bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, err := h.svc.SetActive(c.Request.Context(), c.Param("id"), active)
		if err != nil {
			httpx.Error(c, err)
			return
		}
		c.JSON(http.StatusOK, u)
	}
}

type membershipsRequest struct {
	ClientIDs []string `json:"client_ids" binding:"required,dive,uuid"`
}

func (h *Handler) setMemberships(c *gin.Context) {
	var req membershipsRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	u, err := h.svc.SetMemberships(c.Request.Context(), c.Param("id"), req.ClientIDs)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *Handler) listAPIKeys(c *gin.Context) {
	keys, err := h.svc.ListAPIKeys(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"api_keys": keys})
}

func (h *Handler) createAPIKey(c *gin.Context) {
	var req CreateAPIKeyInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	k, err := h.svc.CreateAPIKey(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, k)
}

func (h *Handler) revokeAPIKey(c *gin.Context) {
	if err := h.svc.RevokeAPIKey(c.Request.Context(), c.Param("id")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
