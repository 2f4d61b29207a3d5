package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/quiz"
)

// TestExportCommand: skillgate export writes a demo bank and a demo quiz
// in both formats, and each imports back with every question.
func TestExportCommand(t *testing.T) {
	t.Parallel()
	quizzes := filepath.Join("..", "..", "..", "quizzes")
	lib, err := quiz.LoadDir(os.DirFS(quizzes))
	if err != nil {
		t.Fatal(err)
	}
	bank := lib.BanksOf("fenmore-bank")["card-fees"]
	out, err := runWith(t, nil, "export", "--format", "gift", "fenmore-bank/card-fees", quizzes)
	if err != nil {
		t.Fatalf("got %v: %s", err, out)
	}
	b, err := quiz.ParseGIFT("fenmore-bank/card-services/card-fees.gift", []byte(out))
	if err != nil || len(b.Questions) != len(bank.Questions) {
		t.Fatalf("got %v and %d questions back, want %d", err, len(b.Questions), len(bank.Questions))
	}

	file := filepath.Join(t.TempDir(), "quiz.xml")
	if out, err := runWith(t, nil, "export", "--out", file, "fenmore-bank/card-services/card-services-certification", quizzes); err != nil {
		t.Fatalf("got %v: %s", err, out)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	x, err := quiz.ParseMoodleXML("fenmore-bank/card-services/quiz.xml", raw)
	if err != nil || len(x.Questions) < len(bank.Questions) {
		t.Fatalf("got %v and %d questions back, want the quiz's pool", err, len(x.Questions))
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "fenmore-bank/nope", quizzes}, "no bank fenmore-bank/nope"},
		{[]string{"export", "fenmore-bank/card-services/nope", quizzes}, "no quiz"},
		{[]string{"export", "--format", "qti", "fenmore-bank/card-fees", quizzes}, "moodle-xml"},
		{[]string{"export"}, "usage: skillgate export"},
	} {
		if _, err := runWith(t, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
	}
}
