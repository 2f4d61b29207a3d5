package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/logx"
)

// env is what every subcommand gets from the process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

var commands = map[string]command{
	"serve":          {"run the HTTP server (migrates first unless --no-migrate)", cmdServe},
	"migrate":        {"apply or inspect schema migrations: migrate up|down|status", cmdMigrate},
	"import":         {"load the content library: import [--dry-run] [--actor NAME] [content-dir] [quizzes-dir]", cmdImport},
	"export":         {"write a bank's or quiz's questions as Moodle XML or GIFT: export [--format moodle-xml|gift] [--out FILE] <client>/<bank>|<client>/<program>/<quiz> [quizzes-dir]", cmdExport},
	"export-library": {"write the library as files (content/ and quizzes/) that import reads back unchanged: export-library [--client SLUG] DIR", cmdExportLibrary},
	"user":           {"user create --email E --role R [--name N] --password-stdin | user seed-demo", cmdUser},
	"audit":          {"audit verify: check the audit trail's hash chain", cmdAudit},
	"config":         {"config [--values | --markdown]: every environment variable with its default and meaning; --values: the values in effect, secrets masked", cmdConfig},
	"openapi":        {"print the OpenAPI document served at /api/openapi.json (no database needed)", cmdOpenAPI},
	"seed":           {"seed --agents N --clients C --programs P [--seed S]: a synthetic center for load tests (not in production)", cmdSeed},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	return cmd.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: skillgate <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

// setup loads the configuration, builds the logger and opens the database.
func setup(ctx context.Context, e env) (app.Config, *slog.Logger, *gorm.DB, error) {
	cfg, err := app.LoadConfig(e.getenv)
	if err != nil {
		return cfg, nil, nil, err
	}
	log := logx.New(e.stderr, cfg.LogFormat, cfg.LogLevel)
	slog.SetDefault(log)
	g, err := db.Open(ctx, cfg.DatabaseURL, db.Options{Logger: log, MaxOpenConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout,
		SlowStatement: cfg.DBSlowStatement, TCPTimeout: cfg.DBTCPTimeout})
	if err != nil {
		return cfg, log, nil, err
	}
	return cfg, log, g, nil
}

func cmdServe(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	noMigrate := fs.Bool("no-migrate", false, "do not apply pending migrations on start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, log, g, err := setup(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close(g)
	for _, w := range cfg.Warnings {
		log.Warn("!!! " + w + " !!!")
	}
	durability, err := db.CheckDurability(ctx, g)
	if err != nil {
		return err
	}
	for _, w := range durability {
		log.Warn("!!! " + w + " !!!")
	}
	sqlDB, _ := g.DB()
	mig, err := db.NewMigrator(sqlDB, log)
	if err != nil {
		return err
	}
	if *noMigrate {
		if err := mig.CheckNotNewer(ctx); err != nil {
			return err
		}
	} else if err := mig.Up(ctx, e.stdout); err != nil {
		return err
	}
	a, err := app.New(cfg, log, g, clock.System{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	fmt.Fprintf(e.stdout, "Skillgate is serving on %s (API reference: %s/api/docs)\n", displayURL(ln.Addr()), displayURL(ln.Addr()))
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		fmt.Fprintf(e.stdout, "Metrics for operators on %s/metrics\n", displayURL(mln.Addr()))
		go func() {
			if err := app.Serve(ctx, mln, app.NewServer(a.MetricsHandler(), log), time.Second, log); err != nil {
				log.Error("metrics listener stopped", "err", err)
			}
		}()
	}
	a.Start(ctx)
	return app.Serve(ctx, ln, app.NewServer(a.Router, log), app.ShutdownTimeout, log)
}

func displayURL(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	if len(args) != 1 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
		return fmt.Errorf("usage: skillgate migrate up|down|status")
	}
	_, log, g, err := setup(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close(g)
	sqlDB, _ := g.DB()
	mig, err := db.NewMigrator(sqlDB, log)
	if err != nil {
		return err
	}
	switch args[0] {
	case "up":
		return mig.Up(ctx, e.stdout)
	case "down":
		return mig.Down(ctx, e.stdout)
	default:
		return mig.Status(ctx, e.stdout)
	}
}
