package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	submissionpkg "github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
	"github.com/jackc/pgx/v5"
)

func envWith(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunMigrateThenTokenCreatePrintsAWorkingTokenOnTheLastLine(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	getenv := envWith(map[string]string{"DATABASE_URL": dsn})
	var out, errs bytes.Buffer
	if err := app.Run(ctx, []string{"irm", "migrate"}, getenv, &out, &errs); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errs.String())
	}
	out.Reset()
	err := app.Run(ctx, []string{"irm", "token", "create", "--name", "Kenya desk", "--role", "FOCAL_POINT", "--state", "KEN"}, getenv, &out, &errs)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	secret := lines[len(lines)-1]
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	p, err := auth.NewStore(pool).Authenticate(ctx, secret)
	if err != nil {
		t.Fatalf("the printed token %q does not authenticate: %v", secret, err)
	}
	if p.Name != "Kenya desk" || p.Role != auth.FocalPoint || p.State != "KEN" {
		t.Fatalf("got %+v, want Kenya desk, FOCAL_POINT of KEN", p)
	}
}

func TestRunRefusesBadCommandsAndTokens(t *testing.T) {
	dsn := pgtest.NewURL(t)
	getenv := envWith(map[string]string{"DATABASE_URL": dsn})
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", []string{"irm"}, "no command"},
		{"an unknown command", []string{"irm", "frobnicate"}, "unknown command"},
		{"an unknown role", []string{"irm", "token", "create", "--name", "x", "--role", "ADMIN"}, "unknown role"},
		{"a member without a group", []string{"irm", "token", "create", "--name", "x", "--role", "WORKING_GROUP"}, "working-group"},
		{"an unknown working group", []string{"irm", "token", "create", "--name", "x", "--role", "WORKING_GROUP", "--working-group", "nope"}, "unknown working group"},
		{"serve without a database", []string{"irm", "serve", "--database-url", ""}, "no database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := app.Run(context.Background(), c.args, getenv, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// copyQuestionnaires writes the embedded questionnaires and catalogue to
// a folder, as an operator would for --questionnaires.
func copyQuestionnaires(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, questionnaires.Files()); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "catalogue"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "catalogue"), questionnaires.Catalogue()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cycleOn opens a cycle of implementation-v1, as the questionnaires of dir
// are, on the database dsn; it returns the questionnaire as it was.
func cycleOn(t *testing.T, dsn, dir string) *questionnaire.Questionnaire {
	t.Helper()
	ctx := context.Background()
	content, err := app.LoadContent(dir)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	q, _ := content.Registry.Get("implementation-v1")
	_, err = submissionpkg.NewService(pool, content.Registry, nil).OpenCycle(ctx, auth.Principal{Name: "sec", Role: auth.Secretariat},
		submissionpkg.Cycle{ID: "2027", Name: "2027", QuestionnaireID: q.ID,
			OpensOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ClosesOn: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// editFile replaces the first old in dir/name with new.
func editFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	file := filepath.Join(dir, name)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s has no %q", name, old)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestServeRefusesToStartWhenAQuestionnaireInUseChanged(t *testing.T) {
	dsn := pgtest.NewURL(t)
	dir := copyQuestionnaires(t)
	q := cycleOn(t, dsn, dir)
	// The same questionnaire, changed in what it accepts after a cycle
	// started using it.
	editFile(t, dir, "implementation-v1.json", `"maxLength": 200`, `"maxLength": 100`)
	// Bounded, so that a serve that starts fails the test instead of
	// running until the test binary's timeout.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := app.Run(ctx, []string{"irm", "serve", "--addr", "127.0.0.1:0", "--questionnaires", dir},
		envWith(map[string]string{"DATABASE_URL": pgtest.AppURL(dsn)}), io.Discard, io.Discard)
	if err == nil {
		t.Fatal("serve started with a changed questionnaire")
	}
	for _, want := range []string{"implementation-v1.json", q.SHA256, q.ValidationSHA256} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// Issue 13: a questionnaire in use may be translated further, its titles
// and descriptions corrected, its layout changed.
func TestServeStartsWhenAQuestionnaireInUseChangedOnlyInWhatAPersonReads(t *testing.T) {
	dsn := pgtest.NewURL(t)
	dir := copyQuestionnaires(t)
	cycleOn(t, dsn, dir)
	editFile(t, dir, "implementation-v1.json", `"ru": "Общие положения"`, `"ru": "Общие положения Конвенции"`)
	editFile(t, dir, "implementation-v1.json", `"title": "General provisions"`, `"title": "General provisions of the Convention"`)
	editFile(t, dir, "implementation-v1.json", "\n}\n", "\n}\n\n")
	// What a number measures (x-measure) decides whether a sum is shown,
	// not what is accepted (issue 17).
	editFile(t, dir, "implementation-v1.json", `"x-measure": "duration"`, `"x-measure": "rate"`)
	editFile(t, dir, "implementation-v1.json", `"x-measure": "count",`, ``)
	var logs syncBuffer
	_, stop := runServing(t, dsn, &logs, map[string]string{"IRM_QUESTIONNAIRES": dir})
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown, want nil", err)
	}
}

func TestServeRefusesAQuestionnaireThatDoesNotCompile(t *testing.T) {
	dir := copyQuestionnaires(t)
	if err := os.WriteFile(filepath.Join(dir, "broken-v1.json"), []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "x", "properties": {"s": {"$ref": "https://example.org/s.json"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := app.Run(context.Background(), []string{"irm", "serve", "--addr", "127.0.0.1:0", "--questionnaires", dir},
		envWith(map[string]string{"DATABASE_URL": pgtest.NewURL(t)}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "broken-v1.json") || !strings.Contains(err.Error(), "https://example.org/s.json") {
		t.Fatalf("got %v, want a refusal naming the file and the ref", err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the server writes logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runServing runs "irm serve" on a free port of 127.0.0.1 over the
// database dsn (as the app role) and returns its base URL and a stop that
// ends it as SIGTERM does and returns what Run returned.
func runServing(t *testing.T, dsn string, logs *syncBuffer, env ...map[string]string) (base string, stop func() error) {
	t.Helper()
	vars := map[string]string{"DATABASE_URL": pgtest.AppURL(dsn)}
	for _, e := range env {
		maps.Copy(vars, e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"irm", "serve", "--addr", "127.0.0.1:0"}, envWith(vars), io.Discard, logs)
	}()
	addr := regexp.MustCompile(`addr=http://(127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			base = "http://" + m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, logs.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("serve did not start:\n%s", logs.String())
	}
	return base, func() error {
		cancel() // what SIGTERM does through signal.NotifyContext
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not shut down")
			return nil
		}
	}
}

func TestServeAnswersHealthzAndShutsDownGracefully(t *testing.T) {
	var logs syncBuffer
	base, stop := runServing(t, pgtest.NewURL(t), &logs)
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: got %d, want 200", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown, want nil", err)
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown in the logs:\n%s", logs.String())
	}
}

// Finding 5 of issue 16: expired web sessions went only when their owner
// signed out. Every replica now purges them, from its start on.
func TestServePurgesExpiredWebSessions(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	owner := ownerPool(t, dsn)
	tokens := auth.NewStore(owner)
	if _, err := tokens.Create(ctx, auth.NewToken{Name: "purge test", Role: auth.Secretariat}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO web_sessions (id_sha256, token_id, expires_at)
		SELECT '\x01'::bytea, id, now() - interval '1 minute' FROM tokens UNION ALL
		SELECT '\x02'::bytea, id, now() + interval '1 hour' FROM tokens`); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	_, stop := runServing(t, dsn, &logs)
	defer stop() //nolint:errcheck
	expired, live := 1, 0
	for deadline := time.Now().Add(30 * time.Second); expired > 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE expires_at <= now()), count(*) FILTER (WHERE expires_at > now())
			FROM web_sessions`).Scan(&expired, &live); err != nil {
			t.Fatal(err)
		}
	}
	if expired != 0 || live != 1 {
		t.Fatalf("with serve running: %d expired sessions, %d live; want 0 and the 1 live kept", expired, live)
	}
}

// Issue 14: the shortest schedule interval (an hour) could not be changed,
// so a staging system could not try minute schedules.
// --min-schedule-interval (IRM_MIN_SCHEDULE_INTERVAL) sets it.
func TestServeTakesTheShortestScheduleInterval(t *testing.T) {
	ctx := context.Background()
	schedule := `mutation { scheduleReport(input: { report: { kind: CYCLE_SYNTHESIS, cycle: "2027" }, cron: "*/5 * * * *", timezone: "UTC" }) { id } }`
	for _, c := range []struct {
		name     string
		env      map[string]string
		accepted bool
	}{
		{"by default a schedule every five minutes is refused", nil, false},
		{"with 1m it is accepted", map[string]string{"IRM_MIN_SCHEDULE_INTERVAL": "1m"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn := pgtest.NewURL(t)
			owner := ownerPool(t, dsn)
			secret, err := auth.NewStore(owner).Create(ctx, auth.NewToken{Name: "desk", Role: auth.Secretariat})
			if err != nil {
				t.Fatal(err)
			}
			var logs syncBuffer
			base, stop := runServing(t, dsn, &logs, c.env)
			defer stop() //nolint:errcheck
			post := func(query string) string {
				body, _ := json.Marshal(map[string]string{"query": query})
				req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				got, _ := io.ReadAll(resp.Body)
				return string(got)
			}
			if got := post(`mutation { openCycle(input: { id: "2027", name: "2027", questionnaire: "implementation-v1", opensOn: "2026-01-01", closesOn: "2099-12-31" }) { id } }`); strings.Contains(got, `"errors"`) {
				t.Fatalf("openCycle: %s", got)
			}
			got := post(schedule)
			if accepted := !strings.Contains(got, `"errors"`); accepted != c.accepted {
				t.Fatalf("scheduleReport every five minutes: %s; want accepted %v", got, c.accepted)
			}
		})
	}
	t.Run("less than a minute is refused at start", func(t *testing.T) {
		err := app.Run(ctx, []string{"irm", "serve", "--addr", "127.0.0.1:0", "--min-schedule-interval", "10s"},
			envWith(map[string]string{"DATABASE_URL": pgtest.AppURL(pgtest.NewURL(t))}), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--min-schedule-interval 10s") {
			t.Fatalf("got %v, want a refusal naming --min-schedule-interval", err)
		}
	})
}

// TestMigrateSaysItInALineOrTwo: issue 17. make run printed about thirty
// lines of migration logs (one per file, River's twice) before the
// start-up banner with the address and the tokens; the step now says
// what it applied in one line for ours and one for River's.
func TestMigrateSaysItInALineOrTwo(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(ctx) })
	name := fmt.Sprintf("irm_t_empty_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	var out, errs bytes.Buffer
	getenv := envWith(map[string]string{"DATABASE_URL": u.String()})
	if err := app.Run(ctx, []string{"irm", "migrate"}, getenv, &out, &errs); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errs.String())
	}
	var lines []string
	for _, l := range strings.Split(errs.String(), "\n") {
		if strings.Contains(l, "migration") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 || !strings.Contains(lines[0], `msg="migrations applied"`) || !strings.Contains(lines[1], `msg="river migrations applied"`) {
		t.Fatalf("migrating a new database logged %d lines about migrations, want one for ours and one for River's:\n%s", len(lines), errs.String())
	}
}
