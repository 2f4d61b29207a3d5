package quiz

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// bankReader is what the GIFT, Moodle XML and Aiken readers share: the
// file, its problems and warnings, and the ids given so far.
type bankReader struct {
	file     string
	ps       Problems
	warnings Problems
	ids      *ids
	where    map[string]int // question id → line
}

func newBankReader(file string) bankReader {
	return bankReader{file: file, ids: newIDs(), where: map[string]int{}}
}

func (r *bankReader) errf(line int, format string, args ...any) {
	r.ps.Add(r.file, line, format, args...)
}

func (r *bankReader) warnf(line int, format string, args ...any) {
	r.warnings.Add(r.file, line, format, args...)
}

// newBank is the bank the file is: named after the file without suffix,
// of the client whose folder it is in.
func (r *bankReader) newBank(suffix, aKind string) *Bank {
	dir, base := path.Split(r.file)
	b := &Bank{Name: strings.TrimSuffix(base, suffix), Source: r.file, Questions: []Question{}}
	if parts := strings.Split(strings.Trim(dir, "/"), "/"); len(parts) >= 1 && parts[0] != "" {
		b.Client = parts[0]
	}
	if !strings.HasSuffix(base, suffix) || !slugRe.MatchString(b.Name) {
		r.errf(1, "%s bank file is named <name>%s, the name lowercase letters, digits and hyphens", aKind, suffix)
	}
	return b
}

// add gives q its id (from its title, or its text when it has none; a
// repeated one numbered by occurrence), completes it as Moodle reads it
// and checks it; a question that passes joins b.
func (r *bankReader) add(b *Bank, q *Question, line int) {
	q.Bank = b.Name
	base := slugify(q.Title)
	if base == "" {
		base = textID(q.Text, q.TextAfter)
	}
	if r.ids.assign(q, base); q.ID != base && q.Title != "" {
		r.warnf(line, "question %s: the id %s of the title %q is already used at line %d, so this question is %s (give it a title of its own to keep its results when questions move)", q.ID, base, q.Title, r.where[base], q.ID)
	}
	r.where[q.ID] = line
	before := len(r.ps)
	if q.Type == ShortAnswer {
		if msg := applyWildcards(q); msg != "" {
			r.errf(line, "question %s: %s", q.ID, msg)
		}
		for _, w := range mergeShortAnswers(q) {
			r.warnf(line, "%s", w)
		}
	}
	q.defaults()
	for _, msg := range q.check() {
		r.errf(line, "question %s: %s", q.ID, msg)
	}
	if len(r.ps) == before {
		b.Questions = append(b.Questions, *q)
	}
}

// extension is what a Skillgate question holds that Moodle's formats have
// no place for. Exports write it as a "// skillgate: {…}" comment before a
// GIFT question and a <skillgate> element in a Moodle XML question; Moodle
// ignores both, and importing the file back restores the question exactly.
type extension struct {
	Points    int           `json:"points,omitempty"`     // GIFT only: Moodle XML has defaultgrade
	Pattern   string        `json:"pattern,omitempty"`    // a short answer's pattern
	Reread    string        `json:"reread,omitempty"`     // Moodle XML only: GIFT has its // reread: comment
	OptionIDs []string      `json:"option_ids,omitempty"` // options' ids, when any was written by hand
	PairIDs   []string      `json:"pair_ids,omitempty"`   // matching pairs' ids, when any is not p1, p2, …
	Ranges    []*[2]float64 `json:"ranges,omitempty"`     // Moodle XML only: numeric answers written as low..high
	TextAfter *string       `json:"text_after,omitempty"` // Moodle XML only: the text after a missing word's blank
	// WrongFeedback of a short answer, in GIFT only (Moodle XML has its *
	// answer; GIFT has that only for numeric questions).
	WrongFeedback string `json:"wrong_feedback,omitempty"`
	// Tags besides the category's, in GIFT only (Moodle XML has <tags>).
	Tags []string `json:"tags,omitempty"`
}

// extensionOf is what q needs that its format (gift or xml) cannot say,
// nil when nothing.
func extensionOf(q *Question, xml bool) *extension {
	e := &extension{}
	if _, ok := wildcardOf(q.Pattern); !ok {
		e.Pattern = q.Pattern
	}
	if !xml && q.Points > 1 {
		e.Points = q.Points
	}
	if !xml && q.Type == ShortAnswer {
		e.WrongFeedback = q.WrongFeedback
	}
	if !xml {
		e.Tags = ownTags(q)
	}
	if xml {
		e.Reread = q.Reread
		if q.TextAfter != "" {
			e.TextAfter = &q.TextAfter
		}
		ranged := false
		for _, n := range q.Numbers {
			if n.IsRange {
				ranged = true
			}
		}
		if ranged {
			for _, n := range q.Numbers {
				var r *[2]float64
				if n.IsRange {
					r = &[2]float64{n.Min, n.Max}
				}
				e.Ranges = append(e.Ranges, r)
			}
		}
	}
	for _, o := range q.Options {
		if q.Type != TrueFalse && o.ID != OptionID(o.Text) {
			e.OptionIDs = make([]string, len(q.Options))
			for i, o := range q.Options {
				e.OptionIDs[i] = o.ID
			}
			break
		}
	}
	for i, p := range q.Pairs {
		if p.ID != fmt.Sprintf("p%d", i+1) {
			e.PairIDs = make([]string, len(q.Pairs))
			for i, p := range q.Pairs {
				e.PairIDs[i] = p.ID
			}
			break
		}
	}
	if e.Points == 0 && e.Pattern == "" && e.Reread == "" && e.OptionIDs == nil && e.PairIDs == nil && e.Ranges == nil && e.TextAfter == nil && e.WrongFeedback == "" && e.Tags == nil {
		return nil
	}
	return e
}

// ownTags are q's tags besides its category's.
func ownTags(q *Question) []string {
	own := categoryTag(q.Category)
	var tags []string
	for _, t := range q.Tags {
		if t != own {
			tags = append(tags, t)
		}
	}
	return tags
}

func (e *extension) String() string {
	raw, _ := json.Marshal(e) // plain data: cannot fail
	return string(raw)
}

// parseExtension reads an extension; the error says what is wrong.
func parseExtension(s string) (*extension, error) {
	var e extension
	d := json.NewDecoder(strings.NewReader(s))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		return nil, fmt.Errorf("the skillgate extension is not valid: %v", err)
	}
	return &e, nil
}

// apply puts the extension's data on q (before its defaults and check);
// it returns a problem when the extension does not fit the question.
func (e *extension) apply(q *Question) string {
	if e.Points != 0 {
		q.Points = e.Points
	}
	if e.Pattern != "" {
		q.Pattern = e.Pattern
	}
	if e.Reread != "" {
		q.Reread = e.Reread
	}
	if e.WrongFeedback != "" {
		q.WrongFeedback = e.WrongFeedback
	}
	for _, t := range e.Tags {
		if !slices.Contains(q.Tags, t) {
			q.Tags = append(q.Tags, t)
		}
	}
	if e.TextAfter != nil {
		// The export wrote the text after the blank into the text.
		if i := strings.LastIndex(q.Text, missingWord); i >= 0 {
			q.Text = strings.TrimSpace(q.Text[:i])
		}
		q.TextAfter = *e.TextAfter
	}
	if e.OptionIDs != nil {
		if len(e.OptionIDs) != len(q.Options) {
			return fmt.Sprintf("the skillgate extension names %d option ids for %d options", len(e.OptionIDs), len(q.Options))
		}
		for i := range q.Options {
			q.Options[i].ID = e.OptionIDs[i]
		}
	}
	if e.PairIDs != nil {
		if len(e.PairIDs) != len(q.Pairs) {
			return fmt.Sprintf("the skillgate extension names %d pair ids for %d pairs", len(e.PairIDs), len(q.Pairs))
		}
		for i := range q.Pairs {
			q.Pairs[i].ID = e.PairIDs[i]
		}
	}
	if e.Ranges != nil {
		if len(e.Ranges) != len(q.Numbers) {
			return fmt.Sprintf("the skillgate extension names %d ranges for %d numeric answers", len(e.Ranges), len(q.Numbers))
		}
		for i, r := range e.Ranges {
			if r != nil {
				q.Numbers[i] = NumericAnswer{IsRange: true, Min: r[0], Max: r[1], Weight: q.Numbers[i].Weight, Feedback: q.Numbers[i].Feedback}
			}
		}
	}
	return ""
}
