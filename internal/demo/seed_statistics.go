package demo

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
)

// seedScaleStatistics gives every chosen State that has no observations
// yet ten years of every indicator: the total and a value for every value
// of every dimension (partners being the other chosen States), through the
// statistics service's streaming ingest, one all-or-nothing batch per
// State. It returns how many States and observations it stored.
func seedScaleStatistics(ctx context.Context, pool *pgxpool.Pool, stats *statistics.Service, chosen []state.State, o ScaleOptions) (int, int, error) {
	var todo []state.State
	for _, st := range chosen {
		has, err := stats.HasObservations(ctx, st.Code)
		if err != nil {
			return 0, 0, fmt.Errorf("seed: %w", err)
		}
		if !has {
			todo = append(todo, st)
		}
	}
	if len(todo) == 0 {
		return 0, 0, nil
	}
	codes := make([]string, len(chosen))
	for i, st := range chosen {
		codes[i] = st.Code
	}
	o.Log.Info("seed: statistics through the streaming ingest", "states", len(todo),
		"years", fmt.Sprintf("%d-%d", FirstStatYear, LastStatYear))
	seeder := auth.Principal{Name: scaleActor, Role: auth.Secretariat}
	cat := stats.Catalogue()
	var done, rows atomic.Int64
	workers := max(1, o.Workers/2) // each batch is one transaction busy in PostgreSQL and in Go
	err := parallel(ctx, workers, len(todo), func(i int) error {
		st := todo[i]
		src := &scaleSource{rows: scaleObservations(cat, st, codes)}
		res, err := stats.Report(ctx, seeder, st.Code, src)
		if err != nil {
			return fmt.Errorf("seed: statistics of %s: %w", st.Code, err)
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("seed: statistics of %s refused: %v", st.Code, res.Errors[0])
		}
		total := rows.Add(int64(res.Accepted))
		if n := done.Add(1); n%20 == 0 || int(n) == len(todo) {
			o.Log.Info("seed: statistics", "states", n, "of", len(todo), "observations", total)
		}
		return nil
	})
	return int(done.Load()), int(rows.Load()), err
}

// scaleSource hands the statistics service one State's rows.
type scaleSource struct {
	rows []statistics.Row
	i    int
}

func (s *scaleSource) Next() (statistics.Row, int, []statistics.RowError, bool, error) {
	if s.i >= len(s.rows) {
		return statistics.Row{}, 0, nil, false, nil
	}
	s.i++
	return s.rows[s.i-1], s.i - 1, nil, true, nil
}

func (s *scaleSource) Unit() string { return "row" }

// scaleObservations makes one State's ten years: for each indicator and
// year a total (now and then estimated, confidential or not available)
// and, for each of its dimensions, a value per dimension value that
// splits the total (the main partners taking most of it).
func scaleObservations(cat *statistics.Catalogue, st state.State, parties []string) []statistics.Row {
	rng := rngFor("statistics", st.Code)
	scale := math.Exp(rng.NormFloat64() * 0.8)
	if st.Developing {
		scale *= 0.6
	}
	var rows []statistics.Row
	for _, ind := range cat.Indicators {
		base, ok := baseValues[ind.Code]
		if !ok {
			base = 100
		}
		growth := 0.06 + rng.NormFloat64()*0.04
		if ind.Aggregation == "median" {
			growth = -0.03 + rng.NormFloat64()*0.02
		}
		// Each dimension's split is stable over the years, with noise.
		weights := make([][]float64, len(ind.Dimensions))
		values := make([][]string, len(ind.Dimensions))
		for d, dim := range ind.Dimensions {
			values[d] = dim.Values
			if dim.CodeList == "states" {
				values[d] = nil
				for _, p := range parties {
					if p != st.Code {
						values[d] = append(values[d], p)
					}
				}
			}
			weights[d] = make([]float64, len(values[d]))
			for i := range weights[d] {
				weights[d][i] = math.Exp(rng.NormFloat64() * 1.2) // a few main partners, a long tail
			}
		}
		for year := FirstStatYear; year <= LastStatYear; year++ {
			row, v := yearRow(ind, year, base, scale, growth, rng)
			rows = append(rows, row)
			if ind.Aggregation == "median" {
				continue // a median does not split
			}
			for d, dim := range ind.Dimensions {
				sum := 0.0
				for _, w := range weights[d] {
					sum += w
				}
				for i, dv := range values[d] {
					share := weights[d][i] / sum * (0.85 + rng.Float64()*0.3)
					rows = append(rows, statistics.Row{Indicator: ind.Code, Year: year, Status: statistics.Reported,
						Value: value(ind, v*share), Breakdown: map[string]string{dim.ID: dv}})
				}
			}
		}
	}
	return rows
}
