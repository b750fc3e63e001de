package audit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

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

// seal chains every event committed so far and returns how many.
func seal(t testing.TB, pool *pgxpool.Pool) int {
	t.Helper()
	n, err := audit.SealAll(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return n
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
	if n, err := audit.Seal(ctx, app); err != nil || n != 1 {
		t.Fatalf("the app role sealing: got %d, %v; want the event chained", n, err)
	}
	record(t, app, ctx, audit.Event{Actor: "someone", Action: "test.event", Subject: "x/2"}) // left waiting
	cases := []struct {
		name string
		pool *pgxpool.Pool
		sql  string
	}{
		{"the app role cannot update", app, `UPDATE audit_events SET actor = 'forged'`},
		{"the app role cannot delete", app, `DELETE FROM audit_events`},
		{"the app role cannot truncate", app, `TRUNCATE audit_events`},
		{"the app role cannot move the chain's head", app, `UPDATE audit_chain_head SET chain_seq = 0`},
		{"the app role cannot add to the chain", app,
			`INSERT INTO audit_chain (chain_seq, event_id, prev_hash, hash) SELECT 2, max(id), '\x00', '\x00' FROM audit_events`},
		{"the app role cannot change the chain", app, `UPDATE audit_chain SET hash = '\x00'`},
		{"the app role cannot delete from the chain", app, `DELETE FROM audit_chain`},
		{"the app role cannot read the queue", app, `SELECT * FROM audit_pending`},
		{"the app role cannot queue an event", app, `INSERT INTO audit_pending VALUES (1)`},
		{"the app role cannot take an event off the queue", app, `DELETE FROM audit_pending`},
		{"the app role cannot move an event in the queue", app, `UPDATE audit_pending SET event_id = 0`},
		{"the owner cannot update", owner, `UPDATE audit_events SET actor = 'forged'`},
		{"the owner cannot delete", owner, `DELETE FROM audit_events`},
		{"the owner cannot truncate", owner, `TRUNCATE audit_events CASCADE`},
		{"the owner cannot change the chain", owner, `UPDATE audit_chain SET hash = '\x00'`},
		{"the owner cannot delete from the chain", owner, `DELETE FROM audit_chain`},
		{"the owner cannot truncate the chain", owner, `TRUNCATE audit_chain`},
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
	var n, chained int
	var actor string
	if err := owner.QueryRow(ctx, `SELECT count(*), min(actor), (SELECT count(*) FROM audit_chain) FROM audit_events`).
		Scan(&n, &actor, &chained); err != nil || n != 2 || actor != "someone" || chained != 1 {
		t.Fatalf("got %d events by %q, %d chained (%v); want the two events unchanged, one chained", n, actor, chained, err)
	}
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 1 || rep.Pending != 1 {
		t.Fatalf("got %+v (broken %+v), want 1 event chained and 1 waiting", rep, rep.Broken)
	}
}

// secretariat stores a secretariat's token and returns the principal
// that acts with it (the app role may act only with a live token).
func secretariat(t testing.TB, owner *pgxpool.Pool) postgres.Principal {
	t.Helper()
	var id int64
	if err := owner.QueryRow(context.Background(), `INSERT INTO tokens (name, role, secret_sha256)
		VALUES ('sec', 'SECRETARIAT', '\x05ec') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return postgres.Principal{Role: "SECRETARIAT", TokenID: id}
}

func TestAuditChainVerifiesAndNamesTheFirstTamperedEvent(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), secretariat(t, owner))
	for i := range 5 {
		record(t, app, ctx, audit.Event{Actor: "sec", Action: "test.event", Subject: fmt.Sprintf("x/%d", i),
			Detail: map[string]any{"i": i, "text": "with | separators: 3:abc ~"}})
	}
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 0 || rep.Pending != 5 {
		t.Fatalf("before sealing: got %+v (broken %+v), want none chained and 5 waiting", rep, rep.Broken)
	}
	if n := seal(t, app); n != 5 {
		t.Fatalf("sealed %d events, want 5", n)
	}
	rep := verify(t, owner)
	if rep.Broken != nil || rep.Events != 5 || rep.Pending != 0 || len(rep.Head) != 32 {
		t.Fatalf("intact chain: got %+v (broken %+v), want 5 events and a head", rep, rep.Broken)
	}
	rows, _ := owner.Query(ctx, `SELECT event_id FROM audit_chain ORDER BY chain_seq`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	// A database administrator turns the guards off and rewrites history,
	// in a transaction that Verify reads too and that is then rolled back.
	tampered := func(t *testing.T, sql string) audit.Report {
		t.Helper()
		tx, err := owner.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
			ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only;`+sql); err != nil {
			t.Fatal(err)
		}
		rep, err := audit.Verify(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	t.Run("a changed detail names the event", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`UPDATE audit_events SET detail = '{"i": 99}' WHERE id = %d`, ids[2]))
		if rep.Broken == nil || rep.Broken.ID != ids[2] || rep.Broken.ChainSeq != 3 || rep.Events != 2 || !strings.Contains(rep.Broken.Reason, "changed") {
			t.Fatalf("got %+v (%+v), want event %d named after 2 good ones", rep, rep.Broken, ids[2])
		}
	})
	t.Run("a changed hash names the event", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`UPDATE audit_chain SET hash = sha256(hash) WHERE event_id = %d`, ids[1]))
		if rep.Broken == nil || rep.Broken.ID != ids[1] || !strings.Contains(rep.Broken.Reason, "changed") {
			t.Fatalf("got %+v (%+v), want event %d named", rep, rep.Broken, ids[1])
		}
	})
	t.Run("a deleted event names the one after it", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`DELETE FROM audit_chain WHERE event_id = %[1]d; DELETE FROM audit_events WHERE id = %[1]d`, ids[2]))
		if rep.Broken == nil || rep.Broken.ID != ids[3] || !strings.Contains(rep.Broken.Reason, "missing") {
			t.Fatalf("got %+v (%+v), want the event after it, %d, named", rep, rep.Broken, ids[3])
		}
	})
	t.Run("a deleted chain row names the event after it", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`DELETE FROM audit_chain WHERE event_id = %d`, ids[2]))
		if rep.Broken == nil || rep.Broken.ID != ids[3] || !strings.Contains(rep.Broken.Reason, "missing") {
			t.Fatalf("got %+v (%+v), want the event after it, %d, named", rep, rep.Broken, ids[3])
		}
	})
	t.Run("the last events deleted disagree with the head", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`DELETE FROM audit_chain WHERE event_id >= %[1]d; DELETE FROM audit_events WHERE id >= %[1]d`, ids[2]))
		if rep.Broken == nil || rep.Events != 2 || !strings.Contains(rep.Broken.Reason, "removed") {
			t.Fatalf("got %+v (%+v), want the head to disagree", rep, rep.Broken)
		}
	})
	t.Run("the last chain rows deleted disagree with the head", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`DELETE FROM audit_chain WHERE event_id = %d`, ids[4]))
		if rep.Broken == nil || rep.Events != 4 || !strings.Contains(rep.Broken.Reason, "removed") {
			t.Fatalf("got %+v (%+v), want the head to disagree", rep, rep.Broken)
		}
	})
	t.Run("the tail and the head rewritten leave an event unchained", func(t *testing.T) {
		rep := tampered(t, fmt.Sprintf(`DELETE FROM audit_chain WHERE event_id = %[1]d;
			UPDATE audit_chain_head SET chain_seq = 4, hash = (SELECT hash FROM audit_chain WHERE chain_seq = 4)`, ids[4]))
		if rep.Broken == nil || rep.Broken.ID != ids[4] || rep.Broken.ChainSeq != 0 || !strings.Contains(rep.Broken.Reason, "neither chained nor waiting") {
			t.Fatalf("got %+v (%+v), want event %d named as neither chained nor waiting", rep, rep.Broken, ids[4])
		}
	})
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 5 {
		t.Fatalf("after the rollbacks: got %+v (broken %+v), want the 5 events intact", rep, rep.Broken)
	}
}

// An event that waits for the sealer is reported as waiting; one whose
// place in the queue was deleted, so that it would never be chained, is a
// break.
func TestAuditEventsWaitingToBeChainedAreCountedAndCannotBeDropped(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/1"})
	seal(t, app)
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/2"})
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/3"})
	rep := verify(t, owner)
	if rep.Broken != nil || rep.Events != 1 || rep.Pending != 2 {
		t.Fatalf("got %+v (broken %+v), want 1 chained and 2 waiting", rep, rep.Broken)
	}
	var dropped int64
	if err := owner.QueryRow(ctx, `DELETE FROM audit_pending WHERE event_id = (SELECT max(event_id) FROM audit_pending) RETURNING event_id`).
		Scan(&dropped); err != nil {
		t.Fatal(err)
	}
	rep = verify(t, owner)
	if rep.Broken == nil || rep.Broken.ID != dropped || rep.Pending != 1 || !strings.Contains(rep.Broken.Reason, "neither chained nor waiting") {
		t.Fatalf("got %+v (broken %+v), want event %d named and 1 still waiting", rep, rep.Broken, dropped)
	}
	// The sealer chains the one still waiting; the dropped one stays a break.
	if n := seal(t, app); n != 1 {
		t.Fatalf("sealed %d, want the 1 still waiting", n)
	}
	if rep = verify(t, owner); rep.Broken == nil || rep.Broken.ID != dropped || rep.Events != 2 || rep.Pending != 0 {
		t.Fatalf("after sealing: got %+v (broken %+v), want 2 chained and event %d named", rep, rep.Broken, dropped)
	}
}

// Ids are handed out when an event is written, so transactions may commit
// them out of order: each is chained once, after the events committed
// before it, whatever its id.
func TestAuditEventsCommittedOutOfIDOrderAreChainedOnce(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	begin := func(subject string) (pgx.Tx, int64) {
		t.Helper()
		tx, err := app.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback(ctx) }) //nolint:errcheck
		if err := audit.Record(ctx, tx, audit.Event{Actor: "a", Action: "test.event", Subject: subject}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := tx.QueryRow(ctx, `SELECT max(id) FROM audit_events`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return tx, id
	}
	early, earlyID := begin("x/early")
	late, lateID := begin("x/late")
	if earlyID >= lateID {
		t.Fatalf("ids %d, %d: want the first transaction's smaller", earlyID, lateID)
	}
	if err := late.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := seal(t, app); n != 1 {
		t.Fatalf("sealed %d with the later id committed, want 1", n)
	}
	if err := early.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := seal(t, app); n != 1 {
		t.Fatalf("sealed %d after the earlier id committed, want 1", n)
	}
	if n := seal(t, app); n != 0 {
		t.Fatalf("sealed %d with nothing waiting, want 0", n)
	}
	rows, _ := owner.Query(ctx, `SELECT event_id FROM audit_chain ORDER BY chain_seq`)
	order, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != lateID || order[1] != earlyID {
		t.Fatalf("chain order %v, want [%d %d] (commit order)", order, lateID, earlyID)
	}
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 2 || rep.Pending != 0 {
		t.Fatalf("got %+v (broken %+v), want 2 chained", rep, rep.Broken)
	}
}

// Sealing with nothing waiting changes nothing: the head, the chain and
// the head row's version stay as they were, and the row is not even
// locked (a lock would make every idle tick a transaction to flush).
func TestSealingNothingIsANoOp(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	state := func() string {
		t.Helper()
		var s string
		if err := owner.QueryRow(ctx, `SELECT h.chain_seq || ' ' || encode(h.hash, 'hex') || ' ' || h.xmin::text || ' ' || h.xmax::text || ' ' ||
			(SELECT count(*) FROM audit_chain) FROM audit_chain_head h`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	empty := state()
	if n := seal(t, app); n != 0 || state() != empty {
		t.Fatalf("an empty audit: sealed %d, head %q then %q; want nothing changed", n, empty, state())
	}
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/1"})
	seal(t, app)
	sealed := state()
	if n := seal(t, app); n != 0 || state() != sealed {
		t.Fatalf("all chained: sealed %d, head %q then %q; want nothing changed", n, sealed, state())
	}
}

// A sealer chains at most the batch it is given, in id order; the next
// call goes on from there.
func TestSealChainsABoundedBatch(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	for i := range 5 {
		record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: fmt.Sprintf("x/%d", i)})
	}
	var got []int
	for range 4 {
		var n int
		if err := app.QueryRow(ctx, `SELECT audit_seal(2)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if fmt.Sprint(got) != "[2 2 1 0]" {
		t.Fatalf("batches of 2: sealed %v, want [2 2 1 0]", got)
	}
	var inOrder bool
	if err := owner.QueryRow(ctx, `SELECT bool_and(event_id > coalesce(prev, 0)) FROM
		(SELECT event_id, lag(event_id) OVER (ORDER BY chain_seq) AS prev FROM audit_chain) c`).Scan(&inOrder); err != nil || !inOrder {
		t.Fatalf("chain in id order: %v (%v)", inOrder, err)
	}
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 5 {
		t.Fatalf("got %+v (broken %+v), want 5 chained", rep, rep.Broken)
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

// Writers and sealers at once, as replicas run them: every committed event
// is chained exactly once, rolled-back ones never, and a sealer that finds
// another at work leaves without waiting.
func TestConcurrentWritersAndSealersChainEveryEventOnce(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	const writers, each, sealers = 8, 25, 4
	var wg, sealing sync.WaitGroup
	errs := make(chan error, writers+sealers)
	done := make(chan struct{})
	for range sealers {
		sealing.Add(1)
		go func() {
			defer sealing.Done()
			for {
				if _, err := audit.Seal(ctx, app); err != nil {
					errs <- err
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
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
	close(done)
	sealing.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seal(t, app) // what was committed after the sealers' last call
	rep := verify(t, owner)
	want := int64(writers * (each - each/5) * 2)
	if rep.Broken != nil || rep.Events != want || rep.Pending != 0 {
		t.Fatalf("got %d events, %d waiting, broken %+v; want %d chained", rep.Events, rep.Pending, rep.Broken, want)
	}
	var events, distinct int64
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_events), count(DISTINCT event_id) FROM audit_chain`).
		Scan(&events, &distinct); err != nil || events != want || distinct != want {
		t.Fatalf("%d events, %d distinct chained (%v); want %d of each", events, distinct, err, want)
	}
}

// A sealer that finds the head taken returns at once instead of queueing
// behind the one at work.
func TestASealerDoesNotWaitForAnother(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/1"})
	busy, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Rollback(ctx) //nolint:errcheck
	if _, err := busy.Exec(ctx, `SELECT FROM audit_chain_head FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if n, err := audit.Seal(quick, app); err != nil || n != 0 {
		t.Fatalf("with the head taken: got %d, %v; want 0 at once", n, err)
	}
	if err := busy.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := seal(t, app); n != 1 {
		t.Fatalf("with the head free: sealed %d, want 1", n)
	}
}

// RunSealer chains what is written while it runs, and once more when it
// stops, so that the last events do not wait for the next start.
func TestRunSealerChainsWhileRunningAndOnStop(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	pending := func() int64 {
		t.Helper()
		var n int64
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM audit_pending`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	run := func(every time.Duration) (stop func()) {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			audit.RunSealer(runCtx, app, every, slog.New(slog.DiscardHandler))
		}()
		return func() { cancel(); <-done }
	}
	stop := run(20 * time.Millisecond)
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/1"})
	for deadline := time.Now().Add(5 * time.Second); pending() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the event was not chained within 5s while the sealer ran")
		}
	}
	stop()
	stop = run(time.Hour) // its ticker never fires in this test
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/2"})
	stop()
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 2 || rep.Pending != 0 {
		t.Fatalf("after stopping: got %+v (broken %+v), want both events chained", rep, rep.Broken)
	}
}

// A sealer stopped while its seal is in flight lets that seal finish
// rather than abandon it. An abandoned statement runs on in the server
// until a cancel request reaches it, and may commit before: the sealer
// then found the head taken by its own orphan, returned with the events
// unchained, and the head published on stop lagged the chain
// (TestServePublishesTheAuditHead saw 0 where the chain held 1).
func TestRunSealerStoppedMidSealLetsTheSealFinish(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	record(t, app, ctx, audit.Event{Actor: "a", Action: "test.event", Subject: "x/1"})
	// The seal chains the event, then waits to remove it from audit_pending.
	hold, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(ctx) //nolint:errcheck
	if _, err := hold.Exec(ctx, `SELECT FROM audit_pending FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		audit.RunSealer(runCtx, app, time.Hour, slog.New(slog.DiscardHandler))
	}()
	sealing := func() (pids []int32) {
		t.Helper()
		rows, err := owner.Query(ctx, `SELECT pid FROM pg_stat_activity
			WHERE query = 'SELECT audit_seal($1)' AND state = 'active' AND datname = current_database()`)
		if err != nil {
			t.Fatal(err)
		}
		pids, err = pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		return pids
	}
	var first []int32
	for deadline := time.Now().Add(10 * time.Second); len(first) == 0; time.Sleep(10 * time.Millisecond) {
		if first = sealing(); time.Now().After(deadline) {
			t.Fatal("the seal never waited on the held row")
		}
	}
	cancel()
	// A cancel request, had one been sent, reaches the server well within this.
	time.Sleep(500 * time.Millisecond)
	if now := sealing(); len(now) != 1 || now[0] != first[0] {
		t.Errorf("after the stop, the seals in flight are %v; want the one in flight before (%v) still running", now, first)
	}
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	<-done
	if rep := verify(t, owner); rep.Broken != nil || rep.Events != 1 || rep.Pending != 0 {
		t.Fatalf("after the sealer returned: %+v; want the event chained", rep)
	}
}

func TestCanonicalMatchesTheDatabase(t *testing.T) {
	t.Parallel()
	owner, _ := pgtest.NewApp(t)
	ctx := context.Background()
	record(t, owner, ctx, audit.Event{Actor: "Zoë \"quoted\" 東京", Action: "a", Subject: "s", Detail: map[string]any{"b": []int{1, 2}, "a": "x"}})
	var db string
	var e audit.Stored
	seal(t, owner)
	if err := owner.QueryRow(ctx, `SELECT audit_canonical(c.chain_seq, a), c.chain_seq, id, at, actor, actor_token, actor_role, action, subject, detail::text
		FROM audit_events a JOIN audit_chain c ON c.event_id = a.id`).Scan(&db, &e.ChainSeq, &e.ID, &e.At, &e.Actor, &e.ActorToken, &e.ActorRole, &e.Action, &e.Subject, &e.Detail); err != nil {
		t.Fatal(err)
	}
	if got := audit.Canonical(e); got != db {
		t.Fatalf("Go: %q\ndatabase: %q", got, db)
	}
}
