package quiz

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MoodleXMLSuffix ends every Moodle XML bank file's name.
const MoodleXMLSuffix = ".xml"

// The Moodle XML format, as far as Skillgate reads and writes it. The same
// types decode a file and encode an export.
type (
	xmlQuiz struct {
		XMLName   xml.Name      `xml:"quiz"`
		Questions []xmlQuestion `xml:"question"`
	}
	xmlText struct {
		Format string    `xml:"format,attr,omitempty"`
		Text   string    `xml:"text"`
		Files  []xmlFile `xml:"file"`
	}
	xmlFile struct {
		Name     string `xml:"name,attr"`
		Path     string `xml:"path,attr,omitempty"`
		Encoding string `xml:"encoding,attr,omitempty"`
		Data     string `xml:",chardata"`
	}
	xmlPlain struct {
		Text string `xml:"text"`
	}
	xmlAnswer struct {
		Fraction  string    `xml:"fraction,attr"`
		Format    string    `xml:"format,attr,omitempty"`
		Text      string    `xml:"text"`
		Files     []xmlFile `xml:"file"`
		Feedback  *xmlText  `xml:"feedback"`
		Tolerance string    `xml:"tolerance,omitempty"`
	}
	xmlSub struct {
		Format string    `xml:"format,attr,omitempty"`
		Text   string    `xml:"text"`
		Files  []xmlFile `xml:"file"`
		Answer xmlPlain  `xml:"answer"`
	}
	xmlChoice struct { // a gapselect <selectoption> or ddwtos <dragbox>
		Text  string `xml:"text"`
		Group string `xml:"group"`
	}
	xmlUnits struct {
		Units []xmlUnit `xml:"unit"`
	}
	xmlTags struct {
		Tags []xmlPlain `xml:"tag"`
	}
	xmlUnit struct {
		Multiplier string `xml:"multiplier"`
		Name       string `xml:"unit_name"`
	}
	xmlQuestion struct {
		Type            string      `xml:"type,attr"`
		Category        *xmlPlain   `xml:"category"`
		Name            *xmlPlain   `xml:"name"`
		QuestionText    *xmlText    `xml:"questiontext"`
		GeneralFeedback *xmlText    `xml:"generalfeedback"`
		DefaultGrade    string      `xml:"defaultgrade,omitempty"`
		Single          string      `xml:"single,omitempty"`
		ShuffleAnswers  string      `xml:"shuffleanswers,omitempty"`
		UseCase         string      `xml:"usecase,omitempty"`
		Answers         []xmlAnswer `xml:"answer"`
		Subquestions    []xmlSub    `xml:"subquestion"`
		SelectOptions   []xmlChoice `xml:"selectoption"`
		DragBoxes       []xmlChoice `xml:"dragbox"`
		Units           *xmlUnits   `xml:"units"`
		UnitGradingType string      `xml:"unitgradingtype,omitempty"`
		Correct         *xmlText    `xml:"correctfeedback"`
		Partial         *xmlText    `xml:"partiallycorrectfeedback"`
		Incorrect       *xmlText    `xml:"incorrectfeedback"`
		Tags            *xmlTags    `xml:"tags"`
		Skillgate       string      `xml:"skillgate,omitempty"`
	}
)

func (x *xmlQuestion) tags() []xmlPlain {
	if x.Tags == nil {
		return nil
	}
	return x.Tags.Tags
}

// srcOfXML is the Moodle format a format attribute names.
func srcOfXML(attr string) string {
	switch attr {
	case "html":
		return srcHTML
	case "plain_text":
		return srcPlain
	case "markdown":
		return srcMarkdown
	}
	return srcMoodle // "moodle_auto_format", Moodle's default
}

// ParseMoodleXML reads a Moodle XML question export as a question bank.
// file is its path under the quizzes folder (quizzes/<client>/<program>/…
// /<name>.xml, or a suffix of it): the bank is named after the file. Essay,
// description, cloze and the other types Skillgate cannot grade are listed
// in Bank.Skipped; what it reads differently from how it is written, as
// Moodle would, in Bank.Warnings. Every problem names file:line (the
// question's <question> line); the error is then Problems.Err() (code
// invalid).
func ParseMoodleXML(file string, data []byte) (*Bank, error) {
	r := &xmlReader{bankReader: newBankReader(file)}
	b := r.newBank(MoodleXMLSuffix, "a Moodle XML")
	r.read(b, data)
	if len(r.ps) > 0 {
		r.ps.Sort()
		return nil, r.ps.Err()
	}
	b.Warnings = r.warnings
	return b, nil
}

type xmlReader struct {
	bankReader
	category string
}

func (r *xmlReader) read(b *Bank, data []byte) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "us-ascii") {
			return in, nil
		}
		return nil, fmt.Errorf("the file is %s: save it as UTF-8", charset)
	}
	depth, sawQuiz := 0, false
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.errf(xmlErrLine(err, line), "not well-formed XML: %v", err)
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local == "quiz":
				sawQuiz = true
			case depth == 1:
				r.errf(line, "a Moodle XML file's root element is <quiz>, not <%s>", t.Name.Local)
				return
			case depth == 2 && t.Name.Local == "question":
				at, _ := d.InputPos()
				var x xmlQuestion
				if err := d.DecodeElement(&x, &t); err != nil {
					r.errf(xmlErrLine(err, at), "not well-formed XML: %v", err)
					return
				}
				depth--
				r.question(b, x, at)
			default:
				if err := d.Skip(); err != nil {
					r.errf(xmlErrLine(err, line), "not well-formed XML: %v", err)
					return
				}
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
	if !sawQuiz {
		r.errf(1, "not a Moodle XML file: no <quiz> element")
	}
}

// xmlErrLine is the line an encoding/xml error names, or line.
func xmlErrLine(err error, line int) int {
	var se *xml.SyntaxError
	if errors.As(err, &se) && se.Line > 0 {
		return se.Line
	}
	return line
}

// question reads one <question> at line.
func (r *xmlReader) question(b *Bank, x xmlQuestion, line int) {
	if x.Type == "category" {
		if x.Category == nil {
			r.errf(line, "a category question has a <category><text>path</text></category>")
			return
		}
		r.category = categoryPath(x.Category.Text)
		return
	}
	title := ""
	if x.Name != nil {
		title = strings.TrimSpace(x.Name.Text)
	}
	skip := func(kind, why string) {
		b.Skipped = append(b.Skipped, Problem{File: r.file, Line: line, Message: fmt.Sprintf("%s %s: %s, skipped", kind, describe(title, textOf(x.QuestionText)), why)})
	}
	switch x.Type {
	case "essay":
		skip("essay", "essay questions are not supported")
		return
	case "description":
		skip("description", "items without answers are not supported")
		return
	case "multichoice", "multianswer", "truefalse", "shortanswer", "numerical", "matching", "gapselect", "ddwtos":
	case "":
		r.errf(line, "the question has no type attribute")
		return
	default:
		skip(x.Type, fmt.Sprintf("Skillgate cannot grade %s questions", x.Type))
		return
	}
	if x.QuestionText == nil {
		r.errf(line, "question %s: no <questiontext>", describe(title, ""))
		return
	}
	embedded, msg := embeddedFiles(x)
	if msg != "" {
		r.errf(line, "question %s: %s", describe(title, textOf(x.QuestionText)), msg)
		return
	}
	src := srcOfXML(x.QuestionText.Format)
	q := &Question{Title: title, Source: fmt.Sprintf("%s:%d", r.file, line), Category: r.category, Format: storedFormat(src)}
	q.Text = convertText(strings.TrimSpace(x.QuestionText.Text), src, q.Format)
	if x.GeneralFeedback != nil {
		q.Feedback = r.convert(x.GeneralFeedback, q.Format)
	}
	if tag := categoryTag(r.category); tag != "" {
		q.Tags = append(q.Tags, tag)
	}
	for _, t := range x.tags() {
		if tag := tagOf(t.Text); tag != "" && !slices.Contains(q.Tags, tag) {
			q.Tags = append(q.Tags, tag)
		}
	}
	about := describe(title, q.Text)
	if g := strings.TrimSpace(x.DefaultGrade); g != "" {
		v, err := strconv.ParseFloat(g, 64)
		switch {
		case err != nil || v != math.Trunc(v) || v < 1 || v > 100:
			r.errf(line, "question %s: defaultgrade %s: Skillgate's points are whole numbers from 1 to 100", about, g)
		default:
			q.Points = int(v)
		}
	}
	for _, fb := range []*xmlText{x.Correct, x.Partial, x.Incorrect} {
		if fb != nil && strings.TrimSpace(textPolicy.Sanitize(fb.Text)) != "" {
			r.warnf(line, "question %s: the combined feedback (correct, partially correct, incorrect) is not shown by Skillgate: left out", about)
			break
		}
	}
	switch x.Type {
	case "multichoice":
		q.Type = SingleChoice
		if s := strings.TrimSpace(x.Single); s == "false" || s == "0" {
			q.Type = MultipleResponse
		}
		for _, a := range x.Answers {
			w, ok := r.fraction(a, line, about)
			if !ok {
				return
			}
			q.Options = append(q.Options, Option{Text: convertText(strings.TrimSpace(a.Text), srcOfXML(a.Format), q.Format),
				Weight: w, Feedback: r.convert(a.Feedback, q.Format)})
		}
	case "truefalse":
		q.Type = TrueFalse
		q.Options = []Option{{ID: OptionTrue, Text: "True"}, {ID: OptionFalse, Text: "False"}}
		for _, a := range x.Answers {
			w, ok := r.fraction(a, line, about)
			if !ok {
				return
			}
			i := 0
			switch strings.ToLower(strings.TrimSpace(a.Text)) {
			case "true":
			case "false":
				i = 1
			default:
				r.errf(line, "question %s: a true/false answer is true or false, not %q", about, a.Text)
				return
			}
			q.Options[i].Weight, q.Options[i].Feedback = w, r.convert(a.Feedback, q.Format)
		}
	case "shortanswer":
		q.Type = ShortAnswer
		if strings.TrimSpace(x.UseCase) == "1" {
			r.warnf(line, "question %s: Moodle compares its answers with case; Skillgate always ignores case", about)
		}
		for _, a := range x.Answers {
			w, ok := r.fraction(a, line, about)
			if !ok {
				return
			}
			text := convertText(strings.TrimSpace(a.Text), srcOfXML(a.Format), FormatPlain)
			switch {
			case w <= 0 && text == "*":
				q.WrongFeedback = r.convert(a.Feedback, q.Format)
			case w <= 0:
				r.warnf(line, "question %s: answer %q earns nothing; Skillgate keeps only answers that earn credit (and * for any other answer): left out", about, text)
			default:
				q.Answers = append(q.Answers, TextAnswer{Text: text, Weight: w, Feedback: r.convert(a.Feedback, q.Format)})
			}
		}
	case "numerical":
		q.Type = Numeric
		if !r.units(x, line, about) {
			return
		}
		for _, a := range x.Answers {
			w, ok := r.fraction(a, line, about)
			if !ok {
				return
			}
			text := strings.TrimSpace(a.Text)
			switch {
			case w <= 0 && text == "*":
				q.WrongFeedback = r.convert(a.Feedback, q.Format)
				continue
			case w <= 0:
				r.warnf(line, "question %s: answer %s earns nothing; Skillgate keeps only answers that earn credit (and * for any other answer): left out", about, text)
				continue
			}
			v, err := parseGIFTNumber(text)
			tol := 0.0
			if err == nil && strings.TrimSpace(a.Tolerance) != "" {
				tol, err = parseGIFTNumber(a.Tolerance)
			}
			if err != nil {
				r.errf(line, "question %s: numeric answer: %v", about, err)
				return
			}
			q.Numbers = append(q.Numbers, NumericAnswer{Value: v, Tolerance: math.Abs(tol), Weight: w, Feedback: r.convert(a.Feedback, q.Format)})
		}
	case "multianswer":
		q.Type = Cloze // the gaps are in the text; Moodle's <question> has nothing else to read
	case "gapselect", "ddwtos":
		choices := x.SelectOptions
		if x.Type == "ddwtos" {
			choices = x.DragBoxes
			r.warnf(line, "question %s: a drag-and-drop into text question is shown as a drop-down per gap (graded the same); an export writes it as a cloze question", about)
		}
		text, msg := gapsAsCloze(q.Text, choices, q.Format)
		if msg != "" {
			r.errf(line, "question %s: %s", about, msg)
			return
		}
		q.Type, q.Text = Cloze, text
	case "matching":
		q.Type = Matching
		for _, s := range x.Subquestions {
			q.Pairs = append(q.Pairs, Pair{Left: convertText(strings.TrimSpace(s.Text), srcOfXML(s.Format), q.Format),
				Right: convertText(strings.TrimSpace(s.Answer.Text), srcPlain, FormatPlain)})
		}
	}
	if x.Skillgate != "" {
		e, err := parseExtension(x.Skillgate)
		if err != nil {
			r.errf(line, "question %s: %v", about, err)
			return
		}
		if msg := e.apply(q); msg != "" {
			r.errf(line, "question %s: %s", about, msg)
			return
		}
	}
	msg, warnings := q.attachFiles(embedded)
	if msg != "" {
		r.errf(line, "question %s: %s", about, msg)
		return
	}
	for _, w := range warnings {
		r.warnf(line, "question %s: %s", about, w)
	}
	r.add(b, q, line)
}

// choiceGap finds a gap of a gapselect or ddwtos question's text: [[n]].
var choiceGap = regexp.MustCompile(`\[\[(\d+)\]\]`)

// gapsAsCloze writes a gapselect or ddwtos question's text as a cloze
// text, as Moodle grades it: the gap [[n]] is answered right by choice n
// and offers every choice of n's group, in the order written; each gap
// weighs the same. Choices are text, escaped for the question's format.
// The message says what is wrong.
func gapsAsCloze(text string, choices []xmlChoice, format string) (string, string) {
	if len(choices) == 0 {
		return "", "it has no choices (<selectoption> or <dragbox>)"
	}
	msg := ""
	out := choiceGap.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(choiceGap.FindStringSubmatch(m)[1])
		if n < 1 || n > len(choices) {
			if msg == "" {
				msg = fmt.Sprintf("the gap %s names choice %d, but there are %d choices", m, n, len(choices))
			}
			return m
		}
		group := strings.TrimSpace(choices[n-1].Group)
		var opts []string
		for i, c := range choices {
			if strings.TrimSpace(c.Group) != group {
				continue
			}
			t := strings.TrimSpace(html.UnescapeString(textPolicy.Sanitize(c.Text)))
			if format == FormatHTML {
				t = html.EscapeString(t)
			}
			mark := "%0%"
			if i == n-1 {
				mark = "="
			}
			opts = append(opts, mark+clozeEscaper.Replace(t))
		}
		return "{1:MULTICHOICE:" + strings.Join(opts, "~") + "}"
	})
	if msg == "" && out == text {
		msg = "its text has no gaps ([[1]], [[2]], …)"
	}
	return out, msg
}

// clozeEscaper escapes what ends or splits a cloze gap's answer.
var clozeEscaper = strings.NewReplacer(`\`, `\\`, "}", `\}`, "~", `\~`, "#", `\#`)

// tagOf is a Moodle tag as a Skillgate tag: kept when it is one already
// (a slug or a path of slugs), made a slug otherwise.
func tagOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if tagRe.MatchString(s) {
		return s
	}
	return slugify(s)
}

// convert is a feedback text in the question's format.
func (r *xmlReader) convert(t *xmlText, to string) string {
	if t == nil {
		return ""
	}
	return convertText(strings.TrimSpace(t.Text), srcOfXML(t.Format), to)
}

// fraction is an answer's weight in percent.
func (r *xmlReader) fraction(a xmlAnswer, line int, about string) (float64, bool) {
	f := strings.TrimSpace(a.Fraction)
	if f == "" {
		return 0, true
	}
	w, err := strconv.ParseFloat(f, 64)
	if err != nil || math.IsNaN(w) || w < -100 || w > 100 {
		r.errf(line, "question %s: answer %q: fraction %q must be a percentage from -100 to 100", about, strings.TrimSpace(a.Text), f)
		return 0, false
	}
	return w, true
}

// units reports whether a numerical question's units can be graded:
// Skillgate grades the number alone, which is what Moodle does when units
// are not graded (unitgradingtype 0). Graded units are refused.
func (r *xmlReader) units(x xmlQuestion, line int, about string) bool {
	if g := strings.TrimSpace(x.UnitGradingType); g != "" && g != "0" && x.Units != nil && len(x.Units.Units) > 0 {
		r.errf(line, "question %s: Moodle grades its units (unitgradingtype %s); Skillgate grades the number alone: set the units not to be graded, or leave them out", about, g)
		return false
	}
	return true
}

// embeddedFiles decodes every file the question embeds, in any of its
// texts (newQuestionFile checks each). Two files with one name and
// different contents are a problem.
func embeddedFiles(x xmlQuestion) ([]QuestionFile, string) {
	var raw []xmlFile
	for _, t := range []*xmlText{x.QuestionText, x.GeneralFeedback, x.Correct, x.Partial, x.Incorrect} {
		if t != nil {
			raw = append(raw, t.Files...)
		}
	}
	for _, a := range x.Answers {
		raw = append(raw, a.Files...)
		if a.Feedback != nil {
			raw = append(raw, a.Feedback.Files...)
		}
	}
	for _, s := range x.Subquestions {
		raw = append(raw, s.Files...)
	}
	var out []QuestionFile
	for _, xf := range raw {
		f, msg := newQuestionFile(xf.Name, xf.Encoding, xf.Data)
		if msg != "" {
			return nil, msg
		}
		i := slices.IndexFunc(out, func(o QuestionFile) bool { return o.Name == f.Name })
		switch {
		case i < 0:
			out = append(out, f)
		case out[i].SHA256 != f.SHA256:
			return nil, fmt.Sprintf("embeds two different files named %q", f.Name)
		}
	}
	return out, ""
}

func textOf(t *xmlText) string {
	if t == nil {
		return ""
	}
	return textPolicy.Sanitize(t.Text)
}
