package postgres_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// rlsWorld is one cycle with a submission, a version, a comment and
// answers for KEN and for FRA, and observations of both (FRA's 2020 value
// CONFIDENTIAL), written by the owner.
func rlsWorld(t *testing.T) (owner, app *pgxpool.Pool, ids map[string]string) {
	t.Helper()
	owner, app = pgtest.NewApp(t)
	ctx := context.Background()
	// The tokens the principals below act with (irm_act checks them): ids
	// 1 to 4, in this order.
	_, err := owner.Exec(ctx, `INSERT INTO tokens (name, role, state_code, working_groups, secret_sha256) VALUES
		('Kenya FP', 'FOCAL_POINT', 'KEN', '{}', '\x01'), ('France FP', 'FOCAL_POINT', 'FRA', '{}', '\x02'),
		('member', 'WORKING_GROUP', NULL, '{international-cooperation}', '\x03'), ('sec', 'SECRETARIAT', NULL, '{}', '\x04')`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = owner.Exec(ctx, `
		INSERT INTO questionnaire_digests VALUES ('q', 'x', now());
		INSERT INTO cycles (id, name, questionnaire_id, opens_on, closes_on) VALUES ('2027', '2027', 'q', '2027-01-01', '2027-12-31');
		INSERT INTO submissions (cycle_id, state_code, status, version, answers)
			VALUES ('2027', 'KEN', 'DRAFT', 1, '{"a": 1}'), ('2027', 'FRA', 'DRAFT', 1, '{"a": 2}');
		INSERT INTO submission_versions (submission_id, state_code, version, status, answers, saved_by)
			SELECT id, state_code, 1, 'DRAFT', answers, 'fp' FROM submissions;
		INSERT INTO review_comments (submission_id, version, author, body) SELECT id, 1, 'fp', 'note' FROM submissions;
		INSERT INTO observations (indicator, breakdown_key, year, state_code, breakdown, value, status, revision, reported_at, reported_by) VALUES
			('i', '', 2019, 'KEN', '{}', 1, 'REPORTED', 1, now(), 'fp'),
			('i', '', 2019, 'FRA', '{}', 2, 'REPORTED', 1, now(), 'fp'),
			('i', '', 2020, 'FRA', '{}', 3, 'CONFIDENTIAL', 1, now(), 'fp');
		INSERT INTO observation_revisions (indicator, breakdown_key, year, state_code, breakdown, value, status, revision, reported_at, reported_by)
			VALUES ('i', '', 2019, 'FRA', '{}', 9, 'REPORTED', 0, now(), 'fp')`)
	if err != nil {
		t.Fatal(err)
	}
	// The answers projection, whichever table this schema has.
	_, err = owner.Exec(ctx, `DO $$ BEGIN
		IF to_regclass('submission_answers') IS NOT NULL THEN
			INSERT INTO submission_answers (submission_id, path, value) SELECT id, '/a', answers->'a' FROM submissions;
		END IF;
		IF to_regclass('answer_facts') IS NOT NULL THEN
			EXECUTE 'INSERT INTO answer_facts (submission_id, cycle_id, state_code, path, num) SELECT id, cycle_id, state_code, ''/a'', 1 FROM submissions';
		END IF; END $$`)
	if err != nil {
		t.Fatal(err)
	}
	ids = map[string]string{}
	rows, _ := owner.Query(ctx, `SELECT state_code, id::text FROM submissions`)
	var st, id string
	if _, err := pgx.ForEachRow(rows, []any{&st, &id}, func() error { ids[st] = id; return nil }); err != nil {
		t.Fatal(err)
	}
	return owner, app, ids
}

// The principals of rlsWorld's tokens.
var (
	kenFP       = postgres.Principal{Role: "FOCAL_POINT", State: "KEN", TokenID: 1}
	fraFP       = postgres.Principal{Role: "FOCAL_POINT", State: "FRA", TokenID: 2}
	memberWG    = postgres.Principal{Role: "WORKING_GROUP", TokenID: 3}
	secretariat = postgres.Principal{Role: "SECRETARIAT", TokenID: 4}
)

// states lists the State of every row query returns, as the app role
// acting as p sees them.
func states(t *testing.T, app *pgxpool.Pool, p *postgres.Principal, query string) string {
	t.Helper()
	ctx := context.Background()
	if p != nil {
		ctx = postgres.WithPrincipal(ctx, *p)
	}
	var got []string
	err := postgres.ReadTx(ctx, app, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return err
		}
		got, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	sort.Strings(got)
	return strings.Join(got, ",")
}

func TestRowLevelSecurityRefusesAnotherStatesRowsWhateverTheGoCodeAsks(t *testing.T) {
	t.Parallel()
	_, app, ids := rlsWorld(t)
	ken, member, sec := &kenFP, &memberWG, &secretariat
	answers := `SELECT s.state_code FROM submission_answers a JOIN submissions s ON s.id = a.submission_id`
	var hasFacts bool
	if err := app.QueryRow(context.Background(), `SELECT to_regclass('answer_facts') IS NOT NULL`).Scan(&hasFacts); err != nil {
		t.Fatal(err)
	}
	if hasFacts {
		answers = `SELECT state_code FROM answer_facts`
	}
	reads := []struct {
		name  string
		query string
		as    *postgres.Principal
		want  string
	}{
		{"a focal point reads its own submission only", `SELECT state_code FROM submissions`, ken, "KEN"},
		{"a focal point reads its own versions only",
			`SELECT s.state_code FROM submission_versions v JOIN submissions s ON s.id = v.submission_id`, ken, "KEN"},
		{"a focal point reads its own versions only, even by the other's id",
			`SELECT 'row' FROM submission_versions WHERE submission_id = '` + ids["FRA"] + `'`, ken, ""},
		{"a focal point reads its own comments only",
			`SELECT 'row' FROM review_comments WHERE submission_id = '` + ids["FRA"] + `'`, ken, ""},
		{"a focal point reads its own answers only", answers, ken, "KEN"},
		{"a focal point reads other States' values but not their confidential ones",
			`SELECT state_code || year FROM observations`, ken, "FRA2019,KEN2019"},
		{"a focal point reads its own superseded values only", `SELECT state_code FROM observation_revisions`, ken, ""},
		{"the view lists a confidential value of another State without it",
			`SELECT state_code || year || ':' || coalesce(value::text, 'hidden') FROM observations_visible`, ken,
			"FRA2019:2,FRA2020:hidden,KEN2019:1"},
		{"a working-group member reads every State's rows, for aggregates", `SELECT state_code FROM submissions`, member, "FRA,KEN"},
		{"a member does not see a confidential value through the view",
			`SELECT coalesce(value::text, 'hidden') FROM observations_visible WHERE year = 2020`, member, "hidden"},
		{"the secretariat sees the confidential value",
			`SELECT value::text FROM observations_visible WHERE year = 2020`, sec, "3"},
		{"no principal reads no submission", `SELECT state_code FROM submissions`, nil, ""},
		{"no principal reads no version", `SELECT 'row' FROM submission_versions`, nil, ""},
		{"no principal reads no observation", `SELECT state_code FROM observations`, nil, ""},
		{"no principal reads nothing through the view", `SELECT state_code FROM observations_visible`, nil, ""},
	}
	for _, c := range reads {
		t.Run(c.name, func(t *testing.T) {
			if got := states(t, app, c.as, c.query); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}

	writes := []struct {
		name  string
		as    postgres.Principal
		sql   string
		wantN int64 // rows changed, when the statement is allowed to run
		// refused: the database raises an error rather than skipping rows
		refused bool
	}{
		{"a focal point cannot update another State's submission", *ken,
			`UPDATE submissions SET answers = '{}' WHERE state_code = 'FRA'`, 0, false},
		{"a focal point cannot create a submission for another State", *ken,
			`INSERT INTO submissions (cycle_id, state_code, status, version, answers) VALUES ('2027', 'DEU', 'DRAFT', 1, '{}')`, 0, true},
		{"a focal point cannot move its submission to another State", *ken,
			`UPDATE submissions SET state_code = 'FRA' WHERE state_code = 'KEN'`, 0, true},
		{"a focal point cannot add a version to another State's submission", *ken,
			`INSERT INTO submission_versions (submission_id, state_code, version, status, answers, saved_by) VALUES ('` + ids["FRA"] + `', 'FRA', 2, 'DRAFT', '{}', 'x')`, 0, true},
		{"a focal point cannot pass a version of another State's submission for its own", *ken,
			`INSERT INTO submission_versions (submission_id, state_code, version, status, answers, saved_by) VALUES ('` + ids["FRA"] + `', 'KEN', 2, 'DRAFT', '{}', 'x')`, 0, true},
		{"a focal point cannot comment on another State's submission", *ken,
			`INSERT INTO review_comments (submission_id, version, author, body) VALUES ('` + ids["FRA"] + `', 1, 'x', 'y')`, 0, true},
		{"a focal point cannot report another State's statistics", *ken,
			`INSERT INTO observations (indicator, breakdown_key, year, state_code, breakdown, value, status, revision, reported_at, reported_by)
			 VALUES ('i', '', 2021, 'FRA', '{}', 1, 'REPORTED', 1, now(), 'x')`, 0, true},
		{"a focal point cannot correct another State's statistics", *ken,
			`UPDATE observations SET value = 0 WHERE state_code = 'FRA'`, 0, false},
		{"a working-group member cannot change any submission", *member,
			`UPDATE submissions SET answers = '{}'`, 0, false},
		{"a focal point may update its own submission", *ken,
			`UPDATE submissions SET answers = '{"a": 3}' WHERE state_code IN ('KEN', 'FRA')`, 1, false},
		{"the secretariat may update any submission", *sec,
			`UPDATE submissions SET updated_at = now()`, 2, false},
	}
	for _, c := range writes {
		t.Run(c.name, func(t *testing.T) {
			ctx := postgres.WithPrincipal(context.Background(), c.as)
			var n int64
			errRollback := errors.New("rollback")
			err := postgres.Tx(ctx, app, func(tx pgx.Tx) error {
				tag, err := tx.Exec(ctx, c.sql)
				n = tag.RowsAffected()
				if err != nil {
					return err
				}
				return errRollback
			})
			var pgErr *pgconn.PgError
			switch {
			case c.refused && !(errors.As(err, &pgErr) && (pgErr.Code == "42501" || pgErr.Code == "23503")):
				t.Fatalf("got %v, want a row-level security (42501) or foreign-key (23503) violation", err)
			case !c.refused && !errors.Is(err, errRollback):
				t.Fatalf("got %v, want the statement to run", err)
			case !c.refused && n != c.wantN:
				t.Fatalf("changed %d rows, want %d", n, c.wantN)
			}
		})
	}
}

func TestThePrincipalLastsOneTransactionNotTheConnection(t *testing.T) {
	t.Parallel()
	_, app, _ := rlsWorld(t)
	ctx := context.Background()
	// One connection: a transaction as the secretariat, then one without a
	// principal on the same connection.
	conn, err := app.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	pool := conn.Conn()
	var n int
	if err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT irm_act('SECRETARIAT', '', $1)`, secretariat.TokenID)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM submissions`).Scan(&n)
	}); err != nil || n != 2 {
		t.Fatalf("as the secretariat: %d rows, %v; want 2", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM submissions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after the transaction: %d rows, %v; want 0 (the principal must not outlive it)", n, err)
	}
	// Through postgres.Tx on the pool: every transaction starts afresh.
	for i := range 20 {
		p := []postgres.Principal{kenFP, fraFP}[i%2]
		want := p.State
		if got := states(t, app, &p, `SELECT state_code FROM submissions`); got != want {
			t.Fatalf("transaction %d as %s: got %q", i, want, got)
		}
		if got := states(t, app, nil, `SELECT state_code FROM submissions`); got != "" {
			t.Fatalf("transaction %d without a principal: got %q, want nothing", i, got)
		}
	}
}

func TestATransactionRefusesAPrincipalOfTheWrongShape(t *testing.T) {
	t.Parallel()
	_, app, _ := rlsWorld(t)
	for _, p := range []postgres.Principal{
		{Role: "ADMIN"},
		{Role: "FOCAL_POINT", State: "KEN', true); SELECT set_config('irm.role', 'SECRETARIAT"},
		{Role: "FOCAL_POINT", State: "ken"},
	} {
		ctx := postgres.WithPrincipal(context.Background(), p)
		err := postgres.Tx(ctx, app, func(tx pgx.Tx) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "not valid") {
			t.Errorf("%+v: got %v, want a refusal", p, err)
		}
	}
}
