package contentfile

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The readers of the module library's YAML (client.yaml, program.yaml and
// module front matter): a mapping's fields are handed to setters, and a
// value of the wrong kind is described ("got a list").

var yamlErrLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// Root parses data and returns its top-level mapping, or nil after
// recording why there is none.
func (d *Decoder) Root(data []byte) *yaml.Node {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		msg := strings.SplitN(err.Error(), "\n", 2)[0]
		line := 1
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			msg = m[2]
			if m[1] != "" {
				line, _ = strconv.Atoi(m[1])
			}
		}
		d.Addf(line, "invalid YAML: %s", msg)
		return nil
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		d.Addf(1, "empty: want a mapping of fields")
		return nil
	}
	root := Resolve(n.Content[0])
	if root.Kind != yaml.MappingNode {
		d.Errf(root, "want a mapping of fields, got %s", Describe(root))
		return nil
	}
	return root
}

// Set calls set[key] with each key's value, records unknown and repeated
// keys, and returns the keys present.
func (d *Decoder) Set(n *yaml.Node, set map[string]func(v *yaml.Node)) map[string]bool {
	seen := map[string]bool{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Resolve(n.Content[i]), Resolve(n.Content[i+1])
		f, ok := set[k.Value]
		if !ok || k.Kind != yaml.ScalarNode {
			d.Errf(k, "unknown field %q", k.Value)
			continue
		}
		if seen[k.Value] {
			d.Errf(k, "%s is given twice (first on line %d)", k.Value, lines[k.Value]+d.offset)
			continue
		}
		seen[k.Value], lines[k.Value] = true, k.Line
		f(v)
	}
	return seen
}

// Require records the fields of mapping n that are missing from seen.
func (d *Decoder) Require(n *yaml.Node, seen map[string]bool, names ...string) {
	for _, name := range names {
		if !seen[name] {
			d.Errf(n, "%s is required", name)
		}
	}
}

// Text reads a value as text, trimmed.
func (d *Decoder) Text(n *yaml.Node, field string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.Errf(n, "%s must be text, got %s", field, Describe(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// Whole reads a whole number, reporting whether it is one.
func (d *Decoder) Whole(n *yaml.Node, field string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		d.Errf(n, "%s must be a whole number, got %s", field, Describe(n))
		return 0, false
	}
	return v, true
}

// Flag reads true or false.
func (d *Decoder) Flag(n *yaml.Node, field string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		d.Errf(n, "%s must be true or false, got %s", field, Describe(n))
	}
	return v
}

// List returns the items of a sequence (aliases resolved), or nil after
// recording that it is not one.
func (d *Decoder) List(n *yaml.Node, field string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		d.Errf(n, "%s must be a list, got %s", field, Describe(n))
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = Resolve(c)
	}
	return items
}

// IsMapping reports whether n is a mapping, recording that it is not.
func (d *Decoder) IsMapping(n *yaml.Node, field string) bool {
	if n.Kind != yaml.MappingNode {
		d.Errf(n, "%s must be a mapping, got %s", field, Describe(n))
		return false
	}
	return true
}
