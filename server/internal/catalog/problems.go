package catalog

import "github.com/skillgate/skillgate/server/internal/contentfile"

// Problem is one thing wrong with a content file (contentfile.Problem):
// "file:line: message", or "file: message" for a file or folder as a whole.
type Problem = contentfile.Problem

// Problems are every problem found in a library; as an error it lists them
// one per line. It is contentfile.Problems under its own name only so that
// the service files' add and sort calls keep compiling; once they call Add
// and Sort it can become an alias.
type Problems contentfile.Problems

// Error implements error.
func (ps Problems) Error() string { return contentfile.Problems(ps).Error() }

// AppErr returns the problems as an invalid error whose fields are keyed
// "file:line", for the HTTP layer (contentfile.Problems.AppErr). It returns
// nil when there are none.
func (ps Problems) AppErr() error { return contentfile.Problems(ps).AppErr() }

func (ps *Problems) add(file string, line int, format string, args ...any) {
	(*contentfile.Problems)(ps).Add(file, line, format, args...)
}

// sort orders problems by file and line, keeping the order of those on the
// same line.
func (ps Problems) sort() { contentfile.Problems(ps).Sort() }

// yamlDoc is a contentfile.Decoder reporting into a library's problems,
// with the library's own readers (slugs, requirements, policies).
type yamlDoc struct{ *contentfile.Decoder }

// newYAMLDoc reads file, adding offset to YAML's line numbers (front matter
// starts on line 2 of its .md file), with problems going to probs.
func newYAMLDoc(file string, offset int, probs *Problems) *yamlDoc {
	return &yamlDoc{contentfile.NewDecoder(file).ReportTo((*contentfile.Problems)(probs), offset)}
}
