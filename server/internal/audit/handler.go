package audit

import (
	"context"
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
	db     *gorm.DB
	guard  gin.HandlerFunc
	people People
}

// Person is a user named in the log: their email and display name.
type Person struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
}

// People names users by id (unknown ids left out): identity's answer,
// passed in by the app since audit cannot import auth.
type People func(ctx context.Context, ids []string) (map[string]Person, error)

// NewHandler returns the handler over g. guard decides who may read the
// log (the app passes auth.RequireUser(compliance, admin); audit cannot
// import auth, which records into audit); people names the users in it.
func NewHandler(g *gorm.DB, guard gin.HandlerFunc, people People) *Handler {
	return &Handler{db: g, guard: guard, people: people}
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
	// People names, by id, the users among the page's actors and subjects.
	People map[string]Person `json:"people"`
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
	res.People, err = h.people(c.Request.Context(), peopleIn(rows))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// peopleIn lists the user ids among rows' actors and subjects, once each.
func peopleIn(rows []Row) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, r := range rows {
		if r.ActorKind == ActorUser {
			add(r.ActorID)
		}
		if r.SubjectType == "user" {
			add(r.SubjectID)
		}
	}
	return ids
}
