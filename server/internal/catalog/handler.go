package catalog

import (
	_ "embed"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves the catalog: clients, programs, modules.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1). Every route needs a
// signed-in user (API keys get 403); the service decides what each user
// may see.
func (h *Handler) Register(rg *gin.RouterGroup) {
	user := auth.RequireUser()
	authors := auth.RequireUser(auth.RoleTrainer, auth.RoleAdmin)
	admin := auth.RequireUser(auth.RoleAdmin)

	rg.GET("/clients", user, h.listClients)
	rg.POST("/clients", admin, h.createClient)
	rg.GET("/clients/:id", user, h.getClient)
	rg.PATCH("/clients/:id", admin, h.updateClient)

	rg.GET("/programs", user, h.listPrograms)
	rg.GET("/programs/:id", user, h.getProgram)
	rg.GET("/programs/:id/progress", user, h.programProgress)

	rg.GET("/modules/:id", user, h.getModule)
	rg.GET("/modules/:id/versions", user, h.listVersions)
	rg.POST("/modules/:id/versions", authors, h.publish)
	rg.GET("/modules/:id/versions/:number", user, h.getVersion)
	rg.GET("/modules/:id/diff", user, h.diff)
	rg.POST("/modules/:id/open", user, h.open)
	rg.POST("/modules/:id/complete", user, h.complete)

	rg.GET("/search", user, h.search)
	rg.POST("/preview", authors, h.preview)
	h.registerDrafts(rg, authors)
}

func (h *Handler) listClients(c *gin.Context) {
	cs, err := h.svc.ListVisibleClients(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"clients": cs})
}

func (h *Handler) getClient(c *gin.Context) {
	cl, err := h.svc.VisibleClient(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}

type createClientRequest struct {
	Slug        string `json:"slug" binding:"required"`
	Name        string `json:"name" binding:"required,max=200"`
	Industry    string `json:"industry" binding:"max=200"`
	Description string `json:"description" binding:"max=4000"`
}

func (h *Handler) createClient(c *gin.Context) {
	var req createClientRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cl, err := h.svc.CreateClient(c.Request.Context(), ClientInput(req))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Location", "/api/v1/clients/"+cl.ID)
	c.JSON(http.StatusCreated, cl)
}

type updateClientRequest struct {
	Slug        *string `json:"slug"`
	Name        *string `json:"name" binding:"omitempty,max=200"`
	Industry    *string `json:"industry" binding:"omitempty,max=200"`
	Description *string `json:"description" binding:"omitempty,max=4000"`
}

func (h *Handler) updateClient(c *gin.Context) {
	var req updateClientRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	if req.Slug != nil {
		httpx.Error(c, apperr.Invalidf("slug", "cannot change: it names the client's folder in the content library"))
		return
	}
	cl, err := h.svc.UpdateClient(c.Request.Context(), c.Param("id"),
		ClientPatch{Name: req.Name, Industry: req.Industry, Description: req.Description})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}

type listProgramsQuery struct {
	ClientID string `form:"client_id" binding:"omitempty,uuid"`
}

func (h *Handler) listPrograms(c *gin.Context) {
	var q listProgramsQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	ps, err := h.svc.ListVisiblePrograms(c.Request.Context(), q.ClientID)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"programs": ps})
}

func (h *Handler) getProgram(c *gin.Context) {
	p, err := h.svc.ProgramDetail(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) programProgress(c *gin.Context) {
	p, err := h.svc.ProgramProgress(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) getModule(c *gin.Context) {
	m, err := h.svc.RenderedModuleRead(c.Request.Context(), c.Param("id"), 0)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.CachedBody(c, m.Body, m.ETag, httpx.CacheRevalidate)
}

func (h *Handler) getVersion(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 {
		httpx.Error(c, apperr.NotFoundf("version %q of the module", c.Param("number")))
		return
	}
	m, err := h.svc.RenderedModuleRead(c.Request.Context(), c.Param("id"), n)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	httpx.CachedBody(c, m.Body, m.ETag, httpx.CacheImmutableHour)
}

func (h *Handler) listVersions(c *gin.Context) {
	vs, err := h.svc.ReadModuleVersions(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"versions": vs})
}

type diffQuery struct {
	From int `form:"from" binding:"omitempty,min=1"`
	To   int `form:"to" binding:"omitempty,min=1"`
}

func (h *Handler) diff(c *gin.Context) {
	var q diffQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	d, err := h.svc.ReadDiff(c.Request.Context(), c.Param("id"), q.From, q.To)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type publishRequest struct {
	Markdown string `json:"markdown" binding:"required"`
	Change   string `json:"change" binding:"required,oneof=minor material"`
}

func (h *Handler) publish(c *gin.Context) {
	var req publishRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	m, err := h.svc.PublishVersion(c.Request.Context(), c.Param("id"), req.Markdown, req.Change)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Location", "/api/v1/modules/"+m.ID+"/versions/"+strconv.Itoa(m.Version.Number))
	c.JSON(http.StatusCreated, m)
}

type previewRequest struct {
	Markdown string `json:"markdown"`
	ModuleID string `json:"module_id" binding:"omitempty,uuid"`
}

func (h *Handler) preview(c *gin.Context) {
	var req previewRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, err := h.svc.PreviewModule(c.Request.Context(), req.ModuleID, req.Markdown)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type searchParams struct {
	Q     string `form:"q" binding:"required,max=200"`
	Limit int    `form:"limit" binding:"omitempty,min=1,max=50"`
}

func (h *Handler) search(c *gin.Context) {
	var q searchParams
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	if q.Limit == 0 {
		q.Limit = 20
	}
	rs, err := h.svc.SearchVisible(c.Request.Context(), q.Q, q.Limit)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"results": rs})
}

func (h *Handler) open(c *gin.Context) {
	p, err := h.svc.RecordOpen(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type completeRequest struct {
	Version int `json:"version" binding:"required,min=1"`
}

func (h *Handler) complete(c *gin.Context) {
	var req completeRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	p, err := h.svc.RecordComplete(c.Request.Context(), c.Param("id"), req.Version)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
