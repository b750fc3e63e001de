package statistics

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/state"
)

// MaxObservations bounds one observations query.
const MaxObservations = 50_000

// Observation is a stored value.
type Observation struct {
	StateCode string
	Indicator string
	Year      int
	Value     *float64 // nil for NOT_AVAILABLE, and for CONFIDENTIAL values the reader may not see
	Status    Status
	Breakdown json.RawMessage
	Revision  int
}

// Filter narrows observations; nil fields do not filter. A nil Breakdown
// matches every breakdown; an empty one matches the totals.
type Filter struct {
	Indicator     string
	State         *string
	RegionalGroup *string
	From, To      *int
	Breakdown     map[string]string
}

// breakdownKey checks a breakdown filter against the indicator and
// returns its canonical key.
func (c *Catalogue) breakdownKey(ind *Indicator, b map[string]string) (string, error) {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		d, ok := ind.Dimension(k)
		if !ok {
			return "", apperr.BadInputf("%s has no dimension %q", ind.Code, k)
		}
		if !d.Allows(b[k]) {
			return "", apperr.BadInputf("%q is not a value of dimension %s", b[k], k)
		}
		parts[i] = k + "=" + b[k]
	}
	return strings.Join(parts, ";"), nil
}

func (s *Service) indicator(code string) (*Indicator, error) {
	ind, ok := s.cat.Indicator(code)
	if !ok {
		return nil, apperr.BadInputf("unknown indicator %q", code)
	}
	return ind, nil
}

// Observations returns stored values, hiding CONFIDENTIAL ones from all but
// their State's focal point and the secretariat.
func (s *Service) Observations(ctx context.Context, p auth.Principal, f Filter) ([]Observation, error) {
	ctx = auth.WithPrincipal(ctx, p) // the database hides confidential values from p as well
	ind, err := s.indicator(f.Indicator)
	if err != nil {
		return nil, err
	}
	var key *string
	if f.Breakdown != nil {
		k, err := s.cat.breakdownKey(ind, f.Breakdown)
		if err != nil {
			return nil, err
		}
		key = &k
	}
	var st *string
	if f.State != nil {
		if !state.ValidCode(*f.State) {
			return nil, apperr.BadInputf("state: %q is not an ISO 3166-1 alpha-3 code", *f.State)
		}
		up := strings.ToUpper(*f.State)
		st = &up
	}
	// observations_visible hides a CONFIDENTIAL value from those the
	// database's principal may not show it to; the check below repeats it.
	var out []Observation
	err = postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.state_code, o.year, o.value, o.status, o.breakdown, o.revision
			FROM observations_visible o JOIN states s ON s.code = o.state_code
			WHERE o.indicator = $1 AND ($2::text IS NULL OR o.breakdown_key = $2)
				AND ($3::text IS NULL OR o.state_code = $3) AND ($4::text IS NULL OR s.regional_group = $4)
				AND ($5::int IS NULL OR o.year >= $5) AND ($6::int IS NULL OR o.year <= $6)
			ORDER BY o.state_code, o.year, o.breakdown_key LIMIT $7`,
			ind.Code, key, st, f.RegionalGroup, f.From, f.To, MaxObservations+1)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Observation, error) {
			o := Observation{Indicator: ind.Code}
			err := r.Scan(&o.StateCode, &o.Year, &o.Value, &o.Status, &o.Breakdown, &o.Revision)
			if o.Status == Confidential && !auth.SeesConfidential(p, o.StateCode) {
				o.Value = nil
			}
			return o, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read observations: %w", err)
	}
	if len(out) > MaxObservations {
		return nil, apperr.BadInputf("more than %d observations match: narrow the query by state, regionalGroup, years or breakdown", MaxObservations)
	}
	return out, nil
}

// GroupBy splits a trend into series.
type GroupBy string

const (
	GroupNone     GroupBy = "NONE"
	GroupRegional GroupBy = "REGIONAL_GROUP"
	GroupDevelop  GroupBy = "DEVELOPING"
)

// Trend returns yearly values of an indicator over the States that
// reported (REPORTED and ESTIMATED only; CONFIDENTIAL values never count),
// one series per group. breakdown nil or empty means the totals.
func (s *Service) Trend(ctx context.Context, code string, by GroupBy, from, to *int, breakdown map[string]string) ([]TrendSeries, error) {
	var m map[string][]TrendSeries
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		m, err = s.Trends(ctx, tx, TrendQuery{Codes: []string{code}, By: by, From: from, To: to, Breakdown: breakdown})
		return err
	})
	if err != nil {
		return nil, err
	}
	return m[code], nil
}
