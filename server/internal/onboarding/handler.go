package onboarding

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

// Handler serves cohorts, plans, reports and refreshers.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	staff := auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin)
	manage := auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleAdmin)
	rg.POST("/cohorts", manage, h.create)
	rg.GET("/cohorts", staff, h.list)
	rg.GET("/cohorts/:id", staff, h.get)
	rg.POST("/cohorts/:id/members", manage, h.addMember)
	rg.DELETE("/cohorts/:id/members/:user_id", manage, h.removeMember)
	rg.PUT("/cohorts/:id/calendar", manage, h.setCalendar)
	rg.GET("/cohorts/:id/plan-changes", manage, h.previewPlan)
	rg.POST("/cohorts/:id/plan-changes/apply", manage, h.applyPlan)
	rg.GET("/cohorts/:id/progress", staff, h.matrix)
	rg.GET("/cohorts/:id/stats", staff, h.stats)
	rg.GET("/cohorts/:id/at-risk", staff, h.atRisk)
	rg.GET("/programs/:id/refreshers", staff, h.programRefreshers)
	rg.GET("/me/onboarding", auth.RequireUser(), h.mine)
}

type createRequest struct {
	Name         string   `json:"name"`
	StartDate    string   `json:"start_date"`
	TrainerID    string   `json:"trainer_id"`
	ProgramIDs   []string `json:"program_ids"`
	SkipWeekends *bool    `json:"skip_weekends"`
	DueFrom      string   `json:"due_from"`
}

func (h *Handler) create(c *gin.Context) {
	var req createRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.Create(c.Request.Context(), CreateInput(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (h *Handler) list(c *gin.Context) {
	vs, err := h.svc.List(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cohorts": vs})
}

func (h *Handler) get(c *gin.Context) {
	v, err := h.svc.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type memberRequest struct {
	UserID string `json:"user_id"`
}

func (h *Handler) addMember(c *gin.Context) {
	var req memberRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.AddMember(c.Request.Context(), c.Param("id"), req.UserID)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (h *Handler) removeMember(c *gin.Context) {
	if err := h.svc.RemoveMember(c.Request.Context(), c.Param("id"), c.Param("user_id")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type calendarRequest struct {
	DaysOff      []string `json:"days_off"`
	WorkingDays  []string `json:"working_days"`
	SkipWeekends *bool    `json:"skip_weekends"`
	DueFrom      string   `json:"due_from"`
}

func (h *Handler) setCalendar(c *gin.Context) {
	var req calendarRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.SetCalendar(c.Request.Context(), c.Param("id"), CalendarInput(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *Handler) matrix(c *gin.Context) {
	mx, err := h.svc.Matrix(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		header, rows := mx.CSV()
		httpx.CSV(c, "cohort-"+mx.CohortID+"-progress.csv", header, rows)
		return
	}
	c.JSON(http.StatusOK, mx)
}

func (h *Handler) stats(c *gin.Context) {
	st, err := h.svc.Stats(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *Handler) atRisk(c *gin.Context) {
	rs, err := h.svc.AtRisk(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"agents": rs})
}

func (h *Handler) programRefreshers(c *gin.Context) {
	rs, err := h.svc.ProgramRefreshers(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"refreshers": rs})
}

func (h *Handler) mine(c *gin.Context) {
	m, err := h.svc.Mine(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (h *Handler) previewPlan(c *gin.Context) {
	v, err := h.svc.PreviewPlan(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type applyPlanRequest struct {
	Fingerprint string `json:"fingerprint"`
}

func (h *Handler) applyPlan(c *gin.Context) {
	var req applyPlanRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.ApplyPlan(c.Request.Context(), c.Param("id"), req.Fingerprint)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
