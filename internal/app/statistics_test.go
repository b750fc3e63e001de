package app_test

// End-to-end tests of statistics through the real HTTP API: the
// reportObservations mutation, POST /statistics/{ISO3}.csv, the CSV
// template, observations and trend for every role. Identifiers here start
// with "stat" so that they never collide with other test files' helpers.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"
)

const statReportMutation = `mutation($s: ID!, $o: [ObservationInput!]!) {
	reportObservations(state: $s, observations: $o) { accepted errors { row field message } } }`

const statObservationsQuery = `query($i: ID!, $s: ID, $g: RegionalGroup, $f: Int, $t: Int, $b: JSON) {
	observations(indicator: $i, state: $s, regionalGroup: $g, from: $f, to: $t, breakdown: $b) {
		state { code } indicator { code } year value status breakdown revision } }`

const statTrendQuery = `query($i: ID!, $g: GroupBy, $f: Int, $t: Int, $b: JSON) {
	trend(indicator: $i, groupBy: $g, from: $f, to: $t, breakdown: $b) {
		group points { year value states } changePct cagrPct slope } }`

type statRowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type statPayload struct {
	Accepted int            `json:"accepted"`
	Errors   []statRowError `json:"errors"`
	Code     string         `json:"code"` // CSV endpoint only
}

func (p statPayload) fields() []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = fmt.Sprintf("%d:%s", e.Row, e.Field)
	}
	return out
}

type statObservation struct {
	State     struct{ Code string } `json:"state"`
	Indicator struct{ Code string } `json:"indicator"`
	Year      int                   `json:"year"`
	Value     *float64              `json:"value"`
	Status    string                `json:"status"`
	Breakdown json.RawMessage       `json:"breakdown"`
	Revision  int                   `json:"revision"`
}

func (o statObservation) String() string {
	v := "null"
	if o.Value != nil {
		v = strconv.FormatFloat(*o.Value, 'g', -1, 64)
	}
	return fmt.Sprintf("%s %d %s %s %s r%d", o.State.Code, o.Year, o.Breakdown, o.Status, v, o.Revision)
}

type statSeries struct {
	Group  string `json:"group"`
	Points []struct {
		Year   int     `json:"year"`
		Value  float64 `json:"value"`
		States int     `json:"states"`
	} `json:"points"`
	ChangePct *float64 `json:"changePct"`
	CagrPct   *float64 `json:"cagrPct"`
	Slope     *float64 `json:"slope"`
}

func (s statSeries) String() string {
	var parts []string
	for _, p := range s.Points {
		parts = append(parts, fmt.Sprintf("%d:%g/%d", p.Year, p.Value, p.States))
	}
	return s.Group + " [" + strings.Join(parts, " ") + "]"
}

// statObs is an ObservationInput.
func statObs(indicator string, year int, value any, extra ...any) map[string]any {
	o := map[string]any{"indicator": indicator, "year": year, "value": value}
	for i := 0; i+1 < len(extra); i += 2 {
		o[extra[i].(string)] = extra[i+1]
	}
	return o
}

// statReport sends reportObservations and returns the payload; GraphQL
// errors fail the test.
func statReport(t *testing.T, env *apptest.Env, token, state string, obs ...map[string]any) statPayload {
	t.Helper()
	res := env.Do(t, token, statReportMutation, map[string]any{"s": state, "o": obs})
	var data struct{ ReportObservations statPayload }
	res.Decode(t, &data)
	return data.ReportObservations
}

func statMustReport(t *testing.T, env *apptest.Env, token, state string, obs ...map[string]any) {
	t.Helper()
	p := statReport(t, env, token, state, obs...)
	if len(p.Errors) > 0 || p.Accepted != len(obs) {
		t.Fatalf("reportObservations(%s): accepted %d of %d, errors %+v", state, p.Accepted, len(obs), p.Errors)
	}
}

// statCounts is what the statistics tables and the audit log hold.
type statCounts struct{ Observations, Revisions, Audits int }

func statCount(t *testing.T, env *apptest.Env) statCounts {
	t.Helper()
	var c statCounts
	err := env.Pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM observations), (SELECT count(*) FROM observation_revisions),
		(SELECT count(*) FROM audit_events WHERE action LIKE 'statistics.%')`).Scan(&c.Observations, &c.Revisions, &c.Audits)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func statUnchanged(t *testing.T, env *apptest.Env, before statCounts) {
	t.Helper()
	if got := statCount(t, env); got != before {
		t.Fatalf("the database went from %+v to %+v, want no change", before, got)
	}
}

// statPostCSV posts a CSV body to /statistics/{file}.
func statPostCSV(t *testing.T, env *apptest.Env, token, file string, body io.Reader) (int, statPayload, []byte) {
	t.Helper()
	resp := env.Raw(t, http.MethodPost, "/statistics/"+file, token, map[string]string{"Content-Type": "text/csv"}, body)
	raw := resp.Body
	var p statPayload
	if resp.Status != http.StatusUnauthorized {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("got Content-Type %q, want application/json", ct)
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("the answer is not an ObservationsPayload (status %d): %s", resp.Status, raw)
		}
		if p.Errors == nil {
			t.Errorf("got errors null, want a list: %s", raw)
		}
	}
	return resp.Status, p, raw
}

func statGet(t *testing.T, env *apptest.Env, path string) (int, http.Header, []byte) {
	t.Helper()
	r := env.Raw(t, http.MethodGet, path, "", nil, nil)
	return r.Status, r.Header, r.Body
}

func statF(v float64) *float64 { return &v }

func statShow(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func statSame(got, want *float64) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	return math.Abs(*got-*want) < 1e-9
}

func TestStatisticsReportObservationsRefusesEachRule(t *testing.T) {
	env := apptest.New(t)
	fp := env.FocalPoint(t, "KEN")
	thisYear := time.Now().Year()
	good0 := statObs("OFFENCES_RECORDED", 2019, 10)
	good2 := statObs("MLA_REQUESTS_SENT", 2019, 4, "breakdown", map[string]any{"partner": "DEU"})

	cases := []struct {
		name  string
		bad   map[string]any
		field string
		msg   string
	}{
		{"an unknown indicator", statObs("OFFENCES_IMAGINED", 2019, 1), "indicator", "unknown indicator"},
		{"the year 1989", statObs("OFFENCES_RECORDED", 1989, 1), "year", "outside 1990.."},
		{"next year", statObs("OFFENCES_RECORDED", thisYear+1, 1), "year", "outside 1990.."},
		{"a negative count", statObs("OFFENCES_RECORDED", 2019, -1, "breakdown", map[string]any{"offence": "illegal_access"}), "value", "cannot be negative"},
		{"a fractional value for an integer indicator", statObs("PERSONS_TRAINED", 2019, 2.5), "value", "whole number"},
		{"a missing value for REPORTED", statObs("OFFENCES_RECORDED", 2018, nil, "status", "REPORTED"), "value", "missing"},
		{"a missing value with the default status", statObs("OFFENCES_RECORDED", 2018, nil), "value", "missing"},
		{"a missing value for ESTIMATED", statObs("OFFENCES_RECORDED", 2018, nil, "status", "ESTIMATED"), "value", "missing"},
		{"a value given with NOT_AVAILABLE", statObs("OFFENCES_RECORDED", 2018, 3, "status", "NOT_AVAILABLE"), "value", "carries no value"},
		{"a huge value", statObs("PROCEEDS_FROZEN", 2018, 1e300), "value", "not a finite number"},
		{"an unknown dimension", statObs("OFFENCES_RECORDED", 2018, 1, "breakdown", map[string]any{"partner": "DEU"}), "breakdown.partner", "no dimension"},
		{"an unknown dimension value", statObs("OFFENCES_RECORDED", 2018, 1, "breakdown", map[string]any{"offence": "jaywalking"}), "breakdown.offence", "is not a value"},
		{"a partner that is not an ISO3 code", statObs("MLA_REQUESTS_SENT", 2018, 1, "breakdown", map[string]any{"partner": "XYZ"}), "breakdown.partner", "is not a value"},
		{"a breakdown that is not an object of strings", statObs("MLA_REQUESTS_SENT", 2018, 1, "breakdown", map[string]any{"partner": 7}), "breakdown", "an object of dimension values"},
		{"a duplicate of row 0", statObs("OFFENCES_RECORDED", 2019, 11), "indicator", "duplicate of row 0"},
		{"a duplicate of row 0 with an empty breakdown", statObs("OFFENCES_RECORDED", 2019, 10, "breakdown", map[string]any{}), "indicator", "duplicate of row 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is one RowError on row 1 and stores nothing", func(t *testing.T) {
			p := statReport(t, env, fp, "KEN", good0, tc.bad, good2)
			if got, want := p.fields(), []string{"1:" + tc.field}; !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v: %+v", got, want, p.Errors)
			}
			if !strings.Contains(p.Errors[0].Message, tc.msg) {
				t.Errorf("got %q, want it to say %q", p.Errors[0].Message, tc.msg)
			}
			if p.Accepted != 0 {
				t.Errorf("got accepted %d, want 0", p.Accepted)
			}
			statUnchanged(t, env, statCounts{})
		})
	}

	t.Run("the same breakdown in another key order is a duplicate", func(t *testing.T) {
		raw := `{"query": ` + strconv.Quote(statReportMutation) + `, "variables": {"s": "KEN", "o": [
			{"indicator": "MLA_REQUESTS_SENT", "year": 2019, "value": 1, "breakdown": {"partner": "FRA", "offence": "illegal_access"}},
			{"indicator": "MLA_REQUESTS_SENT", "year": 2019, "value": 2, "breakdown": {"offence": "illegal_access", "partner": "FRA"}}]}}`
		res := env.Post(t, fp, "application/json", []byte(raw))
		var data struct{ ReportObservations statPayload }
		res.Decode(t, &data)
		p := data.ReportObservations
		if got, want := p.fields(), []string{"1:indicator"}; !slices.Equal(got, want) || !strings.Contains(p.Errors[0].Message, "duplicate of row 0") {
			t.Fatalf("got %+v, want row 1 a duplicate of row 0", p.Errors)
		}
		statUnchanged(t, env, statCounts{})
	})

	t.Run("a batch with several bad rows reports all of them", func(t *testing.T) {
		p := statReport(t, env, fp, "KEN",
			statObs("NOPE", 2019, 1),
			good0,
			statObs("OFFENCES_RECORDED", 1989, 1),
			statObs("OFFENCES_RECORDED", 2019, 5), // duplicate of row 1
			statObs("PERSONS_TRAINED", 2019, 1.5),
			good2,
			statObs("OFFENCES_RECORDED", 2017, nil, "status", "ESTIMATED"),
		)
		want := []string{"0:indicator", "2:year", "3:indicator", "4:value", "6:value"}
		if got := p.fields(); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v: %+v", got, want, p.Errors)
		}
		statUnchanged(t, env, statCounts{})
	})

	t.Run("an unknown status is BAD_USER_INPUT and stores nothing", func(t *testing.T) {
		res := env.Do(t, fp, statReportMutation, map[string]any{"s": "KEN",
			"o": []any{good0, statObs("OFFENCES_RECORDED", 2018, 1, "status", "MAYBE")}})
		if res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("got %+v, want BAD_USER_INPUT", res.Errors)
		}
		statUnchanged(t, env, statCounts{})
	})

	t.Run("more than 10,000 rows is BAD_USER_INPUT and stores nothing", func(t *testing.T) {
		obs := make([]map[string]any, 10_001)
		for i := range obs {
			obs[i] = map[string]any{"indicator": "MLA_REQUESTS_SENT", "year": 1990 + i%30, "value": 1}
		}
		res := env.Do(t, fp, statReportMutation, map[string]any{"s": "KEN", "o": obs})
		if res.Code() != "BAD_USER_INPUT" {
			t.Fatalf("got status %d, errors %+v, want BAD_USER_INPUT", res.Status, res.Errors)
		}
		if !strings.Contains(res.Errors[0].Message, "10,000") {
			t.Errorf("got %q, want it to name the limit", res.Errors[0].Message)
		}
		statUnchanged(t, env, statCounts{})
	})

	t.Run("the good rows alone are accepted", func(t *testing.T) {
		p := statReport(t, env, fp, "KEN", good0, good2)
		if p.Accepted != 2 || len(p.Errors) != 0 {
			t.Fatalf("got %+v, want 2 accepted", p)
		}
		if got := statCount(t, env); got != (statCounts{Observations: 2, Audits: 1}) {
			t.Fatalf("the database holds %+v, want 2 observations and 1 audit event", got)
		}
	})
}

func TestStatisticsRevisionsThroughGraphQL(t *testing.T) {
	env := apptest.New(t)
	fp := env.FocalPoint(t, "KEN")
	read := func(t *testing.T, b any) []statObservation {
		t.Helper()
		vars := map[string]any{"i": "MLA_REQUESTS_SENT", "s": "KEN"}
		if b != nil {
			vars["b"] = b
		}
		var data struct{ Observations []statObservation }
		env.Do(t, fp, statObservationsQuery, vars).Decode(t, &data)
		return data.Observations
	}
	total := statObs("MLA_REQUESTS_SENT", 2022, 10)
	partner := func(v any, order string) map[string]any {
		// json.Marshal sorts map keys, so the key order is written by hand.
		b := json.RawMessage(`{"partner": "DEU", "offence": "illegal_access"}`)
		if order == "reversed" {
			b = json.RawMessage(`{"offence": "illegal_access", "partner": "DEU"}`)
		}
		return statObs("MLA_REQUESTS_SENT", 2022, v, "breakdown", b)
	}
	steps := []struct {
		name     string
		obs      []map[string]any
		accepted int
		want     []string
		counts   statCounts
	}{
		{"the first report is revision 1; a breakdown and the total are distinct keys",
			[]map[string]any{total, partner(4, "")}, 2,
			[]string{`KEN 2022 {} REPORTED 10 r1`, `KEN 2022 {"offence":"illegal_access","partner":"DEU"} REPORTED 4 r1`},
			statCounts{Observations: 2, Audits: 1}},
		{"resent unchanged, with the breakdown keys reversed, nothing is new",
			[]map[string]any{total, partner(4, "reversed")}, 0,
			[]string{`KEN 2022 {} REPORTED 10 r1`, `KEN 2022 {"offence":"illegal_access","partner":"DEU"} REPORTED 4 r1`},
			statCounts{Observations: 2, Audits: 2}},
		{"a changed value is revision 2 and the old one is kept",
			[]map[string]any{partner(5, "reversed")}, 1,
			[]string{`KEN 2022 {} REPORTED 10 r1`, `KEN 2022 {"offence":"illegal_access","partner":"DEU"} REPORTED 5 r2`},
			statCounts{Observations: 2, Revisions: 1, Audits: 3}},
		{"a changed status alone is a new revision",
			[]map[string]any{statObs("MLA_REQUESTS_SENT", 2022, 10, "status", "ESTIMATED")}, 1,
			[]string{`KEN 2022 {} ESTIMATED 10 r2`, `KEN 2022 {"offence":"illegal_access","partner":"DEU"} REPORTED 5 r2`},
			statCounts{Observations: 2, Revisions: 2, Audits: 4}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			p := statReport(t, env, fp, "KEN", s.obs...)
			if p.Accepted != s.accepted || len(p.Errors) != 0 {
				t.Fatalf("got %+v, want accepted %d", p, s.accepted)
			}
			var got []string
			for _, o := range read(t, nil) {
				got = append(got, o.String())
			}
			if !slices.Equal(got, s.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(s.want, "\n"))
			}
			if c := statCount(t, env); c != s.counts {
				t.Fatalf("the database holds %+v, want %+v", c, s.counts)
			}
		})
	}

	t.Run("observation_revisions holds the superseded values", func(t *testing.T) {
		rows, err := env.Pool.Query(context.Background(), `SELECT breakdown_key, value, status, revision
			FROM observation_revisions ORDER BY breakdown_key, revision`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var key, status string
			var value float64
			var rev int
			if err := rows.Scan(&key, &value, &status, &rev); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%q %g %s r%d", key, value, status, rev))
		}
		want := []string{`"" 10 REPORTED r1`, `"offence=illegal_access;partner=DEU" 4 REPORTED r1`}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

// TestStatisticsCSV posts files to /statistics/{ISO3}.csv: every refused
// file names its line and field and leaves the database as it was.
func TestStatisticsCSV(t *testing.T) {
	env := apptest.New(t)
	fp := env.FocalPoint(t, "KEN")
	sec := env.Secretariat(t)
	lastYear := strconv.Itoa(time.Now().Year() - 1)

	refused := []struct {
		name   string
		body   string
		fields []string // line:field
		msg    string
	}{
		{"a bad value on line 3", "indicator,year,value\nOFFENCES_RECORDED,2019,1\nOFFENCES_RECORDED,2020,-1\nOFFENCES_RECORDED,2021,1\n",
			[]string{"3:value"}, "cannot be negative"},
		{"a bad line after a quoted line break counts lines, not records",
			"indicator,year,value,offence\n\"OFFENCES_RECORDED\",2019,1,\"illegal_\naccess\"\nOFFENCES_RECORDED,2020,1.5,\n",
			[]string{"2:breakdown.offence", "4:value"}, "is not a value"},
		{"NaN", "indicator,year,value\nPROCEEDS_FROZEN,2020,NaN\n", []string{"2:value"}, "not a finite number"},
		{"an unknown status", "indicator,year,value,status\nOFFENCES_RECORDED,2020,1,MAYBE\n", []string{"2:status"}, "unknown status"},
		{"a duplicate line", "indicator,year,value,status,offence\nOFFENCES_RECORDED,2020,1,,\nOFFENCES_RECORDED,2020,2,ESTIMATED,\n",
			[]string{"3:indicator"}, "duplicate of line 2"},
		{"a bad quote", "indicator,year,value\nOFFENCES_RECORDED,2019,1\nOFFENCES_RECORDED,\"20\"20,1\nOFFENCES_RECORDED,2021,1\n",
			[]string{"3:"}, "malformed CSV"},
		{"a wrong number of fields", "indicator,year,value\nOFFENCES_RECORDED,2019,1\nOFFENCES_RECORDED,2020\n",
			[]string{"3:"}, "expected 3 fields"},
		{"an unknown header column", "indicator,year,value,colour\nOFFENCES_RECORDED,2019,1,red\n",
			[]string{"1:colour"}, "unknown column"},
		{"a missing header column", "indicator,value\nOFFENCES_RECORDED,1\n",
			[]string{"1:year"}, `no "year" column`},
		{"an empty body", "", []string{"1:"}, "the file is empty"},
	}
	for _, tc := range refused {
		t.Run(tc.name+" is 422 naming the line, and nothing is stored", func(t *testing.T) {
			status, p, raw := statPostCSV(t, env, fp, "KEN.csv", strings.NewReader(tc.body))
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d %s, want 422", status, raw)
			}
			if got := p.fields(); !slices.Equal(got, tc.fields) {
				t.Fatalf("got %v, want %v: %s", got, tc.fields, raw)
			}
			if !strings.Contains(p.Errors[0].Message, tc.msg) {
				t.Errorf("got %q, want it to say %q", p.Errors[0].Message, tc.msg)
			}
			if p.Accepted != 0 {
				t.Errorf("got accepted %d, want 0", p.Accepted)
			}
			statUnchanged(t, env, statCounts{})
		})
	}

	refusedBefore := []struct {
		name   string
		token  string
		file   string
		status int
		code   string
	}{
		{"another State's file as a focal point is 403 FORBIDDEN", fp, "DEU.csv", http.StatusForbidden, "FORBIDDEN"},
		{"a working-group member's file is 403 FORBIDDEN", env.Member(t), "KEN.csv", http.StatusForbidden, "FORBIDDEN"},
		{"an unknown State is 404 NOT_FOUND", sec, "XYZ.csv", http.StatusNotFound, "NOT_FOUND"},
		{"a path without .csv is 404 NOT_FOUND", sec, "KEN", http.StatusNotFound, "NOT_FOUND"},
		{"no token is 401", "", "KEN.csv", http.StatusUnauthorized, ""},
		{"an unknown token is 401", "not-a-token", "KEN.csv", http.StatusUnauthorized, ""},
	}
	for _, tc := range refusedBefore {
		t.Run(tc.name+" and nothing is stored", func(t *testing.T) {
			body := "indicator,year,value\nOFFENCES_RECORDED,2019,1\n"
			status, p, raw := statPostCSV(t, env, tc.token, tc.file, strings.NewReader(body))
			if status != tc.status {
				t.Fatalf("got %d %s, want %d", status, raw, tc.status)
			}
			if tc.code != "" && (p.Code != tc.code || len(p.Errors) != 1 || p.Errors[0].Message == "") {
				t.Fatalf("got %s, want code %s and a message", raw, tc.code)
			}
			if tc.status == http.StatusUnauthorized && !strings.Contains(string(raw), "UNAUTHENTICATED") {
				t.Errorf("got %s, want UNAUTHENTICATED", raw)
			}
			statUnchanged(t, env, statCounts{})
		})
	}

	t.Run("a good file with a BOM, dimension columns, empty cells and a status column is 200", func(t *testing.T) {
		body := "\ufeffindicator,year,value,status,offence,partner\r\n" +
			"OFFENCES_RECORDED,2020,10,,,\r\n" +
			"OFFENCES_RECORDED,2020,4,ESTIMATED,illegal_access,\r\n" +
			"MLA_REQUESTS_SENT,2020,3,REPORTED,,DEU\r\n" +
			"MLA_REQUESTS_SENT,2020,1,reported,illegal_access,DEU\r\n" +
			"MLA_REQUESTS_SENT,2021,,NOT_AVAILABLE,,\r\n" +
			"PROCEEDS_FROZEN,2021,2500000.50,CONFIDENTIAL,,\r\n"
		status, p, raw := statPostCSV(t, env, fp, "KEN.csv", strings.NewReader(body))
		if status != http.StatusOK || p.Accepted != 6 || len(p.Errors) != 0 {
			t.Fatalf("got %d %s, want 200 with 6 accepted", status, raw)
		}
		if got := statCount(t, env); got != (statCounts{Observations: 6, Audits: 1}) {
			t.Fatalf("the database holds %+v, want 6 observations and 1 audit event", got)
		}
		var keys []string
		rows, err := env.Pool.Query(context.Background(), `SELECT indicator || ' ' || year || ' ' || breakdown_key || ' ' || status
			FROM observations WHERE state_code = 'KEN' ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			rows.Scan(&k) //nolint:errcheck
			keys = append(keys, k)
		}
		want := []string{
			"MLA_REQUESTS_SENT 2020 offence=illegal_access;partner=DEU REPORTED",
			"MLA_REQUESTS_SENT 2020 partner=DEU REPORTED",
			"MLA_REQUESTS_SENT 2021  NOT_AVAILABLE",
			"OFFENCES_RECORDED 2020  REPORTED",
			"OFFENCES_RECORDED 2020 offence=illegal_access ESTIMATED",
			"PROCEEDS_FROZEN 2021  CONFIDENTIAL",
		}
		if !slices.Equal(keys, want) {
			t.Fatalf("got\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("the same file again is 200 with nothing accepted", func(t *testing.T) {
		before := statCount(t, env)
		body := "indicator,year,value\nOFFENCES_RECORDED,2020,10\n"
		status, p, raw := statPostCSV(t, env, fp, "KEN.csv", strings.NewReader(body))
		if status != http.StatusOK || p.Accepted != 0 {
			t.Fatalf("got %d %s, want 200 with 0 accepted", status, raw)
		}
		if got := statCount(t, env); got.Observations != before.Observations || got.Revisions != before.Revisions {
			t.Fatalf("the database went from %+v to %+v, want no new observation or revision", before, got)
		}
	})

	t.Run("a file without a status column is REPORTED", func(t *testing.T) {
		status, p, raw := statPostCSV(t, env, fp, "KEN.csv", strings.NewReader("year,indicator,value\n2019,PERSONS_TRAINED,25\n"))
		if status != http.StatusOK || p.Accepted != 1 {
			t.Fatalf("got %d %s, want 200 with 1 accepted", status, raw)
		}
		var st string
		if err := env.Pool.QueryRow(context.Background(), `SELECT status FROM observations
			WHERE indicator = 'PERSONS_TRAINED' AND state_code = 'KEN'`).Scan(&st); err != nil || st != "REPORTED" {
			t.Fatalf("got %q (%v), want REPORTED", st, err)
		}
	})

	t.Run("the secretariat may post for any State, in lower case too", func(t *testing.T) {
		for _, file := range []string{"DEU.csv", "bra.csv"} {
			status, p, raw := statPostCSV(t, env, sec, file, strings.NewReader("indicator,year,value\nOFFENCES_RECORDED,"+lastYear+",3\n"))
			if status != http.StatusOK || p.Accepted != 1 {
				t.Fatalf("%s: got %d %s, want 200 with 1 accepted", file, status, raw)
			}
		}
		var n int
		if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM observations
			WHERE state_code IN ('DEU', 'BRA') AND reported_by <> ''`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("got %d observations of DEU and BRA (%v), want 2", n, err)
		}
	})
}

func TestStatisticsCSVTemplate(t *testing.T) {
	env := apptest.New(t)
	lastYear := strconv.Itoa(time.Now().Year() - 1)
	// header reads the template as a spreadsheet does, without its help
	// lines (# …) and the byte order mark.
	header := func(t *testing.T, raw []byte) ([]string, [][]string) {
		t.Helper()
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
		r.FieldsPerRecord = -1
		all, err := r.ReadAll()
		recs := slices.DeleteFunc(all, func(rec []string) bool { return strings.HasPrefix(rec[0], "#") })
		if err != nil || len(recs) == 0 {
			t.Fatalf("the template is not CSV (%v): %s", err, raw)
		}
		return recs[0], recs[1:]
	}
	codes := func(lines [][]string) []string {
		var out []string
		for _, l := range lines {
			out = append(out, l[0])
		}
		return out
	}
	var asset []string
	for _, ind := range env.Indicators.ForWorkingGroup("asset-recovery") {
		asset = append(asset, ind.Code)
	}

	cases := []struct {
		name       string
		query      string
		wantHeader []string
		wantCodes  []string
	}{
		{"the whole catalogue", "", []string{"indicator", "year", "value", "status", "offence", "partner", "profession", "assistance_area"}, nil},
		{"two indicators", "?indicators=PERSONS_TRAINED,MLA_REQUESTS_RECEIVED",
			[]string{"indicator", "year", "value", "status", "profession", "partner", "offence"}, []string{"PERSONS_TRAINED", "MLA_REQUESTS_RECEIVED"}},
		{"a working group", "?workingGroup=asset-recovery",
			[]string{"indicator", "year", "value", "status", "offence", "partner"}, asset},
		{"an indicator and a working group that also has it, listed once", "?indicators=PROCEEDS_RETURNED&workingGroup=asset-recovery",
			[]string{"indicator", "year", "value", "status", "partner", "offence"},
			append([]string{"PROCEEDS_RETURNED"}, slices.DeleteFunc(slices.Clone(asset), func(c string) bool { return c == "PROCEEDS_RETURNED" })...)},
	}
	for _, tc := range cases {
		t.Run(tc.name+": a header the CSV endpoint accepts back, filled in", func(t *testing.T) {
			status, h, raw := statGet(t, env, "/statistics/template.csv"+tc.query)
			if status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", status, raw)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Errorf("got Content-Type %q, want text/csv", ct)
			}
			if cd := h.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
				t.Errorf("got Content-Disposition %q, want an attachment", cd)
			}
			head, lines := header(t, raw)
			if !slices.Equal(head, tc.wantHeader) {
				t.Errorf("got header %v, want %v", head, tc.wantHeader)
			}
			want := tc.wantCodes
			if want == nil {
				for _, ind := range env.Indicators.Indicators {
					want = append(want, ind.Code)
				}
			}
			if got := codes(lines); !slices.Equal(got, want) {
				t.Errorf("got lines for %v, want %v", got, want)
			}
			for _, l := range lines {
				if l[1] != lastYear || l[2] != "" || l[3] != "REPORTED" {
					t.Errorf("got line %v, want year %s, no value, REPORTED", l, lastYear)
				}
			}

			// Round trip: fill in a value per line and post the file back.
			pool := env.Pool
			if _, err := pool.Exec(context.Background(), `DELETE FROM observations`); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.Write(head) //nolint:errcheck
			for i, l := range lines {
				l[2] = strconv.Itoa(i + 1)
				w.Write(l) //nolint:errcheck
			}
			w.Flush()
			st, p, body := statPostCSV(t, env, env.Secretariat(t), "KEN.csv", &buf)
			if st != http.StatusOK || p.Accepted != len(lines) {
				t.Fatalf("posting the filled template: got %d %s, want 200 with %d accepted", st, body, len(lines))
			}
		})
	}

	refused := []struct {
		name, query string
		status      int
	}{
		{"an unknown indicator is 400", "?indicators=PERSONS_TRAINED,NOPE", http.StatusBadRequest},
		{"an unknown working group is 404", "?workingGroup=astrology", http.StatusNotFound},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			status, _, raw := statGet(t, env, "/statistics/template.csv"+tc.query)
			if status != tc.status || !strings.Contains(string(raw), `"extensions":{"code":`) {
				t.Fatalf("got %d %s, want %d in the contract's error shape", status, raw, tc.status)
			}
		})
	}

	t.Run("the template as downloaded (no values) is refused line by line", func(t *testing.T) {
		_, _, raw := statGet(t, env, "/statistics/template.csv?indicators=PERSONS_TRAINED,PROCEEDS_FROZEN")
		before := statCount(t, env)
		status, p, body := statPostCSV(t, env, env.FocalPoint(t, "KEN"), "KEN.csv", bytes.NewReader(raw))
		n := bytes.Count(raw, []byte("\n")) // the last two lines, after the help and the header
		if want := []string{strconv.Itoa(n-1) + ":value", strconv.Itoa(n) + ":value"}; status != http.StatusUnprocessableEntity || !slices.Equal(p.fields(), want) {
			t.Fatalf("got %d %s, want 422 on %v", status, body, want)
		}
		statUnchanged(t, env, before)
	})

	// Issue 13: the help is in the language of ?lang= (the pages' links)
	// or of Accept-Language (the API), and the file stays one the upload
	// takes back.
	for _, tc := range []struct {
		name, query string
		header      map[string]string
		lang        string
	}{
		{"Accept-Language: ar", "?indicators=PERSONS_TRAINED", map[string]string{"Accept-Language": "ar"}, "ar"},
		{"?lang=ru over Accept-Language: fr", "?indicators=PERSONS_TRAINED&lang=ru", map[string]string{"Accept-Language": "fr"}, "ru"},
		{"neither: English", "?indicators=PERSONS_TRAINED", nil, "en"},
	} {
		t.Run("the help in the language asked for: "+tc.name, func(t *testing.T) {
			r := env.Raw(t, http.MethodGet, "/statistics/template.csv"+tc.query, "", tc.header, nil)
			ind, _ := env.Indicators.Indicator("PERSONS_TRAINED")
			if want := ind.NameIn(tc.lang); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "# PERSONS_TRAINED") || !strings.Contains(string(r.Body), want) {
				t.Fatalf("got %d, want the help naming PERSONS_TRAINED %q:\n%s", r.Status, want, r.Body)
			}
			if tc.lang != "en" && strings.Contains(string(r.Body), ind.Name) {
				t.Errorf("the %s template names the indicator in English:\n%s", tc.lang, r.Body)
			}
			if got := r.Header.Get("Content-Language"); got != tc.lang {
				t.Errorf("Content-Language %q, want %q", got, tc.lang)
			}
			filled := bytes.Replace(r.Body, []byte(",,REPORTED"), []byte(",12,REPORTED"), 1)
			if _, err := env.Pool.Exec(context.Background(), `DELETE FROM observations`); err != nil {
				t.Fatal(err)
			}
			st, p, body := statPostCSV(t, env, env.Secretariat(t), "KEN.csv", bytes.NewReader(filled))
			if st != http.StatusOK || p.Accepted != 1 {
				t.Fatalf("posting the filled %s template: got %d %s, want 200 with 1 accepted", tc.lang, st, body)
			}
		})
	}
}

// statSeedConfidential stores KEN and DEU values, some CONFIDENTIAL.
func statSeedConfidential(t *testing.T, env *apptest.Env) {
	t.Helper()
	sec := env.Secretariat(t)
	statMustReport(t, env, sec, "KEN",
		statObs("OFFENCES_RECORDED", 2020, 120),
		statObs("OFFENCES_RECORDED", 2021, 999, "status", "CONFIDENTIAL"),
		statObs("OFFENCES_RECORDED", 2019, nil, "status", "NOT_AVAILABLE"))
	statMustReport(t, env, sec, "DEU",
		statObs("OFFENCES_RECORDED", 2020, 80),
		statObs("OFFENCES_RECORDED", 2021, 7, "status", "CONFIDENTIAL"))
}

func TestStatisticsConfidentialForEveryRole(t *testing.T) {
	env := apptest.New(t)
	statSeedConfidential(t, env)
	roles := []struct {
		name  string
		token string
		want  []string
	}{
		{"the secretariat sees every value", env.Secretariat(t), []string{
			"DEU 2020 {} REPORTED 80 r1", "DEU 2021 {} CONFIDENTIAL 7 r1",
			"KEN 2019 {} NOT_AVAILABLE null r1", "KEN 2020 {} REPORTED 120 r1", "KEN 2021 {} CONFIDENTIAL 999 r1"}},
		{"KEN's focal point sees KEN's confidential value, null for DEU's", env.FocalPoint(t, "KEN"), []string{
			"DEU 2020 {} REPORTED 80 r1", "DEU 2021 {} CONFIDENTIAL null r1",
			"KEN 2019 {} NOT_AVAILABLE null r1", "KEN 2020 {} REPORTED 120 r1", "KEN 2021 {} CONFIDENTIAL 999 r1"}},
		{"DEU's focal point sees null for KEN's confidential value", env.FocalPoint(t, "DEU"), []string{
			"DEU 2020 {} REPORTED 80 r1", "DEU 2021 {} CONFIDENTIAL 7 r1",
			"KEN 2019 {} NOT_AVAILABLE null r1", "KEN 2020 {} REPORTED 120 r1", "KEN 2021 {} CONFIDENTIAL null r1"}},
		{"a focal point of a third State sees null for both", env.FocalPoint(t, "BRA"), []string{
			"DEU 2020 {} REPORTED 80 r1", "DEU 2021 {} CONFIDENTIAL null r1",
			"KEN 2019 {} NOT_AVAILABLE null r1", "KEN 2020 {} REPORTED 120 r1", "KEN 2021 {} CONFIDENTIAL null r1"}},
		{"a working-group member sees null for both", env.Member(t, "international-cooperation", "prevention"), []string{
			"DEU 2020 {} REPORTED 80 r1", "DEU 2021 {} CONFIDENTIAL null r1",
			"KEN 2019 {} NOT_AVAILABLE null r1", "KEN 2020 {} REPORTED 120 r1", "KEN 2021 {} CONFIDENTIAL null r1"}},
	}
	for _, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			var data struct{ Observations []statObservation }
			env.Do(t, r.token, statObservationsQuery, map[string]any{"i": "OFFENCES_RECORDED"}).Decode(t, &data)
			var got []string
			for _, o := range data.Observations {
				got = append(got, o.String())
			}
			if !slices.Equal(got, r.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(r.want, "\n"))
			}
		})
		t.Run(r.name+" a trend without the confidential and unavailable values", func(t *testing.T) {
			var data struct{ Trend []statSeries }
			env.Do(t, r.token, statTrendQuery, map[string]any{"i": "OFFENCES_RECORDED", "g": "NONE"}).Decode(t, &data)
			if len(data.Trend) != 1 || data.Trend[0].String() != "ALL [2020:200/2]" {
				t.Fatalf("got %v, want ALL [2020:200/2]: 2021 holds only CONFIDENTIAL values, 2019 only NOT_AVAILABLE", data.Trend)
			}
		})
	}

	t.Run("no token reads nothing", func(t *testing.T) {
		res := env.Do(t, "", statObservationsQuery, map[string]any{"i": "OFFENCES_RECORDED"})
		if res.Status != http.StatusUnauthorized || res.Code() != "UNAUTHENTICATED" {
			t.Fatalf("got %d %+v, want 401 UNAUTHENTICATED", res.Status, res.Errors)
		}
	})
}

func TestStatisticsReportAccess(t *testing.T) {
	env := apptest.New(t)
	obs := []map[string]any{statObs("OFFENCES_RECORDED", 2020, 5)}
	cases := []struct {
		name, token, state, code string
	}{
		{"a working-group member may not report", env.Member(t), "KEN", "FORBIDDEN"},
		{"a member of every working group may not report", env.Member(t, "international-cooperation", "technical-assistance", "prevention", "asset-recovery"), "KEN", "FORBIDDEN"},
		{"a focal point may not report for another State", env.FocalPoint(t, "DEU"), "KEN", "FORBIDDEN"},
		{"a focal point may not report for an unknown State", env.FocalPoint(t, "DEU"), "XYZ", "FORBIDDEN"},
		{"the secretariat gets NOT_FOUND for an unknown State", env.Secretariat(t), "XYZ", "NOT_FOUND"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" and nothing changes", func(t *testing.T) {
			res := env.Do(t, tc.token, statReportMutation, map[string]any{"s": tc.state, "o": obs})
			if res.Code() != tc.code {
				t.Fatalf("got %+v, want %s", res.Errors, tc.code)
			}
			statUnchanged(t, env, statCounts{})
		})
	}
	t.Run("no token is 401 and nothing changes", func(t *testing.T) {
		res := env.Do(t, "", statReportMutation, map[string]any{"s": "KEN", "o": obs})
		if res.Status != http.StatusUnauthorized {
			t.Fatalf("got %d %+v, want 401", res.Status, res.Errors)
		}
		statUnchanged(t, env, statCounts{})
	})
	t.Run("a focal point reports for its own State", func(t *testing.T) {
		statMustReport(t, env, env.FocalPoint(t, "KEN"), "KEN", obs...)
		statMustReport(t, env, env.FocalPoint(t, "DEU"), "deu", obs...)
		if got := statCount(t, env); got != (statCounts{Observations: 2, Audits: 2}) {
			t.Fatalf("the database holds %+v, want 2 observations and 2 audit events", got)
		}
	})
	t.Run("the secretariat reports for any State", func(t *testing.T) {
		statMustReport(t, env, env.Secretariat(t), "BRA", obs...)
		var actor string
		if err := env.Pool.QueryRow(context.Background(), `SELECT actor FROM audit_events
			WHERE action = 'statistics.report' AND subject = 'state/BRA'`).Scan(&actor); err != nil || actor == "" {
			t.Fatalf("got actor %q (%v), want the secretariat's audit event", actor, err)
		}
	})
}

func TestStatisticsTrendThroughGraphQL(t *testing.T) {
	env := apptest.New(t)
	sec := env.Secretariat(t)
	access := map[string]any{"offence": "illegal_access"}
	// KEN (AFRICAN, developing), NGA (AFRICAN, developing), IND (ASIA_PACIFIC,
	// developing), DEU and FRA (WESTERN_EUROPEAN_OTHER), JPN (ASIA_PACIFIC).
	statMustReport(t, env, sec, "KEN", statObs("OFFENCES_RECORDED", 2019, 100), statObs("OFFENCES_RECORDED", 2020, 120),
		statObs("OFFENCES_RECORDED", 2021, 150), statObs("OFFENCES_RECORDED", 2020, 60, "breakdown", access),
		statObs("MLA_EXECUTION_DAYS_MEDIAN", 2021, 30))
	statMustReport(t, env, sec, "NGA", statObs("OFFENCES_RECORDED", 2020, 30, "status", "ESTIMATED"),
		statObs("OFFENCES_RECORDED", 2021, nil, "status", "CONFIDENTIAL"))
	statMustReport(t, env, sec, "IND", statObs("OFFENCES_RECORDED", 2019, nil, "status", "NOT_AVAILABLE"),
		statObs("OFFENCES_RECORDED", 2021, 40), statObs("MLA_EXECUTION_DAYS_MEDIAN", 2021, 1000, "status", "CONFIDENTIAL"))
	statMustReport(t, env, sec, "DEU", statObs("OFFENCES_RECORDED", 2019, 200), statObs("OFFENCES_RECORDED", 2020, 210),
		statObs("OFFENCES_RECORDED", 2021, 250), statObs("OFFENCES_RECORDED", 2020, 70, "breakdown", access),
		statObs("OFFENCES_RECORDED", 2021, 80, "breakdown", access), statObs("MLA_EXECUTION_DAYS_MEDIAN", 2021, 60))
	statMustReport(t, env, sec, "FRA", statObs("OFFENCES_RECORDED", 2020, 40),
		statObs("OFFENCES_RECORDED", 2021, 1000, "status", "CONFIDENTIAL"), statObs("MLA_EXECUTION_DAYS_MEDIAN", 2021, 90, "status", "ESTIMATED"))
	statMustReport(t, env, sec, "JPN", statObs("OFFENCES_RECORDED", 2019, 999, "status", "CONFIDENTIAL"))
	member := env.Member(t)
	growth := func(ratio, years float64) *float64 { return statF(100 * (math.Pow(ratio, 1/years) - 1)) }

	type want struct {
		series              string
		change, cagr, slope *float64
	}
	cases := []struct {
		name string
		vars map[string]any
		want []want
	}{
		{"NONE: yearly sums and State counts, ESTIMATED in, CONFIDENTIAL and NOT_AVAILABLE out",
			map[string]any{"i": "OFFENCES_RECORDED", "g": "NONE"},
			[]want{{"ALL [2019:300/2 2020:400/4 2021:440/3]", statF(10), growth(440.0/300, 2), statF(70)}}},
		{"the default groupBy is REGIONAL_GROUP, every group in order",
			map[string]any{"i": "OFFENCES_RECORDED"},
			[]want{
				{"AFRICAN [2019:100/1 2020:150/2 2021:150/1]", statF(0), growth(1.5, 2), statF(25)},
				{"ASIA_PACIFIC [2021:40/1]", nil, nil, nil},
				{"EASTERN_EUROPEAN []", nil, nil, nil},
				{"LATIN_AMERICAN_CARIBBEAN []", nil, nil, nil},
				{"WESTERN_EUROPEAN_OTHER [2019:200/1 2020:250/2 2021:250/1]", statF(0), growth(1.25, 2), statF(25)},
			}},
		{"DEVELOPING",
			map[string]any{"i": "OFFENCES_RECORDED", "g": "DEVELOPING"},
			[]want{
				{"DEVELOPING [2019:100/1 2020:150/2 2021:190/2]", statF(100 * 40.0 / 150), growth(1.9, 2), statF(45)},
				{"OTHER [2019:200/1 2020:250/2 2021:250/1]", statF(0), growth(1.25, 2), statF(25)},
			}},
		{"from and to",
			map[string]any{"i": "OFFENCES_RECORDED", "g": "NONE", "f": 2020, "t": 2021},
			[]want{{"ALL [2020:400/4 2021:440/3]", statF(10), statF(10), statF(40)}}},
		{"a breakdown",
			map[string]any{"i": "OFFENCES_RECORDED", "g": "NONE", "b": access},
			[]want{{"ALL [2020:130/2 2021:80/1]", statF(100 * (80.0 - 130) / 130), growth(80.0/130, 1), statF(-50)}}},
		{"an empty breakdown is the totals",
			map[string]any{"i": "OFFENCES_RECORDED", "g": "NONE", "b": map[string]any{}, "t": 2019},
			[]want{{"ALL [2019:300/2]", nil, nil, nil}}},
		{"MLA_EXECUTION_DAYS_MEDIAN gives the median (60 of 30, 60, 90), not the sum",
			map[string]any{"i": "MLA_EXECUTION_DAYS_MEDIAN", "g": "NONE"},
			[]want{{"ALL [2021:60/3]", nil, nil, nil}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var data struct{ Trend []statSeries }
			env.Do(t, member, statTrendQuery, tc.vars).Decode(t, &data)
			if len(data.Trend) != len(tc.want) {
				t.Fatalf("got %v, want %d series", data.Trend, len(tc.want))
			}
			for i, w := range tc.want {
				g := data.Trend[i]
				if g.String() != w.series {
					t.Errorf("got %s, want %s", g, w.series)
				}
				for _, f := range []struct {
					name      string
					got, want *float64
				}{{"changePct", g.ChangePct, w.change}, {"cagrPct", g.CagrPct, w.cagr}, {"slope", g.Slope, w.slope}} {
					if !statSame(f.got, f.want) {
						t.Errorf("%s %s: got %s, want %s", g.Group, f.name, statShow(f.got), statShow(f.want))
					}
				}
			}
		})
	}

	for _, tc := range []struct {
		name string
		vars map[string]any
	}{
		{"an unknown indicator", map[string]any{"i": "NOPE"}},
		{"a breakdown by a dimension the indicator lacks", map[string]any{"i": "OFFENCES_RECORDED", "b": map[string]any{"partner": "KEN"}}},
		{"a breakdown that is not an object", map[string]any{"i": "OFFENCES_RECORDED", "b": []any{"offence"}}},
	} {
		t.Run(tc.name+" is BAD_USER_INPUT", func(t *testing.T) {
			res := env.Do(t, member, statTrendQuery, tc.vars)
			if res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("got %+v, want BAD_USER_INPUT", res.Errors)
			}
		})
	}
}

func TestStatisticsObservationsFilters(t *testing.T) {
	env := apptest.New(t)
	sec := env.Secretariat(t)
	access := map[string]any{"offence": "illegal_access"}
	statMustReport(t, env, sec, "KEN", statObs("OFFENCES_RECORDED", 2019, 1), statObs("OFFENCES_RECORDED", 2020, 2),
		statObs("OFFENCES_RECORDED", 2020, 3, "breakdown", access))
	statMustReport(t, env, sec, "DEU", statObs("OFFENCES_RECORDED", 2020, 5), statObs("OFFENCES_RECORDED", 2021, 6, "breakdown", access))
	statMustReport(t, env, sec, "BRA", statObs("OFFENCES_RECORDED", 2021, 7), statObs("PERSONS_CONVICTED", 2021, 8))
	member := env.Member(t)

	cases := []struct {
		name string
		vars map[string]any
		want []string
	}{
		{"no filter: every State, year and breakdown of the indicator", map[string]any{}, []string{
			`BRA 2021 {} REPORTED 7 r1`, `DEU 2020 {} REPORTED 5 r1`, `DEU 2021 {"offence":"illegal_access"} REPORTED 6 r1`,
			`KEN 2019 {} REPORTED 1 r1`, `KEN 2020 {} REPORTED 2 r1`, `KEN 2020 {"offence":"illegal_access"} REPORTED 3 r1`}},
		{"state", map[string]any{"s": "DEU"}, []string{
			`DEU 2020 {} REPORTED 5 r1`, `DEU 2021 {"offence":"illegal_access"} REPORTED 6 r1`}},
		{"regionalGroup", map[string]any{"g": "AFRICAN"}, []string{
			`KEN 2019 {} REPORTED 1 r1`, `KEN 2020 {} REPORTED 2 r1`, `KEN 2020 {"offence":"illegal_access"} REPORTED 3 r1`}},
		{"from and to", map[string]any{"f": 2020, "t": 2020}, []string{
			`DEU 2020 {} REPORTED 5 r1`, `KEN 2020 {} REPORTED 2 r1`, `KEN 2020 {"offence":"illegal_access"} REPORTED 3 r1`}},
		{"breakdown {}: the totals only", map[string]any{"b": map[string]any{}}, []string{
			`BRA 2021 {} REPORTED 7 r1`, `DEU 2020 {} REPORTED 5 r1`, `KEN 2019 {} REPORTED 1 r1`, `KEN 2020 {} REPORTED 2 r1`}},
		{"breakdown null: all", map[string]any{"b": nil}, []string{
			`BRA 2021 {} REPORTED 7 r1`, `DEU 2020 {} REPORTED 5 r1`, `DEU 2021 {"offence":"illegal_access"} REPORTED 6 r1`,
			`KEN 2019 {} REPORTED 1 r1`, `KEN 2020 {} REPORTED 2 r1`, `KEN 2020 {"offence":"illegal_access"} REPORTED 3 r1`}},
		{"a breakdown", map[string]any{"b": access}, []string{
			`DEU 2021 {"offence":"illegal_access"} REPORTED 6 r1`, `KEN 2020 {"offence":"illegal_access"} REPORTED 3 r1`}},
		{"everything at once", map[string]any{"s": "KEN", "g": "AFRICAN", "f": 2020, "t": 2021, "b": map[string]any{}}, []string{
			`KEN 2020 {} REPORTED 2 r1`}},
		{"a State of another regional group", map[string]any{"s": "KEN", "g": "ASIA_PACIFIC"}, nil},
	}
	for _, tc := range cases {
		t.Run("filtered by "+tc.name, func(t *testing.T) {
			tc.vars["i"] = "OFFENCES_RECORDED"
			var data struct{ Observations []statObservation }
			env.Do(t, member, statObservationsQuery, tc.vars).Decode(t, &data)
			var got []string
			for _, o := range data.Observations {
				if o.Indicator.Code != "OFFENCES_RECORDED" {
					t.Errorf("got indicator %s, want OFFENCES_RECORDED", o.Indicator.Code)
				}
				got = append(got, o.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}

	for _, tc := range []struct {
		name string
		vars map[string]any
	}{
		{"an unknown indicator", map[string]any{"i": "NOPE"}},
		{"an unknown dimension value", map[string]any{"i": "OFFENCES_RECORDED", "b": map[string]any{"offence": "jaywalking"}}},
		{"a breakdown that is not an object", map[string]any{"i": "OFFENCES_RECORDED", "b": "offence"}},
		{"an unknown regional group", map[string]any{"i": "OFFENCES_RECORDED", "g": "ANTARCTIC"}},
	} {
		t.Run(tc.name+" is BAD_USER_INPUT", func(t *testing.T) {
			res := env.Do(t, member, statObservationsQuery, tc.vars)
			if res.Code() != "BAD_USER_INPUT" {
				t.Fatalf("got %+v, want BAD_USER_INPUT", res.Errors)
			}
		})
	}
}

func TestStatisticsIndicatorsQuery(t *testing.T) {
	env := apptest.New(t)
	var data struct {
		Indicators []struct {
			Code, Name, Unit string
			Dimensions       []struct {
				ID     string
				Values []string
			}
			WorkingGroups []struct{ ID string }
		}
	}
	env.Do(t, env.Member(t), `{ indicators { code name unit dimensions { id values } workingGroups { id } } }`, nil).Decode(t, &data)
	if got, want := len(data.Indicators), len(env.Indicators.Indicators); got != want || got < 15 {
		t.Fatalf("got %d indicators, want the catalogue's %d (at least 15)", got, want)
	}
	for _, ind := range data.Indicators {
		if ind.Name == "" || ind.Unit == "" || len(ind.WorkingGroups) == 0 {
			t.Errorf("%s: got name %q unit %q working groups %v", ind.Code, ind.Name, ind.Unit, ind.WorkingGroups)
		}
		if ind.Code == "MLA_REQUESTS_SENT" {
			for _, d := range ind.Dimensions {
				if d.ID == "partner" && (len(d.Values) != 193 || !slices.Contains(d.Values, "KEN")) {
					t.Errorf("partner: got %d values, want the 193 ISO3 codes", len(d.Values))
				}
			}
		}
	}
}
