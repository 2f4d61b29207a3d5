package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/seed"
)

// cmdSeed fills the database with a synthetic center for load tests.
func cmdSeed(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	agents := fs.Int("agents", 1000, "agents to create")
	clients := fs.Int("clients", 10, "clients to create")
	programs := fs.Int("programs", 50, "programs to create (at least one per client)")
	big := fs.Int("big-program-agents", 0, "agents all assigned to the first program (for the roster benchmark)")
	s := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, _, g, err := setup(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close(g)
	if cfg.Env == app.Production {
		return fmt.Errorf("seed writes synthetic agents and is refused when SKILLGATE_ENV=production")
	}
	start := time.Now()
	rep, err := seed.Center(ctx, g, seed.Options{Agents: *agents, Clients: *clients, Programs: *programs,
		Seed: *s, BigProgramAgents: *big})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded %d clients, %d programs, %d agents, %d certifications, %d licenses, %d assignments (%d eligible) in %s\n",
		rep.Clients, rep.Programs, rep.Agents, rep.Certifications, rep.Licenses, rep.Assignments, rep.Eligible,
		time.Since(start).Round(time.Millisecond))
	return nil
}
