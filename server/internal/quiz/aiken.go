package quiz

import (
	"fmt"
	"regexp"
	"strings"
)

// AikenSuffix ends every Aiken bank file's name.
const AikenSuffix = ".aiken.txt"

var (
	aikenOption = regexp.MustCompile(`^([A-Z])[.)]\s+(.*)$`)
	aikenAnswer = regexp.MustCompile(`^ANSWER\s*:\s*(.*)$`)
)

// ParseAiken reads a file in Moodle's Aiken format as a question bank:
// single choice questions, each its text (one or more lines), its options
// "A. text" or "A) text", then "ANSWER: A". Blank lines between questions
// are optional. file is its path under the quizzes folder (…/<name>.aiken.txt);
// every problem names file:line (code invalid).
func ParseAiken(file string, data []byte) (*Bank, error) {
	r := &bankReader{}
	*r = newBankReader(file)
	b := r.newBank(AikenSuffix, "an Aiken")
	text := strings.TrimPrefix(string(data), "\uFEFF")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")

	var (
		lines   []string // the question's text lines
		start   int      // its first line
		opts    []Option
		letters []string
	)
	reset := func() { lines, opts, letters, start = nil, nil, nil, 0 }
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" {
			switch {
			case len(opts) > 0:
				r.errf(start, "the question has no ANSWER: line after its options")
				reset()
			case len(lines) > 0:
				r.errf(start, "the question has no options (A. …, B. …) and no ANSWER: line")
				reset()
			}
			continue
		}
		if m := aikenAnswer.FindStringSubmatch(line); m != nil {
			switch {
			case len(lines) == 0:
				r.errf(n, "ANSWER: without a question before it")
			case len(opts) < 2:
				r.errf(n, "a question needs at least 2 options (A. …, B. …) before its ANSWER:")
			default:
				letter := strings.TrimSpace(m[1])
				k := -1
				for j, l := range letters {
					if l == letter {
						k = j
					}
				}
				if k < 0 {
					r.errf(n, "ANSWER: %s names no option (the options are %s)", letter, strings.Join(letters, ", "))
					break
				}
				opts[k].Weight = 100
				q := &Question{Type: SingleChoice, Text: strings.Join(lines, "\n"), Format: FormatPlain, Options: opts,
					Source: fmt.Sprintf("%s:%d", file, start)}
				r.add(b, q, start)
			}
			reset()
			continue
		}
		if m := aikenOption.FindStringSubmatch(line); m != nil && len(lines) > 0 {
			for _, l := range letters {
				if l == m[1] {
					r.errf(n, "option %s is written twice", m[1])
				}
			}
			letters = append(letters, m[1])
			opts = append(opts, Option{Text: strings.TrimSpace(m[2])})
			continue
		}
		if len(opts) > 0 {
			r.errf(n, "after the options comes ANSWER: <letter>, not %q", line)
			continue
		}
		if len(lines) == 0 {
			start = n
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		r.errf(start, "the question has no ANSWER: line")
	}
	if len(r.ps) > 0 {
		r.ps.Sort()
		return nil, r.ps.Err()
	}
	b.Warnings = r.warnings
	return b, nil
}
