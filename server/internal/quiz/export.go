package quiz

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Export formats.
const (
	ExportMoodleXML = "moodle-xml"
	ExportGIFT      = "gift"
)

// Export writes questions in format (ExportMoodleXML or ExportGIFT), so a
// center can take its questions to Moodle or another LMS. Moodle reads
// every question with its meaning; what Moodle's formats have no place for
// (patterns, hand-written option ids, rereads in XML, points in GIFT) rides
// along in a Skillgate comment or element that Moodle ignores, so
// importing the file back gives the same questions. It returns the file and
// its suggested extension. Errors: invalid (an unknown format, or a short
// answer question graded only by a pattern, which Moodle cannot grade). GIFT
// has no cloze questions and cannot carry files: a GIFT export leaves cloze
// questions and questions with images out, saying so in a comment. The
// questions' files must hold their Data (Store.LoadFileData).
func Export(format string, qs []Question) ([]byte, string, error) {
	if err := checkExportFormat(format); err != nil {
		return nil, "", err
	}
	for _, q := range qs {
		if _, wild := wildcardOf(q.Pattern); q.Type == ShortAnswer && len(q.Answers) == 0 && !wild {
			return nil, "", apperr.E(apperr.Invalid, "question %s is graded only by its pattern, which Moodle cannot grade: give it an accepted answer to export it", q.Key())
		}
	}
	if format == ExportGIFT {
		return exportGIFT(qs), GIFTSuffix, nil
	}
	raw, err := exportXML(qs)
	return raw, MoodleXMLSuffix, err
}

// checkExportFormat refuses a format Export does not write (invalid).
func checkExportFormat(format string) error {
	if format != ExportMoodleXML && format != ExportGIFT {
		return apperr.Invalidf("format", "format %q is not one of %s, %s", format, ExportMoodleXML, ExportGIFT)
	}
	return nil
}

// exportName is what a question's title is written as: its title when the
// title gives its id, its id otherwise, so the import gives the same id.
func exportName(q *Question) string {
	if q.Title != "" && slugify(q.Title) == q.ID {
		return q.Title
	}
	return q.ID
}

// untitled reports whether q's id is made from its text alone, so that it
// needs no title to get the same id back. A repeated question (id -2, -3…)
// keeps its title: its number depends on what else the file holds.
func untitled(q *Question) bool {
	return q.Title == "" && q.ID == textID(q.Text, q.TextAfter)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// xmlFormat is the format attribute of a stored format.
func xmlFormat(f string) string {
	switch f {
	case FormatPlain:
		return "plain_text"
	case FormatHTML:
		return "html"
	}
	return "markdown"
}

// missingWord is the blank of a missing-word question as Moodle's GIFT
// import writes it.
const missingWord = "_____"

func exportXML(qs []Question) ([]byte, error) {
	var doc xmlQuiz
	category := ""
	for i := range qs {
		q := &qs[i]
		if q.Category != category {
			category = q.Category
			path := category
			if path == "" {
				path = "$course$/top"
			}
			doc.Questions = append(doc.Questions, xmlQuestion{Type: "category", Category: &xmlPlain{Text: path}})
		}
		f := xmlFormat(q.Format)
		text := strings.TrimSpace(q.Text)
		if q.TextAfter != "" {
			text += " " + missingWord + " " + q.TextAfter
		}
		files := func(s string) []xmlFile { // the files s shows, embedded where Moodle looks for them
			var out []xmlFile
			for _, qf := range q.filesIn(s) {
				out = append(out, xmlFile{Name: qf.Name, Path: "/", Encoding: "base64", Data: base64.StdEncoding.EncodeToString(qf.Data)})
			}
			return out
		}
		for _, qf := range q.Files {
			if len(qf.Data) != qf.Size {
				return nil, fmt.Errorf("quiz: export moodle xml: question %s: the content of the file %q is not loaded", q.Key(), qf.Name)
			}
		}
		x := xmlQuestion{
			Name:            &xmlPlain{Text: exportName(q)},
			QuestionText:    &xmlText{Format: f, Text: text, Files: files(text)},
			GeneralFeedback: &xmlText{Format: f, Text: q.Feedback, Files: files(q.Feedback)},
			DefaultGrade:    strconv.Itoa(q.Points),
		}
		fb := func(s string) *xmlText {
			if s == "" {
				return nil
			}
			return &xmlText{Format: f, Text: s, Files: files(s)}
		}
		switch q.Type {
		case SingleChoice, MultipleResponse:
			x.Type, x.Single, x.ShuffleAnswers = "multichoice", strconv.FormatBool(q.Type == SingleChoice), "true"
			for _, o := range q.Options {
				x.Answers = append(x.Answers, xmlAnswer{Fraction: num(o.Weight), Format: f, Text: o.Text, Files: files(o.Text), Feedback: fb(o.Feedback)})
			}
		case TrueFalse:
			x.Type = "truefalse"
			for _, o := range q.Options {
				x.Answers = append(x.Answers, xmlAnswer{Fraction: num(o.Weight), Format: "moodle_auto_format", Text: o.ID, Feedback: fb(o.Feedback)})
			}
		case ShortAnswer:
			x.Type, x.UseCase = "shortanswer", "0"
			for _, a := range q.Answers {
				x.Answers = append(x.Answers, xmlAnswer{Fraction: num(a.Weight), Format: "plain_text", Text: strings.ReplaceAll(a.Text, "*", `\*`), Feedback: fb(a.Feedback)})
			}
			if w, ok := wildcardOf(q.Pattern); ok {
				x.Answers = append(x.Answers, xmlAnswer{Fraction: "100", Format: "plain_text", Text: w})
			}
			if q.WrongFeedback != "" {
				x.Answers = append(x.Answers, xmlAnswer{Fraction: "0", Format: "plain_text", Text: "*", Feedback: fb(q.WrongFeedback)})
			}
		case Numeric:
			x.Type = "numerical"
			for _, n := range q.Numbers {
				v, tol := n.Value, n.Tolerance
				if n.IsRange {
					v, tol = (n.Min+n.Max)/2, (n.Max-n.Min)/2
				}
				x.Answers = append(x.Answers, xmlAnswer{Fraction: num(n.Weight), Text: num(v), Tolerance: num(tol), Feedback: fb(n.Feedback)})
			}
			if q.WrongFeedback != "" {
				x.Answers = append(x.Answers, xmlAnswer{Fraction: "0", Text: "*", Tolerance: "0", Feedback: fb(q.WrongFeedback)})
			}
		case Cloze:
			x.Type = "multianswer" // the gaps are in the text
		case Matching:
			x.Type, x.ShuffleAnswers = "matching", "true"
			for _, p := range q.Pairs {
				x.Subquestions = append(x.Subquestions, xmlSub{Format: f, Text: p.Left, Files: files(p.Left), Answer: xmlPlain{Text: p.Right}})
			}
		}
		if tags := ownTags(q); len(tags) > 0 {
			x.Tags = &xmlTags{}
			for _, t := range tags {
				x.Tags.Tags = append(x.Tags.Tags, xmlPlain{Text: t})
			}
		}
		if e := extensionOf(q, true); e != nil {
			x.Skillgate = e.String()
		}
		doc.Questions = append(doc.Questions, x)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("quiz: export moodle xml: %w", err)
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

// giftEscaper escapes GIFT's special characters and line breaks.
var giftEscaper = strings.NewReplacer(`\`, `\\`, "~", `\~`, "=", `\=`, "#", `\#`, "{", `\{`, "}", `\}`, ":", `\:`, "\n", `\n`)

func giftEscape(s string) string { return giftEscaper.Replace(s) }

// giftEscapeWildcard escapes a Moodle * answer, keeping its \* as they are.
func giftEscapeWildcard(s string) string {
	parts := strings.Split(s, `\*`)
	for i := range parts {
		parts[i] = giftEscape(parts[i])
	}
	return strings.Join(parts, `\*`)
}

// giftWeight is an answer's %weight% prefix, "" for def.
func giftWeight(w, def float64) string {
	if w == def {
		return ""
	}
	return "%" + num(w) + "%"
}

func giftFeedback(s string) string {
	if s == "" {
		return ""
	}
	return " #" + giftEscape(s)
}

func exportGIFT(qs []Question) []byte {
	var b strings.Builder
	b.WriteString("// Exported from Skillgate. Moodle reads \"// skillgate:\" and \"// reread:\" lines as comments.\n")
	category := ""
	for i := range qs {
		q := &qs[i]
		if q.Category != category {
			category = q.Category
			path := category
			if path == "" {
				path = "$course$/top"
			}
			fmt.Fprintf(&b, "\n$CATEGORY: %s\n", path)
		}
		b.WriteString("\n")
		if q.Type == Cloze { // GIFT has no embedded answers
			fmt.Fprintf(&b, "// skipped: %s is a cloze (embedded answers) question, which GIFT cannot hold; export as %s to keep it\n", q.Key(), ExportMoodleXML)
			continue
		}
		if len(q.Files) > 0 { // GIFT cannot carry files
			fmt.Fprintf(&b, "// skipped: %s shows images, which GIFT cannot carry; export as %s to keep it\n", q.Key(), ExportMoodleXML)
			continue
		}
		if q.Reread != "" {
			fmt.Fprintf(&b, "// reread: %s\n", q.Reread)
		}
		if e := extensionOf(q, false); e != nil {
			fmt.Fprintf(&b, "// skillgate: %s\n", e)
		}
		if !untitled(q) {
			fmt.Fprintf(&b, "::%s::", giftEscape(exportName(q)))
		}
		tag := map[string]string{"": "[markdown]", FormatPlain: "[plain]", FormatHTML: "[html]", FormatMarkdown: "[markdown]"}[q.Format]
		b.WriteString(tag + giftEscape(strings.TrimSpace(q.Text)) + "{")
		switch q.Type {
		case SingleChoice:
			for _, o := range q.Options {
				if o.Weight == 100 {
					fmt.Fprintf(&b, "\n  =%s%s", giftEscape(o.Text), giftFeedback(o.Feedback))
				} else {
					fmt.Fprintf(&b, "\n  ~%s%s%s", giftWeight(o.Weight, 0), giftEscape(o.Text), giftFeedback(o.Feedback))
				}
			}
		case MultipleResponse:
			for _, o := range q.Options {
				fmt.Fprintf(&b, "\n  ~%s%s%s", giftWeight(o.Weight, 0), giftEscape(o.Text), giftFeedback(o.Feedback))
			}
		case TrueFalse:
			right, wrong := q.Options[0], q.Options[1]
			if wrong.Weight > right.Weight {
				right, wrong = wrong, right
			}
			b.WriteString(strings.ToUpper(right.ID[:1]))
			if right.Feedback != "" || wrong.Feedback != "" {
				fmt.Fprintf(&b, "#%s#%s", giftEscape(wrong.Feedback), giftEscape(right.Feedback))
			}
		case ShortAnswer:
			for _, a := range q.Answers {
				fmt.Fprintf(&b, "\n  =%s%s%s", giftWeight(a.Weight, 100), strings.ReplaceAll(giftEscape(a.Text), "*", `\*`), giftFeedback(a.Feedback))
			}
			if w, ok := wildcardOf(q.Pattern); ok {
				fmt.Fprintf(&b, "\n  =%s", giftEscapeWildcard(w))
			}
		case Numeric:
			b.WriteString("#")
			for _, n := range q.Numbers {
				v := num(n.Value) + ":" + num(n.Tolerance)
				if n.IsRange {
					v = num(n.Min) + ".." + num(n.Max)
				}
				fmt.Fprintf(&b, "\n  =%s%s%s", giftWeight(n.Weight, 100), v, giftFeedback(n.Feedback))
			}
			if q.WrongFeedback != "" {
				fmt.Fprintf(&b, "\n  ~%%0%%#%s", giftEscape(q.WrongFeedback))
			}
		case Matching:
			for _, p := range q.Pairs {
				fmt.Fprintf(&b, "\n  =%s -> %s", giftEscape(p.Left), giftEscape(p.Right))
			}
		}
		if q.Feedback != "" {
			fmt.Fprintf(&b, "\n  ####%s", giftEscape(q.Feedback))
		}
		if q.Type != TrueFalse {
			b.WriteString("\n")
		}
		b.WriteString("}")
		if q.TextAfter != "" {
			b.WriteString(" " + giftEscape(q.TextAfter))
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}
