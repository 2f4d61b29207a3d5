package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/skillgate/skillgate/server/internal/quiz"
)

const exportUsage = "usage: skillgate export [--format moodle-xml|gift] [--out FILE] <client>/<bank> | <client>/<program>/<quiz> [quizzes-dir]"

// cmdExport writes a bank's or a quiz's questions, read from the quizzes
// folder, as Moodle XML or GIFT: to stdout, or to --out.
func cmdExport(_ context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", quiz.ExportMoodleXML, "moodle-xml or gift")
	out := fs.String("out", "", "the file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return errors.New(exportUsage)
	}
	dir := "quizzes"
	if fs.NArg() == 2 {
		dir = fs.Arg(1)
	}
	lib, err := quiz.LoadDir(os.DirFS(dir))
	var ps quiz.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintf(e.stderr, "%s/%s\n", strings.TrimSuffix(dir, "/"), p)
		}
		return fmt.Errorf("export: %d problem(s) in %s", len(ps), dir)
	}
	if err != nil {
		return err
	}
	qs, err := exportable(lib, fs.Arg(0))
	if err != nil {
		return err
	}
	data, _, err := quiz.Export(*format, qs)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *out == "" {
		_, err = e.stdout.Write(data)
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}

// exportable finds the questions of <client>/<bank> or
// <client>/<program>/<quiz>.
func exportable(lib *quiz.Library, what string) ([]quiz.Question, error) {
	parts := strings.Split(what, "/")
	switch len(parts) {
	case 2:
		if b, ok := lib.BanksOf(parts[0])[parts[1]]; ok {
			return b.Questions, nil
		}
		return nil, fmt.Errorf("export: no bank %s (a file %s.gift, .xml or .aiken.txt under %s/)", what, parts[1], parts[0])
	case 3:
		for _, qz := range lib.Quizzes {
			if qz.Client == parts[0] && qz.Program == parts[1] && qz.Slug == parts[2] {
				pool, _ := qz.Pool(lib.BanksOf(qz.Client)) // LoadDir has checked it
				return pool, nil
			}
		}
		return nil, fmt.Errorf("export: no quiz %s (a file %s/%s/%s%s)", what, parts[0], parts[1], parts[2], quiz.QuizFileSuffix)
	}
	return nil, errors.New(exportUsage)
}
