// Package app wires IRM together: configuration, the database pool and
// migrations, the questionnaire registry, the services, the HTTP server
// and graceful shutdown. cmd/irm only calls Run.
package app

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/audit"
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
  irm serve   [--addr ADDR] [--database-url APP_URL] [--questionnaires DIR] [--render-workers N] [--min-respondents N] [--dev] [--unsafe-db-role]
              [--audit-head-every 5m] [--audit-head-file FILE]
              (runs as the app role: refuses a superuser, a login that owns the tables or bypasses
               row-level security, unless --dev or --unsafe-db-role; migrates only with --dev)
  irm migrate [--database-url OWNER_URL] [--app-role NAME]
              (applies migrations as the owner; grants the existing login NAME what serve needs)
  irm token create --name NAME --role FOCAL_POINT|WORKING_GROUP|SECRETARIAT [--state ISO3] [--working-group ID]...
                   [--expires 90d|720h|2027-12-31]
  irm token list   [--all]
  irm token revoke --id ID
  irm audit verify [--head HASH [--head-seq N]]
                   (chains the events waiting to be, recomputes the audit chain and checks that it still
                    holds a head serve published; exits non-zero naming the first broken event)
  irm dev     [--addr ADDR] [--data-dir DIR] [--reset]   (what "make run" runs: local database, demo data, web app, explorer)
  irm devdb   [--data-dir DIR]                 (what "make test" runs first: prints the URL of a PostgreSQL to test on)
  irm seed    [--database-url URL] --states N --cycles N   (synthetic data at scale for benchmarks; idempotent)

token and audit run with the owner's URL (--database-url or DATABASE_URL), as migrate does.
Environment: DATABASE_URL, IRM_ADDR, IRM_QUESTIONNAIRES, IRM_RENDER_WORKERS, IRM_MIN_RESPONDENTS.
`

// Run runs one subcommand. getenv reads the environment; output goes to
// stdout and logs to stderr. --help prints a command's flags and is not
// an error.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := run(ctx, args, getenv, stdout, stderr); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
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
		switch {
		case len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help"):
			fmt.Fprint(stdout, usage)
			return nil
		case len(rest) > 0 && rest[0] == "create":
			return runTokenCreate(ctx, rest[1:], getenv, log, stdout, stderr)
		case len(rest) > 0 && rest[0] == "list":
			return runTokenList(ctx, rest[1:], getenv, stdout, stderr)
		case len(rest) > 0 && rest[0] == "revoke":
			return runTokenRevoke(ctx, rest[1:], getenv, stdout, stderr)
		}
		return errors.New("usage: irm token create|list|revoke (irm help shows their flags)")
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			return errors.New("usage: irm audit verify [--database-url OWNER_URL] [--head HASH [--head-seq N]]")
		}
		return runAuditVerify(ctx, rest[1:], getenv, stdout, stderr)
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

// openDatabase connects as the owner, applies pending migrations and
// syncs reference data.
func openDatabase(ctx context.Context, url string, log *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := postgres.Migrate(ctx, pool, migrations.FS, log); err != nil {
		pool.Close()
		return nil, ownerHint(err)
	}
	if err := state.Sync(ctx, pool); err != nil {
		pool.Close()
		return nil, ownerHint(err)
	}
	return pool, nil
}

// ownerHint explains a permission error of an admin command: it ran with
// the app role's URL, which may not change the schema or the tokens.
func ownerHint(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%w (run migrate, token and audit with the owner's URL, not the app role's)", err)
	}
	return err
}

func connect(ctx context.Context, url string) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, errors.New("no database: set --database-url or DATABASE_URL (or use \"make run\", which finds one)")
	}
	return postgres.Open(ctx, url)
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	var c common
	c.register(fs, getenv)
	appRole := fs.String("app-role", "", "existing login role that irm serve runs as: granted only what the service needs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := openDatabase(ctx, c.databaseURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *appRole != "" {
		if err := postgres.GrantApp(ctx, pool, *appRole); err != nil {
			return err
		}
		log.Info("app role granted what the service needs", "role", *appRole)
	} else {
		log.Warn("no --app-role given: tables this run added are granted to the app role only through default privileges; pass --app-role NAME to grant exactly what serve needs")
	}
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
	expiresIn := fs.String("expires", "", "expiry: a duration from now (90d, 720h) or a date (2027-12-31); default: until revoked")
	contact := fs.Int64("contact", 0, "the id of the contact who holds the token (deactivating the contact revokes it)")
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
	var expires *time.Time
	if *expiresIn != "" {
		at, err := parseExpiry(*expiresIn, time.Now())
		if err != nil {
			return err
		}
		expires = &at
	}
	pool, err := openDatabase(ctx, c.databaseURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	secret, err := auth.NewStore(pool).Create(ctx, auth.NewToken{Name: *name, Role: r, State: *st, WorkingGroups: wgs, ExpiresAt: expires,
		ContactID: *contact})
	if err != nil {
		return err
	}
	until := "until revoked"
	if expires != nil {
		until = "until " + expires.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "token for %s (%s), valid %s:\n%s\n", *name, r, until, secret)
	return nil
}

// parseExpiry reads --expires: a duration ("90d", "720h", "1h30m") from
// now, or a date ("2027-12-31", the start of that day in UTC) or an RFC
// 3339 time.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.AddDate(0, 0, n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.BadInputf("--expires %q: give a duration (90d, 720h) or a date (2027-12-31)", s)
}

func runTokenList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token list", stderr)
	var c common
	c.register(fs, getenv)
	all := fs.Bool("all", false, "list revoked tokens too")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := connect(ctx, c.databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	tokens, err := auth.NewStore(pool).List(ctx, *all)
	if err != nil {
		return ownerHint(err)
	}
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSTATE/GROUPS\tCREATED\tEXPIRES\tLAST USED\tSTATUS")
	for _, t := range tokens {
		scope := t.State
		if len(t.WorkingGroups) > 0 {
			scope = strings.Join(t.WorkingGroups, ",")
		}
		status := "live"
		switch {
		case t.RevokedAt != nil:
			status = "revoked " + day(t.RevokedAt)
		case !t.Live(now):
			status = "expired"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, scope,
			day(&t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), status)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token revoke", stderr)
	var c common
	c.register(fs, getenv)
	id := fs.Int64("id", 0, "the token's id, as irm token list shows it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id <= 0 {
		return apperr.BadInputf("irm token revoke needs --id ID (irm token list shows them)")
	}
	pool, err := connect(ctx, c.databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	t, err := auth.NewStore(pool).Revoke(ctx, *id)
	if err != nil {
		return ownerHint(err)
	}
	fmt.Fprintf(stdout, "revoked token %d (%s, %s)\n", t.ID, t.Name, t.Role)
	return nil
}

// runAuditVerify chains the events waiting to be, then recomputes the
// audit chain from one snapshot, checks it against a head published
// earlier (--head, --head-seq) and counts the events still waiting.
func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit verify", stderr)
	var c common
	c.register(fs, getenv)
	headHex := fs.String("head", "", "a head hash published earlier (serve's \"audit head\" line or --audit-head-file): fail unless the chain still holds it")
	headSeq := fs.Int64("head-seq", 0, "the chain position published with --head's hash (chain_seq): fail unless the chain holds that hash there")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var published []audit.Head
	switch hash, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(*headHex), "\\x")); {
	case *headHex == "" && *headSeq != 0:
		return apperr.BadInputf("--head-seq needs --head HASH")
	case *headHex == "":
	case err != nil || len(hash) != 32:
		return apperr.BadInputf("--head takes a SHA-256 in hex (64 digits), as serve publishes it")
	case *headSeq < 0:
		return apperr.BadInputf("--head-seq takes a chain position (0 or more)")
	default:
		published = append(published, audit.Head{Seq: *headSeq, Hash: hash})
	}
	pool, err := connect(ctx, c.databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	// A standby cannot seal: what is chained is verified all the same.
	if _, err := audit.SealAll(ctx, pool); err != nil {
		fmt.Fprintf(stderr, "irm: %v; verifying the events chained so far\n", ownerHint(err))
	}
	var rep audit.Report
	err = pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rep, err = audit.Verify(ctx, tx, published...)
		return err
	})
	if err != nil {
		return ownerHint(err)
	}
	if b := rep.Broken; b != nil {
		where := fmt.Sprintf("chain position %d", b.ChainSeq)
		if b.ChainSeq == 0 {
			where = "not chained"
		}
		fmt.Fprintf(stdout, "audit chain BROKEN at event %d (%s): %s\n", b.ID, where, b.Reason)
		return fmt.Errorf("audit chain broken at event %d (%s); the %d events before it verify", b.ID, where, rep.Events)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d events, head %x; %d events waiting to be chained\n", rep.Events, rep.Head, rep.Pending)
	if len(published) > 0 {
		fmt.Fprintf(stdout, "the published head %x is in the chain\n", published[0].Hash)
	}
	return nil
}
