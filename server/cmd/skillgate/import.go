package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
)

// cmdImport loads the content library (and later quizzes) in one transaction:
// skillgate import [--dry-run] [--actor NAME] [content-dir] [quizzes-dir].
func cmdImport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dryRun := fs.Bool("dry-run", false, "validate and report without writing anything")
	actor := fs.String("actor", "import", "who runs the import, as recorded in the audit trail")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 2 {
		return fmt.Errorf("usage: skillgate import [--dry-run] [--actor NAME] [content-dir] [quizzes-dir]")
	}
	contentDir, quizDir := "content", "quizzes"
	if fs.NArg() > 0 {
		contentDir = fs.Arg(0)
	}
	if fs.NArg() > 1 {
		quizDir = fs.Arg(1)
	}
	cfg, log, g, err := setup(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close(g)
	a, err := app.New(cfg, log, g, clock.System{})
	if err != nil {
		return err
	}
	if err := a.SchemaCurrent(ctx); err != nil {
		return err
	}
	rep, err := a.Import(ctx, contentDir, quizDir, catalog.ImportOptions{DryRun: *dryRun, Actor: audit.System(*actor)})
	var probs catalog.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			fmt.Fprintln(e.stderr, p)
		}
		return fmt.Errorf("import: %d problem(s), nothing was written", len(probs))
	}
	if err != nil {
		return err
	}
	printReport(e.stdout, rep)
	return nil
}

func printReport(w io.Writer, rep *catalog.Report) {
	for _, it := range rep.Items {
		line := fmt.Sprintf("%-9s %-8s %s", it.Outcome, it.Kind, it.Key)
		if it.Version > 0 {
			line += fmt.Sprintf(" (version %d)", it.Version)
		}
		fmt.Fprintln(w, line)
	}
	for _, sk := range rep.Skipped {
		fmt.Fprintln(w, "skipped  ", sk)
	}
	for _, wn := range rep.Warnings {
		fmt.Fprintln(w, "warning  ", wn)
	}
	prefix := "imported"
	if rep.DryRun {
		prefix = "dry run, nothing written; would have"
	}
	fmt.Fprintf(w, "%s: %d created, %d changed, %d unchanged\n", prefix, rep.Created, rep.Changed, rep.Unchanged)
}
