package statistics

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// obsString writes observations compactly: "STATE year key=value status value rN".
func obsString(obs []Observation) string {
	var parts []string
	for _, o := range obs {
		parts = append(parts, fmt.Sprintf("%s %d %s %s %s r%d", o.StateCode, o.Year, o.Breakdown, o.Status, show(o.Value), o.Revision))
	}
	return strings.Join(parts, "\n")
}

func TestObservationsConfidentiality(t *testing.T) {
	f := newFixture(t)
	f.mustStore(t, "KEN",
		Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(120)},
		Row{Indicator: "OFFENCES_RECORDED", Year: 2021, Value: num(999), Status: Confidential},
		Row{Indicator: "OFFENCES_RECORDED", Year: 2019, Status: NotAvailable})
	f.mustStore(t, "DEU", Row{Indicator: "OFFENCES_RECORDED", Year: 2021, Value: num(7), Status: Confidential})

	cases := []struct {
		name string
		p    auth.Principal
		want string
	}{
		{"the secretariat sees every confidential value", secretariat,
			"DEU 2021 {} CONFIDENTIAL 7 r1\nKEN 2019 {} NOT_AVAILABLE nil r1\nKEN 2020 {} REPORTED 120 r1\nKEN 2021 {} CONFIDENTIAL 999 r1"},
		{"a State's focal point sees its own confidential value, not another's", focalPoint("KEN"),
			"DEU 2021 {} CONFIDENTIAL nil r1\nKEN 2019 {} NOT_AVAILABLE nil r1\nKEN 2020 {} REPORTED 120 r1\nKEN 2021 {} CONFIDENTIAL 999 r1"},
		{"another State's focal point sees null for it", focalPoint("DEU"),
			"DEU 2021 {} CONFIDENTIAL 7 r1\nKEN 2019 {} NOT_AVAILABLE nil r1\nKEN 2020 {} REPORTED 120 r1\nKEN 2021 {} CONFIDENTIAL nil r1"},
		{"a working-group member sees null for every confidential value", memberIC,
			"DEU 2021 {} CONFIDENTIAL nil r1\nKEN 2019 {} NOT_AVAILABLE nil r1\nKEN 2020 {} REPORTED 120 r1\nKEN 2021 {} CONFIDENTIAL nil r1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.svc.Observations(context.Background(), tc.p, Filter{Indicator: "OFFENCES_RECORDED"})
			if err != nil {
				t.Fatal(err)
			}
			if s := obsString(got); s != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", s, tc.want)
			}
		})
	}

	t.Run("confidential values never enter a trend", func(t *testing.T) {
		got, err := f.svc.Trend(context.Background(), "OFFENCES_RECORDED", GroupNone, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkSeries(t, got, []wantSeries{{"ALL", "2020:120/1", nil, nil, nil}})
	})
}

func TestObservationsFilters(t *testing.T) {
	f := newFixture(t)
	row := func(year int, v float64, b map[string]string) Row {
		return Row{Indicator: "OFFENCES_RECORDED", Year: year, Value: num(v), Breakdown: b}
	}
	access := map[string]string{"offence": "illegal_access"}
	fraud := map[string]string{"offence": "computer_related_fraud_theft"}
	f.mustStore(t, "KEN", row(2019, 1, nil), row(2020, 2, nil), row(2020, 3, access), row(2021, 4, fraud))
	f.mustStore(t, "DEU", row(2020, 5, nil), row(2020, 6, access))
	f.mustStore(t, "BRA", row(2021, 7, nil))
	f.mustStore(t, "KEN", row(2020, 20, nil)) // revision 2
	f.mustStore(t, "KEN", Row{Indicator: "PERSONS_CONVICTED", Year: 2020, Value: num(99)})
	str := func(s string) *string { return &s }
	year := func(y int) *int { return &y }

	cases := []struct {
		name   string
		filter Filter
		want   string
	}{
		{"only the indicator: every State, year and breakdown, by State and year", Filter{},
			"BRA 2021 {} REPORTED 7 r1\n" +
				"DEU 2020 {} REPORTED 5 r1\nDEU 2020 {\"offence\": \"illegal_access\"} REPORTED 6 r1\n" +
				"KEN 2019 {} REPORTED 1 r1\nKEN 2020 {} REPORTED 20 r2\nKEN 2020 {\"offence\": \"illegal_access\"} REPORTED 3 r1\n" +
				"KEN 2021 {\"offence\": \"computer_related_fraud_theft\"} REPORTED 4 r1"},
		{"a State", Filter{State: str("DEU")},
			"DEU 2020 {} REPORTED 5 r1\nDEU 2020 {\"offence\": \"illegal_access\"} REPORTED 6 r1"},
		{"a State in lower case", Filter{State: str("bra")}, "BRA 2021 {} REPORTED 7 r1"},
		{"a State with nothing reported", Filter{State: str("FRA")}, ""},
		{"a regional group", Filter{RegionalGroup: str("LATIN_AMERICAN_CARIBBEAN")}, "BRA 2021 {} REPORTED 7 r1"},
		{"from", Filter{From: year(2021)},
			"BRA 2021 {} REPORTED 7 r1\nKEN 2021 {\"offence\": \"computer_related_fraud_theft\"} REPORTED 4 r1"},
		{"to", Filter{To: year(2019)}, "KEN 2019 {} REPORTED 1 r1"},
		{"from and to", Filter{State: str("KEN"), From: year(2020), To: year(2020)},
			"KEN 2020 {} REPORTED 20 r2\nKEN 2020 {\"offence\": \"illegal_access\"} REPORTED 3 r1"},
		{"an empty breakdown: the totals only", Filter{Breakdown: map[string]string{}},
			"BRA 2021 {} REPORTED 7 r1\nDEU 2020 {} REPORTED 5 r1\nKEN 2019 {} REPORTED 1 r1\nKEN 2020 {} REPORTED 20 r2"},
		{"a breakdown: that breakdown only", Filter{Breakdown: access},
			"DEU 2020 {\"offence\": \"illegal_access\"} REPORTED 6 r1\nKEN 2020 {\"offence\": \"illegal_access\"} REPORTED 3 r1"},
		{"every filter at once", Filter{State: str("KEN"), RegionalGroup: str("AFRICAN"), From: year(2019), To: year(2021), Breakdown: map[string]string{}},
			"KEN 2019 {} REPORTED 1 r1\nKEN 2020 {} REPORTED 20 r2"},
		{"a State outside the regional group", Filter{State: str("KEN"), RegionalGroup: str("WESTERN_EUROPEAN_OTHER")}, ""},
	}
	for _, tc := range cases {
		t.Run("filtered by "+tc.name, func(t *testing.T) {
			tc.filter.Indicator = "OFFENCES_RECORDED"
			got, err := f.svc.Observations(context.Background(), memberIC, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if s := obsString(got); s != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", s, tc.want)
			}
			for _, o := range got {
				if o.Indicator != "OFFENCES_RECORDED" {
					t.Errorf("got indicator %s, want OFFENCES_RECORDED", o.Indicator)
				}
			}
		})
	}

	bad := []struct {
		name   string
		filter Filter
	}{
		{"an unknown indicator", Filter{Indicator: "NOPE"}},
		{"a breakdown by a dimension the indicator lacks", Filter{Indicator: "OFFENCES_RECORDED", Breakdown: map[string]string{"partner": "KEN"}}},
		{"a breakdown by an unknown value", Filter{Indicator: "OFFENCES_RECORDED", Breakdown: map[string]string{"offence": "jaywalking"}}},
	}
	for _, tc := range bad {
		t.Run(tc.name+" is BAD_USER_INPUT", func(t *testing.T) {
			_, err := f.svc.Observations(context.Background(), secretariat, tc.filter)
			if got := apperr.CodeOf(err); got != apperr.BadInput {
				t.Fatalf("got %v (code %s), want BAD_USER_INPUT", err, got)
			}
		})
	}
}

// TestHasObservations: the demo asks the owner whether statistics are
// stored (issue 14: it named the observations table in its own SQL).
func TestHasObservations(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, state := range []string{"", "KEN"} {
		if has, err := f.svc.HasObservations(ctx, state); err != nil || has {
			t.Fatalf("HasObservations(%q) before any = %v, %v", state, has, err)
		}
	}
	f.mustStore(t, "KEN", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(1)})
	for state, want := range map[string]bool{"": true, "KEN": true, "UGA": false} {
		if has, err := f.svc.HasObservations(ctx, state); err != nil || has != want {
			t.Errorf("HasObservations(%q) = %v, %v; want %v", state, has, err, want)
		}
	}
}
