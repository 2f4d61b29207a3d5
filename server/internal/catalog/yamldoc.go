package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlDoc reads one YAML document node by node, so that every problem names
// the line it is on. offset is added to YAML's line numbers: front matter
// starts on line 2 of its .md file.
type yamlDoc struct {
	file   string
	offset int
	probs  *Problems
}

func (d *yamlDoc) errf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line + d.offset
	}
	d.probs.add(d.file, line, format, args...)
}

var yamlErrLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parse returns the document's top-level mapping, or nil after reporting why
// there is none.
func (d *yamlDoc) parse(data []byte) *yaml.Node {
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
		d.probs.add(d.file, line+d.offset, "invalid YAML: %s", msg)
		return nil
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		d.probs.add(d.file, 1+d.offset, "empty: want a mapping of fields")
		return nil
	}
	root := resolve(n.Content[0])
	if root.Kind != yaml.MappingNode {
		d.errf(root, "want a mapping of fields, got %s", describe(root))
		return nil
	}
	return root
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// fields calls set[key] with each key's value, reports unknown keys and
// returns the keys present.
func (d *yamlDoc) fields(n *yaml.Node, set map[string]func(v *yaml.Node)) map[string]bool {
	seen := map[string]bool{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		f, ok := set[k.Value]
		if !ok || k.Kind != yaml.ScalarNode {
			d.errf(k, "unknown field %q", k.Value)
			continue
		}
		if seen[k.Value] {
			d.errf(k, "%s is given twice (first on line %d)", k.Value, lines[k.Value]+d.offset)
			continue
		}
		seen[k.Value], lines[k.Value] = true, k.Line
		f(v)
	}
	return seen
}

// require reports the fields of mapping n that are missing.
func (d *yamlDoc) require(n *yaml.Node, seen map[string]bool, names ...string) {
	for _, name := range names {
		if !seen[name] {
			d.errf(n, "%s is required", name)
		}
	}
}

func (d *yamlDoc) str(n *yaml.Node, field string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errf(n, "%s must be text, got %s", field, describe(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (d *yamlDoc) int(n *yaml.Node, field string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		d.errf(n, "%s must be a whole number, got %s", field, describe(n))
		return 0, false
	}
	return v, true
}

func (d *yamlDoc) bool(n *yaml.Node, field string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		d.errf(n, "%s must be true or false, got %s", field, describe(n))
	}
	return v
}

// list returns the items of a sequence, or nil after reporting it is not one.
func (d *yamlDoc) list(n *yaml.Node, field string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s must be a list, got %s", field, describe(n))
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = resolve(c)
	}
	return items
}

func (d *yamlDoc) mapping(n *yaml.Node, field string) bool {
	if n.Kind != yaml.MappingNode {
		d.errf(n, "%s must be a mapping, got %s", field, describe(n))
		return false
	}
	return true
}
