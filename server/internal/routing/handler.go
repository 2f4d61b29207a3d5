package routing

import (
	_ "embed"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves the gate: eligibility checks, rosters and assignments.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	read := auth.RequireUserOrScope(auth.ScopeEligibilityRead)
	staffOrKey := auth.RequireUserOrScope(auth.ScopeEligibilityRead, auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin)
	manage := auth.RequireUser(auth.RoleSupervisor, auth.RoleAdmin)
	rg.GET("/eligibility", read, h.check)
	rg.POST("/eligibility/batch", read, h.batch)
	rg.GET("/programs/:id/roster", staffOrKey, h.roster)
	rg.GET("/exports/taskrouter-workers", staffOrKey, h.taskRouterWorkers)
	rg.POST("/eligibility/reconcile", staffOrKey, h.reconcile)
	rg.GET("/agents/:id/programs", read, h.agentPrograms)
	rg.GET("/programs/:id/assignments", staffOrKey, h.listAssignments)
	rg.POST("/programs/:id/assignments", manage, h.assign)
	rg.DELETE("/programs/:id/assignments/:user_id", manage, h.unassign)
}

type checkRequest struct {
	Agent   string `form:"agent" json:"agent" binding:"required"`
	Program string `form:"program" json:"program" binding:"required"`
	State   string `form:"state" json:"state"`
}

func (r checkRequest) check(prefix string) (Check, error) {
	a, err := ParseAgent(prefix+"agent", r.Agent)
	return Check{Agent: a, ProgramID: strings.ToLower(r.Program), State: r.State}, err
}

// check answers one question. It is the gate's hot path, thousands a
// second: the query is read and the answer written without reflection
// (checkQuery gives the errors BindQuery would; appendAnswerJSON writes
// what c.JSON would).
func (h *Handler) check(c *gin.Context) {
	req, err := checkQuery(c)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	chk, err := req.check("")
	if err != nil {
		httpx.Error(c, err)
		return
	}
	a, err := h.svc.Check(c.Request.Context(), chk)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	bp := answerBuffers.Get().(*[]byte)
	*bp = appendAnswerJSON((*bp)[:0], a)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", *bp)
	answerBuffers.Put(bp)
}

// answerBuffers holds the buffers single answers are encoded into.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// checkQuery reads a single check's query (the first of repeated
// parameters, as form binding does), refusing a missing agent or program
// with the field named.
func checkQuery(c *gin.Context) (checkRequest, error) {
	req := checkRequest{Agent: c.Query("agent"), Program: c.Query("program"), State: c.Query("state")}
	if req.Agent != "" && req.Program != "" {
		return req, nil
	}
	fields := apperr.Fields{}
	if req.Agent == "" {
		fields.Add("agent", "is required")
	}
	if req.Program == "" {
		fields.Add("program", "is required")
	}
	return req, fields.Err()
}

type batchRequest struct {
	Checks []checkRequest `json:"checks" binding:"required"`
}

func (h *Handler) batch(c *gin.Context) {
	var req batchRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	checks := make([]Check, len(req.Checks))
	bad := map[int]error{}
	for i, r := range req.Checks {
		chk, err := r.check("checks[" + strconv.Itoa(i) + "].")
		checks[i] = chk
		if err != nil {
			bad[i] = err
		}
	}
	items, err := h.svc.batch(c.Request.Context(), checks, bad)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"results": items})
}

type rosterRequest struct {
	Eligible bool   `form:"eligible"`
	State    string `form:"state"`
	Format   string `form:"format" binding:"omitempty,oneof=json csv"`
}

func (h *Handler) roster(c *gin.Context) {
	var req rosterRequest
	if err := httpx.BindQuery(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	e, err := h.svc.roster(c.Request.Context(), strings.ToLower(c.Param("id")), req.State, req.Eligible)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	r := e.roster
	c.Header("Cache-Control", "no-store")
	if !httpx.WantsCSV(c) {
		if e.json != nil {
			c.Data(http.StatusOK, "application/json; charset=utf-8", e.json)
			return
		}
		buf := rosterBuffers.Get().(*[]byte)
		*buf = appendRosterJSON((*buf)[:0], r)
		c.Data(http.StatusOK, "application/json; charset=utf-8", *buf)
		rosterBuffers.Put(buf)
		return
	}
	rows := make([][]string, 0, len(r.Agents))
	for _, e := range r.Agents {
		var ext, until string
		if e.ExternalID != nil {
			ext = *e.ExternalID
		}
		if e.ValidUntil != nil {
			until = e.ValidUntil.Format(time.RFC3339)
		}
		codes := make([]string, len(e.Reasons))
		for i, rs := range e.Reasons {
			codes[i] = rs.Code
			if rs.State != "" {
				codes[i] += ":" + rs.State
			}
		}
		covered := ""
		if e.CoveredStates != nil {
			covered = strings.Join(*e.CoveredStates, " ")
		}
		rows = append(rows, []string{e.AgentID, ext, e.Email, e.AssignmentStatus, strconv.FormatBool(e.Eligible),
			strings.Join(codes, " "), until, covered, e.DisplayName})
	}
	httpx.CSV(c, "roster.csv", []string{"agent_id", "external_id", "email", "assignment_status", "eligible",
		"reasons", "valid_until", "covered_states", "name"}, rows)
}

type agentProgramsRequest struct {
	State string `form:"state"`
}

func (h *Handler) agentPrograms(c *gin.Context) {
	var req agentProgramsRequest
	if err := httpx.BindQuery(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	agent, err := ParseAgent("id", c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	ps, err := h.svc.AgentPrograms(c.Request.Context(), agent, req.State)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"programs": ps})
}

func (h *Handler) listAssignments(c *gin.Context) {
	as, err := h.svc.ListAssignments(c.Request.Context(), strings.ToLower(c.Param("id")))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"assignments": as})
}

type assignRequest struct {
	UserID string `json:"user_id" binding:"required,uuid"`
}

func (h *Handler) assign(c *gin.Context) {
	var req assignRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	a, err := h.svc.Assign(c.Request.Context(), strings.ToLower(c.Param("id")), strings.ToLower(req.UserID))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}

func (h *Handler) unassign(c *gin.Context) {
	if err := h.svc.Unassign(c.Request.Context(), strings.ToLower(c.Param("id")), strings.ToLower(c.Param("user_id"))); err != nil {
		httpx.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type exportRequest struct {
	ClientID string `form:"client_id"`
}

func (h *Handler) taskRouterWorkers(c *gin.Context) {
	var req exportRequest
	if err := httpx.BindQuery(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	out, err := h.svc.TaskRouterWorkers(c.Request.Context(), req.ClientID)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

type reconcileAgent struct {
	Agent    string   `json:"agent"`
	Programs []string `json:"programs"`
	Skills   []string `json:"skills"`
}

type reconcileRequest struct {
	ClientID string           `json:"client_id"`
	Agents   []reconcileAgent `json:"agents" binding:"required"`
}

// maxFieldErrors bounds how many field problems one answer lists.
const maxFieldErrors = 20

// acdAgents checks the request's agents, naming each bad field with its
// index (agents[3].programs[0]). Errors: invalid.
func (r *reconcileRequest) acdAgents() ([]ACDAgent, error) {
	if len(r.Agents) > MaxReconcileAgents {
		return nil, apperr.Invalidf("agents", "must hold at most %d agents", MaxReconcileAgents)
	}
	f := apperr.Fields{}
	out := make([]ACDAgent, len(r.Agents))
	for i, a := range r.Agents {
		if len(f) >= maxFieldErrors {
			break
		}
		at := "agents[" + strconv.Itoa(i) + "]."
		ag, err := ParseAgent(at+"agent", a.Agent)
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				for k, v := range ae.Fields {
					f.Add(k, "%s", v)
				}
			}
		}
		if len(a.Programs)+len(a.Skills) > MaxReconcileRoutes {
			f.Add(at+"programs", "programs and skills together must hold at most %d entries", MaxReconcileRoutes)
		}
		out[i] = ACDAgent{Agent: ag, Programs: make([]string, len(a.Programs)), Skills: a.Skills}
		for j, p := range a.Programs {
			if uuid.Validate(p) != nil {
				f.Add(at+"programs["+strconv.Itoa(j)+"]", "must be a program id (uuid)")
			}
			out[i].Programs[j] = strings.ToLower(p)
		}
		for j, s := range a.Skills {
			if s == "" || len(s) > 200 {
				f.Add(at+"skills["+strconv.Itoa(j)+"]", "must be a skill name of 1 to 200 characters")
			}
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (h *Handler) reconcile(c *gin.Context) {
	var req reconcileRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	acd, err := req.acdAgents()
	if err != nil {
		httpx.Error(c, err)
		return
	}
	out, err := h.svc.Reconcile(c.Request.Context(), req.ClientID, acd)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}
