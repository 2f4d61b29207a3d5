package licensing

import (
	_ "embed"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves licenses and the license reports.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	holders := auth.RequireUser(auth.RoleAgent, auth.RoleCompliance)
	readers := auth.RequireUser(auth.RoleAgent, auth.RoleCompliance, auth.RoleAdmin)
	compliance := auth.RequireUser(auth.RoleCompliance)
	oversight := auth.RequireUser(auth.RoleCompliance, auth.RoleAdmin)
	rg.POST("/licenses", holders, h.submit)
	rg.GET("/licenses", readers, h.list)
	rg.POST("/licenses/import", compliance, h.importCSV)
	rg.GET("/licenses/:id", readers, h.get)
	rg.PATCH("/licenses/:id", holders, h.update)
	rg.GET("/licenses/:id/history", readers, h.history)
	rg.POST("/licenses/:id/verify", compliance, h.verify)
	rg.POST("/licenses/:id/reject", compliance, h.reject)
	rg.POST("/licenses/:id/revoke", oversight, h.revoke)
	rg.GET("/reports/license-queue", oversight, h.queue)
	rg.GET("/reports/licenses-expiring", oversight, h.expiring)
	rg.GET("/reports/license-gaps", oversight, h.gaps)
	h.registerAppointments(rg)
}

func (h *Handler) submit(c *gin.Context) {
	var req SubmitInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	l, err := h.svc.Submit(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, l)
}

type listQuery struct {
	Status             string `form:"status" binding:"omitempty,oneof=pending verified rejected expired revoked"`
	UserID             string `form:"user_id" binding:"omitempty,uuid"`
	Jurisdiction       string `form:"jurisdiction"`
	ExpiringWithinDays int    `form:"expiring_within_days" binding:"omitempty,gte=1,lte=365"`
	Limit              int    `form:"limit" binding:"omitempty,gte=1,lte=1000"`
	Offset             int    `form:"offset" binding:"omitempty,gte=0"`
}

func (h *Handler) list(c *gin.Context) {
	var q listQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	if q.Limit == 0 {
		q.Limit = 200
	}
	if q.Jurisdiction != "" {
		code, ok := jurisdiction.Parse(q.Jurisdiction)
		if !ok {
			httpx.Error(c, apperr.Invalidf("jurisdiction", "must be %s", jurisdiction.Described))
			return
		}
		q.Jurisdiction = code
	}
	ls, err := h.svc.List(c.Request.Context(), Filter{Status: Status(q.Status), UserID: q.UserID,
		Jurisdiction: q.Jurisdiction, ExpiringWithinDays: q.ExpiringWithinDays, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"licenses": ls})
}

func (h *Handler) get(c *gin.Context) {
	l, err := h.svc.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

func (h *Handler) update(c *gin.Context) {
	var req UpdateInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	l, err := h.svc.Update(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

func (h *Handler) history(c *gin.Context) {
	es, err := h.svc.History(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"events": es})
}

type noteRequest struct {
	Note string `json:"note" binding:"max=2000"`
}

type reasonRequest struct {
	Reason string `json:"reason" binding:"required,max=2000"`
}

func (h *Handler) verify(c *gin.Context) {
	var req noteRequest
	if c.Request.ContentLength != 0 {
		if err := httpx.BindJSON(c, &req); err != nil {
			httpx.Error(c, err)
			return
		}
	}
	h.answer(c)(h.svc.Verify(c.Request.Context(), c.Param("id"), req.Note))
}

func (h *Handler) reject(c *gin.Context) {
	var req noteRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	h.answer(c)(h.svc.Reject(c.Request.Context(), c.Param("id"), req.Note))
}

func (h *Handler) revoke(c *gin.Context) {
	var req reasonRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	h.answer(c)(h.svc.Revoke(c.Request.Context(), c.Param("id"), req.Reason))
}

// answer writes a changed license or the error.
func (h *Handler) answer(c *gin.Context) func(*License, error) {
	return func(l *License, err error) {
		if err != nil {
			httpx.Error(c, err)
			return
		}
		c.JSON(http.StatusOK, l)
	}
}

func (h *Handler) importCSV(c *gin.Context) {
	ls, err := h.svc.Import(c.Request.Context(), c.Request.Body)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"created": len(ls), "licenses": ls})
}

type reportQuery struct {
	Format string `form:"format" binding:"omitempty,oneof=json csv"`
}

type expiringQuery struct {
	Days   int    `form:"days" binding:"required,oneof=30 60 90"`
	Format string `form:"format" binding:"omitempty,oneof=json csv"`
}

// licenseColumns are the CSV columns of the license reports; the holder's
// name comes last, so consumers that read columns by position keep working.
var licenseColumns = []string{"email", "user_id", "npn", "jurisdiction", "license_number", "class",
	"lines_of_authority", "resident", "issue_date", "effective_date", "expiry_date", "days_left",
	"status", "submitted_at", "evidence", "name"}

func licenseCSV(rows []ReportLicense) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = []string{r.Email, r.UserID, r.NPN, r.Jurisdiction, r.LicenseNumber, r.Class,
			strings.Join(r.Lines, ";"), strconv.FormatBool(r.Resident), r.IssueDate.String(), r.EffectiveDate.String(),
			r.ExpiryDate.String(), strconv.Itoa(r.DaysLeft), string(r.Status), r.SubmittedAt.Format("2006-01-02T15:04:05Z07:00"), r.Evidence, r.DisplayName}
	}
	return out
}

func (h *Handler) queue(c *gin.Context) {
	var q reportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.Queue(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		httpx.CSV(c, "license-queue.csv", licenseColumns, licenseCSV(rows))
		return
	}
	c.JSON(http.StatusOK, gin.H{"licenses": rows})
}

func (h *Handler) expiring(c *gin.Context) {
	var q expiringQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.Expiring(c.Request.Context(), q.Days)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		httpx.CSV(c, "licenses-expiring-"+strconv.Itoa(q.Days)+"-days.csv", licenseColumns, licenseCSV(rows))
		return
	}
	c.JSON(http.StatusOK, gin.H{"days": q.Days, "licenses": rows})
}

var gapColumns = []string{"email", "user_id", "program", "program_id", "client_id", "certification_state",
	"class", "states", "reason", "missing_lines", "name"}

func (h *Handler) gaps(c *gin.Context) {
	var q reportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.Gaps(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = []string{r.Email, r.UserID, r.Program, r.ProgramID, r.ClientID, string(r.CertificationState),
				r.Class, strings.Join(r.States, ";"), string(r.Reason), strings.Join(r.MissingLines, ";"), r.DisplayName}
		}
		httpx.CSV(c, "license-gaps.csv", gapColumns, out)
		return
	}
	c.JSON(http.StatusOK, gin.H{"gaps": rows})
}
