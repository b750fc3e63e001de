package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/devdb"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/migrations"
)

// runDev is "make run": find or start PostgreSQL, migrate, load the demo
// data, print a token per role and serve with the explorer.
func runDev(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", stderr)
	var c common
	c.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "IRM_ADDR", "127.0.0.1:8080"), "listen address (env IRM_ADDR)")
	dataDir := fs.String("data-dir", ".data", "folder for a private PostgreSQL cluster, if one is needed")
	reportFlags := registerReports(fs, getenv)
	mail := registerMail(fs, getenv)
	reset := fs.Bool("reset", false, "start over: delete everything in the database first, then load the demo data again")
	if err := fs.Parse(args); err != nil {
		return err
	}
	reportCfg, err := reportFlags.config()
	if err != nil {
		return err
	}
	mailCfg, err := mail.config(*addr)
	if err != nil {
		return err
	}
	content, err := LoadContent(c.questionnaires)
	if err != nil {
		return err
	}
	if c.databaseURL == "" {
		dir, err := filepath.Abs(*dataDir)
		if err != nil {
			return err
		}
		dsn, stop, err := devdb.Ensure(ctx, dir, "irm", log)
		if err != nil {
			return err
		}
		defer stop()
		c.databaseURL = dsn
	}
	if *reset {
		if err := resetDatabase(ctx, c.databaseURL, log); err != nil {
			return err
		}
	}
	pool, err := openServing(ctx, c.databaseURL, true, false, log)
	if err != nil {
		// The demo database is disposable: say how to start it afresh when
		// it cannot be migrated (one left by a development build, say).
		return fmt.Errorf("%w\n(this is the demo database: to start over with fresh demo data, run: go run ./cmd/irm dev --reset)", err)
	}
	defer pool.Close()
	stopSealer := startSealer(ctx, pool, log, 0, nil) // the demo publishes no audit heads
	defer stopSealer()
	stopPurger := startSessionPurger(ctx, pool, log)
	defer stopPurger()
	svc, err := NewServices(pool, content, log, reportCfg, mailCfg)
	if err != nil {
		return err
	}
	svc.Aggregates.SetMinRespondents(reportFlags.minRespondents)
	if err := svc.Prepare(ctx); err != nil {
		return err
	}
	go svc.Translation.Watch(ctx, TranslationRefresh)
	if err := demo.Seed(ctx, pool, content.Registry, log); err != nil {
		return err
	}
	if err := demo.SeedStatistics(ctx, pool, svc.Statistics, log); err != nil {
		return err
	}
	tokens, err := demo.Tokens(ctx, svc.Tokens)
	if err != nil {
		return err
	}
	if err := demo.SeedContacts(ctx, svc.People, svc.Tokens, tokens); err != nil {
		return err
	}
	reports := svc.Reports
	if err := reports.Start(ctx); err != nil {
		return err
	}
	defer stopReports(ctx, reports, log)
	if err := svc.People.Start(ctx); err != nil {
		return err
	}
	defer stopPeople(ctx, svc.People, log)
	if err := demo.SeedReportSchedules(ctx, reports, content.Registry); err != nil {
		return err
	}
	h, err := NewHandler(ctx, svc, HandlerOptions{Dev: true,
		ExplorerHeaders: map[string]string{"Authorization": "Bearer " + tokens[0].Secret}})
	if err != nil {
		return err
	}
	return serve(ctx, *addr, h, log, func(a net.Addr) {
		fmt.Fprintf(stdout, "\nIRM is running with synthetic demo data (cycle %q, questionnaire %q).\n", demo.CycleID, demo.QuestionnaireID)
		fmt.Fprintf(stdout, "  Web application:  http://%s/sign-in   (paste one of the tokens below)\n", a)
		fmt.Fprintf(stdout, "  GraphQL explorer: http://%s/explorer  (its Authorization header starts as the focal point's)\n", a)
		fmt.Fprintf(stdout, "  GraphQL endpoint: http://%s/graphql\n\n", a)
		fmt.Fprintln(stdout, "Demo tokens (new on every start; paste one to sign in, or send as \"Authorization: Bearer TOKEN\"):")
		for _, t := range tokens {
			fmt.Fprintf(stdout, "  %-13s  %-34s  %s\n", t.Role, t.Name, t.Secret)
		}
		fmt.Fprintf(stdout, "\nThe people flow, without a mail relay: sign in as the secretariat, open http://%s/contacts, press Invite\n", a)
		fmt.Fprintf(stdout, "  beside a person, then open the sign-in link from http://%s/outbox (README, \"Try the people flow\").\n", a)
		fmt.Fprintln(stdout, "\nPress Ctrl-C to stop. To start over with fresh demo data: go run ./cmd/irm dev --reset")
		go announceDemoReport(ctx, reports, a, tokens, stdout, log)
	})
}

// explorerHeaders gives the explorer's prefilled headers (make run's
// focal-point token) only to a browser on this machine: a request from any
// other address, or relayed by a proxy, gets the explorer without them.
func explorerHeaders(headers map[string]string) func(*http.Request) map[string]string {
	return func(r *http.Request) map[string]string {
		if fromLoopback(r) {
			return headers
		}
		return nil
	}
}

// fromLoopback reports whether r came straight from this machine.
func fromLoopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// openServing opens the database for irm serve. With --dev it migrates
// as before and warns when the login could bypass row-level security;
// otherwise it checks that migrations are applied and refuses a login
// that is a superuser, owns the tables or bypasses row-level security,
// unless unsafe (with a warning).
func openServing(ctx context.Context, url string, dev, unsafe bool, log *slog.Logger) (*pgxpool.Pool, error) {
	if dev {
		pool, err := openDatabase(ctx, url, log)
		if err != nil {
			return nil, err
		}
		if err := postgres.CheckAppRole(ctx, pool); err != nil {
			log.Warn("development mode: row-level security does not hold for this login", "reason", err.Error())
		}
		return pool, nil
	}
	pool, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := postgres.CheckMigrated(ctx, pool, migrations.FS); err != nil {
		pool.Close()
		return nil, err
	}
	if err := postgres.CheckAppRole(ctx, pool); err != nil {
		if !unsafe {
			pool.Close()
			return nil, fmt.Errorf("refusing to serve: %w", err)
		}
		log.Warn("--unsafe-db-role: serving although row-level security does not hold for this login", "reason", err.Error())
	}
	return pool, nil
}

// runDevDB is what "make test" runs first: find or start PostgreSQL the way
// "make run" does, leave it running, and print the URL of its maintenance
// database, where the tests create their own databases.
func runDevDB(ctx context.Context, args []string, log *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlagSet("devdb", stderr)
	dataDir := fs.String("data-dir", ".data", "folder for a private PostgreSQL cluster, if one is needed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		return err
	}
	dsn, _, err := devdb.Ensure(ctx, dir, "postgres", log) // not stopped: the tests use it next
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, dsn)
	return nil
}

// resetDatabase empties the database of "irm dev --reset": every table,
// with the migrations' record, goes; openDatabase then builds it again.
func resetDatabase(ctx context.Context, url string, log *slog.Logger) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	log.Info("database reset: everything deleted, demo data will be loaded again")
	return nil
}
