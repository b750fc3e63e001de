package app_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// testRole creates (once per server) a login role with the given
// attributes and returns a URL of dsn's database as that role.
func testRole(t *testing.T, dsn, name, attrs string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
		CREATE ROLE %s LOGIN %s PASSWORD '%s';
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`, name, attrs, name))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(dsn)
	u.User = url.UserPassword(name, name)
	return u.String()
}

func TestMigrateGrantsTheAppRoleOnlyWhatTheServiceNeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	owner, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	// An empty database, and a role that has never been granted anything.
	if _, err := owner.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	appURL := testRole(t, dsn, "irm_test_grantee", "NOSUPERUSER NOBYPASSRLS")
	var errs strings.Builder
	if err := app.Run(ctx, []string{"irm", "migrate", "--database-url", dsn, "--app-role", "irm_test_grantee"},
		envWith(nil), io.Discard, &errs); err != nil {
		t.Fatalf("migrate --app-role: %v\n%s", err, errs.String())
	}
	// A table a later migration adds, created by the owner after the grant.
	if _, err := owner.Exec(ctx, `CREATE TABLE later_feature (id int)`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		table, privilege string
		want             bool
	}{
		{"submissions", "SELECT", true}, {"submissions", "UPDATE", true}, {"submissions", "DELETE", true},
		{"audit_events", "INSERT", true}, {"audit_events", "SELECT", true},
		{"audit_events", "UPDATE", false}, {"audit_events", "DELETE", false}, {"audit_events", "TRUNCATE", false},
		{"audit_chain_head", "SELECT", false}, {"audit_chain_head", "UPDATE", false},
		{"audit_chain", "SELECT", false}, {"audit_chain", "INSERT", false}, {"audit_chain", "UPDATE", false},
		{"audit_chain", "DELETE", false}, {"audit_chain", "TRUNCATE", false},
		{"audit_pending", "SELECT", false}, {"audit_pending", "INSERT", false}, {"audit_pending", "UPDATE", false},
		{"audit_pending", "DELETE", false}, {"audit_pending", "TRUNCATE", false},
		{"tokens", "SELECT", true}, {"tokens", "DELETE", false},
		// since 00020 the service makes a contact's own token, and no other
		// (the trigger tokens_contact_only: people.TestTheServiceMakesOnlyContactTokens)
		{"tokens", "INSERT", true},
		{"irm_principal_key", "SELECT", false}, {"irm_principal_key", "UPDATE", false},
		{"submission_versions", "INSERT", true}, {"submission_versions", "UPDATE", false},
		{"review_comments", "DELETE", false}, {"observation_revisions", "UPDATE", false},
		{"states", "INSERT", false}, {"goose_db_version", "INSERT", false},
		{"report_runs", "UPDATE", true}, {"report_files", "INSERT", true},
		{"river_job", "UPDATE", true}, {"river_leader", "DELETE", true},
		{"river_migration", "SELECT", true}, {"river_migration", "INSERT", false}, {"river_migration", "DELETE", false},
		{"web_key", "SELECT", true}, {"web_key", "UPDATE", false}, {"web_key", "INSERT", false}, {"web_key", "DELETE", false},
		{"web_sessions", "DELETE", true},
		// since 00027 the service stores the translations uploaded as kits
		{"translation_uploads", "SELECT", true}, {"translation_uploads", "INSERT", true}, {"translation_uploads", "UPDATE", true},
		{"later_feature", "SELECT", true}, {"later_feature", "INSERT", true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s on %s is %v", c.privilege, c.table, c.want), func(t *testing.T) {
			var got bool
			if err := owner.QueryRow(ctx, `SELECT has_table_privilege('irm_test_grantee', $1, $2)`, c.table, c.privilege).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("the app role may note when a token was used and revoke it (a deactivated contact's)", func(t *testing.T) {
		var used, revoke bool
		if err := owner.QueryRow(ctx, `SELECT has_column_privilege('irm_test_grantee', 'tokens', 'last_used_at', 'UPDATE'),
			has_column_privilege('irm_test_grantee', 'tokens', 'revoked_at', 'UPDATE')`).Scan(&used, &revoke); err != nil {
			t.Fatal(err)
		}
		if !used || !revoke {
			t.Fatalf("got last_used_at %v, revoked_at %v; want true, true", used, revoke)
		}
	})
	t.Run("the render worker may record a run's messages (00026, issue 13)", func(t *testing.T) {
		var errMsg, warnings bool
		if err := owner.QueryRow(ctx, `SELECT has_column_privilege('irm_test_grantee', 'report_runs', 'error_message', 'UPDATE'),
			has_column_privilege('irm_test_grantee', 'report_runs', 'warning_messages', 'UPDATE')`).Scan(&errMsg, &warnings); err != nil {
			t.Fatal(err)
		}
		if !errMsg || !warnings {
			t.Fatalf("got error_message %v, warning_messages %v; want true, true", errMsg, warnings)
		}
	})
	t.Run("the app role may chain the audit events", func(t *testing.T) {
		var seal bool
		if err := owner.QueryRow(ctx, `SELECT has_function_privilege('irm_test_grantee', 'audit_seal(integer)', 'EXECUTE')`).Scan(&seal); err != nil || !seal {
			t.Fatalf("got %v (%v), want EXECUTE on audit_seal", seal, err)
		}
	})
	t.Run("the app role may act through irm_act and read the audit head, but not mint a seal", func(t *testing.T) {
		var act, head, mint bool
		if err := owner.QueryRow(ctx, `SELECT has_function_privilege('irm_test_grantee', 'irm_act(text, text, bigint)', 'EXECUTE'),
			has_function_privilege('irm_test_grantee', 'audit_head()', 'EXECUTE'),
			has_function_privilege('irm_test_grantee', 'irm_seal()', 'EXECUTE')`).Scan(&act, &head, &mint); err != nil {
			t.Fatal(err)
		}
		if !act || !head || mint {
			t.Fatalf("got irm_act %v, audit_head %v, irm_seal %v; want true, true, false", act, head, mint)
		}
	})
	t.Run("the app role is a login that serve accepts", func(t *testing.T) {
		pool, err := postgres.Open(ctx, appURL)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		if err := postgres.CheckAppRole(ctx, pool); err != nil {
			t.Fatalf("got %v, want the app role accepted", err)
		}
	})
	t.Run("migrate refuses an app role that does not exist", func(t *testing.T) {
		err := app.Run(ctx, []string{"irm", "migrate", "--database-url", dsn, "--app-role", "irm_no_such_role"}, envWith(nil), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "CREATE ROLE") {
			t.Fatalf("got %v, want an error naming the fix", err)
		}
	})
}

func TestServeRefusesALoginThatCouldBypassRowLevelSecurity(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewURL(t)
	ctx := context.Background()
	owner, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	bypass := testRole(t, dsn, "irm_test_bypass", "NOSUPERUSER BYPASSRLS")
	owning := testRole(t, dsn, "irm_test_owning", "NOSUPERUSER NOBYPASSRLS")
	if _, err := owner.Exec(ctx, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO irm_test_bypass, irm_test_owning;
		ALTER TABLE review_comments OWNER TO irm_test_owning`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		url  string
		args []string
		want string // "" when serve should start
	}{
		{"a superuser", dsn, nil, "is a superuser"},
		{"a login that bypasses row-level security", bypass, nil, "NOBYPASSRLS"},
		{"a login that owns a table", owning, nil, "owns (or may act as the owner of) the tables review_comments"},
		{"a superuser with --unsafe-db-role", dsn, []string{"--unsafe-db-role"}, ""},
		{"a superuser with --dev", dsn, []string{"--dev"}, ""},
		{"the app role", pgtest.AppURL(dsn), nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs, err := startServe(t, c.url, c.args...)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("got %v, want serve to start\n%s", err, logs)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want a refusal containing %q", err, c.want)
			case c.want != "" && !strings.Contains(err.Error(), "--app-role"):
				t.Fatalf("the refusal %q does not name the fix", err)
			case c.want == "" && len(c.args) > 0 && !strings.Contains(logs, "level=WARN"):
				t.Fatalf("%v started without a warning:\n%s", c.args, logs)
			}
		})
	}
}

func TestServeRefusesADatabaseThatIsNotMigrated(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewURL(t)
	ctx := context.Background()
	owner, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	_, err = startServe(t, pgtest.AppURL(dsn))
	if err == nil || !strings.Contains(err.Error(), "irm migrate") {
		t.Fatalf("got %v, want a refusal naming irm migrate", err)
	}
}

// startServe runs irm serve on url until it listens (then stops it) or
// fails, and returns its error and logs.
func startServe(t *testing.T, dbURL string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, append([]string{"irm", "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL}, args...),
			envWith(nil), io.Discard, &logs)
	}()
	for {
		select {
		case err := <-done:
			return logs.String(), err
		default:
		}
		if strings.Contains(logs.String(), "msg=serving ") {
			cancel()
			err := <-done
			return logs.String(), err
		}
		select {
		case err := <-done:
			return logs.String(), err
		case <-time.After(20 * time.Millisecond):
		}
	}
}
