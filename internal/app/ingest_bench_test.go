package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/state"
)

// BenchmarkReportObservationsGraphQL sends rows through the real handler
// in batches, as a client would, spreading them over States so that every
// row is a new key.
func BenchmarkReportObservationsGraphQL(b *testing.B) {
	const batch = 5_000 // 10,000 rows with breakdowns exceed the 1 MiB request cap
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			var rowsPerSec []float64
			for b.Loop() {
				b.StopTimer()
				env := apptest.New(b)
				token := env.Secretariat(b)
				rows := uniqueRows(n)
				b.StartTimer()
				start := time.Now()
				for i := 0; i < len(rows); {
					end := min(i+batch, len(rows))
					for j := i + 1; j < end; j++ { // a batch holds one State's rows
						if rows[j].state != rows[i].state {
							end = j
						}
					}
					chunk := rows[i:end]
					i = end
					resp := env.Do(b, token, `mutation($s: ID!, $o: [ObservationInput!]!) {
						reportObservations(state: $s, observations: $o) { accepted errors { row field message } } }`,
						map[string]any{"s": chunk[0].state, "o": chunk})
					var out struct {
						ReportObservations struct {
							Accepted int
							Errors   []any
						}
					}
					resp.Decode(b, &out)
					if out.ReportObservations.Accepted != len(chunk) {
						b.Fatalf("accepted %d of %d: %v", out.ReportObservations.Accepted, len(chunk), out.ReportObservations.Errors)
					}
				}
				rowsPerSec = append(rowsPerSec, float64(n)/time.Since(start).Seconds())
			}
			sum := 0.0
			for _, r := range rowsPerSec {
				sum += r
			}
			b.ReportMetric(sum/float64(len(rowsPerSec)), "rows/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

type benchRow struct {
	state     string
	Indicator string            `json:"indicator"`
	Year      int               `json:"year"`
	Value     float64           `json:"value"`
	Breakdown map[string]string `json:"breakdown,omitempty"`
}

// uniqueRows makes n distinct observations: five cooperation indicators,
// every year, partner and offence combination (430,680 keys), then the
// next State.
func uniqueRows(n int) []benchRow {
	indicators := []string{"MLA_REQUESTS_SENT", "MLA_REQUESTS_RECEIVED", "MLA_REQUESTS_EXECUTED",
		"EXTRADITION_REQUESTS_SENT", "EXTRADITION_REQUESTS_RECEIVED"}
	offences := []string{"", "illegal_access", "illegal_interception", "interference_with_data", "interference_with_systems",
		"misuse_of_devices", "computer_related_forgery", "computer_related_fraud_theft", "child_sexual_abuse_material",
		"solicitation_grooming", "non_consensual_intimate_images", "laundering_proceeds_of_crime"}
	partners := append([]string{""}, state.Codes()...)
	reporters := []string{"KEN", "BRA", "NOR", "IND", "POL"}
	rows := make([]benchRow, 0, n)
	last := time.Now().Year()
	for _, st := range reporters {
		for _, ind := range indicators {
			for year := last; year >= 1990; year-- {
				for _, p := range partners {
					for _, o := range offences {
						if len(rows) == n {
							return rows
						}
						r := benchRow{state: st, Indicator: ind, Year: year, Value: float64(len(rows) % 97)}
						if p != "" || o != "" {
							r.Breakdown = map[string]string{}
							if p != "" {
								r.Breakdown["partner"] = p
							}
							if o != "" {
								r.Breakdown["offence"] = o
							}
						}
						rows = append(rows, r)
					}
				}
			}
		}
	}
	return rows
}
