package quiz

import (
	_ "embed"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Handler serves quizzes and attempts.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	agent := auth.RequireUser(auth.RoleAgent)
	staff := auth.RequireUser(auth.RoleTrainer, auth.RoleSupervisor, auth.RoleCompliance, auth.RoleAdmin)
	rg.GET("/programs/:id/quizzes", auth.RequireUser(), h.listForProgram)
	rg.POST("/quizzes/:id/attempts", agent, h.start)
	rg.GET("/quizzes/:id/attempts", staff, h.listAttempts)
	rg.GET("/quizzes/:id/analysis", staff, h.analysis)
	exporters := auth.RequireUser(auth.RoleTrainer, auth.RoleAdmin)
	rg.GET("/quizzes/:id/export", exporters, h.exportQuiz)
	rg.GET("/clients/:id/banks/:bank/export", exporters, h.exportBank)
	rg.GET("/clients/:id/banks", exporters, h.listBanks)
	rg.POST("/clients/:id/banks/:bank/import", exporters, h.importBank)
	rg.GET("/question-files/:sha256", h.questionFile)
	rg.POST("/quiz-preview", auth.RequireUser(), h.preview)
	rg.POST("/quiz-preview/check", auth.RequireUser(), h.checkPreview)
	rg.GET("/attempts/:id", agent, h.getAttempt)
	rg.PUT("/attempts/:id/answers", agent, h.saveAnswers)
	rg.POST("/attempts/:id/submit", agent, h.submit)
	rg.GET("/attempts/:id/result", auth.RequireUser(), h.result)
}

func (h *Handler) listForProgram(c *gin.Context) {
	qs, err := h.svc.ListForProgram(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"quizzes": qs})
}

func (h *Handler) start(c *gin.Context) {
	v, resumed, err := h.svc.Start(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	status := http.StatusCreated
	if resumed {
		status = http.StatusOK
	}
	c.JSON(status, v)
}

func (h *Handler) getAttempt(c *gin.Context) {
	v, err := h.svc.GetAttempt(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// saveRequest is a batch of answers with the save's sequence number.
type saveRequest struct {
	Seq     int                 `json:"seq" binding:"required,min=1"`
	Answers map[string]Response `json:"answers" binding:"required"`
}

func (h *Handler) saveAnswers(c *gin.Context) {
	var req saveRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	r, err := h.svc.SaveAnswers(c.Request.Context(), c.Param("id"), req.Seq, req.Answers)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *Handler) submit(c *gin.Context) {
	s, err := h.svc.Submit(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

func (h *Handler) result(c *gin.Context) {
	s, err := h.svc.Result(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

func (h *Handler) exportQuiz(c *gin.Context) {
	f, err := h.svc.ExportQuiz(c.Request.Context(), c.Param("id"), exportFormat(c))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	sendExport(c, f)
}

func (h *Handler) exportBank(c *gin.Context) {
	f, err := h.svc.ExportBank(c.Request.Context(), c.Param("id"), c.Param("bank"), exportFormat(c))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	sendExport(c, f)
}

// exportFormat is the format asked for, Moodle XML by default.
func exportFormat(c *gin.Context) string {
	if f := c.Query("format"); f != "" {
		return f
	}
	return ExportMoodleXML
}

func sendExport(c *gin.Context, f *ExportFile) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	c.Data(http.StatusOK, f.ContentType, f.Data)
}

func (h *Handler) listBanks(c *gin.Context) {
	bs, err := h.svc.Banks(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"banks": bs})
}

// importQuery says how to read an uploaded bank file and whether to apply
// it.
type importQuery struct {
	Format string `form:"format"`
	File   string `form:"file"`
	Apply  bool   `form:"apply"`
}

// importBank takes the file as the request body (any content type).
func (h *Handler) importBank(c *gin.Context) {
	var q importQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBankUpload))
	if err != nil {
		httpx.Error(c, apperr.Invalidf("file", "the file could not be read or is larger than %d bytes", MaxBankUpload))
		return
	}
	rep, err := h.svc.ImportBank(c.Request.Context(), c.Param("id"), c.Param("bank"), q.Format, q.File, data, q.Apply)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// questionFile serves a question's image: its content never changes (the
// address is its hash), it is shown as an image only, never run.
func (h *Handler) questionFile(c *gin.Context) {
	f, err := h.svc.QuestionFile(c.Request.Context(), c.Param("sha256"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=31536000, immutable")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, f.ContentType, f.Data)
}

type attemptsQuery struct {
	UserID string `form:"user_id"`
	State  string `form:"state"`
	Passed *bool  `form:"passed"`
}

func (h *Handler) listAttempts(c *gin.Context) {
	var q attemptsQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	rows, err := h.svc.ListAttempts(c.Request.Context(), c.Param("id"), AttemptFilter{UserID: q.UserID, State: q.State, Passed: q.Passed})
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"attempts": rows})
}

func (h *Handler) analysis(c *gin.Context) {
	a, err := h.svc.Analysis(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *Handler) preview(c *gin.Context) {
	var req PreviewRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	pv, err := h.svc.Preview(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, pv)
}

func (h *Handler) checkPreview(c *gin.Context) {
	var req PreviewCheckRequest
	if err := httpx.BindJSON(c, &req); err != nil {
		httpx.Error(c, err)
		return
	}
	chk, err := h.svc.CheckPreview(c.Request.Context(), req)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, chk)
}
