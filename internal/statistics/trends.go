package statistics

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/state"
)

// AllGroup names the series over every State.
const AllGroup = "ALL"

// TrendQuery asks for the trends of several indicators at once.
type TrendQuery struct {
	Codes     []string
	By        GroupBy
	WithAll   bool // with GroupRegional or GroupDevelop, also the series over every State, last
	From, To  *int
	Breakdown map[string]string // nil or empty: the totals; must suit every indicator
}

// Trends returns each indicator's series in one statement, read through db
// (the pool, or a report's snapshot transaction): REPORTED and ESTIMATED
// values only; CONFIDENTIAL ones never count. Indicators aggregated by
// median take the median across States, the others the sum.
func (s *Service) Trends(ctx context.Context, db postgres.DB, tq TrendQuery) (map[string][]TrendSeries, error) {
	inds := make([]*Indicator, len(tq.Codes))
	keys := map[string]bool{}
	var key string
	for i, code := range tq.Codes {
		ind, err := s.indicator(code)
		if err != nil {
			return nil, err
		}
		inds[i] = ind
		if key, err = s.cat.breakdownKey(ind, tq.Breakdown); err != nil {
			return nil, err
		}
		keys[key] = true
	}
	if len(keys) > 1 {
		return nil, apperr.BadInputT("one breakdown must suit every indicator")
	}
	var groups []string
	var groupExpr string
	switch tq.By {
	case GroupNone, "":
		groups, groupExpr = []string{AllGroup}, `'ALL'`
	case GroupRegional:
		groups, groupExpr = state.RegionalGroups(), `s.regional_group`
	case GroupDevelop:
		groups, groupExpr = []string{"DEVELOPING", "OTHER"}, `CASE WHEN s.developing THEN 'DEVELOPING' ELSE 'OTHER' END`
	default:
		return nil, apperr.BadInputT("unknown groupBy \"{by}\"", "by", tq.By)
	}
	sets := `(o.indicator, grp, o.year)`
	if tq.WithAll && tq.By != GroupNone && tq.By != "" {
		sets += `, (o.indicator, o.year)`
		groups = append(append([]string{}, groups...), AllGroup)
	}
	// Sums for the indicators aggregated by sum, medians only for those
	// aggregated by median: a median (an ordered-set aggregate) makes
	// PostgreSQL sort every group, which costs a third of the statement
	// when it is computed for every indicator of a working group.
	var sums, medians []string
	for _, ind := range inds {
		if ind.Aggregation == "median" {
			medians = append(medians, ind.Code)
		} else {
			sums = append(sums, ind.Code)
		}
	}
	// groupExpr and sets are chosen above from fixed strings, never from input.
	branch := func(codes, median string) string {
		return `SELECT o.indicator, CASE WHEN grouping(grp) = 1 THEN 'ALL' ELSE coalesce(grp, '') END,
			o.year, sum(o.value), ` + median + `, count(*)
		FROM observations o JOIN states s ON s.code = o.state_code, LATERAL (SELECT ` + groupExpr + ` AS grp) g
		WHERE o.indicator = ANY(` + codes + `) AND o.breakdown_key = $2 AND o.status IN ('REPORTED', 'ESTIMATED')
			AND ($3::int IS NULL OR o.year >= $3) AND ($4::int IS NULL OR o.year <= $4)
		GROUP BY GROUPING SETS (` + sets + `)`
	}
	rows, err := db.Query(ctx, `(`+branch(`$1`, `0::float8`)+`) UNION ALL (`+
		branch(`$5`, `percentile_cont(0.5) WITHIN GROUP (ORDER BY o.value)`)+`) ORDER BY 1, 2, 3`,
		sums, key, tq.From, tq.To, medians)
	if err != nil {
		return nil, fmt.Errorf("trends: %w", err)
	}
	type series struct{ code, group string }
	points := map[series][]TrendPoint{}
	var code, grp string
	var year, n int
	var sum, median float64
	if _, err := pgx.ForEachRow(rows, []any{&code, &grp, &year, &sum, &median, &n}, func() error {
		v := sum
		if ind, _ := s.cat.Indicator(code); ind.Aggregation == "median" {
			v = median
		}
		k := series{code, grp}
		points[k] = append(points[k], TrendPoint{Year: year, Value: v, States: n})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("trends: %w", err)
	}
	out := make(map[string][]TrendSeries, len(inds))
	for _, ind := range inds {
		list := make([]TrendSeries, len(groups))
		for i, g := range groups {
			list[i] = TrendSeries{Group: g, Points: points[series{ind.Code, g}]}
			if list[i].Points == nil {
				list[i].Points = []TrendPoint{}
			}
			summarize(&list[i])
		}
		out[ind.Code] = list
	}
	return out, nil
}
