package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

func record(t testing.TB, pool *pgxpool.Pool, ctx context.Context, e audit.Event) {
	t.Helper()
	if err := postgres.Tx(ctx, pool, func(tx pgx.Tx) error { return audit.Record(ctx, tx, e) }); err != nil {
		t.Fatal(err)
	}
}

func verify(t testing.TB, pool *pgxpool.Pool) audit.Report {
	t.Helper()
	var rep audit.Report
	err := pgx.BeginTxFunc(context.Background(), pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		rep, err = audit.Verify(context.Background(), tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAuditEventsCannotBeRewrittenEvenByTheOwner(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	record(t, app, ctx, audit.Event{Actor: "someone", Action: "test.event", Subject: "x/1"})
	cases := []struct {
		name string
		pool *pgxpool.Pool
		sql  string
	}{
		{"the app role cannot update", app, `UPDATE audit_events SET actor = 'forged'`},
		{"the app role cannot delete", app, `DELETE FROM audit_events`},
		{"the app role cannot truncate", app, `TRUNCATE audit_events`},
		{"the app role cannot move the chain's head", app, `UPDATE audit_chain_head SET chain_seq = 0`},
		{"the owner cannot update", owner, `UPDATE audit_events SET actor = 'forged'`},
		{"the owner cannot delete", owner, `DELETE FROM audit_events`},
		{"the owner cannot truncate", owner, `TRUNCATE audit_events`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.pool.Exec(ctx, c.sql)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Fatalf("got %v, want a refusal (42501)", err)
			}
		})
	}
	var n int
	var actor string
	if err := owner.QueryRow(ctx, `SELECT count(*), min(actor) FROM audit_events`).Scan(&n, &actor); err != nil || n != 1 || actor != "someone" {
		t.Fatalf("got %d events by %q (%v), want the one event unchanged", n, actor, err)
	}
}

func TestAuditChainVerifiesAndNamesTheFirstTamperedEvent(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.Principal{Role: "SECRETARIAT"})
	for i := range 5 {
		record(t, app, ctx, audit.Event{Actor: "sec", Action: "test.event", Subject: fmt.Sprintf("x/%d", i),
			Detail: map[string]any{"i": i, "text": "with | separators: 3:abc ~"}})
	}
	rep := verify(t, owner)
	if rep.Broken != nil || rep.Events != 5 || len(rep.Head) != 32 {
		t.Fatalf("intact chain: got %+v (broken %+v), want 5 events and a head", rep, rep.Broken)
	}
	var ids []int64
	rows, _ := owner.Query(ctx, `SELECT id FROM audit_events ORDER BY chain_seq`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	// A database administrator turns the guard off and rewrites history.
	tamper := func(t *testing.T, sql string) {
		t.Helper()
		if _, err := owner.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;`+sql+
			`; ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`); err != nil {
			t.Fatal(err)
		}
	}
	tamper(t, fmt.Sprintf(`UPDATE audit_events SET detail = '{"i": 99}' WHERE id = %d`, ids[2]))
	rep = verify(t, owner)
	if rep.Broken == nil || rep.Broken.ID != ids[2] || rep.Events != 2 || !strings.Contains(rep.Broken.Reason, "changed") {
		t.Fatalf("a changed detail: got %+v (%+v), want event %d named after 2 good ones", rep, rep.Broken, ids[2])
	}
	tamper(t, fmt.Sprintf(`DELETE FROM audit_events WHERE id = %d`, ids[2]))
	rep = verify(t, owner)
	if rep.Broken == nil || rep.Broken.ID != ids[3] || !strings.Contains(rep.Broken.Reason, "missing") {
		t.Fatalf("a deleted event: got %+v (%+v), want the event after it, %d, named", rep, rep.Broken, ids[3])
	}
	tamper(t, fmt.Sprintf(`DELETE FROM audit_events WHERE id >= %d`, ids[2]))
	rep = verify(t, owner)
	if rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "removed") {
		t.Fatalf("the last events deleted: got %+v (%+v), want the head to disagree", rep, rep.Broken)
	}
}

func TestAuditRecordsTheTransactionsTokenAndRoleNotTheCallers(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	var token int64
	if err := owner.QueryRow(context.Background(), `INSERT INTO tokens (name, role, state_code, secret_sha256)
		VALUES ('Kenya FP', 'FOCAL_POINT', 'KEN', '\x01') RETURNING id`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	ctx := postgres.WithPrincipal(context.Background(), postgres.Principal{Role: "FOCAL_POINT", State: "KEN", TokenID: token})
	// Even a row that claims another actor's token gets the transaction's.
	if err := postgres.Tx(ctx, app, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO audit_events (actor, action, subject, actor_token, actor_role, at)
			VALUES ('Kenya FP', 'x', 'y', NULL, 'SECRETARIAT', '2000-01-01')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var gotToken *int64
	var gotRole string
	var old bool
	if err := owner.QueryRow(context.Background(), `SELECT actor_token, actor_role, at < '2020-01-01' FROM audit_events`).
		Scan(&gotToken, &gotRole, &old); err != nil {
		t.Fatal(err)
	}
	if gotToken == nil || *gotToken != token || gotRole != "FOCAL_POINT" || old {
		t.Fatalf("got token %v, role %q, backdated %v; want %d, FOCAL_POINT, now", gotToken, gotRole, old, token)
	}
}

func TestConcurrentWritersChainOneAfterAnother(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := postgres.Tx(ctx, app, func(tx pgx.Tx) error {
					if err := audit.Record(ctx, tx, audit.Event{Actor: "w", Action: "test.a", Subject: fmt.Sprintf("w/%d/%d", w, i)}); err != nil {
						return err
					}
					if i%5 == 0 {
						return errors.New("rolled back") // a rolled-back append leaves no gap
					}
					return audit.Record(ctx, tx, audit.Event{Actor: "w", Action: "test.b", Subject: fmt.Sprintf("w/%d/%d", w, i)})
				})
				if err != nil && err.Error() != "rolled back" {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep := verify(t, owner)
	want := int64(writers * (each - each/5) * 2)
	if rep.Broken != nil || rep.Events != want {
		t.Fatalf("got %d events, broken %+v; want %d chained", rep.Events, rep.Broken, want)
	}
}

func TestCanonicalMatchesTheDatabase(t *testing.T) {
	t.Parallel()
	owner, _ := pgtest.NewApp(t)
	ctx := context.Background()
	record(t, owner, ctx, audit.Event{Actor: "Zoë \"quoted\" 東京", Action: "a", Subject: "s", Detail: map[string]any{"b": []int{1, 2}, "a": "x"}})
	var db string
	var e audit.Stored
	if err := owner.QueryRow(ctx, `SELECT audit_canonical(a), chain_seq, id, at, actor, actor_token, actor_role, action, subject, detail::text
		FROM audit_events a`).Scan(&db, &e.ChainSeq, &e.ID, &e.At, &e.Actor, &e.ActorToken, &e.ActorRole, &e.Action, &e.Subject, &e.Detail); err != nil {
		t.Fatal(err)
	}
	if got := audit.Canonical(e); got != db {
		t.Fatalf("Go: %q\ndatabase: %q", got, db)
	}
}
