package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
)

// Demo statistics cover ten calendar years.
const (
	FirstStatYear = 2016
	LastStatYear  = 2025
)

// indicative sizes of a mid-sized State's yearly figures, per indicator
var baseValues = map[string]float64{
	"OFFENCES_RECORDED": 4200, "PERSONS_PROSECUTED": 610, "PERSONS_CONVICTED": 380,
	"MLA_REQUESTS_SENT": 95, "MLA_REQUESTS_RECEIVED": 120, "MLA_REQUESTS_EXECUTED": 88, "MLA_REQUESTS_REFUSED": 9,
	"MLA_EXECUTION_DAYS_MEDIAN": 140, "EXTRADITION_REQUESTS_SENT": 7, "EXTRADITION_REQUESTS_RECEIVED": 9,
	"PERSONS_EXTRADITED": 4, "PRESERVATION_REQUESTS_SENT": 160, "PRESERVATION_REQUESTS_RECEIVED": 190,
	"NETWORK_24_7_REQUESTS_SENT": 70, "NETWORK_24_7_REQUESTS_RECEIVED": 85, "PERSONS_TRAINED": 340,
	"TA_PROJECTS_RECEIVED": 3, "TA_PROJECTS_DELIVERED": 2, "PROCEEDS_FROZEN": 2.4e6, "PROCEEDS_CONFISCATED": 1.1e6,
	"PROCEEDS_RETURNED": 3.5e5, "PROCEEDS_RECOVERED_FROM_ABROAD": 2.8e5,
}

// SeedStatistics loads ten years of plausible, synthetic statistics for
// every State Party, once: it does nothing when observations exist. The
// demo focal point's State lacks its last year, to be reported in the tour.
func SeedStatistics(ctx context.Context, pool *pgxpool.Pool, stats *statistics.Service, log *slog.Logger) error {
	exists, err := stats.HasObservations(ctx, "")
	if err != nil {
		return err
	}
	if exists {
		return nil
	}
	party := true
	parties, err := state.NewStore(pool).List(ctx, state.Filter{Party: &party})
	if err != nil {
		return err
	}
	seeder := auth.Principal{Name: seedActor, Role: auth.Secretariat}
	rng := rand.New(rand.NewPCG(2016, 2025))
	cat := stats.Catalogue()
	total := 0
	for _, st := range parties {
		scale := math.Exp(rng.NormFloat64() * 0.8)
		if st.Developing {
			scale *= 0.6
		}
		var rows []statistics.Row
		for _, ind := range cat.Indicators {
			base, ok := baseValues[ind.Code]
			if !ok {
				continue
			}
			growth := 0.06 + rng.NormFloat64()*0.04
			if ind.Aggregation == "median" {
				growth = -0.03 + rng.NormFloat64()*0.02 // execution gets faster
			}
			for year := FirstStatYear; year <= LastStatYear; year++ {
				if st.Code == FocalPointState && year == LastStatYear {
					continue
				}
				row, v := yearRow(ind, year, base, scale, growth, rng)
				rows = append(rows, row)
				rows = append(rows, breakdowns(ind, year, v, rng, st.Code, parties)...)
			}
		}
		res, err := stats.Report(ctx, seeder, st.Code, &statistics.SliceSource{Rows: rows})
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("demo statistics for %s: %v", st.Code, res.Errors[0])
		}
		total += res.Accepted
	}
	log.Info("demo statistics loaded (synthetic)", "observations", total, "years", fmt.Sprintf("%d-%d", FirstStatYear, LastStatYear))
	return nil
}

// breakdowns splits a yearly total by the indicator's first dimension:
// every offence type, or a few partner States.
func breakdowns(ind *statistics.Indicator, year int, total float64, rng *rand.Rand, self string, parties []state.State) []statistics.Row {
	if len(ind.Dimensions) == 0 {
		return nil
	}
	d := ind.Dimensions[0]
	values := d.Values
	if d.CodeList == "states" {
		values = nil
		for len(values) < 3 {
			p := parties[rng.IntN(len(parties))].Code
			if p != self && !slices.Contains(values, p) {
				values = append(values, p)
			}
		}
	}
	weights := make([]float64, len(values))
	sum := 0.0
	for i := range weights {
		weights[i] = 0.2 + rng.Float64()
		sum += weights[i]
	}
	share := 1.0
	if d.CodeList == "states" {
		share = 0.5 // the main partners only
	}
	rows := make([]statistics.Row, len(values))
	for i, v := range values {
		rows[i] = statistics.Row{Indicator: ind.Code, Year: year, Status: statistics.Reported,
			Value: value(ind, total*share*weights[i]/sum), Breakdown: map[string]string{d.ID: v}}
	}
	return rows
}

// yearRow is an indicator's synthetic total for one year: a trend with
// noise, now and then not available, estimated or confidential; v is the
// value before rounding, which breakdowns split.
func yearRow(ind *statistics.Indicator, year int, base, scale, growth float64, rng *rand.Rand) (statistics.Row, float64) {
	v := base * scale * math.Pow(1+growth, float64(year-FirstStatYear)) * (0.9 + rng.Float64()*0.2)
	if ind.Aggregation == "median" {
		v = base * math.Pow(1+growth, float64(year-FirstStatYear)) * (0.8 + rng.Float64()*0.4)
	}
	row := statistics.Row{Indicator: ind.Code, Year: year, Value: value(ind, v), Status: statistics.Reported}
	switch r := rng.Float64(); {
	case r < 0.03:
		row.Status, row.Value = statistics.NotAvailable, nil
	case r < 0.05:
		row.Status = statistics.Estimated
	case r < 0.06:
		row.Status = statistics.Confidential
	}
	return row, v
}

func value(ind *statistics.Indicator, v float64) *float64 {
	if ind.Integer {
		v = math.Round(v)
	} else {
		v = math.Round(v*100) / 100
	}
	return &v
}
