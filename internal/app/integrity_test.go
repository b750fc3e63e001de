package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	submissionpkg "github.com/cosp-ict/irm/internal/submission"
)

// Who did it: every version, comment and audit event names the token and
// its role beside the holder's name, so that a SECRETARIAT token named
// like a focal point is not recorded as that focal point.
func TestWhoDidItRecordsTheTokenAndRoleBesideTheName(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fp := w.token(t, "GHA FP", auth.FocalPoint, "GHA")
	impostor := w.token(t, "GHA FP (secretariat)", auth.Secretariat, "")
	ids := map[string]int64{}
	rows, err := w.env.Pool.Query(context.Background(), `SELECT name, id FROM tokens`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	sub := w.mustSave(t, fp, "GHA", sample(t), -1)
	w.mustSave(t, impostor, "GHA", sample(t), 1) // unchanged answers: no new version
	w.mustSubmit(t, impostor, "GHA", 1)
	res := w.env.Do(t, fp, commentMutation, map[string]any{"id": sub.ID, "b": "see the annex"})
	var c struct{ Comment comment }
	res.Decode(t, &c)
	if c.Comment.Author != "GHA FP" {
		t.Fatalf("GraphQL author: got %q, want the name", c.Comment.Author)
	}

	type who struct {
		Name  string
		Token int64
		Role  string
	}
	query := func(sql string) []who {
		t.Helper()
		rows, err := w.env.Pool.Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		var out []who
		for rows.Next() {
			var x who
			var tok *int64
			var role *string
			if err := rows.Scan(&x.Name, &tok, &role); err != nil {
				t.Fatal(err)
			}
			if tok != nil {
				x.Token = *tok
			}
			if role != nil {
				x.Role = *role
			}
			out = append(out, x)
		}
		return out
	}
	fpWho := who{"GHA FP", ids["GHA FP"], "FOCAL_POINT"}
	secWho := who{"GHA FP (secretariat)", ids["GHA FP (secretariat)"], "SECRETARIAT"}
	checks := []struct {
		name string
		sql  string
		want []who
	}{
		{"versions", `SELECT saved_by, saved_by_token, saved_by_role FROM submission_versions ORDER BY version`, []who{fpWho, secWho}},
		{"comments", `SELECT author, author_token, author_role FROM review_comments ORDER BY seq`, []who{fpWho}},
		{"audit events", `SELECT actor, actor_token, actor_role FROM audit_events
			WHERE subject LIKE 'submission/%' ORDER BY id`, []who{fpWho, secWho, fpWho}},
	}
	for _, c := range checks {
		t.Run(c.name+" name the token and its role", func(t *testing.T) {
			got := query(c.sql)
			if len(got) != len(c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("row %d: got %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
	got := w.get(t, w.sec, "GHA")
	if got.Versions[1].SavedBy != "GHA FP (secretariat)" {
		t.Fatalf("GraphQL savedBy: got %q, want the name", got.Versions[1].SavedBy)
	}
}

func TestEveryWriteIsAuditedWithWhatItChanged(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	detail := func(action string) map[string]any {
		t.Helper()
		var raw []byte
		err := w.env.Pool.QueryRow(ctx, `SELECT detail FROM audit_events WHERE action = $1 ORDER BY id DESC LIMIT 1`, action).Scan(&raw)
		if err != nil {
			t.Fatalf("no %s event: %v", action, err)
		}
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Run("a party change records the old value", func(t *testing.T) {
		w.setParty(t, "KEN", true)
		w.setParty(t, "KEN", false)
		if d := detail("state.set_party"); d["party"] != false || d["was"] != true {
			t.Fatalf("got %v, want party false, was true", d)
		}
	})
	t.Run("a statistics batch records its counts and the revisions it made", func(t *testing.T) {
		fp := w.token(t, "KEN statistics", auth.FocalPoint, "KEN")
		statMustReport(t, w.env, fp, "KEN", statObs("OFFENCES_RECORDED", 2020, 5), statObs("OFFENCES_RECORDED", 2021, 6))
		if p := statReport(t, w.env, fp, "KEN", statObs("OFFENCES_RECORDED", 2020, 7), statObs("OFFENCES_RECORDED", 2021, 6)); p.Accepted != 1 {
			t.Fatalf("a correction of one value of two: accepted %d, errors %+v", p.Accepted, p.Errors)
		}
		d := detail("statistics.report")
		want := map[string]any{"rows": 2.0, "accepted": 1.0, "superseded": 1.0}
		for k, v := range want {
			if d[k] != v {
				t.Errorf("%s: got %v, want %v (detail %v)", k, d[k], v, d)
			}
		}
		if inds, _ := d["indicators"].([]any); len(inds) != 1 || inds[0] != "OFFENCES_RECORDED" {
			t.Errorf("indicators: got %v", d["indicators"])
		}
		if revs, _ := d["revisions"].([]any); len(revs) != 2 || revs[0] != 2.0 || revs[1] != 2.0 {
			t.Errorf("revisions: got %v, want [2 2]", d["revisions"])
		}
		// The event's time is the reported_at of exactly the rows it wrote.
		var linked int
		if err := w.env.Pool.QueryRow(ctx, `SELECT count(*) FROM observations o JOIN audit_events e
			ON e.action = 'statistics.report' AND e.at = o.reported_at AND e.subject = 'state/' || o.state_code
			WHERE e.id = (SELECT max(id) FROM audit_events WHERE action = 'statistics.report')`).Scan(&linked); err != nil || linked != 1 {
			t.Errorf("rows linked to the last batch's event: got %d (%v), want 1", linked, err)
		}
	})
}

func TestTokenCommandsListRevokeAndExpire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	env := envWith(map[string]string{"DATABASE_URL": dsn})
	run := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := app.Run(ctx, append([]string{"irm"}, args...), env, &out, &errs)
		return out.String(), err
	}
	out, err := run("token", "create", "--name", "Kenya desk", "--role", "FOCAL_POINT", "--state", "KEN", "--expires", "30d")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "valid until ") {
		t.Fatalf("create --expires: got %q, want the expiry named", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if _, err := run("token", "create", "--name", "kenya DESK", "--role", "SECRETARIAT"); err == nil || !strings.Contains(err.Error(), "unique") {
		t.Fatalf("a second token of the same name: got %v, want a refusal", err)
	}
	for _, bad := range []string{"yesterday", "-3d", "2001-01-01"} {
		if _, err := run("token", "create", "--name", "x"+bad, "--role", "SECRETARIAT", "--expires", bad); err == nil {
			t.Errorf("--expires %s: accepted", bad)
		}
	}
	out, err = run("token", "list")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^(\d+)\s+Kenya desk\s+FOCAL_POINT\s+KEN\s+\S+ \S+\s+(\S+ \S+)\s+-\s+live$`).FindStringSubmatch(out)
	if row == nil {
		t.Fatalf("token list: got\n%s\nwant Kenya desk, live, with an expiry and no use yet", out)
	}
	id := row[1]

	// Used once through the API (as the app role), then revoked.
	h := apptest.Handler(t, appPool(t, dsn), mustContent(t), discardLog(), app.HandlerOptions{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	status := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { name } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != http.StatusOK {
		t.Fatalf("a live token: got %d, want 200", got)
	}
	out, _ = run("token", "list")
	if strings.Contains(out, "  -  live") || !strings.Contains(out, "live") {
		t.Fatalf("token list after a use: got\n%s\nwant a last-used time", out)
	}
	if _, err := run("token", "revoke", "--id", id); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != http.StatusUnauthorized {
		t.Fatalf("a revoked token: got %d, want 401", got)
	}
	out, _ = run("token", "list")
	if strings.Contains(out, "Kenya desk") {
		t.Fatalf("token list shows a revoked token without --all:\n%s", out)
	}
	out, _ = run("token", "list", "--all")
	if !regexp.MustCompile(`Kenya desk.*revoked`).MatchString(out) {
		t.Fatalf("token list --all: got\n%s\nwant the revoked token", out)
	}
	if _, err := run("token", "revoke", "--id", id); err == nil {
		t.Fatal("revoking a revoked token succeeded")
	}
}

func TestAuditVerifyCommandExitsNonZeroNamingTheBrokenEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	env := envWith(map[string]string{"DATABASE_URL": dsn})
	for _, name := range []string{"a", "b", "c"} {
		if err := app.Run(ctx, []string{"irm", "token", "create", "--name", name, "--role", "SECRETARIAT"}, env, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	pool := ownerPool(t, dsn)
	waiting := func() int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_pending`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := waiting(); n != 3 {
		t.Fatalf("%d events waiting to be chained, want the 3 the commands wrote (no service runs)", n)
	}
	var out bytes.Buffer
	if err := app.Run(ctx, []string{"irm", "audit", "verify"}, env, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "intact: 3 events") || !strings.Contains(out.String(), "0 events waiting") {
		t.Fatalf("an intact chain: got %v, %q; want the 3 events chained first, none waiting", err, out.String())
	}
	if n := waiting(); n != 0 {
		t.Fatalf("%d events waiting after verify, want it to have chained them", n)
	}
	var id int64
	if err := pool.QueryRow(ctx, `SELECT event_id FROM audit_chain ORDER BY chain_seq OFFSET 1 LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE audit_events SET actor = 'someone else' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := app.Run(ctx, []string{"irm", "audit", "verify"}, env, &out, io.Discard)
	want := "event " + strconv.FormatInt(id, 10)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(out.String(), want) {
		t.Fatalf("a changed event: got %v, %q; want a failure naming %s", err, out.String(), want)
	}
}

// irm serve chains the events written while it runs, and those written
// before (by the admin commands, which run no sealer).
func TestServeChainsTheAuditEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	if err := app.Run(ctx, []string{"irm", "token", "create", "--name", "desk", "--role", "SECRETARIAT"},
		envWith(map[string]string{"DATABASE_URL": dsn}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if logs, err := startServe(t, pgtest.AppURL(dsn)); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	var chained, waiting int
	if err := ownerPool(t, dsn).QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_chain), (SELECT count(*) FROM audit_pending)`).
		Scan(&chained, &waiting); err != nil {
		t.Fatal(err)
	}
	if chained != 1 || waiting != 0 {
		t.Fatalf("after serve: %d chained, %d waiting; want the token's event chained", chained, waiting)
	}
}

// The dev explorer's prefilled token goes only to this machine.
func TestDevExplorerHandsItsTokenOnlyToLoopback(t *testing.T) {
	t.Parallel()
	_, appP := pgtest.NewApp(t)
	const secret = "irm_dev-token-for-the-explorer"
	h := apptest.Handler(t, appP, mustContent(t), discardLog(), app.HandlerOptions{Dev: true,
		ExplorerHeaders: map[string]string{"Authorization": "Bearer " + secret}})
	cases := []struct {
		name   string
		remote string
		header map[string]string
		want   bool
	}{
		{"IPv4 loopback", "127.0.0.1:50000", nil, true},
		{"IPv6 loopback", "[::1]:50000", nil, true},
		{"another machine", "192.0.2.7:50000", nil, false},
		{"a mapped address of another machine", "[::ffff:192.0.2.7]:50000", nil, false},
		{"a proxy on this machine relaying another", "127.0.0.1:50000", map[string]string{"X-Forwarded-For": "192.0.2.7"}, false},
		{"a proxy using Forwarded", "127.0.0.1:50000", map[string]string{"Forwarded": "for=192.0.2.7"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/explorer", nil)
			req.RemoteAddr = c.remote
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if got := strings.Contains(rec.Body.String(), secret); got != c.want {
				t.Fatalf("token in the page: got %v, want %v", got, c.want)
			}
		})
	}
}

func mustContent(t *testing.T) app.Content {
	t.Helper()
	c, err := app.LoadContent("")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func ownerPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func appPool(t *testing.T, dsn string) *pgxpool.Pool { return ownerPool(t, pgtest.AppURL(dsn)) }

// Below the policy functions: Versions and Comments trust their caller to
// have checked the policy. Called for another State's submission without
// that check, the database still gives a focal point nothing.
func TestStoreBelowThePolicySeesOnlyTheCallersState(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fra := w.mustSave(t, w.sec, "FRA", sample(t), -1)
	ken := w.mustSave(t, w.sec, "KEN", sample(t), -1)
	if res := w.env.Do(t, w.sec, commentMutation, map[string]any{"id": fra.ID, "b": "for France"}); len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	store := submissionpkg.NewService(w.env.AppPool, w.env.Registry, nil)
	// Principals of real tokens: the database takes no other from the app role.
	principal := func(secret string) auth.Principal {
		p, err := w.env.Tokens.Authenticate(context.Background(), secret)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	asKEN := auth.WithPrincipal(context.Background(), principal(w.token(t, "Kenya FP", auth.FocalPoint, "KEN")))
	versions, err := store.Versions(asKEN, []string{fra.ID, ken.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions[0]) != 0 || len(versions[1]) != 1 {
		t.Fatalf("versions as KEN: got %d of FRA's and %d of KEN's, want 0 and 1", len(versions[0]), len(versions[1]))
	}
	comments, err := store.Comments(asKEN, []string{fra.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(comments[0]) != 0 {
		t.Fatalf("comments as KEN: got %d of FRA's, want 0", len(comments[0]))
	}
	// The same calls as the secretariat see both, so the wall is the
	// principal and not something else.
	asSec := auth.WithPrincipal(context.Background(), principal(w.sec))
	if versions, err = store.Versions(asSec, []string{fra.ID}); err != nil || len(versions[0]) != 1 {
		t.Fatalf("versions as the secretariat: got %v, %v; want FRA's one", versions, err)
	}
}
