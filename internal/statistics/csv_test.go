package statistics

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
)

// readAll drains a CSV source into its rows and row errors.
func readAll(t *testing.T, src *CSVSource) (rows []Row, positions []int, errs []RowError) {
	t.Helper()
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("the source never ends")
		}
		row, pos, rowErrs, ok, err := src.Next()
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if !ok {
			return rows, positions, errs
		}
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		rows = append(rows, row)
		positions = append(positions, pos)
	}
}

func TestCSVSourceReadsRows(t *testing.T) {
	cat := shipped(t)
	file := "\ufeffindicator, year ,value,status,offence,partner\n" +
		"OFFENCES_RECORDED,2020,12,,,\n" + // empty status = REPORTED, empty dimensions = the total
		"\n" + // a blank line is skipped, line numbers go on
		"OFFENCES_RECORDED,2020,5,estimated,illegal_access,\n" +
		"\"MLA_REQUESTS_SENT\",2020,\" 3 \",REPORTED,illegal_access,DEU\n" +
		"\"OFFENCES_RECORDED\",2019,,NOT_AVAILABLE,\"computer_related_\nforgery\",\n" + // a quoted line break
		"PROCEEDS_FROZEN,2021,1e6,CONFIDENTIAL,,\n"
	src := NewCSVSource(strings.NewReader(file), cat)
	if src.Unit() != "line" {
		t.Errorf("got unit %q, want line", src.Unit())
	}
	rows, lines, errs := readAll(t, src)
	if len(errs) > 0 {
		t.Fatalf("got errors:%s", rowErrs(errs))
	}
	want := []Row{
		{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(12)},
		{Indicator: "OFFENCES_RECORDED", Year: 2020, Value: num(5), Status: Estimated, Breakdown: map[string]string{"offence": "illegal_access"}},
		{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3), Status: Reported, Breakdown: map[string]string{"offence": "illegal_access", "partner": "DEU"}},
		{Indicator: "OFFENCES_RECORDED", Year: 2019, Status: NotAvailable, Breakdown: map[string]string{"offence": "computer_related_\nforgery"}},
		{Indicator: "PROCEEDS_FROZEN", Year: 2021, Value: num(1e6), Status: Confidential},
	}
	wantLines := []int{2, 4, 5, 6, 8}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("got lines %v, want %v", lines, wantLines)
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if got := fmt.Sprint(rows[i].Indicator, rows[i].Year, show(rows[i].Value), rows[i].Status, rows[i].Breakdown); got !=
			fmt.Sprint(want[i].Indicator, want[i].Year, show(want[i].Value), want[i].Status, want[i].Breakdown) {
			t.Errorf("line %d: got %+v, want %+v", wantLines[i], rows[i], want[i])
		}
	}
}

func TestCSVSourceReportsBadLines(t *testing.T) {
	cat := shipped(t)
	cases := []struct {
		name string
		file string
		want []string // line:field
		msg  string   // part of the first message
		rows int      // good rows read besides
	}{
		{"a year that is not a number", "indicator,year,value\nOFFENCES_RECORDED,2020,1\nOFFENCES_RECORDED,twenty,1\n",
			[]string{"3:year"}, `"twenty" is not a year`, 1},
		{"a value that is not a number", "indicator,year,value\nOFFENCES_RECORDED,2020,twelve\n",
			[]string{"2:value"}, `"twelve" is not a number`, 0},
		{"a trailing comma", "indicator,year,value\nOFFENCES_RECORDED,2020,1,\n",
			[]string{"2:"}, "expected 3 fields", 0},
		{"a value with a thousands separator", "indicator,year,value\nOFFENCES_RECORDED,2020,\"1,000\"\n",
			[]string{"2:value"}, `"1,000" is not a number`, 0},
		{"a line with too many fields", "indicator,year,value\nOFFENCES_RECORDED,2020,1\nOFFENCES_RECORDED,2021,1,9\nOFFENCES_RECORDED,2019,1\n",
			[]string{"3:"}, "expected 3 fields like the header, found 4", 2},
		{"a line with too few fields", "indicator,year,value,status\nOFFENCES_RECORDED,2021\n",
			[]string{"2:"}, "found 2", 0},
		{"a bad quote stops the reading", "indicator,year,value\nOFFENCES_RECORDED,2020,1\nOFFENCES_RECORDED,20\"21,1\nOFFENCES_RECORDED,2019,1\n",
			[]string{"3:"}, "malformed CSV", 1},
		{"an unterminated quote", "indicator,year,value\nOFFENCES_RECORDED,2020,\"1\n",
			[]string{"2:"}, "malformed CSV", 0},
		{"an empty body", "",
			[]string{"1:"}, "the file is empty", 0},
		{"a header with an unknown column", "indicator,year,value,colour\nOFFENCES_RECORDED,2020,1,red\n",
			[]string{"1:colour"}, `unknown column "colour"`, 0},
		{"a header without a value column", "indicator,year,status\nOFFENCES_RECORDED,2020,REPORTED\n",
			[]string{"1:value"}, `no "value" column`, 0},
		{"a header without indicator and year", "value\n1\n",
			[]string{"1:indicator", "1:year"}, `no "indicator" column`, 0},
		{"a header naming a column twice", "indicator,year,value,year\nOFFENCES_RECORDED,2020,1,2020\n",
			[]string{"1:year"}, "appears twice", 0},
		{"a header that is a bad quote", "indicator,\"year,value\n",
			[]string{"1:"}, "the header cannot be read", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is reported on its line", func(t *testing.T) {
			rows, _, errs := readAll(t, NewCSVSource(strings.NewReader(tc.file), cat))
			if got := fieldsOf(errs); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v:%s", got, tc.want, rowErrs(errs))
			}
			if !strings.Contains(errs[0].Message, tc.msg) {
				t.Errorf("got %q, want it to say %q", errs[0].Message, tc.msg)
			}
			if len(rows) != tc.rows {
				t.Errorf("got %d good rows, want %d", len(rows), tc.rows)
			}
		})
	}
}

// failingReader fails after its data.
type failingReader struct{ r io.Reader }

var errBroken = errors.New("connection reset")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, errBroken
	}
	return n, err
}

func TestCSVReport(t *testing.T) {
	f := newFixture(t)
	report := func(t *testing.T, body io.Reader) (Result, error) {
		return f.svc.Report(context.Background(), focalPoint("KEN"), "KEN", NewCSVSource(body, f.svc.cat))
	}

	t.Run("a bad line among good ones is reported by line number and nothing is stored", func(t *testing.T) {
		res, err := report(t, strings.NewReader("indicator,year,value,offence\n"+
			"OFFENCES_RECORDED,2020,10,\n"+
			"OFFENCES_RECORDED,2020,4,illegal_access\n"+
			"OFFENCES_RECORDED,2020,-4,illegal_interception\n"+
			"OFFENCES_RECORDED,2020,11,\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fieldsOf(res.Errors), []string{"4:value", "5:indicator"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v:%s", got, want, rowErrs(res.Errors))
		}
		if !strings.Contains(res.Errors[1].Message, "duplicate of line 2") {
			t.Errorf("got %q, want it to name line 2", res.Errors[1].Message)
		}
		if got := f.counts(t); got != (dbCounts{}) {
			t.Fatalf("the database holds %+v, want nothing", got)
		}
	})

	t.Run("a broken connection is an error and nothing is stored", func(t *testing.T) {
		_, err := report(t, failingReader{strings.NewReader("indicator,year,value\nOFFENCES_RECORDED,2020,10\n")})
		if !errors.Is(err, errBroken) {
			t.Fatalf("got %v, want the read error", err)
		}
		if got := f.counts(t); got != (dbCounts{}) {
			t.Fatalf("the database holds %+v, want nothing", got)
		}
	})

	t.Run("a good file is stored with one audit event", func(t *testing.T) {
		res, err := report(t, strings.NewReader("indicator,year,value,status,offence\n"+
			"OFFENCES_RECORDED,2020,10,,\n"+
			"OFFENCES_RECORDED,2020,4,ESTIMATED,illegal_access\n"+
			"OFFENCES_RECORDED,2021,,NOT_AVAILABLE,\n"))
		if err != nil || len(res.Errors) > 0 || res.Accepted != 3 {
			t.Fatalf("got accepted %d, errors:%s, err %v; want 3", res.Accepted, rowErrs(res.Errors), err)
		}
		if got := f.counts(t); got != (dbCounts{Observations: 3, Audits: 1}) {
			t.Fatalf("the database holds %+v, want 3 observations and one audit event", got)
		}
	})
}

func TestCSVTemplate(t *testing.T) {
	cat := shipped(t)
	// read is the template's lines without its help lines.
	read := func(t *testing.T, codes []string) [][]string {
		t.Helper()
		_, recs := templateIn(t, cat, codes, "en")
		return recs
	}

	t.Run("the whole catalogue: every indicator once, every dimension a column once", func(t *testing.T) {
		recs := read(t, nil)
		wantHead := []string{"indicator", "year", "value", "status", "offence", "partner", "profession", "assistance_area"}
		if !slices.Equal(recs[0], wantHead) {
			t.Errorf("got header %v, want %v", recs[0], wantHead)
		}
		if got := len(recs) - 1; got != len(cat.Indicators) {
			t.Errorf("got %d lines, want one per indicator (%d)", got, len(cat.Indicators))
		}
		for i, ind := range cat.Indicators {
			if rec := recs[i+1]; rec[0] != ind.Code || rec[1] != "2023" || rec[2] != "" || rec[3] != "REPORTED" {
				t.Errorf("line %d: got %v, want %s,2023,,REPORTED", i+2, rec, ind.Code)
			}
		}
	})

	t.Run("two indicators: only the dimensions they use", func(t *testing.T) {
		recs := read(t, []string{"PERSONS_TRAINED", "MLA_EXECUTION_DAYS_MEDIAN"})
		if want := []string{"indicator", "year", "value", "status", "profession"}; !slices.Equal(recs[0], want) {
			t.Errorf("got header %v, want %v", recs[0], want)
		}
		if len(recs) != 3 || recs[1][0] != "PERSONS_TRAINED" || recs[2][0] != "MLA_EXECUTION_DAYS_MEDIAN" {
			t.Errorf("got %v, want a line for each indicator in the order asked", recs[1:])
		}
	})

	t.Run("an indicator asked for twice has one line", func(t *testing.T) {
		recs := read(t, []string{"PROCEEDS_RETURNED", "PROCEEDS_FROZEN", "PROCEEDS_RETURNED"})
		var got []string
		for _, rec := range recs[1:] {
			got = append(got, rec[0])
		}
		if want := []string{"PROCEEDS_RETURNED", "PROCEEDS_FROZEN"}; !slices.Equal(got, want) {
			t.Errorf("got lines for %v, want %v", got, want)
		}
	})

	t.Run("an unknown indicator is BAD_USER_INPUT", func(t *testing.T) {
		err := cat.Template(io.Discard, []string{"OFFENCES_RECORDED", "NOPE"}, 2023, "en")
		if apperr.CodeOf(err) != apperr.BadInput || !strings.Contains(err.Error(), `"NOPE"`) {
			t.Fatalf("got %v, want BAD_USER_INPUT naming NOPE", err)
		}
	})

	t.Run("the template filled in is accepted back", func(t *testing.T) {
		f := newFixture(t)
		recs := read(t, nil)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(recs[0]) //nolint:errcheck
		for i, rec := range recs[1:] {
			rec[2] = fmt.Sprint(i + 1)
			w.Write(rec) //nolint:errcheck
		}
		w.Flush()
		res, err := f.svc.Report(context.Background(), secretariat, "KEN", NewCSVSource(&buf, f.svc.cat))
		if err != nil || len(res.Errors) > 0 || res.Accepted != len(cat.Indicators) {
			t.Fatalf("got accepted %d, errors:%s, err %v; want %d", res.Accepted, rowErrs(res.Errors), err, len(cat.Indicators))
		}
	})

	t.Run("the template as downloaded, values empty, is refused line by line", func(t *testing.T) {
		f := newFixture(t)
		recs := read(t, []string{"PERSONS_TRAINED", "PROCEEDS_FROZEN"})
		var buf bytes.Buffer
		csv.NewWriter(&buf).WriteAll(recs) //nolint:errcheck
		res, err := f.svc.Report(context.Background(), secretariat, "KEN", NewCSVSource(&buf, f.svc.cat))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fieldsOf(res.Errors), []string{"2:value", "3:value"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v:%s", got, want, rowErrs(res.Errors))
		}
	})
}

// templateIn is the template of codes with its help in lang: the help
// lines' text and the other lines, read as a spreadsheet reads CSV.
func templateIn(t *testing.T, cat *Catalogue, codes []string, lang string) (help []string, recs [][]string) {
	t.Helper()
	var buf bytes.Buffer
	if err := cat.Template(&buf, codes, 2023, lang); err != nil {
		t.Fatalf("Template(%v, %s): %v", codes, lang, err)
	}
	raw, ok := bytes.CutPrefix(buf.Bytes(), []byte("\ufeff"))
	if !ok {
		t.Error("the template does not start with a byte order mark: a spreadsheet would not read it as UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the template is not CSV: %v", err)
	}
	for _, rec := range all {
		if strings.HasPrefix(rec[0], "# ") {
			if len(rec) != 1 {
				t.Errorf("a help line is %d cells, want one (a spreadsheet shows it in one cell): %q", len(rec), rec)
			}
			help = append(help, rec[0])
			continue
		}
		if len(help) == 0 {
			t.Errorf("the line %q comes before any help", rec)
		}
		recs = append(recs, rec)
	}
	return help, recs
}

// TestCSVTemplateHelpsInTheReadersLanguage (issue 13): the template
// explains its columns, the dimensions' values and the indicators, with
// their names and units, in the language it was asked in; downloaded in
// Arabic and filled in, it is accepted back as it is, and so it is after a
// spreadsheet saved it with the help lines padded to the header's width.
func TestCSVTemplateHelpsInTheReadersLanguage(t *testing.T) {
	cat := shipped(t)
	t.Run("the help is in the language asked for", func(t *testing.T) {
		for _, lang := range []string{"ar", "zh", "en", "fr", "ru", "es"} {
			help, recs := templateIn(t, cat, nil, lang)
			text := strings.Join(help, "\n")
			for _, ind := range cat.Indicators {
				if !strings.Contains(text, ind.Code) || !strings.Contains(text, ind.NameIn(lang)) || !strings.Contains(text, ind.UnitIn(lang)) {
					t.Errorf("%s: the help does not give %s with its name %q and unit %q:\n%s", lang, ind.Code, ind.NameIn(lang), ind.UnitIn(lang), text)
				}
				if lang != "en" && strings.Contains(text, ind.Name) {
					t.Errorf("%s: the help names %s in English (%q)", lang, ind.Code, ind.Name)
				}
			}
			for _, d := range cat.Dimensions {
				if !strings.Contains(text, d.NameIn(lang)) {
					t.Errorf("%s: the help does not name dimension %s (%q)", lang, d.ID, d.NameIn(lang))
				}
			}
			for _, key := range []string{"indicator: the code of an indicator listed below.", "status: REPORTED (the default), ESTIMATED, NOT_AVAILABLE (leave the value empty) or CONFIDENTIAL."} {
				if want := i18n.T(lang, key); !strings.Contains(text, want) || (lang != "en" && want == key) {
					t.Errorf("%s: the help lacks %q in its language", lang, want)
				}
			}
			if want := []string{"indicator", "year", "value", "status", "offence", "partner", "profession", "assistance_area"}; !slices.Equal(recs[0], want) {
				t.Errorf("%s: header %v, want %v (column names are not translated)", lang, recs[0], want)
			}
		}
	})

	fill := func(t *testing.T, padded bool) *bytes.Buffer {
		t.Helper()
		var buf bytes.Buffer
		if err := cat.Template(&buf, nil, 2023, "ar"); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff"))))
		r.FieldsPerRecord = -1
		all, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		width := 0
		for _, rec := range all {
			width = max(width, len(rec))
		}
		var out bytes.Buffer
		out.WriteString("\ufeff")
		w := csv.NewWriter(&out)
		seenHeader := false
		for i, rec := range all {
			switch {
			case strings.HasPrefix(rec[0], "#"):
				if padded {
					rec = append(rec, make([]string, width-len(rec))...)
				}
			case !seenHeader:
				seenHeader = true
			default:
				rec[2] = fmt.Sprint(i)
			}
			w.Write(rec) //nolint:errcheck
		}
		w.Flush()
		return &out
	}
	for _, padded := range []bool{false, true} {
		name := "downloaded in Arabic, filled in and uploaded, it is accepted"
		if padded {
			name += ", after a spreadsheet padded the help lines"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			res, err := f.svc.Report(context.Background(), secretariat, "KEN", NewCSVSource(fill(t, padded), f.svc.cat))
			if err != nil || len(res.Errors) > 0 || res.Accepted != len(cat.Indicators) {
				t.Fatalf("got accepted %d, errors:%s, err %v; want %d", res.Accepted, rowErrs(res.Errors), err, len(cat.Indicators))
			}
		})
	}

	t.Run("a line's error names its line in the file, help lines counted", func(t *testing.T) {
		f := newFixture(t)
		var buf bytes.Buffer
		if err := cat.Template(&buf, []string{"PERSONS_TRAINED"}, 2023, "fr"); err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(buf.String(), "\n") // the last line, the indicator's, left empty
		res, err := f.svc.Report(context.Background(), secretariat, "KEN", NewCSVSource(&buf, f.svc.cat))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fieldsOf(res.Errors), []string{fmt.Sprint(lines) + ":value"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v:%s", got, want, rowErrs(res.Errors))
		}
	})
}
