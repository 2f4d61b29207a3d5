package quiz

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// Library is every quiz and question bank of a quizzes folder, parsed,
// resolved and checked.
type Library struct {
	Quizzes []*Quiz
	Banks   []*Bank
	// Skipped lists the GIFT items that Skillgate cannot represent.
	Skipped Problems
	// Warnings list what was read differently from how it is written, as
	// Moodle reads it (see Bank.Warnings).
	Warnings Problems
}

// LoadDir reads a quizzes folder (fsys rooted at it): every
// <client>/<program>/<slug>.quiz.yaml and every *.gift anywhere in a
// program's folder. Other files (READMEs, role-plays) are left alone. It
// resolves each quiz's banks among its own client's banks only, and checks
// that every draw can be made. All problems in all files are returned
// together (Problems.Err(), code invalid), so nothing is imported unless
// everything is right.
func LoadDir(fsys fs.FS) (*Library, error) {
	lib := &Library{}
	var ps Problems
	byClient := map[string]map[string]*Bank{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			ps.Add(p, 1, "cannot read: %v", err)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		isQuiz, parseBank := strings.HasSuffix(p, QuizFileSuffix), bankParser(p)
		isBank := parseBank != nil
		if !isQuiz && !isBank {
			return nil
		}
		depth := strings.Count(p, "/")
		if (isQuiz && depth != 2) || (isBank && depth < 2) {
			ps.Add(p, 1, "quiz files live in <client>/<program>/, bank files (GIFT, Moodle XML, Aiken) anywhere under <client>/<program>/")
			return nil
		}
		data, err := pgtext.ReadFS(fsys, p)
		var fe *pgtext.FileError
		switch {
		case errors.As(err, &fe):
			ps.Add(p, fe.Line, "the file %s", fe.Problem)
			return nil
		case err != nil:
			ps.Add(p, 1, "cannot read: %v", err)
			return nil
		}
		if isQuiz {
			qz, err := ParseQuiz(p, data)
			if err != nil {
				ps = append(ps, problemsOf(err)...)
				return nil
			}
			lib.Quizzes = append(lib.Quizzes, qz)
			return nil
		}
		b, err := parseBank(p, data)
		if err != nil {
			ps = append(ps, problemsOf(err)...)
			return nil
		}
		if byClient[b.Client] == nil {
			byClient[b.Client] = map[string]*Bank{}
		}
		if prev, dup := byClient[b.Client][b.Name]; dup {
			ps.Add(p, 1, "client %s already has a bank %q (%s); bank names are unique per client", b.Client, b.Name, prev.Source)
			return nil
		}
		byClient[b.Client][b.Name] = b
		lib.Banks = append(lib.Banks, b)
		lib.Skipped = append(lib.Skipped, b.Skipped...)
		lib.Warnings = append(lib.Warnings, b.Warnings...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("quiz: load quizzes: %w", err)
	}
	for _, qz := range lib.Quizzes {
		pool, pps := qz.Pool(byClient[qz.Client])
		ps = append(ps, pps...)
		if len(pps) == 0 && len(qz.Banks) > 0 {
			ps = append(ps, CheckDraw(qz, pool)...)
		}
	}
	if len(ps) > 0 {
		ps.Sort()
		return nil, ps.Err()
	}
	sort.Slice(lib.Quizzes, func(i, j int) bool { return lib.Quizzes[i].Source < lib.Quizzes[j].Source })
	return lib, nil
}

// bankParser is the reader of a bank file by its name's ending: *.gift,
// *.xml (Moodle XML), *.aiken.txt; nil for any other file.
func bankParser(name string) func(string, []byte) (*Bank, error) {
	switch {
	case strings.HasSuffix(name, GIFTSuffix):
		return ParseGIFT
	case strings.HasSuffix(name, MoodleXMLSuffix):
		return ParseMoodleXML
	case strings.HasSuffix(name, AikenSuffix):
		return ParseAiken
	}
	return nil
}

// BanksOf returns the client's banks by name.
func (l *Library) BanksOf(client string) map[string]*Bank {
	banks := map[string]*Bank{}
	for _, b := range l.Banks {
		if b.Client == client {
			banks[b.Name] = b
		}
	}
	return banks
}

// problemsOf recovers the Problems inside a ParseQuiz or ParseGIFT error.
func problemsOf(err error) Problems {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	return Problems{{File: "?", Line: 1, Message: err.Error()}}
}

// Pool is the quiz's question pool: its inline questions, then the
// questions of each bank it names (only those with one of the reference's
// tags, when it gives tags). banks are the quiz's own client's banks by
// name, so a draw never reaches another client's questions; a bank of
// another client in the map is refused.
func (qz *Quiz) Pool(banks map[string]*Bank) ([]Question, Problems) {
	var ps Problems
	pool := append([]Question(nil), qz.Questions...)
	for _, ref := range qz.Banks {
		b, ok := banks[ref.Name]
		switch {
		case !ok:
			ps.Add(qz.Source, ref.Line, "no bank %q: expected a file %s%s (or %s%s, %s%s) under quizzes/%s/", ref.Name, ref.Name, GIFTSuffix, ref.Name, MoodleXMLSuffix, ref.Name, AikenSuffix, qz.Client)
			continue
		case b.Client != qz.Client:
			ps.Add(qz.Source, ref.Line, "bank %q belongs to client %s, not %s", ref.Name, b.Client, qz.Client)
			continue
		}
		n := 0
		for _, q := range b.Questions {
			if len(ref.Tags) == 0 || hasAnyTag(&q, ref.Tags) {
				pool = append(pool, q)
				n++
			}
		}
		if n == 0 {
			ps.Add(qz.Source, ref.Line, "bank %q has no questions%s", ref.Name, tagNote(ref.Tags))
		}
	}
	return pool, ps
}

func hasAnyTag(q *Question, tags []string) bool {
	for _, t := range tags {
		if q.HasTag(t) {
			return true
		}
	}
	return false
}

func tagNote(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return " tagged " + strings.Join(tags, " or ")
}
