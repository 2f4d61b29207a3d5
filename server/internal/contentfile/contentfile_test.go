package contentfile

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

func TestProblemsFormatAndSort(t *testing.T) {
	var ps Problems
	ps.Add("b.yaml", 3, "third %s", "line")
	ps.Add("a.yaml", 0, "the folder")
	ps.Add("b.yaml", 1, "first")
	ps.Add("b.yaml", 3, "also third")
	ps.Sort()
	want := "a.yaml: the folder\nb.yaml:1: first\nb.yaml:3: third line\nb.yaml:3: also third"
	if got := ps.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestProblemsErrors(t *testing.T) {
	if Problems(nil).Err() != nil || Problems(nil).AppErr() != nil {
		t.Fatal("got an error for no problems, want nil")
	}
	ps := Problems{{File: "q.yaml", Line: 2, Message: "one"}, {File: "q.yaml", Line: 2, Message: "two"}, {File: "lib", Message: "folder"}}

	var ae *apperr.Error
	err := ps.Err()
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields["q.yaml:2"] != "one; two" || ae.Fields["lib:0"] != "folder" {
		t.Errorf("got %#v, want invalid with every message of a line joined", err)
	}
	var back Problems
	if !errors.As(err, &back) || len(back) != 3 {
		t.Errorf("got %v, want the Problems recoverable from Err", back)
	}

	err = ps.AppErr()
	if !errors.As(err, &ae) || ae.Fields["q.yaml:2"] != "one" || ae.Fields["lib"] != "folder" ||
		ae.Message != "the content has 3 problem(s): q.yaml:2: one" {
		t.Errorf("got %#v, want invalid naming the first problem, the first message of each place", err)
	}
}

// TestDecoderReaders reads one document with each family of readers and
// checks every problem's line and wording.
func TestDecoderReaders(t *testing.T) {
	const doc = "title: [a]\ncount: many\nwait: soon\ntags: x\nextra: 1\ntitle: again\n"
	d := NewDecoder("quiz.yaml")
	root := d.Document([]byte(doc))
	for _, f := range d.Fields(root, "quiz", "title", "count", "wait", "tags") {
		switch f.Key {
		case "title":
			d.Str(f.V, f.Key)
		case "count":
			d.Int(f.V, f.Key)
		case "wait":
			d.Duration(f.V, f.Key)
		case "tags":
			d.Strs(f.V, f.Key)
		}
	}
	want := []string{
		"quiz.yaml:1: title must be a single value",
		`quiz.yaml:2: count must be a whole number, got "many"`,
		`quiz.yaml:3: wait must be a duration such as 90s, 20m, 1h30m or 2d, got "soon"`,
		"quiz.yaml:4: tags must be a list",
		`quiz.yaml:5: quiz: unknown key "extra" (known: title, count, wait, tags)`,
		`quiz.yaml:6: quiz: "title" is given twice`,
	}
	d.Problems().Sort()
	if got := d.Problems().Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	// The library's readers, front matter style: lines offset by one and
	// problems going to a shared list.
	var shared Problems
	shared.Add("before.md", 1, "already there")
	m := NewDecoder("module.md").ReportTo(&shared, 1)
	top := m.Root([]byte("minutes: lots\nkinds: one\ncore: maybe\nminutes: 3\ncolour: red\n"))
	seen := m.Set(top, map[string]func(*yaml.Node){
		"minutes": func(v *yaml.Node) { m.Whole(v, "minutes") },
		"kinds":   func(v *yaml.Node) { m.List(v, "kinds") },
		"core":    func(v *yaml.Node) { m.Flag(v, "core") },
		"title":   func(v *yaml.Node) { m.Text(v, "title") },
	})
	m.Require(top, seen, "title")
	want = []string{
		"before.md:1: already there",
		`module.md:2: minutes must be a whole number, got "lots"`,
		`module.md:3: kinds must be a list, got "one"`,
		`module.md:4: core must be true or false, got "maybe"`,
		"module.md:5: minutes is given twice (first on line 2)",
		`module.md:6: unknown field "colour"`,
		"module.md:2: title is required",
	}
	if got := shared.Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

func TestDecoderSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		library    bool
		want       string
	}{
		{"quiz format, bad YAML", "a: b\nc: d: e\n", false, "f.yaml:2: not valid YAML: line 2: mapping values are not allowed"},
		{"quiz format, empty", "", false, "f.yaml:1: the file is empty"},
		{"library, bad YAML", "a: b\nc: d: e\n", true, "f.yaml:2: invalid YAML: mapping values are not allowed"},
		{"library, empty", "", true, "f.yaml:1: empty: want a mapping of fields"},
		{"library, not a mapping", "- a\n", true, "f.yaml:1: want a mapping of fields, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder("f.yaml")
			var n *yaml.Node
			if tc.library {
				n = d.Root([]byte(tc.data))
			} else {
				n = d.Document([]byte(tc.data))
			}
			if n != nil || len(d.Problems()) != 1 || !strings.HasPrefix(d.Problems()[0].String(), tc.want) {
				t.Errorf("got %v, %q; want no node and a problem starting %q", n, d.Problems(), tc.want)
			}
		})
	}
}
