package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/demo"
)

// cmdUser manages users from the command line: create (to bootstrap an
// admin) and seed-demo (development logins, one per role).
func cmdUser(ctx context.Context, e env, args []string) error {
	const usage = "usage: skillgate user create --email E --role R [--name N] --password-stdin | skillgate user seed-demo"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	switch args[0] {
	case "create":
		return cmdUserCreate(ctx, e, args[1:])
	case "seed-demo":
		return cmdUserSeedDemo(ctx, e, args[1:])
	}
	return fmt.Errorf("%s", usage)
}

func cmdUserCreate(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	email := fs.String("email", "", "the user's email address (required)")
	role := fs.String("role", "", "agent, trainer, supervisor, compliance or admin (required)")
	name := fs.String("name", "", "display name")
	external := fs.String("external-id", "", "the routing system's id for this agent")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *role == "" || !*fromStdin {
		return fmt.Errorf("usage: skillgate user create --email E --role R [--name N] --password-stdin")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("user create: read the password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	svc, closeDB, err := authService(ctx, e)
	if err != nil {
		return err
	}
	defer closeDB()
	u, err := svc.CreateUserAs(ctx, audit.System("cli"), auth.CreateUserInput{
		Email: *email, Role: auth.Role(*role), DisplayName: *name, ExternalID: *external, Password: password,
	})
	if err != nil {
		return fmt.Errorf("user create: %w", describe(err))
	}
	fmt.Fprintf(e.stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	return nil
}

func cmdUserSeedDemo(ctx context.Context, e env, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: skillgate user seed-demo")
	}
	if strings.TrimSpace(e.getenv("SKILLGATE_ENV")) == app.Production {
		return fmt.Errorf("user seed-demo: refusing to create demo accounts with published passwords in production")
	}
	cfg, log, g, err := setup(ctx, e)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(g) }()
	svc := auth.NewService(g, clock.System{}, audit.NewRecorder(clock.System{}), auth.Config{JWTSecret: cfg.JWTSecret, Log: log, Clients: catalog.NewStore(g)})
	accounts, err := svc.SeedDemo(ctx)
	if err != nil {
		return fmt.Errorf("user seed-demo: %w", err)
	}
	fmt.Fprintln(e.stdout, "Demo accounts (development only):")
	for _, a := range accounts {
		fmt.Fprintf(e.stdout, "  %-11s %-32s password: %s\n", a.Role, a.Email, a.Password)
	}
	rep, err := demo.Seed(ctx, cfg, log, g, clock.System{}.Now())
	switch {
	case err != nil:
		return fmt.Errorf("user seed-demo: demo center: %w", err)
	case rep.Missing != "":
		fmt.Fprintf(e.stdout, "Demo center not seeded: import the library first (%s is missing).\n", rep.Missing)
	case rep.Skipped:
		fmt.Fprintln(e.stdout, "Demo center: already seeded.")
	default:
		fmt.Fprintf(e.stdout, "Demo center: %d agents (password %s), cohort %q.\n", len(rep.Agents), demo.Password, demo.CohortName)
	}
	return nil
}

// authService opens the database and builds the identity service.
func authService(ctx context.Context, e env) (*auth.Service, func(), error) {
	cfg, log, g, err := setup(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	svc := auth.NewService(g, clock.System{}, audit.NewRecorder(clock.System{}), auth.Config{JWTSecret: cfg.JWTSecret, Log: log, Clients: catalog.NewStore(g)})
	return svc, func() { _ = db.Close(g) }, nil
}
