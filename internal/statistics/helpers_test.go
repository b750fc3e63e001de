package statistics

import (
	"context"
	"encoding/json"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/questionnaires"
)

// testYear is the "current" year the fixture's service sees, so that the
// year rule does not move with the calendar.
const testYear = 2024

var testNow = time.Date(testYear, time.June, 15, 12, 0, 0, 0, time.UTC)

// Principals of every role.
var (
	secretariat = auth.Principal{Name: "Secretariat", Role: auth.Secretariat}
	memberIC    = auth.Principal{Name: "Member", Role: auth.WorkingGroup, WorkingGroups: []string{"international-cooperation"}}
)

func focalPoint(state string) auth.Principal {
	return auth.Principal{Name: "Focal point " + state, Role: auth.FocalPoint, State: state}
}

// knownGroups reads the shipped working groups, as the app does.
func knownGroups(tb testing.TB) func(string) bool {
	tb.Helper()
	data, err := fs.ReadFile(questionnaires.Catalogue(), "working-groups.json")
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		WorkingGroups []struct{ ID string } `json:"workingGroups"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatal(err)
	}
	ids := map[string]bool{}
	for _, wg := range doc.WorkingGroups {
		ids[wg.ID] = true
	}
	if len(ids) == 0 {
		tb.Fatal("working-groups.json lists no working group")
	}
	return func(id string) bool { return ids[id] }
}

// shipped loads the catalogue the binary embeds.
func shipped(tb testing.TB) *Catalogue {
	tb.Helper()
	cat, err := LoadCatalogue(questionnaires.Catalogue(), knownGroups(tb), state.Codes())
	if err != nil {
		tb.Fatalf("the shipped catalogue does not load: %v", err)
	}
	return cat
}

// fixture is a service over a fresh database.
type fixture struct {
	pool *pgxpool.Pool
	svc  *Service
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	pool := pgtest.New(tb)
	svc := NewService(pool, shipped(tb))
	svc.now = func() time.Time { return testNow }
	return &fixture{pool: pool, svc: svc}
}

// report sends rows as p and fails the test on an error (not on row errors).
func (f *fixture) report(tb testing.TB, p auth.Principal, state string, rows ...Row) Result {
	tb.Helper()
	res, err := f.svc.ReportRows(context.Background(), p, state, rows, nil)
	if err != nil {
		tb.Fatalf("ReportRows(%s): %v", state, err)
	}
	return res
}

// mustStore reports rows as the secretariat and fails unless all are accepted.
func (f *fixture) mustStore(tb testing.TB, state string, rows ...Row) {
	tb.Helper()
	res := f.report(tb, secretariat, state, rows...)
	if len(res.Errors) > 0 {
		tb.Fatalf("ReportRows(%s): row errors %+v", state, res.Errors)
	}
}

// dbCounts is what the statistics tables and the audit log hold.
type dbCounts struct {
	Observations, Revisions, Audits int
}

func (f *fixture) counts(tb testing.TB) dbCounts {
	tb.Helper()
	var c dbCounts
	err := f.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM observations), (SELECT count(*) FROM observation_revisions),
		(SELECT count(*) FROM audit_events WHERE action = 'statistics.report')`).
		Scan(&c.Observations, &c.Revisions, &c.Audits)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// stored is one row of observations.
type stored struct {
	Value    *float64
	Status   string
	Revision int
}

// get reads the stored observation of a key; ok is false when there is none.
func (f *fixture) get(tb testing.TB, state, indicator string, year int, breakdownKey string) (stored, bool) {
	tb.Helper()
	var s stored
	err := f.pool.QueryRow(context.Background(), `SELECT value, status, revision FROM observations
		WHERE state_code = $1 AND indicator = $2 AND year = $3 AND breakdown_key = $4`,
		state, indicator, year, breakdownKey).Scan(&s.Value, &s.Status, &s.Revision)
	if err != nil {
		if strings.Contains(err.Error(), "no rows") {
			return s, false
		}
		tb.Fatal(err)
	}
	return s, true
}

// revisions lists the superseded (revision, value, status) of a key.
func (f *fixture) revisions(tb testing.TB, state, indicator string, year int, breakdownKey string) []stored {
	tb.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT value, status, revision FROM observation_revisions
		WHERE state_code = $1 AND indicator = $2 AND year = $3 AND breakdown_key = $4 ORDER BY revision`,
		state, indicator, year, breakdownKey)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.Value, &s.Status, &s.Revision); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func num(v float64) *float64 { return &v }

// show prints a *float64 for failure messages.
func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

// near reports whether a and b agree to 1e-9.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// sameOptional compares two optional figures.
func sameOptional(got, want *float64) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	return near(*got, *want)
}

// rowErrs formats errors for failure messages, one a line.
func rowErrs(errs []RowError) string {
	var b strings.Builder
	for i, e := range errs {
		if i == 20 {
			b.WriteString("\n\t... " + strconv.Itoa(len(errs)-i) + " more")
			break
		}
		b.WriteString("\n\t")
		b.WriteString(strconv.Itoa(e.Row) + " " + e.Field + ": " + e.Message)
	}
	if len(errs) == 0 {
		return " (none)"
	}
	return b.String()
}

// fieldsOf returns the (row, field) pairs of errs.
func fieldsOf(errs []RowError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = strconv.Itoa(e.Row) + ":" + e.Field
	}
	return out
}

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }
