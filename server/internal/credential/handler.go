package credential

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

// MediaTypeJWT is the media type of a credential secured as a JWT
// (VC-JOSE-COSE).
const MediaTypeJWT = "application/vc+jwt"

// Handler serves certificates, credentials and the public verification.
type Handler struct {
	svc *Service
	// limit rate-limits the public routes per client address (nil: none).
	limit *httpx.RateLimiter
}

// NewHandler returns the handler over svc; limit guards the public routes.
func NewHandler(svc *Service, limit *httpx.RateLimiter) *Handler {
	return &Handler{svc: svc, limit: limit}
}

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	staff := auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin)
	rg.GET("/me/certificates", auth.RequireUser(), h.mine)
	rg.GET("/users/:id/certificates", staff, h.forUser)
	rg.GET("/certificates/:id/pdf", auth.RequireUser(), h.pdf)
	rg.GET("/certificates/:id/credential", auth.RequireUser(), h.credential)
	public := []gin.HandlerFunc{}
	if h.limit != nil {
		public = append(public, h.limit.Middleware())
	}
	rg.GET("/verify/:id", append(public, h.verify)...)
	rg.GET("/credentials/status/:list", append(public, h.statusList)...)
	rg.GET("/credentials/jwks", h.jwks)
	rg.GET("/credentials/issuer", h.issuer)
}

func (h *Handler) mine(c *gin.Context) {
	vs, err := h.svc.Mine(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"certificates": vs})
}

func (h *Handler) forUser(c *gin.Context) {
	vs, err := h.svc.ForUser(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"certificates": vs})
}

func (h *Handler) pdf(c *gin.Context) {
	b, number, err := h.svc.PDF(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="certificate-`+number+`.pdf"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", b)
}

func (h *Handler) credential(c *gin.Context) {
	jwt, number, err := h.svc.Credential(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="credential-`+number+`.jwt"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, MediaTypeJWT, []byte(jwt))
}

func (h *Handler) verify(c *gin.Context) {
	v, err := h.svc.Verify(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

func (h *Handler) statusList(c *gin.Context) {
	n, err := strconv.ParseInt(c.Param("list"), 10, 64)
	if err != nil || n < 0 {
		httpx.Error(c, apperr.NotFoundf("status list"))
		return
	}
	jwt, err := h.svc.StatusList(c.Request.Context(), n)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, MediaTypeJWT, []byte(jwt))
}

func (h *Handler) jwks(c *gin.Context) {
	ks, err := h.svc.JWKS(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, ks)
}

func (h *Handler) issuer(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, h.svc.Issuer())
}
