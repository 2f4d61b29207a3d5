package certification

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves enrollments and certifications.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	staff := auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin)
	manage := auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleAdmin)
	rg.GET("/programs/:id/enrollments", staff, h.list)
	rg.POST("/programs/:id/enrollments", manage, h.enroll)
	rg.POST("/programs/:id/enrollments/bulk", manage, h.enrollMany)
	rg.DELETE("/programs/:id/enrollments/:user_id", manage, h.withdraw)
	rg.GET("/me/certifications", auth.RequireUser(), h.mine)
	rg.GET("/users/:id/certifications", staff, h.forUser)
	rg.GET("/programs/:id/certifications", staff, h.forProgram)
	rg.GET("/certifications/:id/history", auth.RequireUser(), h.history)
	oversight := auth.RequireUser(auth.RoleCompliance, auth.RoleAdmin)
	rg.POST("/certifications/:id/revoke", oversight, h.revoke)
	rg.POST("/certifications/:id/reinstate", oversight, h.reinstate)
}

func (h *Handler) mine(c *gin.Context) {
	vs, err := h.svc.Mine(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"certifications": vs})
}

func (h *Handler) forUser(c *gin.Context) {
	vs, err := h.svc.ForUser(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"certifications": vs})
}

type programQuery struct {
	State string `form:"state"`
}

func (h *Handler) forProgram(c *gin.Context) {
	var q programQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	cs, err := h.svc.ForProgram(c.Request.Context(), c.Param("id"), State(q.State))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"certifications": cs})
}

func (h *Handler) history(c *gin.Context) {
	cert, events, err := h.svc.History(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"certification": cert, "events": events})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (h *Handler) revoke(c *gin.Context) {
	var req reasonRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cert, err := h.svc.Revoke(c.Request.Context(), c.Param("id"), req.Reason)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, cert)
}

func (h *Handler) reinstate(c *gin.Context) {
	var req reasonRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cert, err := h.svc.Reinstate(c.Request.Context(), c.Param("id"), req.Reason)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, cert)
}

type enrollRequest struct {
	UserID string `json:"user_id" binding:"required,uuid"`
}

func (h *Handler) enroll(c *gin.Context) {
	var req enrollRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cert, err := h.svc.Enroll(c.Request.Context(), c.Param("id"), req.UserID)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, cert)
}

func (h *Handler) list(c *gin.Context) {
	cs, err := h.svc.ListForProgram(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"enrollments": cs})
}

func (h *Handler) withdraw(c *gin.Context) {
	if err := h.svc.Withdraw(c.Request.Context(), c.Param("id"), c.Param("user_id")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type enrollManyRequest struct {
	UserIDs []string `json:"user_ids"`
}

func (h *Handler) enrollMany(c *gin.Context) {
	var req enrollManyRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cs, err := h.svc.EnrollMany(c.Request.Context(), c.Param("id"), req.UserIDs)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"enrollments": cs})
}
