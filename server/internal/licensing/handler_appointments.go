package licensing

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
)

// registerAppointments adds the appointment routes under rg (/api/v1).
func (h *Handler) registerAppointments(rg *gin.RouterGroup) {
	people := auth.RequireUser(auth.Roles...)
	compliance := auth.RequireUser(auth.RoleCompliance)
	rg.POST("/appointments", compliance, h.recordAppointment)
	rg.GET("/appointments", people, h.listAppointments)
	rg.POST("/appointments/import", compliance, h.importAppointments)
	rg.GET("/appointments/:id", people, h.getAppointment)
	rg.GET("/appointments/:id/history", people, h.appointmentHistory)
	rg.POST("/appointments/:id/activate", compliance, h.activateAppointment)
	rg.POST("/appointments/:id/terminate", compliance, h.terminateAppointment)
	oversight := auth.RequireUser(auth.RoleCompliance, auth.RoleAdmin)
	rg.GET("/reports/appointment-gaps", oversight, h.appointmentGaps)
	rg.GET("/reports/appointment-terminations", oversight, h.terminationsToFile)
	rg.GET("/reports/appointment-counts", oversight, h.appointmentCounts)
	holders := auth.RequireUser(auth.RoleAgent, auth.RoleCompliance, auth.RoleAdmin)
	rg.GET("/ce/library", oversight, h.ceLibrary)
	rg.GET("/ce/library/export", oversight, h.exportCELibrary)
	rg.PUT("/ce/requirements/:state/:class", oversight, h.setCERequirement)
	rg.DELETE("/ce/requirements/:state/:class", oversight, h.deleteCERequirement)
	rg.GET("/ce/standing", holders, h.ceStanding)
	rg.POST("/ce/credits", compliance, h.recordCECredit)
	rg.GET("/reports/ce-at-risk", oversight, h.ceAtRisk)
}

func (h *Handler) ceLibrary(c *gin.Context) {
	lib, err := h.svc.CELibrary(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, lib)
}

func (h *Handler) exportCELibrary(c *gin.Context) {
	file, err := h.svc.ExportCELibrary(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+CEFile+`"`)
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", file)
}

func (h *Handler) setCERequirement(c *gin.Context) {
	var req CERequirementInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	lib, err := h.svc.SetCERequirement(c.Request.Context(), c.Param("state"), c.Param("class"), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, lib)
}

func (h *Handler) deleteCERequirement(c *gin.Context) {
	lib, err := h.svc.DeleteCERequirement(c.Request.Context(), c.Param("state"), c.Param("class"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, lib)
}

type ceStandingQuery struct {
	UserID string `form:"user_id" binding:"omitempty,uuid"`
}

func (h *Handler) ceStanding(c *gin.Context) {
	var q ceStandingQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	sts, credits, err := h.svc.CEStandings(c.Request.Context(), q.UserID)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"standings": sts, "credits": credits})
}

func (h *Handler) recordCECredit(c *gin.Context) {
	var req RecordCEInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	cr, err := h.svc.RecordCECredit(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, cr)
}

func (h *Handler) ceAtRisk(c *gin.Context) {
	var q reportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.CEReport(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		out := make([][]string, len(rows))
		for i, r := range rows {
			var cats []string
			for _, cc := range r.Categories {
				cats = append(cats, fmt.Sprintf("%s %g/%g", cc.Category, cc.Earned, cc.Required))
			}
			out[i] = []string{r.Email, r.DisplayName, r.License.UserID, r.License.Jurisdiction, r.License.Class, r.License.LicenseNumber,
				r.License.ExpiryDate.String(), strconv.Itoa(r.DaysLeft), dateOrEmpty(r.PeriodStart), fmt.Sprintf("%g", r.Earned),
				fmt.Sprintf("%g", r.Required), strings.Join(cats, ";"), strconv.FormatBool(r.Sample)}
		}
		httpx.CSV(c, "ce-at-risk.csv", []string{"email", "name", "user_id", "state", "class", "license_number", "expiry_date",
			"days_left", "period_start", "earned_hours", "required_hours", "categories", "sample_requirement"}, out)
		return
	}
	c.JSON(http.StatusOK, gin.H{"licenses": rows})
}

// dateOrEmpty writes an optional date for CSV.
func dateOrEmpty(d *Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func (h *Handler) appointmentGaps(c *gin.Context) {
	var q reportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.AppointmentGaps(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		out := make([][]string, len(rows))
		for i, r := range rows {
			id := ""
			if r.AppointmentID != nil {
				id = *r.AppointmentID
			}
			out[i] = []string{r.Email, r.DisplayName, r.UserID, r.Program, r.ProgramID, r.ClientID, r.State, r.Class,
				strings.Join(r.Lines, ";"), r.Appointment, id}
		}
		httpx.CSV(c, "appointment-gaps.csv", []string{"email", "name", "user_id", "program", "program_id", "client_id",
			"state", "class", "lines", "appointment", "appointment_id"}, out)
		return
	}
	c.JSON(http.StatusOK, gin.H{"gaps": rows})
}

func (h *Handler) terminationsToFile(c *gin.Context) {
	var q reportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.TerminationsToFile(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = []string{r.Email, r.DisplayName, r.UserID, r.ClientName, r.ClientID, r.Jurisdiction,
				strings.Join(r.Lines, ";"), r.Reference, r.ID, r.Reason, dateOrEmpty(r.Since), strconv.Itoa(r.FilingDays),
				dateOrEmpty(r.FileBy), strconv.FormatBool(r.Overdue)}
		}
		httpx.CSV(c, "appointment-terminations.csv", []string{"email", "name", "user_id", "client", "client_id", "state",
			"lines", "reference", "appointment_id", "reason", "since", "filing_days", "file_by", "overdue"}, out)
		return
	}
	c.JSON(http.StatusOK, gin.H{"terminations": rows})
}

func (h *Handler) appointmentCounts(c *gin.Context) {
	var q reportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.AppointmentCounts(c.Request.Context())
	if err != nil {
		httpx.Error(c, err)
		return
	}
	if httpx.WantsCSV(c) {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = []string{r.Client, r.ClientID, r.State, strconv.Itoa(r.Requested), strconv.Itoa(r.Active), strconv.Itoa(r.Terminated)}
		}
		httpx.CSV(c, "appointment-counts.csv", []string{"client", "client_id", "state", "requested", "active", "terminated"}, out)
		return
	}
	c.JSON(http.StatusOK, gin.H{"counts": rows})
}

func (h *Handler) recordAppointment(c *gin.Context) {
	var req RecordAppointmentInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	a, err := h.svc.RecordAppointment(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}

type appointmentQuery struct {
	UserID       string `form:"user_id" binding:"omitempty,uuid"`
	ClientID     string `form:"client_id" binding:"omitempty,uuid"`
	Jurisdiction string `form:"jurisdiction"`
	Status       string `form:"status" binding:"omitempty,oneof=requested active terminated"`
	Limit        int    `form:"limit" binding:"omitempty,gte=1,lte=1000"`
	Offset       int    `form:"offset" binding:"omitempty,gte=0"`
}

func (h *Handler) listAppointments(c *gin.Context) {
	var q appointmentQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	if q.Limit == 0 {
		q.Limit = 500
	}
	if q.Jurisdiction != "" {
		code, ok := jurisdiction.Parse(q.Jurisdiction)
		if !ok {
			httpx.Error(c, apperr.Invalidf("jurisdiction", "must be %s", jurisdiction.Described))
			return
		}
		q.Jurisdiction = code
	}
	as, err := h.svc.ListAppointments(c.Request.Context(), AppointmentFilter{UserID: q.UserID, ClientID: q.ClientID,
		Jurisdiction: q.Jurisdiction, Status: AppointmentStatus(q.Status), Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"appointments": as})
}

func (h *Handler) getAppointment(c *gin.Context) {
	h.appointmentAnswer(c)(h.svc.GetAppointment(c.Request.Context(), c.Param("id")))
}

func (h *Handler) appointmentHistory(c *gin.Context) {
	es, err := h.svc.AppointmentHistory(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"events": es})
}

func (h *Handler) activateAppointment(c *gin.Context) {
	var req ActivateInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	h.appointmentAnswer(c)(h.svc.ActivateAppointment(c.Request.Context(), c.Param("id"), req))
}

func (h *Handler) terminateAppointment(c *gin.Context) {
	var req TerminateInput
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	h.appointmentAnswer(c)(h.svc.TerminateAppointment(c.Request.Context(), c.Param("id"), req))
}

// appointmentAnswer writes an appointment or the error.
func (h *Handler) appointmentAnswer(c *gin.Context) func(*Appointment, error) {
	return func(a *Appointment, err error) {
		if err != nil {
			httpx.Error(c, err)
			return
		}
		c.JSON(http.StatusOK, a)
	}
}

func (h *Handler) importAppointments(c *gin.Context) {
	out, err := h.svc.ImportAppointments(c.Request.Context(), c.Request.Body)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
