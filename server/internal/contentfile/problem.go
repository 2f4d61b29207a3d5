// Package contentfile is the one toolkit the content formats share — the
// module library's markdown and YAML (catalog), quiz and question-bank files
// (quiz) and role-play scenarios (roleplay): Problem, the "file:line:
// message" every format reports, and Decoder, which reads YAML node by node
// so that each problem names its line and all of them are found at once.
package contentfile

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Problem is one thing wrong with (or skipped in) a content file. Line is
// 1-based; 0 means the problem is with the file or folder as a whole.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// String formats the problem as "file:line: message", or "file: message"
// without a line.
func (p Problem) String() string {
	if p.Line <= 0 {
		return p.File + ": " + p.Message
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Message
}

// Problems are every problem found in one or more files; as an error they
// are listed one per line.
type Problems []Problem

// Error lists every problem, one "file:line: message" a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Add records a problem at file:line.
func (ps *Problems) Add(file string, line int, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// Sort orders the problems by file, then line, keeping the order of those
// on the same line.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

// Err is the error of one parsed file or folder of quizzes, banks or
// scenarios: nil when there are no problems, otherwise an *apperr.Error of
// code invalid whose Fields map each "file:line" to its messages (joined
// with "; ") and which wraps the Problems (errors.As recovers them).
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	fields := map[string]string{}
	for _, p := range ps {
		at := fmt.Sprintf("%s:%d", p.File, p.Line)
		if prev, ok := fields[at]; ok {
			fields[at] = prev + "; " + p.Message
		} else {
			fields[at] = p.Message
		}
	}
	msg := fmt.Sprintf("%d problem(s) in quiz files", len(ps))
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: fields, Err: ps}
}

// AppErr is the error of a library import: nil when there are no problems,
// otherwise an invalid error naming the first problem, whose fields are
// keyed "file:line" ("file" for a problem without a line), each with its
// first message.
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
