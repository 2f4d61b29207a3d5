package httpx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkBindJSONBatch binds a 500-check eligibility batch, the largest
// body on the hot path; compare with -run none -bench BindJSON.
func BenchmarkBindJSONBatch(b *testing.B) {
	type check struct {
		Agent   string `json:"agent"`
		Program string `json:"program"`
		State   string `json:"state"`
	}
	var req struct {
		Checks []check `json:"checks"`
	}
	for range 500 {
		req.Checks = append(req.Checks, check{"ext:acd-000123", "0e3da958-ae07-4eeb-a7fa-89eee6e9b814", "TX"})
	}
	body, _ := json.Marshal(req)
	gin.SetMode(gin.ReleaseMode)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		var out struct {
			Checks []check `json:"checks"`
		}
		if err := BindJSON(c, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckJSONBatch is the text and duplicate-key scan alone over the
// same 500-check body.
func BenchmarkCheckJSONBatch(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"checks":[`)
	for i := range 500 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"agent":"ext:acd-000123","program":"0e3da958-ae07-4eeb-a7fa-89eee6e9b814","state":"TX"}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
