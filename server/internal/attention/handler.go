package attention

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

// Handler serves the staff attention list.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.GET("/me/attention", auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin), h.get)
}

func (h *Handler) get(c *gin.Context) {
	a, err := h.svc.For(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}
