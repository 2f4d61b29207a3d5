package webhook

import (
	_ "embed"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves webhook subscriptions and their delivery log.
type Handler struct{ svc *Service }

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1): admins, or API keys with
// the webhooks:manage scope.
func (h *Handler) Register(rg *gin.RouterGroup) {
	managers := auth.RequireUserOrScope(auth.ScopeWebhooksManage, auth.RoleAdmin)
	rg.POST("/webhooks", managers, h.create)
	rg.GET("/webhooks", managers, h.list)
	rg.GET("/webhooks/:id", managers, h.get)
	rg.PATCH("/webhooks/:id", managers, h.update)
	rg.DELETE("/webhooks/:id", managers, h.delete)
	rg.POST("/webhooks/:id/rotate-secret", managers, h.rotate)
	rg.POST("/webhooks/:id/ping", managers, h.ping)
	rg.POST("/webhooks/:id/replay", managers, h.replayRange)
	rg.GET("/webhooks/:id/deliveries", managers, h.deliveries)
	rg.GET("/webhook-deliveries/:id", managers, h.delivery)
	rg.POST("/webhook-deliveries/:id/replay", managers, h.replayDelivery)
}

func (h *Handler) create(c *gin.Context) {
	var req CreateInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	sub, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, sub)
}

func (h *Handler) list(c *gin.Context) {
	subs, err := h.svc.List(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": subs})
}

func (h *Handler) get(c *gin.Context) {
	sub, err := h.svc.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

func (h *Handler) update(c *gin.Context) {
	var req UpdateInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	sub, err := h.svc.Update(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

func (h *Handler) delete(c *gin.Context) {
	if err := h.svc.Delete(c.Request.Context(), c.Param("id")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) rotate(c *gin.Context) {
	sub, err := h.svc.RotateSecret(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, sub)
}

func (h *Handler) ping(c *gin.Context) {
	h.answerDelivery(c)(h.svc.Ping(c.Request.Context(), c.Param("id")))
}

type replayRangeRequest struct {
	From *time.Time `json:"from" binding:"required"`
	To   *time.Time `json:"to" binding:"required"`
}

func (h *Handler) replayRange(c *gin.Context) {
	var req replayRangeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	n, err := h.svc.ReplayRange(c.Request.Context(), c.Param("id"), *req.From, *req.To)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"queued": n})
}

type deliveriesQuery struct {
	Status string `form:"status" binding:"omitempty,oneof=pending sending succeeded failed"`
	Limit  int    `form:"limit" binding:"omitempty,gte=1,lte=500"`
	Offset int    `form:"offset" binding:"omitempty,gte=0"`
}

func (h *Handler) deliveries(c *gin.Context) {
	var q deliveriesQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	ds, err := h.svc.Deliveries(c.Request.Context(), c.Param("id"), DeliveryFilter{Status: Status(q.Status), Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": ds})
}

func (h *Handler) delivery(c *gin.Context) {
	h.answerDelivery(c)(h.svc.Delivery(c.Request.Context(), c.Param("id")))
}

func (h *Handler) replayDelivery(c *gin.Context) {
	h.answerDelivery(c)(h.svc.ReplayDelivery(c.Request.Context(), c.Param("id")))
}

func (h *Handler) answerDelivery(c *gin.Context) func(*Delivery, error) {
	return func(d *Delivery, err error) {
		if err != nil {
			httpx.Error(c, err)
			return
		}
		c.JSON(http.StatusOK, d)
	}
}
