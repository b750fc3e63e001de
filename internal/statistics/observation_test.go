package statistics

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
)

// goodRow is a valid row the bad-row cases start from.
func goodRow() Row {
	return Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(12)}
}

// badRowCase is one validation rule: a row that breaks only that rule,
// and the field the one error must name.
type badRowCase struct {
	name    string
	row     Row
	field   string
	message string // a part of the message
}

func badRowCases() []badRowCase {
	with := func(edit func(r *Row)) Row {
		r := goodRow()
		edit(&r)
		return r
	}
	return []badRowCase{
		{"an unknown indicator", with(func(r *Row) { r.Indicator = "OFFENCES_IMAGINED" }), "indicator", `unknown indicator "OFFENCES_IMAGINED"`},
		{"an empty indicator", with(func(r *Row) { r.Indicator = "" }), "indicator", "unknown indicator"},
		{"the year 1989, before 1990", with(func(r *Row) { r.Year = 1989 }), "year", "outside 1990.."},
		{"next year", with(func(r *Row) { r.Year = testYear + 1 }), "year", "outside 1990.."},
		{"year 0 (not given)", with(func(r *Row) { r.Year = 0 }), "year", "outside"},
		{"a negative count", with(func(r *Row) { r.Value = num(-1) }), "value", "cannot be negative"},
		{"a negative amount in USD", Row{Indicator: "PROCEEDS_FROZEN", Year: 2020, Value: num(-0.5)}, "value", "cannot be negative"},
		{"a fractional value for an integer indicator", with(func(r *Row) { r.Value = num(2.5) }), "value", "whole number"},
		{"a fractional number of persons", Row{Indicator: "PERSONS_TRAINED", Year: 2020, Value: num(10.01)}, "value", "whole number"},
		{"a missing value for REPORTED", with(func(r *Row) { r.Value = nil; r.Status = Reported }), "value", "REPORTED value is missing"},
		{"a missing value with no status (REPORTED by default)", with(func(r *Row) { r.Value = nil }), "value", "REPORTED value is missing"},
		{"a missing value for ESTIMATED", with(func(r *Row) { r.Value = nil; r.Status = Estimated }), "value", "ESTIMATED value is missing"},
		{"a value given with NOT_AVAILABLE", with(func(r *Row) { r.Status = NotAvailable }), "value", "carries no value"},
		{"a zero given with NOT_AVAILABLE", with(func(r *Row) { r.Value = num(0); r.Status = NotAvailable }), "value", "carries no value"},
		{"NaN", with(func(r *Row) { r.Value = num(math.NaN()) }), "value", "not a finite number"},
		{"+Inf", with(func(r *Row) { r.Value = num(math.Inf(1)) }), "value", "not a finite number"},
		{"a huge value, 1e16", with(func(r *Row) { r.Value = num(1e16) }), "value", "not a finite number"},
		{"a huge negative value", Row{Indicator: "PROCEEDS_FROZEN", Year: 2020, Value: num(-1e300)}, "value", "not a finite number"},
		{"a dimension the indicator does not have", with(func(r *Row) { r.Breakdown = map[string]string{"profession": "police"} }), "breakdown.profession", `no dimension "profession"`},
		{"a dimension nobody has", with(func(r *Row) { r.Breakdown = map[string]string{"colour": "red"} }), "breakdown.colour", `no dimension "colour"`},
		{"an unknown offence", with(func(r *Row) { r.Breakdown = map[string]string{"offence": "jaywalking"} }), "breakdown.offence", `"jaywalking" is not a value`},
		{"an empty dimension value", with(func(r *Row) { r.Breakdown = map[string]string{"offence": ""} }), "breakdown.offence", "is not a value"},
		{"a partner that is not an ISO3 code", Row{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3), Breakdown: map[string]string{"partner": "XXX"}}, "breakdown.partner", `"XXX" is not a value`},
		{"a partner in lower case", Row{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3), Breakdown: map[string]string{"partner": "ken"}}, "breakdown.partner", "is not a value"},
		{"a partner given as ISO2", Row{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3), Breakdown: map[string]string{"partner": "KE"}}, "breakdown.partner", "is not a value"},
		{"an unknown status", with(func(r *Row) { r.Status = "MAYBE" }), "status", `unknown status "MAYBE"`},
		{"a lower-case status", with(func(r *Row) { r.Status = "reported" }), "status", "unknown status"},
	}
}

func TestObservationCheckRefusesEachRuleAlone(t *testing.T) {
	cat := shipped(t)
	for _, tc := range badRowCases() {
		t.Run(tc.name+" is one error on "+tc.field, func(t *testing.T) {
			_, errs := cat.check(tc.row, 7, testNow)
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want exactly one on %s:%s", len(errs), tc.field, rowErrs(errs))
			}
			got := errs[0]
			if got.Row != 7 || got.Field != tc.field || !strings.Contains(got.Message, tc.message) {
				t.Fatalf("got {%d %s %q}, want {7 %s ...%q...}", got.Row, got.Field, got.Message, tc.field, tc.message)
			}
		})
	}
}

func TestObservationCheckAcceptsValidRows(t *testing.T) {
	cat := shipped(t)
	cases := []struct {
		name    string
		row     Row
		wantKey string
	}{
		{"a total", goodRow(), ""},
		{"the first year, 1990", Row{Indicator: "OFFENCES_RECORDED", Year: 1990, Value: num(1)}, ""},
		{"the current year", Row{Indicator: "OFFENCES_RECORDED", Year: testYear, Value: num(1)}, ""},
		{"zero", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(0)}, ""},
		{"an ESTIMATED value", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(5), Status: Estimated}, ""},
		{"NOT_AVAILABLE without a value", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Status: NotAvailable}, ""},
		{"CONFIDENTIAL with a value", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(5), Status: Confidential}, ""},
		{"CONFIDENTIAL without a value", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Status: Confidential}, ""},
		{"cents in USD", Row{Indicator: "PROCEEDS_FROZEN", Year: 2020, Value: num(1234.56)}, ""},
		{"fractional median days", Row{Indicator: "MLA_EXECUTION_DAYS_MEDIAN", Year: 2020, Value: num(41.5)}, ""},
		{"a value at the magnitude bound", Row{Indicator: "PROCEEDS_FROZEN", Year: 2020, Value: num(1e15)}, ""},
		{"an offence breakdown", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(3),
			Breakdown: map[string]string{"offence": "illegal_access"}}, "offence=illegal_access"},
		{"two dimensions, keyed in sorted order", Row{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3),
			Breakdown: map[string]string{"partner": "KEN", "offence": "illegal_access"}}, "offence=illegal_access;partner=KEN"},
		{"an empty breakdown is the total", Row{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(3),
			Breakdown: map[string]string{}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name+" passes", func(t *testing.T) {
			got, errs := cat.check(tc.row, 0, testNow)
			if len(errs) > 0 {
				t.Fatalf("got errors:%s", rowErrs(errs))
			}
			if got.breakdownKey != tc.wantKey {
				t.Errorf("got key %q, want %q", got.breakdownKey, tc.wantKey)
			}
			if tc.row.Status == "" && got.status != Reported {
				t.Errorf("got status %q, want REPORTED when none is given", got.status)
			}
		})
	}
}

func TestObservationCheckReportsEveryProblemOfARow(t *testing.T) {
	cat := shipped(t)
	row := Row{Indicator: "OFFENCES_RECORDED", Year: 1900, Value: num(-2.5),
		Breakdown: map[string]string{"offence": "jaywalking", "colour": "red"}}
	_, errs := cat.check(row, 3, testNow)
	want := []string{"3:year", "3:value", "3:breakdown.colour", "3:breakdown.offence"}
	if got := fieldsOf(errs); !equalStrings(got, want) {
		t.Fatalf("got %v, want %v:%s", got, want, rowErrs(errs))
	}
}

// TestObservationReportRefusesEachRuleAlone puts each bad row in the middle of an
// otherwise good batch: exactly that row's error comes back, with its
// index and field, and nothing at all is stored.
func TestObservationReportRefusesEachRuleAlone(t *testing.T) {
	f := newFixture(t)
	before := Row{Indicator: "OFFENCES_RECORDED", Year: 2019, Value: num(10)}
	after := Row{Indicator: "MLA_REQUESTS_SENT", Year: 2019, Value: num(4), Breakdown: map[string]string{"partner": "DEU"}}
	for _, tc := range badRowCases() {
		t.Run(tc.name+" stores nothing", func(t *testing.T) {
			res := f.report(t, focalPoint("KEN"), "KEN", before, tc.row, after)
			if len(res.Errors) != 1 {
				t.Fatalf("got %d errors, want exactly one on row 1 %s:%s", len(res.Errors), tc.field, rowErrs(res.Errors))
			}
			if got := res.Errors[0]; got.Row != 1 || got.Field != tc.field || !strings.Contains(got.Message, tc.message) {
				t.Fatalf("got {%d %s %q}, want {1 %s ...%q...}", got.Row, got.Field, got.Message, tc.field, tc.message)
			}
			if res.Accepted != 0 {
				t.Errorf("got accepted %d, want 0", res.Accepted)
			}
			if got := f.counts(t); got != (dbCounts{}) {
				t.Fatalf("the database holds %+v, want nothing", got)
			}
		})
	}

	dupCases := []struct {
		name  string
		rows  []Row
		want  []string // row:field
		first string   // the message of the later row names the earlier one
	}{
		{
			name: "the same total twice",
			rows: []Row{before, after, {Indicator: "OFFENCES_RECORDED", Year: 2019, Value: num(11)}},
			want: []string{"2:indicator"}, first: "duplicate of row 0",
		},
		{
			name: "the same total twice with the same value",
			rows: []Row{after, before, before},
			want: []string{"2:indicator"}, first: "duplicate of row 1",
		},
		{
			name: "an absent and an empty breakdown (both the total)",
			rows: []Row{before, {Indicator: "OFFENCES_RECORDED", Year: 2019, Value: num(10), Breakdown: map[string]string{}}},
			want: []string{"1:indicator"}, first: "duplicate of row 0",
		},
		{
			name: "the same breakdown twice",
			rows: []Row{
				{Indicator: "MLA_REQUESTS_SENT", Year: 2019, Value: num(1), Breakdown: map[string]string{"partner": "FRA", "offence": "illegal_access"}},
				after,
				{Indicator: "MLA_REQUESTS_SENT", Year: 2019, Value: num(2), Breakdown: map[string]string{"offence": "illegal_access", "partner": "FRA"}},
			},
			want: []string{"2:indicator"}, first: "duplicate of row 0",
		},
		{
			name: "a key three times",
			rows: []Row{before, before, after, before},
			want: []string{"1:indicator", "3:indicator"}, first: "duplicate of row 0",
		},
	}
	for _, tc := range dupCases {
		t.Run(tc.name+" is a duplicate key and stores nothing", func(t *testing.T) {
			res := f.report(t, secretariat, "KEN", tc.rows...)
			if got := fieldsOf(res.Errors); !equalStrings(got, tc.want) {
				t.Fatalf("got %v, want %v:%s", got, tc.want, rowErrs(res.Errors))
			}
			for _, e := range res.Errors {
				if !strings.Contains(e.Message, tc.first) {
					t.Errorf("row %d: got %q, want it to say %q", e.Row, e.Message, tc.first)
				}
			}
			if got := f.counts(t); got != (dbCounts{}) {
				t.Fatalf("the database holds %+v, want nothing", got)
			}
		})
	}

	t.Run("a batch with several bad rows reports all of them in row order", func(t *testing.T) {
		rows := []Row{
			before,
			{Indicator: "NOPE", Year: 2019, Value: num(1)},
			after,
			{Indicator: "OFFENCES_RECORDED", Year: 1989, Value: num(1)},
			{Indicator: "OFFENCES_RECORDED", Year: 2019, Value: num(99)}, // duplicate of row 0
			{Indicator: "OFFENCES_RECORDED", Year: 2018, Value: num(-3)},
			{Indicator: "OFFENCES_RECORDED", Year: 2017, Status: Estimated},
			{Indicator: "MLA_REQUESTS_SENT", Year: 2019, Value: num(1), Breakdown: map[string]string{"partner": "ATL"}},
		}
		res := f.report(t, secretariat, "KEN", rows...)
		want := []string{"1:indicator", "3:year", "4:indicator", "5:value", "6:value", "7:breakdown.partner"}
		if got := fieldsOf(res.Errors); !equalStrings(got, want) {
			t.Fatalf("got %v, want %v:%s", got, want, rowErrs(res.Errors))
		}
		if got := f.counts(t); got != (dbCounts{}) {
			t.Fatalf("the database holds %+v, want nothing", got)
		}
	})

	t.Run("more than 10,000 rows is BAD_USER_INPUT and stores nothing", func(t *testing.T) {
		rows := make([]Row, MaxBatchRows+1)
		for i := range rows {
			rows[i] = Row{Indicator: "MLA_REQUESTS_SENT", Year: 1990 + i%30, Value: num(1),
				Breakdown: map[string]string{"partner": "DEU"}}
		}
		_, err := f.svc.ReportRows(context.Background(), secretariat, "KEN", rows, nil)
		if got := apperr.CodeOf(err); got != apperr.BadInput {
			t.Fatalf("got %v (code %s), want BAD_USER_INPUT", err, got)
		}
		if got := f.counts(t); got != (dbCounts{}) {
			t.Fatalf("the database holds %+v, want nothing", got)
		}
	})

	t.Run("exactly 10,000 good rows are all accepted", func(t *testing.T) {
		g := newFixture(t)
		codes := g.svc.cat.byCode["MLA_REQUESTS_SENT"].Dimensions[0].Values // the 193 partners
		rows := make([]Row, 0, MaxBatchRows)
	fill:
		for _, ind := range []string{"MLA_REQUESTS_SENT", "MLA_REQUESTS_RECEIVED"} {
			for year := FirstYear; year <= testYear; year++ {
				for _, c := range codes {
					if len(rows) == MaxBatchRows {
						break fill
					}
					rows = append(rows, Row{Indicator: ind, Year: year, Value: num(1), Breakdown: map[string]string{"partner": c}})
				}
			}
		}
		res := g.report(t, secretariat, "KEN", rows...)
		if len(res.Errors) > 0 || res.Accepted != MaxBatchRows {
			t.Fatalf("got accepted %d, errors:%s; want %d accepted", res.Accepted, rowErrs(res.Errors), MaxBatchRows)
		}
		if got := g.counts(t); got != (dbCounts{Observations: MaxBatchRows, Audits: 1}) {
			t.Fatalf("the database holds %+v, want %d observations and one audit event", got, MaxBatchRows)
		}
	})
}
