package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// seedDigest sums up everything "irm seed" writes.
func seedDigest(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `SELECT concat_ws(' | ',
		(SELECT md5(string_agg(concat_ws(',', id, cycle_id, state_code, status, version, answers::text, updated_at), ';' ORDER BY id)) FROM submissions),
		(SELECT count(*) FROM submission_versions), (SELECT count(*) FROM answer_facts), (SELECT count(*) FROM audit_events),
		(SELECT count(*) FROM review_comments), (SELECT string_agg(id, ',' ORDER BY id) FROM cycles),
		(SELECT string_agg(code, ',' ORDER BY code) FROM states WHERE party),
		(SELECT count(*) || '/' || max(reported_at) FROM observations))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var madeLine = regexp.MustCompile(`(\d+) submissions \((\d+) accepted, (\d+) submitted, (\d+) returned, (\d+) drafts; (\d+) not started by design\); statistics for (\d+) States \((\d+) observations\)`)

func TestSeedTwiceMakesConsistentDataOnceAndThenNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	args := []string{"irm", "seed", "--database-url", dsn, "--states", "12", "--cycles", "2"}
	var first, errs bytes.Buffer
	if err := app.Run(ctx, args, envWith(nil), &first, &errs); err != nil {
		t.Fatalf("first seed: %v\n%s", err, errs.String())
	}
	m := madeLine.FindStringSubmatch(first.String())
	if m == nil {
		t.Fatalf("the first run does not say what it made: %q", first.String())
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	made := map[string]int{"accepted": n(2), "submitted": n(3), "returned": n(4), "drafts": n(5), "notStarted": n(6)}
	if total := n(1); total != made["accepted"]+made["submitted"]+made["returned"]+made["drafts"] || total+made["notStarted"] != 12*2 {
		t.Fatalf("the report does not add up to 12 States × 2 cycles: %q", m[0])
	}
	for _, k := range []string{"accepted", "submitted", "returned", "drafts"} {
		if made[k] == 0 {
			t.Errorf("no submission made %s; want every status: %q", k, m[0])
		}
	}
	if n(7) != 12 || n(8) < 12*10*22 {
		t.Errorf("statistics for %d States (%d observations), want 12 States with ten years of every indicator", n(7), n(8))
	}

	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	before := seedDigest(t, pool)
	var second bytes.Buffer
	if err := app.Run(ctx, args, envWith(nil), &second, &errs); err != nil {
		t.Fatalf("second seed: %v\n%s", err, errs.String())
	}
	if !strings.Contains(second.String(), "nothing to do") {
		t.Errorf("the second run says %q, want it to say there was nothing to do", second.String())
	}
	if after := seedDigest(t, pool); after != before {
		t.Fatalf("the second run changed the database:\n got %s\nwant %s", after, before)
	}

	// What the API reports agrees with what the seed says it made.
	content, err := app.LoadContent("")
	if err != nil {
		t.Fatal(err)
	}
	h := apptest.Handler(t, pool, content, slog.New(slog.DiscardHandler), app.HandlerOptions{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	env := &apptest.Env{URL: srv.URL, Pool: pool, Registry: content.Registry, Indicators: content.Indicators, Tokens: auth.NewStore(pool)}
	member := env.Member(t, "international-cooperation")
	got := map[string]int{}
	for _, cycle := range []string{"seed-2026", "seed-2027"} {
		var out struct {
			Completeness []struct {
				Group                                           string
				States, NotStarted, Drafts, Submitted, Accepted int
			}
			QuestionAggregate struct{ Respondents int }
		}
		env.Do(t, member, `query($c: ID!) { completeness(cycle: $c) { group states notStarted drafts submitted accepted }
			questionAggregate(cycle: $c, path: "/general_provisions/consent_to_be_bound") { respondents } }`,
			map[string]any{"c": cycle}).Decode(t, &out)
		all := out.Completeness[len(out.Completeness)-1]
		if all.Group != "ALL" || all.States != 12 {
			t.Fatalf("%s: the last completeness row is %+v, want ALL over 12 States Parties", cycle, all)
		}
		got["notStarted"] += all.NotStarted
		got["submitted"] += all.Submitted
		got["accepted"] += all.Accepted
		got["draftsAndReturned"] += all.Drafts
		// Every complete submission answers this required question.
		if r := out.QuestionAggregate.Respondents; r != all.Submitted+all.Accepted {
			t.Errorf("%s: %d respondents to a required question, want the %d submitted and accepted", cycle, r, all.Submitted+all.Accepted)
		}
	}
	want := map[string]int{"notStarted": made["notStarted"], "submitted": made["submitted"], "accepted": made["accepted"],
		"draftsAndReturned": made["drafts"] + made["returned"]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("completeness over both cycles: got %v, want what the seed made: %v", got, want)
	}

	var counted, withoutFacts, statesWithStats int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (
			SELECT 1 FROM answer_facts f WHERE f.submission_id = s.id))
		FROM submissions s WHERE s.status IN ('SUBMITTED', 'ACCEPTED')`).Scan(&counted, &withoutFacts); err != nil {
		t.Fatal(err)
	}
	if counted != made["submitted"]+made["accepted"] || withoutFacts != 0 {
		t.Errorf("%d submitted or accepted submissions, %d of them without answer facts; want %d, none",
			counted, withoutFacts, made["submitted"]+made["accepted"])
	}
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT state_code) FROM observations`).Scan(&statesWithStats); err != nil {
		t.Fatal(err)
	}
	if statesWithStats != 12 {
		t.Errorf("%d States have statistics, want 12", statesWithStats)
	}
	var names []string
	rows, err := pool.Query(ctx, `SELECT name FROM cycles ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s) //nolint:errcheck
		names = append(names, s)
	}
	if b, _ := json.Marshal(names); len(names) != 2 || !strings.Contains(string(b), "synthetic") {
		t.Errorf("cycles %s, want two marked synthetic", b)
	}
}

func TestSeedRefusesSizesOutOfRange(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewURL(t)
	for _, args := range [][]string{{"--states", "0"}, {"--states", "194"}, {"--cycles", "0"}, {"--cycles", "31"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			err := app.Run(context.Background(), append([]string{"irm", "seed", "--database-url", dsn}, args...), envWith(nil), &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "must be between") {
				t.Fatalf("got %v, want an error saying the range", err)
			}
		})
	}
}
