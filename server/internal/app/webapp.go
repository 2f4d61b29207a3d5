package app

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/httpx"
)

// appCSP allows only the app's own scripts, styles and API: module HTML is
// sanitized on import, and this is the second wall.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Skillgate</title>
<body style="font:16px system-ui;max-width:40rem;margin:3rem auto">
<h1>Skillgate</h1><p>The web app is not built into this binary. Run <code>make build</code> (or <code>make run</code>),
which builds <code>frontend/</code> first. The API is up: see <a href="/api/docs">/api/docs</a>.</p></body></html>`

// webApp serves the built app: hashed assets with a long cache, any other
// GET path with index.html so deep links work. API paths never reach it.
func webApp(dist fs.FS) gin.HandlerFunc {
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		index = nil
	}
	files := http.FileServer(http.FS(dist))
	modTime := time.Now()
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, "/api/") || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
			httpx.NotFound(c)
			return
		}
		c.Header("Content-Security-Policy", appCSP)
		if index == nil {
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
			return
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					c.Header("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(c.Writer, c.Request)
				return
			}
		}
		c.Header("Cache-Control", "no-cache")
		http.ServeContent(c.Writer, c.Request, "index.html", modTime, bytes.NewReader(index))
	}
}
