package roleplay

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

// Handler serves role-play runs and reviews.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	users := auth.RequireUser()
	reviewers := auth.RequireUser(auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin)
	rg.POST("/roleplays/:id/runs", users, h.start)
	rg.GET("/runs/:id", users, h.get)
	rg.POST("/runs/:id/turns", users, h.take)
	rg.GET("/runs/:id/result", users, h.result)
	rg.POST("/runs/:id/abandon", users, h.abandon)
	rg.GET("/programs/:id/roleplays", users, h.list)
	rg.POST("/runs/:id/comments", reviewers, h.comment)
	rg.POST("/runs/:id/review", reviewers, h.review)
	rg.GET("/reviews", reviewers, h.reviews)
	rg.GET("/roleplays/:id/competencies", users, h.summary)
	rg.POST("/roleplay-preview", users, h.preview)
	rg.POST("/roleplay-preview/check", users, h.checkPreview)
}

type idURI struct {
	ID string `uri:"id" binding:"required,uuid"`
}

// bindID checks the path's id is a uuid (not_found otherwise: no such thing).
func bindID(c *gin.Context, what string) (string, bool) {
	var u idURI
	if err := c.ShouldBindUri(&u); err != nil {
		httpx.Error(c, notFound(what))
		return "", false
	}
	return u.ID, true
}

func (h *Handler) start(c *gin.Context) {
	id, ok := bindID(c, "role-play")
	if !ok {
		return
	}
	v, err := h.svc.Start(c.Request.Context(), id)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (h *Handler) get(c *gin.Context) {
	id, ok := bindID(c, "run")
	if !ok {
		return
	}
	v, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

type turnRequest struct {
	Seq      *int   `json:"seq" binding:"required,min=0"`
	TurnID   string `json:"turn_id" binding:"required"`
	OptionID string `json:"option_id"`
	Text     string `json:"text" binding:"max=4000"`
}

func (h *Handler) take(c *gin.Context) {
	id, ok := bindID(c, "run")
	if !ok {
		return
	}
	var req turnRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.Take(c.Request.Context(), id, TurnInput{Seq: *req.Seq, TurnID: req.TurnID, OptionID: req.OptionID, Text: req.Text})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *Handler) result(c *gin.Context) {
	id, ok := bindID(c, "run")
	if !ok {
		return
	}
	res, err := h.svc.Result(c.Request.Context(), id)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) reviews(c *gin.Context) {
	items, err := h.svc.Reviews(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reviews": items})
}

type commentRequest struct {
	TurnIndex *int   `json:"turn_index" binding:"required,min=0"`
	Text      string `json:"text" binding:"required,max=4000"`
}

func (h *Handler) comment(c *gin.Context) {
	id, ok := bindID(c, "run")
	if !ok {
		return
	}
	var req commentRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cm, err := h.svc.AddComment(c.Request.Context(), id, *req.TurnIndex, req.Text)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, cm)
}

type reviewRequest struct {
	Decision      string             `json:"decision" binding:"required,oneof=approve send_back"`
	Note          string             `json:"note" binding:"max=4000"`
	ScoreOverride map[string]float64 `json:"score_override"`
}

func (h *Handler) review(c *gin.Context) {
	id, ok := bindID(c, "run")
	if !ok {
		return
	}
	var req reviewRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	res, err := h.svc.Review(c.Request.Context(), id, ReviewInput(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) abandon(c *gin.Context) {
	id, ok := bindID(c, "run")
	if !ok {
		return
	}
	res, err := h.svc.Abandon(c.Request.Context(), id)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) list(c *gin.Context) {
	id, ok := bindID(c, "program")
	if !ok {
		return
	}
	items, err := h.svc.ProgramRoleplays(c.Request.Context(), id)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"roleplays": items})
}

func (h *Handler) summary(c *gin.Context) {
	id, ok := bindID(c, "role-play")
	if !ok {
		return
	}
	sum, err := h.svc.Summary(c.Request.Context(), id)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

type previewRequest struct {
	Client   string   `json:"client" binding:"required,max=100"`
	Scenario string   `json:"scenario" binding:"max=262144"`
	Choices  []string `json:"choices" binding:"max=500,dive,max=4000"`
}

func (h *Handler) preview(c *gin.Context) {
	var req previewRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.PlayPreview(c.Request.Context(), PreviewInput(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *Handler) checkPreview(c *gin.Context) {
	var req previewRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	v, err := h.svc.CheckScenario(c.Request.Context(), req.Client, req.Scenario)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
