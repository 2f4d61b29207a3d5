package apidoc

import (
	"bytes"
	"encoding/json"
	"html/template"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// pageTmpl renders the reference without any script: the document is small
// enough to read top to bottom, and a page with no JavaScript needs no CSP
// exceptions.
var pageTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:.2rem}code,pre{font:13px ui-monospace,monospace;background:#f3f4f6;border-radius:4px}
pre{padding:.6rem;overflow:auto}code{padding:.1rem .3rem}
.op{border:1px solid #d0d7de;border-radius:6px;margin:.8rem 0;padding:.6rem .9rem}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}
.GET{color:#0a6c2f}.POST{color:#8a4b00}.PUT,.PATCH{color:#5a32a3}.DELETE{color:#b42318}
nav a{margin-right:.8rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #e5e7eb;padding:.2rem .6rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>{{.Title}}</h1><p><a href="/api/openapi.json">openapi.json</a> · version {{.Version}}</p>
<div>{{.Description}}</div>
<nav>{{range .Groups}}<a href="#{{.Tag}}">{{.Tag}}</a>{{end}}</nav>
{{range .Groups}}<h2 id="{{.Tag}}">{{.Tag}}</h2>{{if .Description}}<p>{{.Description}}</p>{{end}}
{{range .Ops}}<section class="op" id="{{.ID}}"><div><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}</div>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Security}}<p><small>Requires: {{.Security}}</small></p>{{end}}
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p>Body: <code>{{.Body}}</code></p>{{end}}
<table>{{range .Responses}}<tr><td><code>{{.Status}}</code></td><td>{{.Description}}</td><td>{{if .Schema}}<code>{{.Schema}}</code>{{end}}</td></tr>{{end}}</table>
</section>{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<h3 id="schema-{{.Name}}">{{.Name}}</h3><pre>{{.JSON}}</pre>{{end}}
</body></html>`))

type pageOp struct {
	ID, Method, Path, Summary, Description, Security, Body string
	Params                                                 []pageParam
	Responses                                              []pageResp
}
type pageParam struct {
	Name, In, Type, Description string
	Required                    bool
}
type pageResp struct{ Status, Description, Schema string }
type pageGroup struct {
	Tag, Description string
	Ops              []pageOp
}
type pageSchema struct{ Name, JSON string }

// HTML renders the document as a readable reference page.
func (d *Doc) HTML() ([]byte, error) {
	t := d.T
	groups := map[string]*pageGroup{}
	var order []string
	for _, tag := range t.Tags {
		groups[tag.Name] = &pageGroup{Tag: tag.Name, Description: tag.Description}
		order = append(order, tag.Name)
	}
	paths := t.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := t.Paths.Value(p)
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g, ok := groups[tag]
			if !ok {
				g = &pageGroup{Tag: tag}
				groups[tag] = g
				order = append(order, tag)
			}
			g.Ops = append(g.Ops, describeOp(method, p, item, op))
		}
	}
	var names []string
	for name := range t.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	var schemas []pageSchema
	for _, name := range names {
		js, _ := t.Components.Schemas[name].Value.MarshalJSON()
		var buf bytes.Buffer
		_ = json.Indent(&buf, js, "", "  ")
		schemas = append(schemas, pageSchema{Name: name, JSON: buf.String()})
	}
	var out []pageGroup
	for _, tag := range order {
		if len(groups[tag].Ops) > 0 {
			out = append(out, *groups[tag])
		}
	}
	var buf bytes.Buffer
	err := pageTmpl.Execute(&buf, map[string]any{
		"Title": t.Info.Title, "Version": t.Info.Version, "Description": t.Info.Description,
		"Groups": out, "Schemas": schemas,
	})
	return buf.Bytes(), err
}

func describeOp(method, path string, item *openapi3.PathItem, op *openapi3.Operation) pageOp {
	po := pageOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description}
	if op.Security != nil {
		var reqs []string
		for _, r := range *op.Security {
			for name, scopes := range r {
				s := name
				if len(scopes) > 0 {
					s += " (" + strings.Join(scopes, ", ") + ")"
				}
				reqs = append(reqs, s)
			}
		}
		po.Security = strings.Join(reqs, " or ")
	}
	for _, ps := range [][]*openapi3.ParameterRef{item.Parameters, op.Parameters} {
		for _, pr := range ps {
			p := pr.Value
			if p == nil {
				continue
			}
			pp := pageParam{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required}
			if p.Schema != nil {
				pp.Type = schemaName(p.Schema)
			}
			po.Params = append(po.Params, pp)
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for ct, mt := range op.RequestBody.Value.Content {
			po.Body = ct
			if mt.Schema != nil {
				po.Body += " " + schemaName(mt.Schema)
			}
		}
	}
	if op.Responses != nil {
		codes := make([]string, 0, op.Responses.Len())
		for code := range op.Responses.Map() {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			rr := op.Responses.Value(code)
			r := pageResp{Status: code}
			if rr.Value != nil {
				if rr.Value.Description != nil {
					r.Description = *rr.Value.Description
				}
				for _, mt := range rr.Value.Content {
					if mt.Schema != nil {
						r.Schema = schemaName(mt.Schema)
					}
				}
			}
			po.Responses = append(po.Responses, r)
		}
	}
	return po
}

func schemaName(s *openapi3.SchemaRef) string {
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	if s.Value == nil {
		return ""
	}
	if s.Value.Type != nil && s.Value.Type.Is("array") && s.Value.Items != nil {
		return "[]" + schemaName(s.Value.Items)
	}
	if s.Value.Type != nil {
		return strings.Join(s.Value.Type.Slice(), "|")
	}
	return "object"
}
