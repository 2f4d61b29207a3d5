package catalog

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

// Handler serves the catalog: clients, programs, modules.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.GET("/clients", auth.RequireUser(), h.listClients)
	rg.GET("/clients/:id", auth.RequireUser(), h.getClient)
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
