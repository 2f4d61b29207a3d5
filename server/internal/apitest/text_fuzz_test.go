package apitest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// badUTF8 marks where the body generator puts a byte that is not UTF-8
// (json.Marshal would replace it).
const badUTF8 = "@@bad-utf8@@"

// TestUnstorableTextNeverAnswers5xx sends text PostgreSQL cannot store (a
// NUL, bytes that are not UTF-8) and duplicate JSON keys to every operation
// of the OpenAPI document, as an admin and as an agent: in path parameters,
// in every query parameter, in every string of a JSON body generated from
// the operation's schema, in CSV uploads and in the Idempotency-Key header.
// No answer may be a 5xx, and every answer must be one the document
// describes (apitest checks that on every call).
func TestUnstorableTextNeverAnswers5xx(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.ImportDemo()
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("agent@x.test", auth.RoleAgent, env.ClientID("fenmore-bank"))
	tokens := map[string]string{"admin@x.test": env.Login("admin@x.test"), "agent@x.test": env.Login("agent@x.test")}

	doc := env.App.Doc.T
	paths := doc.Paths.Map()
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	sent, refused := 0, 0
	for _, p := range keys {
		item := paths[p]
		for method, op := range item.Operations() {
			params := append(openapi3.Parameters{}, item.Parameters...)
			params = append(params, op.Parameters...)
			for _, v := range variants(p, params, op) {
				for who := range tokens {
					req := v.req
					req.Method = method
					req.Token = tokens[who]
					res := env.Do(req)
					if res.Status == 401 { // a variant signed the user out (logout, password change): sign in again
						tokens[who] = env.Login(who)
						req.Token = tokens[who]
						res = env.Do(req)
					}
					sent++
					if res.Status >= 500 {
						t.Errorf("%s %s (%s, as %s): got %d %s, want no 5xx", method, req.Path, v.name, who, res.Status, res.Body)
					}
					if res.Status == 400 && res.Code() == "invalid" {
						refused++
					}
				}
			}
		}
	}
	t.Logf("%d requests, %d refused as invalid", sent, refused)
	if refused == 0 {
		t.Error("no request was refused as invalid: the generator reaches no check")
	}
}

type variant struct {
	name string
	req  apitest.Request
}

// variants are the hostile requests for one operation.
func variants(path string, params openapi3.Parameters, op *openapi3.Operation) []variant {
	const nul, invalid = "%00", "%FF"
	// build fills the path parameters with pathValue (a sample when ""),
	// and the query parameter named query with queryValue (the others
	// with samples, so that only the one bad value can be refused).
	build := func(pathValue, query, queryValue string) string {
		out := path
		var q []string
		for _, pr := range params {
			v := sample(pr.Value.Schema)
			switch pr.Value.In {
			case "path":
				if pathValue != "" {
					v = pathValue
				}
				out = strings.ReplaceAll(out, "{"+pr.Value.Name+"}", v)
			case "query":
				if pr.Value.Name == query {
					v = queryValue
				}
				q = append(q, url.QueryEscape(pr.Value.Name)+"="+v)
			}
		}
		if len(q) > 0 {
			out += "?" + strings.Join(q, "&")
		}
		return out
	}
	var vs []variant
	add := func(name string, r apitest.Request) { vs = append(vs, variant{name, r}) }
	plain := build("", "", "")
	for _, pr := range params {
		switch pr.Value.In {
		case "path":
			add("NUL in path parameters", apitest.Request{Path: build(nul, "", "")})
			add("invalid UTF-8 in path parameters", apitest.Request{Path: build("a"+invalid, "", "")})
		case "query":
			add("NUL in query parameter "+pr.Value.Name, apitest.Request{Path: build("", pr.Value.Name, "a"+nul+"b")})
			add("invalid UTF-8 in query parameter "+pr.Value.Name, apitest.Request{Path: build("", pr.Value.Name, invalid)})
		}
	}
	add("NUL in an undeclared query parameter", apitest.Request{Path: plain + sep(plain) + "zz=" + nul})
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		content := op.RequestBody.Value.Content
		if mt := content.Get("application/json"); mt != nil && mt.Schema != nil {
			jsonHeader := map[string]string{"Content-Type": "application/json"}
			nulBody, _ := json.Marshal(generate(mt.Schema, "Ben\x00Carter", 0))
			add("NUL in every JSON string", apitest.Request{Path: plain, Body: nulBody, Header: jsonHeader})
			badBody, _ := json.Marshal(generate(mt.Schema, badUTF8, 0))
			badBody = bytes.ReplaceAll(badBody, []byte(badUTF8), []byte("Ben\xffCarter"))
			add("invalid UTF-8 in every JSON string", apitest.Request{Path: plain, Body: badBody, Header: jsonHeader})
			if dup := duplicateKey(generate(mt.Schema, "x", 0)); dup != nil {
				add("a duplicate JSON key", apitest.Request{Path: plain, Body: dup, Header: jsonHeader})
			}
		}
		if content.Get("text/csv") != nil {
			csvHeader := map[string]string{"Content-Type": "text/csv"}
			add("NUL in a CSV cell", apitest.Request{Path: plain, Header: csvHeader,
				Body: []byte("email,role,user_id,npn,jurisdiction\nben\x00@x.test,agent,x,1,TX\n")})
			add("invalid UTF-8 in a CSV cell", apitest.Request{Path: plain, Header: csvHeader,
				Body: []byte("email,role,user_id,npn,jurisdiction\nben\xff@x.test,agent,x,1,TX\n")})
		}
	}
	add("NUL in the Idempotency-Key header", apitest.Request{Path: plain, Header: map[string]string{"Idempotency-Key": "a\x00b"}})
	return vs
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// sample is a harmless value for a parameter: a uuid for a uuid, else a
// value its schema accepts.
func sample(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return "x"
	}
	s := ref.Value
	switch {
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Format == "uuid":
		return "00000000-0000-4000-8000-000000000000"
	case s.Type.Is("integer"), s.Type.Is("number"):
		return "1"
	case s.Type.Is("boolean"):
		return "true"
	case s.Format == "date":
		return "2026-03-02"
	case s.Format == "date-time":
		return "2026-03-02T09:00:00Z"
	}
	return "x"
}

// generate builds a JSON value of the schema's shape with every free-text
// string set to str (maps get one entry whose key is str too); strings with
// an enum or a format get a valid sample, so the body can pass validation
// and carry str as far as the database when nothing refuses it earlier.
func generate(ref *openapi3.SchemaRef, str string, depth int) any {
	if ref == nil || ref.Value == nil || depth > 6 {
		return str
	}
	s := ref.Value
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := generate(part, str, depth+1).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		return merged
	}
	if len(s.OneOf) > 0 {
		return generate(s.OneOf[0], str, depth+1)
	}
	if len(s.AnyOf) > 0 {
		return generate(s.AnyOf[0], str, depth+1)
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		m := map[string]any{}
		for name, p := range s.Properties {
			m[name] = generate(p, str, depth+1)
		}
		if ap := s.AdditionalProperties; ap.Schema != nil {
			m[str] = generate(ap.Schema, str, depth+1)
		}
		return m
	case s.Type.Is("array"):
		return []any{generate(s.Items, str, depth+1)}
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 1
	case s.Type.Is("boolean"):
		return true
	case len(s.Enum) > 0 || (s.Format != "" && s.Format != "email"):
		return sample(ref)
	}
	return str
}

// duplicateKey is v (an object) with its first key given twice, or nil.
func duplicateKey(v any) []byte {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	first, _ := json.Marshal(names[0])
	val, _ := json.Marshal(m[names[0]])
	body, _ := json.Marshal(m)
	return append(append(append(append([]byte("{"), first...), ':'), val...), append([]byte(","), body[1:]...)...)
}

// TestHostileInputRefusedAsInvalid: the reported requests, each refused with
// 400 invalid naming the field, and nothing changed.
func TestHostileInputRefusedAsInvalid(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("admin@x.test", auth.RoleAdmin)
	taken := env.User("taken@x.test", auth.RoleAgent)
	ben := env.User("ben@x.test", auth.RoleAgent)
	admin := env.Login("admin@x.test")
	benTok := env.Login("ben@x.test")
	for _, tc := range []struct {
		name, method, path string
		body               any
		token              string
		status             int
		field, message     string
	}{
		{"NUL in a search", "GET", "/api/v1/search?q=%00", nil, benTok, 400, "q", "NUL"},
		{"invalid UTF-8 in a search", "GET", "/api/v1/search?q=caf%E9", nil, benTok, 400, "q", "UTF-8"},
		{"NUL in the display name", "PATCH", "/api/v1/me", []byte(`{"display_name":"Ben\u0000Carter"}`), benTok, 400, "display_name", "NUL"},
		{"invalid UTF-8 in the display name", "PATCH", "/api/v1/me", []byte("{\"display_name\":\"Ben\xe9Carter\"}"), benTok, 400, "display_name", "UTF-8"},
		{"duplicate key", "PATCH", "/api/v1/me", []byte(`{"display_name":"Ben","display_name":"Admin"}`), benTok, 400, "display_name", "given twice"},
		{"duplicate role", "PATCH", "/api/v1/users/" + ben.ID, []byte(`{"role":"agent","role":"admin"}`), admin, 400, "role", "given twice"},
		{"duplicate role in another case", "PATCH", "/api/v1/users/" + ben.ID, []byte(`{"role":"agent","Role":"admin"}`), admin, 400, "Role", "given twice"},
		{"NUL in a path parameter", "GET", "/api/v1/users/%00", nil, admin, 400, "id", "NUL"},
		{"a taken email is a conflict that says so", "PATCH", "/api/v1/users/" + ben.ID, map[string]string{"email": taken.Email}, admin, 409, "", "a user with this email or external id already exists"},
		{"a good display name", "PATCH", "/api/v1/me", map[string]string{"display_name": "Ben Cärter ☕"}, benTok, 200, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := apitest.Request{Method: tc.method, Path: tc.path, Body: tc.body, Token: tc.token}
			if _, raw := tc.body.([]byte); raw {
				req.Header = map[string]string{"Content-Type": "application/json"}
			}
			res := env.Do(req)
			var body struct {
				Message string
				Fields  map[string]string
			}
			res.JSON(t, &body)
			if res.Status != tc.status {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
			}
			if tc.field != "" && (res.Code() != "invalid" || !strings.Contains(body.Fields[tc.field], tc.message)) {
				t.Errorf("got %s, want invalid naming %s with %q", res.Body, tc.field, tc.message)
			}
			if tc.field == "" && !strings.Contains(body.Message, tc.message) {
				t.Errorf("got %s, want the message to say %q", res.Body, tc.message)
			}
		})
	}
	var role, name string
	if err := env.DB.Raw(`SELECT role, coalesce(display_name, '') FROM users WHERE id = ?`, ben.ID).Row().Scan(&role, &name); err != nil {
		t.Fatal(err)
	}
	if role != "agent" || name != "Ben Cärter ☕" {
		t.Errorf("got role %s, name %q; want agent, the good display name only", role, name)
	}
}
