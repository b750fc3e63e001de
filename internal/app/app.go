// Package app wires IRM together: configuration, the database pool and
// migrations, the questionnaire registry, the services, the HTTP server
// and graceful shutdown. cmd/irm only calls Run.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/migrations"
	"github.com/cosp-ict/irm/questionnaires"
)

const usage = `irm — implementation-review reporting for the Conference of the States Parties

Usage:
  irm serve   [--addr ADDR] [--database-url URL] [--questionnaires DIR] [--dev]
  irm migrate [--database-url URL]
  irm token create --name NAME --role FOCAL_POINT|WORKING_GROUP|SECRETARIAT [--state ISO3] [--working-group ID]...
  irm dev     [--addr ADDR] [--data-dir DIR]   (what "make run" runs: local database, demo data, explorer)
  irm devdb   [--data-dir DIR]                 (what "make test" runs first: prints the URL of a PostgreSQL to test on)
  irm seed    [--database-url URL] --states N --cycles N   (synthetic data at scale for benchmarks; idempotent)

Environment: DATABASE_URL, IRM_ADDR, IRM_QUESTIONNAIRES.
`

// Run runs one subcommand. getenv reads the environment; output goes to
// stdout and logs to stderr.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, log, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, log, stderr)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New(`usage: irm token create --name NAME --role ROLE [--state ISO3] [--working-group ID]...`)
		}
		return runTokenCreate(ctx, rest[1:], getenv, log, stdout, stderr)
	case "dev":
		return runDev(ctx, rest, getenv, log, stdout, stderr)
	case "devdb":
		return runDevDB(ctx, rest, log, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, getenv, log, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// common holds the flags most commands share.
type common struct {
	databaseURL    string
	questionnaires string
}

func (c *common) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.databaseURL, "database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	fs.StringVar(&c.questionnaires, "questionnaires", getenv("IRM_QUESTIONNAIRES"),
		"folder of questionnaire files (env IRM_QUESTIONNAIRES; default: the files built into the binary)")
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("irm "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// Content is what the service reads from the questionnaires folder.
type Content struct {
	Registry   *questionnaire.Registry // questionnaires and working groups
	Indicators *statistics.Catalogue
}

// LoadContent loads the questionnaires from dir, or the embedded ones. The
// catalogue comes from dir/catalogue when present, else the binary.
func LoadContent(dir string) (Content, error) {
	files, catalogue := questionnaires.Files(), questionnaires.Catalogue()
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return Content{}, fmt.Errorf("questionnaires folder: %w", err)
		}
		files = os.DirFS(dir)
		if _, err := fs.Stat(files, "catalogue/"+questionnaire.WorkingGroupsFile); err == nil {
			catalogue, _ = fs.Sub(files, "catalogue")
		}
	}
	reg, err := questionnaire.Load(files, catalogue)
	if err != nil {
		return Content{}, err
	}
	known := func(id string) bool { _, ok := reg.WorkingGroup(id); return ok }
	cat, err := statistics.LoadCatalogue(catalogue, known, state.Codes())
	if err != nil {
		return Content{}, err
	}
	return Content{Registry: reg, Indicators: cat}, nil
}

// openDatabase connects, applies pending migrations and syncs reference data.
func openDatabase(ctx context.Context, url string, log *slog.Logger) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, errors.New("no database: set --database-url or DATABASE_URL (or use \"make run\", which finds one)")
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := postgres.Migrate(ctx, pool, migrations.FS, log); err != nil {
		pool.Close()
		return nil, err
	}
	if err := state.Sync(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	var c common
	c.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := openDatabase(ctx, c.databaseURL, log)
	if err != nil {
		return err
	}
	pool.Close()
	log.Info("database is up to date")
	return nil
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", stderr)
	var c common
	c.register(fs, getenv)
	name := fs.String("name", "", "the token holder's name, shown in versions and comments")
	role := fs.String("role", "", "FOCAL_POINT, WORKING_GROUP or SECRETARIAT")
	st := fs.String("state", "", "ISO 3166-1 alpha-3 code of a focal point's State")
	var wgs stringList
	fs.Var(&wgs, "working-group", "working-group id of a member (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return err
	}
	content, err := LoadContent(c.questionnaires)
	if err != nil {
		return err
	}
	for _, id := range wgs {
		if _, ok := content.Registry.WorkingGroup(id); !ok {
			return apperr.BadInputf("unknown working group %q", id)
		}
	}
	pool, err := openDatabase(ctx, c.databaseURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	secret, err := auth.NewStore(pool).Create(ctx, auth.NewToken{Name: *name, Role: r, State: *st, WorkingGroups: wgs})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token for %s (%s):\n%s\n", *name, r, secret)
	return nil
}
