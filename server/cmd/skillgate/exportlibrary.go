package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
)

// cmdExportLibrary writes the library as files in the layout `skillgate
// import` reads: export-library [--client SLUG] DIR (DIR/content and
// DIR/quizzes; DIR must be empty or new, so nothing is mixed with old files).
func cmdExportLibrary(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("export-library", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	client := fs.String("client", "", "export only this client (its content and the core content it uses)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: skillgate export-library [--client SLUG] DIR")
	}
	dir := fs.Arg(0)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("export-library: %s is not empty: export into a new or empty folder", dir)
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
	files, err := a.ExportLibrary(ctx, *client)
	if err != nil {
		return err
	}
	if err := catalog.WriteLibrary(dir, files); err != nil {
		return fmt.Errorf("export-library: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %d files under %s\n", len(files), dir)
	return nil
}
