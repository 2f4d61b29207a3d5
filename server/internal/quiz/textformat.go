package quiz

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Moodle's text formats, as its GIFT tags and XML format attributes name
// them. FORMAT_MOODLE ("moodle auto-format") is HTML in which line breaks
// are line breaks.
const (
	srcMarkdown = "markdown"
	srcPlain    = "plain"
	srcHTML     = "html"
	srcMoodle   = "moodle"
)

// htmlPolicy sanitizes HTML question texts: bluemonday's policy for user
// content (no scripts, styles, event handlers, frames or objects; http,
// https and mailto links only), the house sanitizer.
var htmlPolicy = bluemonday.UGCPolicy()

// textPolicy drops every tag, for HTML written where Skillgate shows text.
var textPolicy = bluemonday.StrictPolicy()

// storedFormat is the Question.Format a Moodle text format becomes:
// markdown ("", the default), plain, or html (for html and moodle).
func storedFormat(src string) string {
	switch src {
	case srcPlain:
		return FormatPlain
	case srcHTML, srcMoodle:
		return FormatHTML
	}
	return ""
}

// convertText turns text written in the Moodle format src into the stored
// format to (a Question.Format) as Moodle would show it: moodle
// auto-format keeps its line breaks as <br>, HTML is sanitized, and HTML
// under a markdown or plain question is reduced to its text.
func convertText(s, src, to string) string {
	if src == srcMoodle {
		s = strings.ReplaceAll(strings.TrimSpace(s), "\n", "<br />\n")
		src = srcHTML
	}
	switch {
	case to == FormatHTML && src == srcHTML:
		return strings.TrimSpace(htmlPolicy.Sanitize(s))
	case to == FormatHTML:
		return strings.ReplaceAll(html.EscapeString(s), "\n", "<br />\n")
	case src == srcHTML:
		return strings.TrimSpace(html.UnescapeString(textPolicy.Sanitize(s)))
	}
	return s
}

// categoryPath is a Moodle category path as kept on a question: "" for
// the top category, which says nothing.
func categoryPath(path string) string {
	path = strings.TrimSpace(path)
	if categoryTag(path) == "" {
		return ""
	}
	return path
}

// textID is the id of a question that has no title: made from its text.
func textID(text, after string) string {
	sum := sha256.Sum256([]byte(text + "\x00" + after))
	return "q-" + hex.EncodeToString(sum[:4])
}

// occurrenceID is the id of the n-th question (from 1) of a file whose own
// id is base: base itself for the first, base-n after, so identical
// questions stay distinct and keep their ids when the file is imported
// again.
func occurrenceID(base string, n int) string {
	if n <= 1 {
		return base
	}
	suffix := fmt.Sprintf("-%d", n)
	if len(base)+len(suffix) > 63 {
		base = strings.TrimRight(base[:63-len(suffix)], "-")
	}
	return base + suffix
}

// ids gives the questions of one file their ids in file order; an id
// used before gets its occurrence number.
type ids struct {
	used  map[string]bool
	count map[string]int
}

func newIDs() *ids { return &ids{used: map[string]bool{}, count: map[string]int{}} }

// assign sets q.ID from base: base itself, or for a base used before its
// next free occurrence id.
func (s *ids) assign(q *Question, base string) {
	for {
		s.count[base]++
		id := occurrenceID(base, s.count[base])
		if !s.used[id] {
			s.used[id] = true
			q.ID = id
			return
		}
	}
}

// mergeShortAnswers merges short answers that compare the same (Moodle's
// short answers ignore case by default, so "=average handle time =Average
// Handle Time" is one answer written twice): the first one written is
// kept, as Moodle grades by the first answer that matches. It returns a
// warning for each answer dropped.
func mergeShortAnswers(q *Question) []string {
	var warnings []string
	seen := map[string]string{}
	kept := q.Answers[:0]
	for _, a := range q.Answers {
		n := normalizeText(a.Text)
		if first, dup := seen[n]; dup && n != "" {
			warnings = append(warnings, fmt.Sprintf("question %s: answer %q is %q again (short answers ignore case): kept the first", q.ID, a.Text, first))
			continue
		}
		seen[n] = a.Text
		kept = append(kept, a)
	}
	q.Answers = kept
	return warnings
}

// applyWildcards turns a Moodle short answer with * wildcards ("*handle
// time*") into the question's pattern; a \* is a literal star. Only a
// full-credit answer can become the pattern (a pattern gives full credit),
// and a question has one; anything else is returned as a problem.
func applyWildcards(q *Question) string {
	kept := q.Answers[:0]
	for _, a := range q.Answers {
		if !hasWildcard(a.Text) {
			a.Text = strings.ReplaceAll(a.Text, `\*`, "*")
			kept = append(kept, a)
			continue
		}
		switch {
		case a.Weight != 100:
			return fmt.Sprintf("answer %q: a * wildcard answer must give full credit (Skillgate grades wildcards as a pattern, which gives full credit)", a.Text)
		case q.Pattern != "":
			return fmt.Sprintf("answer %q: a question has one * wildcard answer (Skillgate grades it as the question's pattern)", a.Text)
		}
		var parts []string
		for _, part := range splitWildcard(a.Text) {
			parts = append(parts, regexp.QuoteMeta(spaceRun.ReplaceAllString(part, " ")))
		}
		q.Pattern = strings.Join(parts, ".*")
		if a.Feedback != "" {
			return fmt.Sprintf("answer %q: a * wildcard answer cannot have feedback in Skillgate", a.Text)
		}
	}
	q.Answers = kept
	return ""
}

// wildcardOf is the Moodle * answer a pattern is, when it is one
// (applyWildcards' output: quoted text joined by .*).
func wildcardOf(pattern string) (string, bool) {
	if pattern == "" {
		return "", false
	}
	parts := strings.Split(pattern, ".*")
	for i, part := range parts {
		plain := unquoteMeta(part)
		if regexp.QuoteMeta(plain) != part || spaceRun.ReplaceAllString(plain, " ") != plain {
			return "", false
		}
		parts[i] = strings.ReplaceAll(plain, "*", `\*`)
	}
	return strings.Join(parts, "*"), true
}

// unquoteMeta undoes regexp.QuoteMeta.
func unquoteMeta(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var spaceRun = regexp.MustCompile(`\s+`)

func hasWildcard(s string) bool { return strings.Contains(strings.ReplaceAll(s, `\*`, ""), "*") }

// splitWildcard splits at unescaped stars, unescaping \*.
func splitWildcard(s string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '*':
			b.WriteByte('*')
			i++
		case s[i] == '*':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(s[i])
		}
	}
	return append(parts, b.String())
}
