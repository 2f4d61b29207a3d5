package audit

import (
	_ "embed"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves the audit log to compliance and admins.
type Handler struct {
	db    *gorm.DB
	guard gin.HandlerFunc
}

// NewHandler returns the handler over g. guard decides who may read the
// log (the app passes auth.RequireUser(compliance, admin); audit cannot
// import auth, which records into audit).
func NewHandler(g *gorm.DB, guard gin.HandlerFunc) *Handler {
	return &Handler{db: g, guard: guard}
}

// Register adds GET /audit under rg.
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.GET("/audit", h.guard, h.list)
}

type listRequest struct {
	ActorID     string    `form:"actor_id" binding:"max=200"`
	Action      string    `form:"action" binding:"max=200"`
	SubjectType string    `form:"subject_type" binding:"max=200"`
	SubjectID   string    `form:"subject_id" binding:"max=200"`
	ClientID    string    `form:"client_id" binding:"omitempty,uuid"`
	From        time.Time `form:"from" time_format:"2006-01-02T15:04:05Z07:00"`
	To          time.Time `form:"to" time_format:"2006-01-02T15:04:05Z07:00"`
	BeforeSeq   int64     `form:"before_seq" binding:"gte=0"`
	Limit       int       `form:"limit" binding:"omitempty,min=1,max=500"`
}

type listResponse struct {
	Entries []Row `json:"entries"`
	// NextBeforeSeq is the before_seq of the next (older) page, 0 on the last page.
	NextBeforeSeq int64 `json:"next_before_seq"`
}

func (h *Handler) list(c *gin.Context) {
	var req listRequest
	if err := httpx.BindQuery(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	f := Filter{ActorID: req.ActorID, Action: req.Action, SubjectType: req.SubjectType, SubjectID: req.SubjectID,
		From: req.From, To: req.To, BeforeSeq: req.BeforeSeq, Limit: req.Limit}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if req.ClientID != "" {
		f.ClientIDs = []string{req.ClientID}
	}
	rows, err := List(c.Request.Context(), h.db, f)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	res := listResponse{Entries: rows}
	if res.Entries == nil {
		res.Entries = []Row{}
	}
	if len(rows) == f.Limit {
		res.NextBeforeSeq = rows[len(rows)-1].Seq
	}
	c.JSON(http.StatusOK, res)
}
