package contentfile

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Decoder reads one YAML document node by node and records every problem
// with the line it is on. It has two families of readers, one per wording
// that authors already know:
//
//   - Document, Fields, Pairs, Str, Int, Number, Bool, Duration, Strs and
//     Seq read quiz, question-bank and role-play files ("key must be a single
//     value", "what: unknown key "x" (known: …)");
//   - Root, Set, Require, Text, Whole, Flag, List and IsMapping read the
//     module library's client.yaml, program.yaml and module front matter
//     ("unknown field "x"", "field must be text, got …").
//
// Both resolve aliases and share the problem list, the line offset and Errf.
type Decoder struct {
	file   string
	offset int
	own    Problems
	ps     *Problems
}

// NewDecoder returns a decoder whose problems name file and are kept in
// its own list (Problems).
func NewDecoder(file string) *Decoder {
	d := &Decoder{file: file}
	d.ps = &d.own
	return d
}

// ReportTo makes the decoder append its problems to ps, with lineOffset
// added to YAML's line numbers (front matter starts on line 2 of its .md
// file), and returns it.
func (d *Decoder) ReportTo(ps *Problems, lineOffset int) *Decoder {
	d.ps, d.offset = ps, lineOffset
	return d
}

// File is the file the decoder reports problems in.
func (d *Decoder) File() string { return d.file }

// Problems are the problems recorded so far, in the order found.
func (d *Decoder) Problems() Problems { return *d.ps }

// Errf records a problem at n's line (the file as a whole when n is nil).
func (d *Decoder) Errf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line + d.offset
	}
	d.ps.Add(d.file, line, format, args...)
}

// Addf records a problem at a line of the document.
func (d *Decoder) Addf(line int, format string, args ...any) {
	d.ps.Add(d.file, line+d.offset, format, args...)
}

// Report records problems found by other means (a check of what was read).
func (d *Decoder) Report(ps ...Problem) { *d.ps = append(*d.ps, ps...) }

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// Describe names what a node is, for messages: "a mapping", "a list",
// "nothing" or the quoted value.
func Describe(n *yaml.Node) string {
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

// Field is one entry of a YAML mapping: its key, the key's node and the
// value's node (aliases resolved).
type Field struct {
	Key  string
	K, V *yaml.Node
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// Document parses data and returns its top node, or nil after recording a
// syntax error (with its line) or an empty file.
func (d *Decoder) Document(data []byte) *yaml.Node {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		d.Addf(line, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		d.Addf(1, "the file is empty")
		return nil
	}
	return root.Content[0]
}

// Fields returns a mapping's entries in order, recording duplicates, keys
// not in known, and a value that is not a mapping (what names it).
func (d *Decoder) Fields(n *yaml.Node, what string, known ...string) []Field {
	n = Resolve(n)
	if n.Kind != yaml.MappingNode {
		d.Errf(n, "%s must be a mapping", what)
		return nil
	}
	var out []Field
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Resolve(n.Content[i]), Resolve(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			d.Errf(k, "%s: keys must be plain words", what)
			continue
		case seen[k.Value]:
			d.Errf(k, "%s: %q is given twice", what, k.Value)
			continue
		case !slices.Contains(known, k.Value):
			d.Errf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		seen[k.Value] = true
		out = append(out, Field{Key: k.Value, K: k, V: v})
	}
	return out
}

// Pairs returns a free-form mapping's entries (any scalar keys), recording
// duplicates and non-scalar keys.
func (d *Decoder) Pairs(n *yaml.Node, what string) []Field {
	n = Resolve(n)
	if n.Kind != yaml.MappingNode {
		d.Errf(n, "%s must be a mapping", what)
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := Resolve(n.Content[i]); k.Kind == yaml.ScalarNode {
			keys = append(keys, k.Value)
		}
	}
	return d.Fields(n, what, keys...)
}

// Scalar reads a single value, reporting whether it is one.
func (d *Decoder) Scalar(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.Errf(n, "%s must be a single value", key)
		return "", false
	}
	return n.Value, true
}

// Str reads a single value as text.
func (d *Decoder) Str(n *yaml.Node, key string) string {
	s, _ := d.Scalar(n, key)
	return s
}

// Int reads a whole number.
func (d *Decoder) Int(n *yaml.Node, key string) int {
	s, ok := d.Scalar(n, key)
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(s)
	if err != nil || n.Tag != "!!int" {
		d.Errf(n, "%s must be a whole number, got %q", key, s)
		return 0
	}
	return i
}

// Number reads a finite number.
func (d *Decoder) Number(n *yaml.Node, key string) float64 {
	s, ok := d.Scalar(n, key)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || (n.Tag != "!!int" && n.Tag != "!!float") || math.IsNaN(f) || math.IsInf(f, 0) {
		d.Errf(n, "%s must be a number, got %q", key, s)
		return 0
	}
	return f
}

// Bool reads true or false.
func (d *Decoder) Bool(n *yaml.Node, key string) bool {
	s, ok := d.Scalar(n, key)
	if !ok {
		return false
	}
	if n.Tag != "!!bool" {
		d.Errf(n, "%s must be true or false, got %q", key, s)
		return false
	}
	var b bool
	_ = n.Decode(&b)
	return b
}

var daysRe = regexp.MustCompile(`^(\d{1,4})d$`)

// Duration reads "90s", "20m", "1h30m" or "2d" (0 = none).
func (d *Decoder) Duration(n *yaml.Node, key string) time.Duration {
	s, ok := d.Scalar(n, key)
	if !ok {
		return 0
	}
	if s == "0" {
		return 0
	}
	if m := daysRe.FindStringSubmatch(s); m != nil {
		days, _ := strconv.Atoi(m[1])
		return time.Duration(days) * 24 * time.Hour
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		d.Errf(n, "%s must be a duration such as 90s, 20m, 1h30m or 2d, got %q", key, s)
		return 0
	}
	return v
}

// Strs reads a list of single values.
func (d *Decoder) Strs(n *yaml.Node, key string) []string {
	n = Resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.Errf(n, "%s must be a list", key)
		return nil
	}
	var out []string
	for _, it := range n.Content {
		if s, ok := d.Scalar(Resolve(it), key+" items"); ok {
			out = append(out, s)
		}
	}
	return out
}

// Seq reads a list, returning its items (aliases resolved).
func (d *Decoder) Seq(n *yaml.Node, key string) []*yaml.Node {
	n = Resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.Errf(n, "%s must be a list", key)
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, it := range n.Content {
		out[i] = Resolve(it)
	}
	return out
}
