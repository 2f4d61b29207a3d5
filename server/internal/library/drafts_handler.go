package library

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// registerDrafts adds the library drafts' routes: trainers and admins,
// catalog.MayAuthor deciding per client.
func (h *Handler) registerDrafts(rg *gin.RouterGroup) {
	authors := auth.RequireUser(auth.RoleTrainer, auth.RoleAdmin)
	rg.GET("/library/drafts", authors, h.listDrafts)
	rg.POST("/library/drafts", authors, h.startDraft)
	rg.GET("/library/drafts/:id", authors, h.getDraft)
	rg.PUT("/library/drafts/:id", authors, h.saveDraft)
	rg.DELETE("/library/drafts/:id", authors, h.discardDraft)
	rg.POST("/library/drafts/:id/check", authors, h.checkDraft)
	rg.POST("/library/drafts/:id/publish", authors, h.publishDraft)
	rg.GET("/library/file", authors, h.file)
	rg.GET("/library/files", authors, h.files)
}

type listDraftsQuery struct {
	Client string `form:"client" binding:"omitempty,max=63"`
	Kind   string `form:"kind" binding:"omitempty,max=16"`
}

func (h *Handler) listDrafts(c *gin.Context) {
	var q listDraftsQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	ds, err := h.drafts.List(c.Request.Context(), q.Client, q.Kind)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"drafts": ds})
}

type startDraftRequest struct {
	Client string  `json:"client" binding:"required,max=63"`
	Kind   string  `json:"kind" binding:"required,max=16"`
	Path   string  `json:"path" binding:"required,max=400"`
	Body   *string `json:"body"`
}

func (h *Handler) startDraft(c *gin.Context) {
	var req startDraftRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	d, created, err := h.drafts.Start(c.Request.Context(), NewDraft(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", "/api/v1/library/drafts/"+d.ID)
	c.Header("ETag", d.ETag())
	c.JSON(status, d)
}

func (h *Handler) getDraft(c *gin.Context) {
	d, err := h.drafts.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("ETag", d.ETag())
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, d)
}

type saveDraftRequest struct {
	Body *string `json:"body" binding:"required"`
}

func (h *Handler) saveDraft(c *gin.Context) {
	var req saveDraftRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	d, err := h.drafts.Save(c.Request.Context(), c.Param("id"), c.GetHeader("If-Match"), *req.Body)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("ETag", d.ETag())
	c.JSON(http.StatusOK, d)
}

func (h *Handler) discardDraft(c *gin.Context) {
	if err := h.drafts.Discard(c.Request.Context(), c.Param("id"), c.GetHeader("If-Match")); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// withRequest names other drafts of the same client to check or publish
// together with the one in the path (a new quiz and the program.yaml that
// lists it). The body is optional.
type withRequest struct {
	With []string `json:"with" binding:"omitempty,max=50,dive,uuid"`
}

func bindWith(c *gin.Context) ([]string, error) {
	var req withRequest
	if c.Request.ContentLength == 0 {
		return nil, nil
	}
	if err := httpx.BindJSON(c, &req); err != nil {
		return nil, err
	}
	return req.With, nil
}

func (h *Handler) checkDraft(c *gin.Context) {
	with, err := bindWith(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	res, err := h.drafts.Check(c.Request.Context(), c.Param("id"), with)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) publishDraft(c *gin.Context) {
	with, err := bindWith(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	rep, err := h.drafts.Publish(c.Request.Context(), c.Param("id"), c.GetHeader("If-Match"), with)
	var pe *ProblemsError
	if errors.As(err, &pe) {
		// The error JSON, with the problems listed as well as keyed in fields.
		var ae *apperr.Error
		errors.As(pe.Err, &ae)
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"code": ae.Code, "message": ae.Message, "fields": ae.Fields, "problems": pe.Problems})
		return
	}
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"report": rep})
}

type fileQuery struct {
	Client string `form:"client" binding:"required,max=63"`
	Path   string `form:"path" binding:"required,max=400"`
}

func (h *Handler) file(c *gin.Context) {
	var q fileQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	text, err := h.drafts.File(c.Request.Context(), q.Client, q.Path)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"path": q.Path, "body": text})
}

type filesQuery struct {
	Client string `form:"client" binding:"required,max=63"`
}

func (h *Handler) files(c *gin.Context) {
	var q filesQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	files, err := h.drafts.Files(c.Request.Context(), q.Client)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"files": files})
}
