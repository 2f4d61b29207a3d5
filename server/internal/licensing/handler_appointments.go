package licensing

import (
	"net/http"

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
