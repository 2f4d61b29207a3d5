package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/skillgate/skillgate/server/internal/app"
)

// cmdConfig prints every environment variable the server reads with its
// default, what it accepts and what it means; with --values, the values in
// effect (secrets masked), the warnings and the problems serve would
// refuse to start with; with --markdown, docs/configuration.md's table.
func cmdConfig(_ context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	values := fs.Bool("values", false, "print the values in effect (secrets masked) and check them as serve would")
	markdown := fs.Bool("markdown", false, "print the table of docs/configuration.md")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*values && *markdown) {
		return fmt.Errorf("usage: skillgate config [--values | --markdown]")
	}
	switch {
	case *markdown:
		_, err := fmt.Fprint(e.stdout, app.ConfigMarkdown())
		return err
	case *values:
		return printValues(e)
	}
	for _, s := range app.Settings() {
		fmt.Fprintf(e.stdout, "%s\n    default: %s\n", s.Name, plain(s.Default))
		if s.Accepts != "" {
			fmt.Fprintf(e.stdout, "    accepts: %s\n", plain(s.Accepts))
		}
		if s.Secret {
			fmt.Fprintf(e.stdout, "    secret: may be read from the file %s_FILE names\n", s.Name)
		}
		fmt.Fprintf(e.stdout, "    %s\n\n", plain(s.Meaning))
	}
	return nil
}

// printValues prints each variable's value in effect and where it came
// from, then the warnings; it returns the configuration's problems.
func printValues(e env) error {
	vals, warnings, err := app.ConfigValues(e.getenv)
	settings := app.Settings()
	width := 0
	for _, v := range vals {
		width = max(width, len(v.Name))
	}
	for i, v := range vals {
		switch v.Source {
		case "":
			fmt.Fprintf(e.stdout, "%-*s  (unset; default: %s)\n", width, v.Name, plain(settings[i].Default))
		case "random":
			fmt.Fprintf(e.stdout, "%-*s  (random, for this process only)\n", width, v.Name)
		default:
			fmt.Fprintf(e.stdout, "%-*s  %s  (%s)\n", width, v.Name, v.Value, v.Source)
		}
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	return err
}

// plain drops markdown's backticks for the terminal.
func plain(s string) string { return strings.ReplaceAll(s, "`", "") }
