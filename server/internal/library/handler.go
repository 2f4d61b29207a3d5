package library

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// OpenAPI is this package's fragment of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Importer imports a library tree with every part (quizzes, role-plays,
// the CE library) in one transaction: app.App.Import, as `skillgate import`.
type Importer func(ctx context.Context, contentDir, quizDir string, opts catalog.ImportOptions) (*catalog.Report, error)

// Exporter writes the library (or one client's): app.App.ExportLibrary,
// catalog.Service.ExportLibrary with every domain's files.
type Exporter func(ctx context.Context, clientSlug string) ([]catalog.LibraryFile, error)

// Handler serves the library's export and upload.
type Handler struct {
	catalog  *catalog.Service
	exporter Exporter
	importer Importer
	clock    clock.Clock
	drafts   *Drafts
}

// NewHandler returns the handler; drafts serves the library drafts.
func NewHandler(c *catalog.Service, exporter Exporter, importer Importer, clk clock.Clock, drafts *Drafts) *Handler {
	return &Handler{catalog: c, exporter: exporter, importer: importer, clock: clk, drafts: drafts}
}

// Register adds the routes under rg (/api/v1).
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.GET("/library/export", auth.RequireUser(auth.RoleTrainer, auth.RoleAdmin), h.export)
	rg.POST("/library/import", auth.RequireUser(auth.RoleAdmin), h.importArchive)
	h.registerDrafts(rg)
}

type exportQuery struct {
	Client string `form:"client" binding:"omitempty,max=63"`
	Format string `form:"format" binding:"omitempty,oneof=tar.gz zip"`
}

// export answers the library (or one client's) as an archive: the whole
// library for admins; one client's for admins and that client's trainers
// (catalog.MayAuthor), another client's being not_found.
func (h *Handler) export(c *gin.Context) {
	var q exportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	if q.Format == "" {
		q.Format = FormatTarGz
	}
	ctx := c.Request.Context()
	p := auth.FromContext(ctx)
	if q.Client == "" {
		if !p.Is(auth.RoleAdmin) {
			httpx.Error(c, apperr.Invalidf("client", "trainers export one client's library: name it"))
			return
		}
	} else {
		cl, err := h.catalog.ClientBySlug(ctx, q.Client)
		if err == nil && !p.MemberOf(cl.ID) {
			err = apperr.NotFoundf("client %q", q.Client)
		}
		if err == nil {
			err = catalog.MayAuthor(p, cl.ID)
		}
		if err != nil {
			httpx.Error(c, err)
			return
		}
	}
	files, err := h.exporter(ctx, q.Client)
	if err != nil {
		httpx.Error(c, err)
		return
	}
	var buf bytes.Buffer
	now := h.clock.Now().UTC()
	if err := Pack(&buf, q.Format, files, now); err != nil {
		httpx.Error(c, err)
		return
	}
	name := "skillgate-library"
	if q.Client != "" {
		name += "-" + q.Client
	}
	name += "-" + now.Format("20060102") + "." + q.Format
	contentType := "application/gzip"
	if q.Format == FormatZip {
		contentType = "application/zip"
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, contentType, buf.Bytes())
}

type importQuery struct {
	DryRun *bool `form:"dry_run" binding:"required"`
}

// importArchive imports an uploaded archive (the request body) as
// `skillgate import` would: all or nothing, dry run first when asked.
// Problems answer 400 with fields keyed by the file's path in the archive
// and its line.
func (h *Handler) importArchive(c *gin.Context) {
	var q importQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Error(c, err)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxArchiveBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.Error(c, apperr.Invalidf("archive", "at most %d MiB", MaxArchiveBytes>>20))
			return
		}
		httpx.Error(c, err)
		return
	}
	dir, err := os.MkdirTemp("", "skillgate-library-*")
	if err != nil {
		httpx.Error(c, err)
		return
	}
	defer os.RemoveAll(dir)
	if err := Unpack(data, dir); err != nil {
		httpx.Error(c, err)
		return
	}
	ctx := c.Request.Context()
	rep, err := h.importer(ctx, filepath.Join(dir, "content"), filepath.Join(dir, "quizzes"),
		catalog.ImportOptions{DryRun: *q.DryRun, Actor: auth.FromContext(ctx).Actor()})
	var probs catalog.Problems
	if errors.As(err, &probs) {
		for i := range probs {
			probs[i].File = inArchive(dir, probs[i].File)
		}
		httpx.Error(c, probs.AppErr())
		return
	}
	if err != nil {
		httpx.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// inArchive is a problem's file as its path in the archive.
func inArchive(dir, file string) string {
	rel, err := filepath.Rel(dir, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return file
	}
	return filepath.ToSlash(rel)
}
