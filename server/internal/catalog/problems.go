package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Problem is one thing wrong with a content file. Line is 1-based; 0 means
// the problem is with the file or folder as a whole.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// String formats the problem as "file:line: message".
func (p Problem) String() string {
	if p.Line <= 0 {
		return p.File + ": " + p.Message
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Message
}

// Problems are every problem found in a library; as an error it lists them
// one per line.
type Problems []Problem

// Error implements error.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// AppErr returns the problems as an invalid error whose fields are keyed
// "file:line", for the HTTP layer. It returns nil when there are none.
func (ps Problems) AppErr() error {
	if len(ps) == 0 {
		return nil
	}
	f := apperr.Fields{}
	for _, p := range ps {
		key := p.File
		if p.Line > 0 {
			key += ":" + strconv.Itoa(p.Line)
		}
		f.Add(key, "%s", p.Message)
	}
	return apperr.InvalidFields(fmt.Sprintf("the content has %d problem(s): %s", len(ps), ps[0]), f)
}

func (ps *Problems) add(file string, line int, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// sort orders problems by file and line, keeping the order of those on the
// same line.
func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
