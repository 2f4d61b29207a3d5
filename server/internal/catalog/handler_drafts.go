package catalog

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/httpx"
)

// registerDrafts adds the module drafts' routes (authors gates the roles;
// MayAuthor decides per draft).
func (h *Handler) registerDrafts(rg *gin.RouterGroup, authors gin.HandlerFunc) {
	rg.GET("/module-drafts", authors, h.listDrafts)
	rg.POST("/module-drafts", authors, h.startDraft)
	rg.GET("/module-drafts/:id", authors, h.getDraft)
	rg.PUT("/module-drafts/:id", authors, h.saveDraft)
	rg.DELETE("/module-drafts/:id", authors, h.discardDraft)
	rg.GET("/module-drafts/:id/diff", authors, h.draftDiff)
	rg.POST("/module-drafts/:id/publish", authors, h.publishDraft)
}

func (h *Handler) listDrafts(c *gin.Context) {
	ds, err := h.svc.ListDraftsFor(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"drafts": ds})
}

type startDraftRequest struct {
	ModuleID  string `json:"module_id" binding:"omitempty,uuid"`
	ProgramID string `json:"program_id" binding:"omitempty,uuid"`
	Core      bool   `json:"core"`
	Slug      string `json:"slug" binding:"omitempty,max=63"`
	Markdown  string `json:"markdown"`
}

func (h *Handler) startDraft(c *gin.Context) {
	var req startDraftRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	d, created, err := h.svc.StartDraft(c.Request.Context(), NewDraft(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/module-drafts/"+d.ID)
	}
	c.Header("ETag", d.ETag())
	c.JSON(status, d)
}

func (h *Handler) getDraft(c *gin.Context) {
	d, err := h.svc.Draft(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("ETag", d.ETag())
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, d)
}

type saveDraftRequest struct {
	Markdown string `json:"markdown" binding:"required"`
}

func (h *Handler) saveDraft(c *gin.Context) {
	var req saveDraftRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	d, err := h.svc.SaveDraft(c.Request.Context(), c.Param("id"), c.GetHeader("If-Match"), req.Markdown)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("ETag", d.ETag())
	c.JSON(http.StatusOK, d)
}

func (h *Handler) discardDraft(c *gin.Context) {
	if err := h.svc.DiscardDraft(c.Request.Context(), c.Param("id"), c.GetHeader("If-Match")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) draftDiff(c *gin.Context) {
	d, err := h.svc.DiffDraft(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type publishDraftRequest struct {
	Change string `json:"change" binding:"required,oneof=minor material"`
}

func (h *Handler) publishDraft(c *gin.Context) {
	var req publishDraftRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	m, err := h.svc.PublishDraft(c.Request.Context(), c.Param("id"), c.GetHeader("If-Match"), req.Change)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Location", "/api/v1/modules/"+m.ID+"/versions/"+strconv.Itoa(m.Version.Number))
	c.JSON(http.StatusCreated, m)
}
