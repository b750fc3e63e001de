package statistics

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
)

func pts(yv ...float64) []TrendPoint {
	out := make([]TrendPoint, 0, len(yv)/2)
	for i := 0; i+1 < len(yv); i += 2 {
		out = append(out, TrendPoint{Year: int(yv[i]), Value: yv[i+1], States: 1})
	}
	return out
}

func TestTrendSummarize(t *testing.T) {
	cases := []struct {
		name                string
		points              []TrendPoint
		change, cagr, slope *float64
	}{
		{"10% a year for two years", pts(2019, 100, 2020, 110, 2021, 121), num(10), num(10), num(10.5)},
		{"a single point has no figure", pts(2020, 100), nil, nil, nil},
		{"no point has no figure", nil, nil, nil, nil},
		{"a zero base has no change and no growth rate", pts(2020, 0, 2021, 5), nil, nil, num(5)},
		{"a zero first year has no growth rate, a later change does", pts(2019, 0, 2020, 50, 2021, 100), num(100), nil, num(50)},
		{"a fall to zero is -100% change and -100% growth", pts(2020, 80, 2021, 0), num(-100), num(-100), num(-80)},
		{"a gap year: growth over two years, change over the previous point",
			pts(2018, 100, 2020, 121), num(21), num(10), num(10.5)},
		{"a flat series", pts(2015, 7, 2016, 7, 2017, 7, 2018, 7), num(0), num(0), num(0)},
		{"a decline", pts(2020, 200, 2021, 150), num(-25), num(-25), num(-50)},
		{"least squares through scattered points", pts(2019, 300, 2020, 400, 2021, 440), num(10), num(100 * (math.Sqrt(440.0/300) - 1)), num(70)},
		{"five years of growth", pts(2016, 1000, 2017, 1100, 2018, 1300, 2019, 1200, 2020, 1464.1),
			// change 1464.1/1200-1; cagr (1.4641)^(1/4)-1 = 10%; slope by hand:
			// mean year 2018, mean value 1212.82; Σdx·dy = -2·(-212.82) - 1·(-112.82) + 0 + 1·(-12.82) + 2·251.28 = 1028.2; Σdx² = 10.
			num(100 * (1464.1/1200 - 1)), num(10), num(102.82)},
		{"negative values: the change is relative to the size of the base, no growth rate", pts(2020, -50, 2021, -25), num(50), nil, num(25)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := TrendSeries{Group: "ALL", Points: tc.points}
			summarize(&s)
			for _, f := range []struct {
				name      string
				got, want *float64
			}{{"changePct", s.ChangePct, tc.change}, {"cagrPct", s.CagrPct, tc.cagr}, {"slope", s.Slope, tc.slope}} {
				if !sameOptional(f.got, f.want) {
					t.Errorf("%s: got %s, want %s", f.name, show(f.got), show(f.want))
				}
			}
		})
	}
}

// trendFixture seeds States of different regional groups and development
// status with known values:
//
//	         KEN (AFR, dev)  NGA (AFR, dev)  IND (AP, dev)  DEU (WEOG)  FRA (WEOG)  JPN (AP)
//	2019     100             —               NOT_AVAILABLE  200         —           999 CONFIDENTIAL
//	2020     120             30 ESTIMATED    —              210         40          —
//	2021     150             CONFIDENTIAL    40             250         1000 CONF.  —
//
// plus offence breakdowns (illegal_access: KEN 2020 60, DEU 2020 70 and
// 2021 80) that must never enter totals, and median days to execute MLA
// (KEN 2020 30, 2021 30; DEU 2020 50, 2021 60; FRA 2021 90 ESTIMATED;
// IND 2021 1000 CONFIDENTIAL; JPN 2019 5 ESTIMATED).
func trendFixture(t *testing.T) *fixture {
	f := newFixture(t)
	total := func(year int, v *float64, st Status) Row {
		return Row{Indicator: "OFFENCES_RECORDED", Year: year, Value: v, Status: st}
	}
	access := func(year int, v float64) Row {
		return Row{Indicator: "OFFENCES_RECORDED", Year: year, Value: num(v), Breakdown: map[string]string{"offence": "illegal_access"}}
	}
	days := func(year int, v float64, st Status) Row {
		return Row{Indicator: "MLA_EXECUTION_DAYS_MEDIAN", Year: year, Value: num(v), Status: st}
	}
	f.mustStore(t, "KEN", total(2019, num(100), ""), total(2020, num(120), ""), total(2021, num(150), ""),
		access(2020, 60), days(2020, 30, ""), days(2021, 30, ""))
	f.mustStore(t, "NGA", total(2020, num(30), Estimated), total(2021, nil, Confidential))
	f.mustStore(t, "IND", total(2019, nil, NotAvailable), total(2021, num(40), ""), days(2021, 1000, Confidential))
	f.mustStore(t, "DEU", total(2019, num(200), ""), total(2020, num(210), ""), total(2021, num(250), ""),
		access(2020, 70), access(2021, 80), days(2020, 50, ""), days(2021, 60, ""))
	f.mustStore(t, "FRA", total(2020, num(40), ""), total(2021, num(1000), Confidential), days(2021, 90, Estimated))
	f.mustStore(t, "JPN", total(2019, num(999), Confidential), days(2019, 5, Estimated))
	return f
}

// series is a trend written compactly: "year:value/states ...".
func seriesString(s TrendSeries) string {
	var parts []string
	for _, p := range s.Points {
		parts = append(parts, fmt.Sprintf("%d:%g/%d", p.Year, p.Value, p.States))
	}
	return strings.Join(parts, " ")
}

type wantSeries struct {
	group, points       string
	change, cagr, slope *float64
}

func checkSeries(t *testing.T, got []TrendSeries, want []wantSeries) {
	t.Helper()
	if len(got) != len(want) {
		var groups []string
		for _, s := range got {
			groups = append(groups, s.Group)
		}
		t.Fatalf("got series %v, want %d", groups, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Group != w.group || seriesString(g) != w.points {
			t.Errorf("series %d: got %s [%s], want %s [%s]", i, g.Group, seriesString(g), w.group, w.points)
			continue
		}
		for _, f := range []struct {
			name      string
			got, want *float64
		}{{"changePct", g.ChangePct, w.change}, {"cagrPct", g.CagrPct, w.cagr}, {"slope", g.Slope, w.slope}} {
			if !sameOptional(f.got, f.want) {
				t.Errorf("%s %s: got %s, want %s", w.group, f.name, show(f.got), show(f.want))
			}
		}
	}
}

func TestTrend(t *testing.T) {
	f := trendFixture(t)
	ctx := context.Background()
	year := func(y int) *int { return &y }
	pct := func(ratio, years float64) *float64 { return num(100 * (math.Pow(ratio, 1/years) - 1)) }

	cases := []struct {
		name      string
		indicator string
		by        GroupBy
		from, to  *int
		breakdown map[string]string
		want      []wantSeries
	}{
		{
			name: "NONE sums REPORTED and ESTIMATED totals of the States that reported, CONFIDENTIAL and NOT_AVAILABLE left out",
			by:   GroupNone,
			want: []wantSeries{{"ALL", "2019:300/2 2020:400/4 2021:440/3", num(10), pct(440.0/300, 2), num(70)}},
		},
		{
			name: "an empty groupBy is NONE",
			by:   "",
			want: []wantSeries{{"ALL", "2019:300/2 2020:400/4 2021:440/3", num(10), pct(440.0/300, 2), num(70)}},
		},
		{
			name: "from and to bound the years, and the figures follow the range",
			by:   GroupNone, from: year(2020), to: year(2021),
			want: []wantSeries{{"ALL", "2020:400/4 2021:440/3", num(10), num(10), num(40)}},
		},
		{
			name: "a single year has no figures",
			by:   GroupNone, from: year(2019), to: year(2019),
			want: []wantSeries{{"ALL", "2019:300/2", nil, nil, nil}},
		},
		{
			name: "a range with no data is an empty series",
			by:   GroupNone, from: year(2000), to: year(2010),
			want: []wantSeries{{"ALL", "", nil, nil, nil}},
		},
		{
			name: "REGIONAL_GROUP: one series per group in the contract's order, empty groups included",
			by:   GroupRegional,
			want: []wantSeries{
				{"AFRICAN", "2019:100/1 2020:150/2 2021:150/1", num(0), pct(1.5, 2), num(25)},
				{"ASIA_PACIFIC", "2021:40/1", nil, nil, nil},
				{"EASTERN_EUROPEAN", "", nil, nil, nil},
				{"LATIN_AMERICAN_CARIBBEAN", "", nil, nil, nil},
				{"WESTERN_EUROPEAN_OTHER", "2019:200/1 2020:250/2 2021:250/1", num(0), pct(1.25, 2), num(25)},
			},
		},
		{
			name: "DEVELOPING: developing States and the others",
			by:   GroupDevelop,
			want: []wantSeries{
				{"DEVELOPING", "2019:100/1 2020:150/2 2021:190/2", num(100 * 40.0 / 150), pct(1.9, 2), num(45)},
				{"OTHER", "2019:200/1 2020:250/2 2021:250/1", num(0), pct(1.25, 2), num(25)},
			},
		},
		{
			name: "a breakdown gives that breakdown's values, never the totals",
			by:   GroupNone, breakdown: map[string]string{"offence": "illegal_access"},
			want: []wantSeries{{"ALL", "2020:130/2 2021:80/1", num(100 * (80.0 - 130) / 130), pct(80.0/130, 1), num(-50)}},
		},
		{
			name: "an empty breakdown is the totals",
			by:   GroupNone, breakdown: map[string]string{},
			want: []wantSeries{{"ALL", "2019:300/2 2020:400/4 2021:440/3", num(10), pct(440.0/300, 2), num(70)}},
		},
		{
			name:      "a median indicator gives the median of the States' values, not their sum",
			indicator: "MLA_EXECUTION_DAYS_MEDIAN", by: GroupNone,
			// 2019: JPN 5 (ESTIMATED); 2020: KEN 30, DEU 50; 2021: KEN 30, DEU 60, FRA 90 (ESTIMATED), IND 1000 CONFIDENTIAL.
			want: []wantSeries{{"ALL", "2019:5/1 2020:40/2 2021:60/3", num(50), pct(12, 2), num(27.5)}},
		},
		{
			name:      "a median by regional group",
			indicator: "MLA_EXECUTION_DAYS_MEDIAN", by: GroupRegional, from: year(2021),
			want: []wantSeries{
				{"AFRICAN", "2021:30/1", nil, nil, nil},
				{"ASIA_PACIFIC", "", nil, nil, nil},
				{"EASTERN_EUROPEAN", "", nil, nil, nil},
				{"LATIN_AMERICAN_CARIBBEAN", "", nil, nil, nil},
				{"WESTERN_EUROPEAN_OTHER", "2021:75/2", nil, nil, nil},
			},
		},
		{
			name:      "an indicator nobody reported is an empty series",
			indicator: "PERSONS_TRAINED", by: GroupNone,
			want: []wantSeries{{"ALL", "", nil, nil, nil}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ind := tc.indicator
			if ind == "" {
				ind = "OFFENCES_RECORDED"
			}
			got, err := f.svc.Trend(ctx, ind, tc.by, tc.from, tc.to, tc.breakdown)
			if err != nil {
				t.Fatal(err)
			}
			checkSeries(t, got, tc.want)
		})
	}

	bad := []struct {
		name      string
		indicator string
		by        GroupBy
		breakdown map[string]string
	}{
		{"an unknown indicator", "NOPE", GroupNone, nil},
		{"an unknown groupBy", "OFFENCES_RECORDED", "CONTINENT", nil},
		{"a breakdown by a dimension the indicator lacks", "OFFENCES_RECORDED", GroupNone, map[string]string{"partner": "KEN"}},
		{"a breakdown by an unknown value", "OFFENCES_RECORDED", GroupNone, map[string]string{"offence": "jaywalking"}},
	}
	for _, tc := range bad {
		t.Run(tc.name+" is BAD_USER_INPUT", func(t *testing.T) {
			_, err := f.svc.Trend(ctx, tc.indicator, tc.by, nil, nil, tc.breakdown)
			if got := apperr.CodeOf(err); got != apperr.BadInput {
				t.Fatalf("got %v (code %s), want BAD_USER_INPUT", err, got)
			}
		})
	}
}
