package httpx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

type bindItem struct {
	State string `json:"state"`
}

type bindRequest struct {
	Role   string          `json:"role"`
	Name   string          `json:"display_name"`
	Checks []bindItem      `json:"checks"`
	Meta   map[string]any  `json:"meta"`
	Raw    json.RawMessage `json:"raw"`
}

// TestBindJSONRefusesDuplicateKeysAndUnstorableText: one table for the
// shared binder's refusals, each naming the field.
func TestBindJSONRefusesDuplicateKeysAndUnstorableText(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.ReleaseMode)
	for _, tc := range []struct {
		name  string
		body  string
		field string // "" when the body binds
		want  string // part of the field's message
	}{
		{"plain", `{"role":"agent","display_name":"Ben Carter"}`, "", ""},
		{"unicode", `{"display_name":"Zoë Ñúñez ☕ \ud83d\ude80"}`, "", ""},
		{"same key in two objects", `{"checks":[{"state":"TX"},{"state":"GA"}]}`, "", ""},
		{"an escaped backslash before u0000 is no NUL", `{"display_name":"C:\\u0000"}`, "", ""},
		{"many keys, none twice", `{"meta":{` + manyKeys(40, "") + `}}`, "", ""},
		{"duplicate role", `{"role":"agent","role":"admin"}`, "role", "given twice"},
		{"duplicate spelled with an escape", `{"role":"agent","r\u006fle":"admin"}`, "role", "given twice"},
		{"duplicate after many keys", `{"meta":{` + manyKeys(40, `,"k7":0`) + `}}`, "meta.k7", "given twice"},
		{"duplicate in another case", `{"role":"agent","ROLE":"admin"}`, "ROLE", "given twice"},
		{"duplicate folded like encoding/json (long s)", `{"checks":[{"state":"TX","ſtate":"XX"}]}`, "checks[0].ſtate", "given twice"},
		{"duplicate nested in an array", `{"checks":[{"state":"TX"},{"state":"TX","state":"XX"}]}`, "checks[1].state", "given twice"},
		{"duplicate in a free-form map", `{"meta":{"a":{"b":1,"b":2}}}`, "meta.a.b", "given twice"},
		{"duplicate in a raw message", `{"raw":{"x":1,"x":2}}`, "raw.x", "given twice"},
		{"escaped NUL", `{"display_name":"Ben\u0000Carter"}`, "display_name", pgtext.NUL},
		{"escaped NUL in an array item", `{"checks":[{"state":"TX"},{"state":"T\u0000"}]}`, "checks[1].state", pgtext.NUL},
		{"escaped NUL in a raw message", `{"raw":["ok","\u0000"]}`, "raw[1]", pgtext.NUL},
		{"escaped NUL in a key", `{"meta":{"a\u0000":1}}`, "meta", "has a key that " + pgtext.NUL},
		{"invalid UTF-8 byte", "{\"display_name\":\"Ben\xffCarter\"}", "display_name", pgtext.InvalidUTF8},
		{"invalid UTF-8 in a nested key", "{\"meta\":{\"k\xc0\":1}}", "meta", "has a key that " + pgtext.InvalidUTF8},
		{"escaped NUL in a top-level key", `{"ro\u0000le":"agent"}`, `ro\x00le`, "not a field"}, // named escaped
		{"invalid UTF-8 in a raw message", "{\"raw\":\"\xed\xa0\x80\"}", "raw", pgtext.InvalidUTF8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			var req bindRequest
			err := BindJSON(c, &req)
			if tc.field == "" {
				if err != nil {
					t.Errorf("got %v, want it bound", err)
				}
				return
			}
			ae, ok := err.(*apperr.Error)
			if !ok || ae.Code != apperr.Invalid || !strings.Contains(ae.Fields[tc.field], tc.want) {
				t.Errorf("got %#v, want invalid naming %q with %q", err, tc.field, tc.want)
			}
		})
	}
}

// TestValidTextRefusesQueryAndPathParameters: the middleware names the
// parameter; the handler never runs.
func TestValidTextRefusesQueryAndPathParameters(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ValidText())
	r.GET("/things/:id", func(c *gin.Context) { c.String(http.StatusOK, "ran") })
	for _, tc := range []struct {
		path   string
		status int
		field  string
	}{
		{"/things/1?q=hello&state=TX", 200, ""},
		{"/things/1?q=caf%C3%A9", 200, ""},
		{"/things/1?q=100%", 200, ""}, // does not unescape: the parser drops it
		{"/things/1?q=%00", 400, "q"},
		{"/things/1?q=ok&q=a%00b", 400, "q"},
		{"/things/1?q=%ff", 400, "q"},
		{"/things/1?q=%C0%80", 400, "q"}, // overlong NUL
		{"/things/1?%00=x", 400, "query"},
		{"/things/%00", 400, "id"},
		{"/things/a%ffb", 400, "id"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, tc.status)
			}
			if tc.field == "" {
				return
			}
			var body ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != apperr.Invalid || body.Fields[tc.field] == "" {
				t.Errorf("got %s, want invalid naming %s", rec.Body, tc.field)
			}
		})
	}
}

// manyKeys is n distinct members "k0":0,… followed by more.
func manyKeys(n int, more string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"k` + strconv.Itoa(i) + `":0`
	}
	return strings.Join(parts, ",") + more
}
