package quiz

import (
	"time"

	"gopkg.in/yaml.v3"
)

// YAMLDecoder lends the quiz file decoder's node helpers to other YAML
// formats (role-play scenarios), so that every content format reports
// problems the same way: "file:line: message", all of them at once.
type YAMLDecoder struct{ d decoder }

// YAMLField is one entry of a YAML mapping: its key, the key's node and the
// value's node (aliases resolved).
type YAMLField struct {
	Key  string
	K, V *yaml.Node
}

// NewYAMLDecoder returns a decoder whose problems name file.
func NewYAMLDecoder(file string) *YAMLDecoder { return &YAMLDecoder{d: decoder{file: file}} }

// File is the file the decoder reports problems in.
func (y *YAMLDecoder) File() string { return y.d.file }

// Problems are the problems found so far, in the order found.
func (y *YAMLDecoder) Problems() Problems { return y.d.ps }

// Errf records a problem at n's line.
func (y *YAMLDecoder) Errf(n *yaml.Node, format string, args ...any) { y.d.errf(n, format, args...) }

// Document parses data and returns its top node, or nil after recording a
// syntax error (with its line) or an empty file.
func (y *YAMLDecoder) Document(data []byte) *yaml.Node { return y.d.document(data) }

// Fields returns a mapping's entries in order, recording duplicates, keys
// not in known, and a value that is not a mapping (what names it).
func (y *YAMLDecoder) Fields(n *yaml.Node, what string, known ...string) []YAMLField {
	return exportFields(y.d.fields(n, what, known...))
}

// Pairs returns a free-form mapping's entries (any scalar keys), recording
// duplicates and non-scalar keys.
func (y *YAMLDecoder) Pairs(n *yaml.Node, what string) []YAMLField {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		y.d.errf(n, "%s must be a mapping", what)
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k.Kind == yaml.ScalarNode {
			keys = append(keys, k.Value)
		}
	}
	return y.Fields(n, what, keys...)
}

// Str reads a single value as text.
func (y *YAMLDecoder) Str(n *yaml.Node, key string) string { return y.d.str(n, key) }

// Int reads a whole number.
func (y *YAMLDecoder) Int(n *yaml.Node, key string) int { return y.d.integer(n, key) }

// Bool reads true or false.
func (y *YAMLDecoder) Bool(n *yaml.Node, key string) bool { return y.d.boolean(n, key) }

// Duration reads "90s", "20m", "1h30m" or "2d" (0 = none).
func (y *YAMLDecoder) Duration(n *yaml.Node, key string) time.Duration { return y.d.duration(n, key) }

// Strs reads a list of single values.
func (y *YAMLDecoder) Strs(n *yaml.Node, key string) []string { return y.d.strs(n, key) }

// Seq reads a list, returning its items (aliases resolved).
func (y *YAMLDecoder) Seq(n *yaml.Node, key string) []*yaml.Node { return y.d.seq(n, key) }

func exportFields(fs []field) []YAMLField {
	out := make([]YAMLField, len(fs))
	for i, f := range fs {
		out[i] = YAMLField{Key: f.key, K: f.k, V: f.v}
	}
	return out
}
