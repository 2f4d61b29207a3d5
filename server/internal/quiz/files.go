package quiz

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// QuestionFile is an image a question shows: a file Moodle XML embeds
// (<file name="map.png" encoding="base64">) and the question's HTML refers
// to as @@PLUGINFILE@@/map.png. The bytes are stored once per content
// (the question_files table, by SHA256) and served at FileURL; a stored
// quiz version keeps only the name, type, size and hash.
type QuestionFile struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
	// Data is the file's content while it travels between a file and the
	// database (import, export); never in a stored version's pool.
	Data []byte `json:"data,omitempty"`
}

// Limits on embedded files: a question's images are sent with it, so they
// are kept small.
const (
	MaxQuestionFileBytes  = 1 << 20 // one file
	MaxQuestionFilesBytes = 2 << 20 // all of one question's files
)

// questionFileTypes are the image types a question may embed: raster
// images browsers show without running anything. SVG is refused (it can
// carry scripts).
var questionFileTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// pluginRef finds a reference to an embedded file in a text; group 1 is
// the name as written (URL-encoded, as Moodle writes it).
var pluginRef = regexp.MustCompile(`@@PLUGINFILE@@/([^"'\s<>?#]*)`)

// FileURL is where a question file is served: its address is its content's
// hash, so it can be shown by an <img> (which carries no API token) and is
// known only to those shown the question.
func FileURL(sha string) string { return "/api/v1/question-files/" + sha }

// newQuestionFile checks and decodes one embedded file: base64, at most
// MaxQuestionFileBytes, an image of an allowed type (by its content, not
// its name). The message says what is wrong.
func newQuestionFile(name, encoding, data string) (QuestionFile, string) {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || strings.ContainsAny(name, "/\\"):
		return QuestionFile{}, fmt.Sprintf("embedded file %q: a file needs a plain name", name)
	case !strings.EqualFold(strings.TrimSpace(encoding), "base64"):
		return QuestionFile{}, fmt.Sprintf("embedded file %q: encoding %q: Moodle XML embeds files as base64", name, encoding)
	}
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, data)
	raw, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return QuestionFile{}, fmt.Sprintf("embedded file %q: not valid base64", name)
	}
	if len(raw) > MaxQuestionFileBytes {
		return QuestionFile{}, fmt.Sprintf("embedded file %q: %d bytes, more than the %d a question's image may have", name, len(raw), MaxQuestionFileBytes)
	}
	ctype := http.DetectContentType(raw)
	if !slices.Contains(questionFileTypes, ctype) {
		why := "only PNG, JPEG, GIF and WebP images can be embedded"
		if strings.HasSuffix(strings.ToLower(name), ".svg") || strings.Contains(string(raw[:min(len(raw), 512)]), "<svg") {
			why = "SVG images are refused (they can carry scripts); convert it to PNG"
		}
		return QuestionFile{}, fmt.Sprintf("embedded file %q (%s): %s", name, ctype, why)
	}
	sum := sha256.Sum256(raw)
	return QuestionFile{Name: name, ContentType: ctype, Size: len(raw), SHA256: hex.EncodeToString(sum[:]), Data: raw}, ""
}

// fileRefs are the names of the files text refers to, unescaped, in order,
// each once.
func fileRefs(text string) []string {
	var names []string
	for _, m := range pluginRef.FindAllStringSubmatch(text, -1) {
		name, err := url.PathUnescape(m[1])
		if err != nil {
			name = m[1]
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// texts are the question's texts that may show an image.
func (q *Question) texts() []*string {
	out := []*string{&q.Text, &q.TextAfter, &q.Feedback, &q.WrongFeedback}
	for i := range q.Options {
		out = append(out, &q.Options[i].Text, &q.Options[i].Feedback)
	}
	for i := range q.Answers {
		out = append(out, &q.Answers[i].Feedback)
	}
	for i := range q.Numbers {
		out = append(out, &q.Numbers[i].Feedback)
	}
	for i := range q.Pairs {
		out = append(out, &q.Pairs[i].Left)
	}
	return out
}

// file is the question's file named name, nil when it has none.
func (q *Question) file(name string) *QuestionFile {
	for i := range q.Files {
		if q.Files[i].Name == name {
			return &q.Files[i]
		}
	}
	return nil
}

// attachFiles keeps the embedded files q's texts refer to, in the order
// first referred to. It returns a problem when a text refers to a file
// that is not embedded, or a question that is not HTML refers to one, and
// a warning for each embedded file no text refers to.
func (q *Question) attachFiles(embedded []QuestionFile) (problem string, warnings []string) {
	var refs []string
	for _, t := range q.texts() {
		for _, name := range fileRefs(*t) {
			if !slices.Contains(refs, name) {
				refs = append(refs, name)
			}
		}
	}
	if len(refs) > 0 && q.Format != FormatHTML {
		return fmt.Sprintf("shows the file %q, but only an HTML question (format html or moodle_auto_format) can show images", refs[0]), nil
	}
	total := 0
	for _, name := range refs {
		i := slices.IndexFunc(embedded, func(f QuestionFile) bool { return f.Name == name })
		if i < 0 {
			return fmt.Sprintf("refers to @@PLUGINFILE@@/%s, but the question embeds no <file name=%q>", name, name), nil
		}
		total += embedded[i].Size
		q.Files = append(q.Files, embedded[i])
	}
	if total > MaxQuestionFilesBytes {
		return fmt.Sprintf("its images have %d bytes together, more than the %d a question may have", total, MaxQuestionFilesBytes), nil
	}
	for _, f := range embedded {
		if !slices.Contains(refs, f.Name) {
			warnings = append(warnings, fmt.Sprintf("embedded file %q is not shown by any of the question's texts: left out", f.Name))
		}
	}
	return "", nil
}

// withFileURLs is q with every reference to one of its files replaced by
// the file's address (FileURL), for showing; references to files it does
// not have are left as they are. q itself is not changed.
func (q Question) withFileURLs() Question {
	if len(q.Files) == 0 {
		return q
	}
	q.Options = slices.Clone(q.Options)
	q.Answers = slices.Clone(q.Answers)
	q.Numbers = slices.Clone(q.Numbers)
	q.Pairs = slices.Clone(q.Pairs)
	for _, t := range q.texts() {
		*t = q.fileURLs(*t)
	}
	return q
}

// fileURLs replaces the references in s to q's files by their addresses.
func (q *Question) fileURLs(s string) string {
	if len(q.Files) == 0 || !strings.Contains(s, "@@PLUGINFILE@@") {
		return s
	}
	return pluginRef.ReplaceAllStringFunc(s, func(m string) string {
		raw := pluginRef.FindStringSubmatch(m)[1]
		name, err := url.PathUnescape(raw)
		if err != nil {
			name = raw
		}
		if f := q.file(name); f != nil {
			return FileURL(f.SHA256)
		}
		return m
	})
}

// fileRefsOf are the files of q that s refers to.
func (q *Question) filesIn(s string) []QuestionFile {
	var out []QuestionFile
	for _, name := range fileRefs(s) {
		if f := q.file(name); f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// withoutFileData is qs with their files' bytes left out (a stored pool
// keeps the files' hashes; the bytes are stored once, by hash).
func withoutFileData(qs []Question) []Question {
	out := slices.Clone(qs)
	for i := range out {
		if len(out[i].Files) == 0 {
			continue
		}
		out[i].Files = slices.Clone(out[i].Files)
		for j := range out[i].Files {
			out[i].Files[j].Data = nil
		}
	}
	return out
}
