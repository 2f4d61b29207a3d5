// Package apidoc assembles Skillgate's OpenAPI 3 document from fragments.
// Each domain package ships an openapi.yaml describing its own routes and
// schemas; Build merges them over the base document so that no single file
// is edited by every feature.
package apidoc

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

//go:embed base.yaml
var base []byte

// Fragment is one domain's part of the document.
type Fragment struct {
	Name string // for error messages, e.g. "auth/openapi.yaml"
	YAML []byte
}

// Doc is the assembled, validated document.
type Doc struct {
	T    *openapi3.T
	JSON []byte
}

// Build merges the fragments into the base document and validates the
// result. Two fragments defining the same path+method or the same component
// is an error.
func Build(fragments ...Fragment) (*Doc, error) {
	var root map[string]any
	if err := yaml.Unmarshal(base, &root); err != nil {
		return nil, fmt.Errorf("apidoc: base.yaml: %w", err)
	}
	for _, f := range fragments {
		var frag map[string]any
		if err := yaml.Unmarshal(f.YAML, &frag); err != nil {
			return nil, fmt.Errorf("apidoc: %s: %w", f.Name, err)
		}
		for _, section := range []string{"paths", "components", "tags"} {
			v, ok := frag[section]
			if !ok {
				continue
			}
			if section == "tags" {
				list, _ := root["tags"].([]any)
				more, _ := v.([]any)
				root["tags"] = append(list, more...)
				continue
			}
			if err := merge(root, section, v, f.Name+": "+section); err != nil {
				return nil, err
			}
		}
	}
	raw, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("apidoc: encode: %w", err)
	}
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("apidoc: load: %w", err)
	}
	if err := t.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("apidoc: invalid document: %w", err)
	}
	out, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("apidoc: encode: %w", err)
	}
	return &Doc{T: t, JSON: out}, nil
}

// merge merges src into dst[key]. Sections (paths, components) and their
// second level (a path, a component kind) merge; below that, at a path's
// method or a component's name, a duplicate is an error.
func merge(dst map[string]any, key string, src any, where string) error {
	return mergeAt(dst, key, src, where, 0)
}

func mergeAt(dst map[string]any, key string, src any, where string, depth int) error {
	cur, ok := dst[key]
	if !ok {
		dst[key] = src
		return nil
	}
	cm, ok1 := cur.(map[string]any)
	sm, ok2 := src.(map[string]any)
	if !ok1 || !ok2 || depth >= 2 {
		return fmt.Errorf("apidoc: %s is defined twice", where)
	}
	for k, v := range sm {
		if err := mergeAt(cm, k, v, where+"/"+k, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// Operation names one method on one templated path, e.g. GET /api/v1/users/{id}.
type Operation struct {
	Method string
	Path   string
}

// Missing returns the operations in ops that the document does not describe.
func (d *Doc) Missing(ops []Operation) []Operation {
	var missing []Operation
	for _, op := range ops {
		item := d.T.Paths.Find(op.Path)
		if item == nil || item.GetOperation(strings.ToUpper(op.Method)) == nil {
			missing = append(missing, op)
		}
	}
	sort.Slice(missing, func(i, j int) bool {
		return missing[i].Path+missing[i].Method < missing[j].Path+missing[j].Method
	})
	return missing
}

// GinPath turns a Gin route (/users/:id) into an OpenAPI path (/users/{id}).
func GinPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
