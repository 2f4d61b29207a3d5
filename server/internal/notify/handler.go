package notify

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

// Handler serves the signed-in user's inbox.
type Handler struct{ svc *Service }

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1): every signed-in person, each
// seeing only their own notices; API keys have no inbox.
func (h *Handler) Register(rg *gin.RouterGroup) {
	me := auth.RequireUser()
	rg.GET("/me/notifications", me, h.list)
	rg.POST("/me/notifications/read-all", me, h.readAll)
	rg.POST("/me/notifications/:id/read", me, h.read)
}

func (h *Handler) list(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	in, err := h.svc.Inbox(c.Request.Context(), p)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, in)
}

func (h *Handler) read(c *gin.Context) {
	n, err := h.svc.MarkRead(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (h *Handler) readAll(c *gin.Context) {
	n, err := h.svc.MarkAllRead(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}

// pageOf reads limit (1..100), offset (0..100000) and unread (a boolean)
// from the query, naming each field at fault.
func pageOf(c *gin.Context) (Page, error) {
	var p Page
	f := apperr.Fields{}
	whole := func(name string, lo, hi int) int {
		v, ok := c.GetQuery(name)
		if !ok {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			f.Add(name, "must be a whole number from %d to %d", lo, hi)
		}
		return n
	}
	p.Limit, p.Offset = whole("limit", 1, 100), whole("offset", 0, 100000)
	if v, ok := c.GetQuery("unread"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.Add("unread", "must be true or false")
		}
		p.UnreadOnly = b
	}
	return p, f.Err()
}
