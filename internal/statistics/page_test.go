package statistics

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/state"
)

// manyRows stores, for KEN and DEU, one MLA_REQUESTS_RECEIVED value per
// partner State for 2015..2020: 2 × 192 × 6 = 2,304 observations, more
// than the observations list returns.
func manyRows(t *testing.T, f *fixture) int {
	t.Helper()
	n := 0
	for _, st := range []string{"KEN", "DEU"} {
		var rows []Row
		for _, partner := range state.Codes() {
			if partner == st {
				continue
			}
			for year := 2015; year <= 2020; year++ {
				rows = append(rows, Row{Indicator: "MLA_REQUESTS_RECEIVED", Year: year, Value: num(float64(year % 7)),
					Breakdown: map[string]string{"partner": partner}})
			}
		}
		f.mustStore(t, st, rows...)
		n += len(rows)
	}
	if n <= MaxObservations {
		t.Fatalf("stored %d rows, want more than %d", n, MaxObservations)
	}
	return n
}

// TestObservationsRowsAreCapped: the observations list returns at most
// MaxObservations rows and refuses a filter that matches more, naming
// observationsPage; the pages give every row once, in order.
func TestObservationsRowsAreCapped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	total := manyRows(t, f)
	filter := Filter{Indicator: "MLA_REQUESTS_RECEIVED"}

	t.Run("the list refuses more than its cap", func(t *testing.T) {
		_, err := f.svc.Observations(ctx, secretariat, filter)
		if !apperr.Is(err, apperr.BadInput) || !strings.Contains(err.Error(), "observationsPage") {
			t.Fatalf("got %v, want BAD_USER_INPUT naming observationsPage", err)
		}
		kenya := "KEN"
		got, err := f.svc.Observations(ctx, secretariat, Filter{Indicator: "MLA_REQUESTS_RECEIVED", State: &kenya})
		if err != nil || len(got) != total/2 {
			t.Fatalf("KEN alone: %d rows (%v), want %d", len(got), err, total/2)
		}
	})
	t.Run("pages of 1,000 give every row once, in the list's order", func(t *testing.T) {
		var all []Observation
		var after *string
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("more pages than rows allow")
			}
			page, err := f.svc.ObservationsPage(ctx, secretariat, filter, MaxObservationPage, after)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Observations) > MaxObservationPage {
				t.Fatalf("a page of %d rows", len(page.Observations))
			}
			all = append(all, page.Observations...)
			if !page.HasNext {
				break
			}
			after = &page.Cursors[len(page.Cursors)-1]
		}
		if len(all) != total {
			t.Fatalf("got %d rows over the pages, want %d", len(all), total)
		}
		seen := map[string]bool{}
		for i, o := range all {
			k := o.StateCode + string(o.Breakdown) + string(rune(o.Year))
			if seen[k] {
				t.Fatalf("row %d (%s %d %s) twice", i, o.StateCode, o.Year, o.Breakdown)
			}
			seen[k] = true
			if i > 0 && (all[i-1].StateCode > o.StateCode || all[i-1].StateCode == o.StateCode && all[i-1].Year > o.Year) {
				t.Fatalf("row %d out of order after row %d", i, i-1)
			}
		}
	})
	t.Run("a page size over the cap or a forged cursor is BAD_USER_INPUT", func(t *testing.T) {
		for _, c := range []struct {
			first int
			after string
		}{{MaxObservationPage + 1, ""}, {-1, ""}, {10, "nonsense"}, {10, "b2JzOlsiWFgiLDEsIiJd"}} {
			var after *string
			if c.after != "" {
				after = &c.after
			}
			if _, err := f.svc.ObservationsPage(ctx, secretariat, filter, c.first, after); !apperr.Is(err, apperr.BadInput) {
				t.Errorf("first %d after %q: got %v, want BAD_USER_INPUT", c.first, c.after, err)
			}
		}
	})
}

// TestObservationsPageReadsFromTheIndex: the reading order is served by
// an index (no sort of every matching row), so the second page of 100
// reads 101 index entries, however many rows match.
func TestObservationsPageReadsFromTheIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	manyRows(t, f)
	if _, err := f.pool.Exec(ctx, `ANALYZE observations`); err != nil {
		t.Fatal(err)
	}
	first, err := f.svc.ObservationsPage(ctx, secretariat, Filter{Indicator: "MLA_REQUESTS_RECEIVED"}, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := decodeObsCursor(first.Cursors[99])
	if err != nil {
		t.Fatal(err)
	}
	var plan []map[string]any
	if err := f.pool.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) `+readObservationsSQL,
		"MLA_REQUESTS_RECEIVED", nil, nil, nil, nil, nil, 101, cur.State, cur.Year, cur.Key).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var sorts, scanned float64
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		typ, _ := n["Node Type"].(string)
		if typ == "Sort" || typ == "Incremental Sort" {
			sorts++
		}
		if rel, _ := n["Relation Name"].(string); rel == "observations" {
			r, _ := n["Actual Rows"].(float64)
			loops, _ := n["Actual Loops"].(float64)
			scanned += r * max(loops, 1)
		}
		kids, _ := n["Plans"].([]any)
		for _, k := range kids {
			walk(k.(map[string]any))
		}
	}
	walk(plan[0]["Plan"].(map[string]any))
	if sorts > 0 || scanned > 101 {
		b, _ := json.MarshalIndent(plan, "", " ")
		t.Fatalf("the second page sorted %v times and read %v observations, want no sort and at most 101:\n%s", sorts, scanned, b)
	}
}
