package httpx

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Cache-Control values for cached reads.
const (
	// CacheRevalidate lets a browser keep a private copy but ask every
	// time (with If-None-Match) whether it is still current: for reads
	// whose content, or whose visibility, may change.
	CacheRevalidate = "private, no-cache"
	// CacheImmutableHour lets a browser reuse a private copy for an hour
	// without asking: for content that never changes once written.
	CacheImmutableHour = "private, max-age=3600"
)

// CachedJSON answers 200 with v as JSON, a strong ETag (a hash of the
// body, so it changes exactly when the body does) and the Cache-Control
// header. When the request's If-None-Match names that ETag (or is "*") it
// answers 304 Not Modified with the same headers and no body.
func CachedJSON(c *gin.Context, v any, cacheControl string) {
	body, err := json.Marshal(v)
	if err != nil {
		Error(c, err)
		return
	}
	CachedBody(c, body, ETag(body), cacheControl)
}

// ETag is the strong ETag of body: a hash of its bytes.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// CachedBody is CachedJSON for a body already encoded as JSON, with its
// ETag (from ETag) computed beforehand: If-None-Match is compared before
// anything is written.
func CachedBody(c *gin.Context, body []byte, etag, cacheControl string) {
	h := c.Writer.Header()
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{cacheControl}
	if inm := c.Request.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// etagMatches applies If-None-Match's weak comparison: any listed tag
// equal to etag once W/ is dropped, or "*".
func etagMatches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}
