package statistics

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/postgres"
)

// Reads through a handle the caller gives: the pool, or the read-only
// REPEATABLE READ transaction a report is read in (postgres.Snapshot).
// They check no policy: the caller does.

// StateTotals returns a State's totals (no breakdown) of the given
// indicators, every year, ordered by indicator and year. CONFIDENTIAL
// values come back without their value: a report may be published.
func StateTotals(ctx context.Context, db postgres.DB, state string, codes []string) ([]Observation, error) {
	rows, err := db.Query(ctx, `SELECT indicator, year, CASE WHEN status = 'CONFIDENTIAL' THEN NULL ELSE value END,
			status, breakdown, revision
		FROM observations
		WHERE state_code = $1 AND indicator = ANY($2) AND breakdown_key = ''
		ORDER BY indicator, year`, state, codes)
	if err != nil {
		return nil, fmt.Errorf("read observations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Observation, error) {
		o := Observation{StateCode: state}
		err := r.Scan(&o.Indicator, &o.Year, &o.Value, &o.Status, &o.Breakdown, &o.Revision)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("read observations: %w", err)
	}
	return out, nil
}

// TotalsDigest identifies the totals of the given indicators — of one
// State, or of every State when state is "" — by their number and a
// SHA-256 over each value's key, revision and status in key order: equal
// digests mean the same values, since every change makes a new revision.
// The rows are hashed here rather than in SQL, where formatting them as
// text costs more than sending them.
func TotalsDigest(ctx context.Context, db postgres.DB, codes []string, state string) (int, string, error) {
	type key struct {
		indicator, state, status string
		year, revision           int
	}
	rows, err := db.Query(ctx, `SELECT indicator, state_code, status, year, revision
		FROM observations
		WHERE indicator = ANY($1) AND breakdown_key = '' AND ($2 = '' OR state_code = $2)`, codes, state)
	if err != nil {
		return 0, "", fmt.Errorf("observations digest: %w", err)
	}
	var keys []key
	var k key
	if _, err := pgx.ForEachRow(rows, []any{&k.indicator, &k.state, &k.status, &k.year, &k.revision}, func() error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		return 0, "", fmt.Errorf("observations digest: %w", err)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.indicator, b.indicator), cmp.Compare(a.year, b.year), cmp.Compare(a.state, b.state))
	})
	h := sha256.New()
	var buf []byte
	for _, k := range keys {
		buf = fmt.Appendf(buf[:0], "%s|%d|%s|%d|%s\n", k.indicator, k.year, k.state, k.revision, k.status)
		h.Write(buf)
	}
	return len(keys), hex.EncodeToString(h.Sum(nil)), nil
}
