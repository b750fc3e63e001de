package statistics

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
)

// ReportRows stores a GraphQL batch of at most MaxBatchRows rows;
// unreadable holds rows whose fields could not be read, by index.
func (s *Service) ReportRows(ctx context.Context, p auth.Principal, state string, rows []Row, unreadable map[int][]RowError) (Result, error) {
	if len(rows) > MaxBatchRows {
		return Result{}, apperr.TooLargeT("a batch holds at most {max} observations, got {got}: split it, or send a CSV file", "max", MaxBatchRows, "got", len(rows))
	}
	return s.Report(ctx, p, state, &SliceSource{Rows: rows, Unreadable: unreadable})
}

// CSVSource reads observations from CSV: a header naming indicator, year,
// value and optionally status, plus one column per dimension used; an
// empty dimension cell means the value is not broken down by it. A line
// whose first cell begins with # is help (the template's, in the reader's
// language) and is skipped, before the header and after it, whether a
// spreadsheet quoted it or padded it with empty cells. Positions are
// 1-based line numbers. It holds one record at a time.
type CSVSource struct {
	r      *csv.Reader
	cols   map[string]int
	width  int      // the header's number of fields, which every line has
	dims   []string // dimension columns, in header order
	dimIdx []int
	done   bool
	header []RowError
	whole  FileProblem
}

// FileProblem is why a whole file is not CSV the way the template is,
// said once instead of row by row.
type FileProblem string

const (
	// Workbook is a spreadsheet workbook (.xlsx, .ods: a zip; .xls: an
	// OLE compound file), recognised by its first bytes.
	Workbook FileProblem = "WORKBOOK"
	// Semicolons is a header whose columns are separated by semicolons.
	Semicolons FileProblem = "SEMICOLONS"
)

// Problem is what is wrong with the file as a whole ("" when nothing is:
// its rows, if any, say the rest). The pages put it in their words.
func (s *CSVSource) Problem() FileProblem { return s.whole }

// workbook reports whether a file starting with head is a spreadsheet
// workbook rather than text.
func workbook(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || // .xlsx, .ods (zip)
		bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) // .xls (OLE)
}

// NewCSVSource reads the header of r and checks its columns against the
// catalogue. Header problems come back as row errors on line 1.
func NewCSVSource(r io.Reader, cat *Catalogue) *CSVSource {
	br := bufio.NewReader(r)
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // help lines have fewer cells: Next checks the others
	s := &CSVSource{r: cr, cols: map[string]int{}}
	if magic, _ := br.Peek(8); workbook(magic) {
		s.whole = Workbook
		s.header = []RowError{rowError(1, "",
			"the file is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV: in the spreadsheet, save it as CSV UTF-8 (comma-delimited) and upload that file")}
		return s
	}
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3) //nolint:errcheck // peeked
	}
	head, err := s.read()
	if err != nil {
		e := rowError(1, "", "the file is empty: the first line must be a header such as indicator,year,value,status")
		if !errors.Is(err, io.EOF) {
			e = rowError(1, "", "the header cannot be read: {reason}", "reason", err.Error())
		}
		s.header = []RowError{e}
		return s
	}
	s.width = len(head)
	headLine, _ := cr.FieldPos(0)
	known := map[string]bool{}
	for _, d := range cat.Dimensions {
		known[d.ID] = true
	}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := s.cols[h]; dup {
			s.header = append(s.header, rowError(headLine, h, `column "{column}" appears twice`, "column", h))
			continue
		}
		s.cols[h] = i
		switch {
		case h == "indicator" || h == "year" || h == "value" || h == "status":
		case known[h]:
			s.dims = append(s.dims, h)
			s.dimIdx = append(s.dimIdx, i)
		case strings.Contains(h, ";"):
			// One message says it all: the columns it hides are not
			// missing, and the other cells are not unknown columns.
			s.whole = Semicolons
			s.header = []RowError{rowError(headLine, "",
				"the columns are separated by semicolons: save the file with commas as separators (CSV, comma-delimited), as the template is")}
			return s
		default:
			s.header = append(s.header, rowError(headLine, h,
				`unknown column "{column}": use indicator, year, value, status and dimension ids`, "column", h))
		}
	}
	for _, need := range []string{"indicator", "year", "value"} {
		if _, ok := s.cols[need]; !ok {
			s.header = append(s.header, rowError(headLine, need, `the header has no "{column}" column`, "column", need))
		}
	}
	return s
}

// Unit implements Source.
func (s *CSVSource) Unit() string { return "line" }

// Next implements Source.
func (s *CSVSource) Next() (Row, int, []RowError, bool, error) {
	if len(s.header) > 0 {
		errs := s.header
		s.header, s.done = nil, true
		return Row{}, errs[0].Row, errs, true, nil
	}
	if s.done {
		return Row{}, 0, nil, false, nil
	}
	rec, err := s.read()
	if errors.Is(err, io.EOF) {
		s.done = true
		return Row{}, 0, nil, false, nil
	}
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		// A quoting error leaves the reader lost: report it and stop.
		s.done = true
		return Row{}, perr.Line, []RowError{rowError(perr.Line, "", "malformed CSV: {reason}", "reason", perr.Err.Error())}, true, nil
	}
	if err != nil {
		return Row{}, 0, nil, false, fmt.Errorf("read CSV: %w", err)
	}
	line, _ := s.r.FieldPos(0)
	if len(rec) != s.width {
		return Row{}, line, []RowError{rowError(line, "",
			"expected {want} fields like the header, found {got}", "want", len(s.cols), "got", len(rec))}, true, nil
	}
	var row Row
	var errs []RowError
	row.Indicator = strings.TrimSpace(rec[s.cols["indicator"]])
	if y, err := strconv.Atoi(strings.TrimSpace(rec[s.cols["year"]])); err != nil {
		errs = append(errs, rowError(line, "year", `"{year}" is not a year`, "year", rec[s.cols["year"]]))
	} else {
		row.Year = y
	}
	if v := strings.TrimSpace(rec[s.cols["value"]]); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, rowError(line, "value", `"{value}" is not a number`, "value", v))
		} else {
			row.Value = &f
		}
	}
	if i, ok := s.cols["status"]; ok {
		row.Status = Status(strings.ToUpper(strings.TrimSpace(rec[i])))
	}
	for k, i := range s.dimIdx {
		if v := strings.TrimSpace(rec[i]); v != "" {
			if row.Breakdown == nil {
				row.Breakdown = map[string]string{}
			}
			row.Breakdown[s.dims[k]] = v
		}
	}
	return row, line, errs, true, nil
}

// read is the next record that is not a help line.
func (s *CSVSource) read() ([]string, error) {
	for {
		rec, err := s.r.Read()
		if err != nil || !helpLine(rec) {
			return rec, err
		}
	}
}

// helpLine reports whether rec is a line of help: its first cell begins
// with #.
func helpLine(rec []string) bool {
	return len(rec) > 0 && strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "#")
}

// Template returns a CSV template for the given indicators (all when
// codes is empty): help in lang, the header with the dimensions they use,
// and one example line per indicator for year. The help comes first, one
// line each beginning with # (CSVSource skips them): what each column
// holds, the values of each dimension and each indicator's name, unit and
// description, in lang. The column names, codes and values stay as the
// upload reads them. A byte order mark starts the file, so that a
// spreadsheet reads it as UTF-8.
func (c *Catalogue) Template(w io.Writer, codes []string, year int, lang string) error {
	inds := c.Indicators
	if len(codes) > 0 {
		inds = nil
		for _, code := range codes {
			ind, ok := c.Indicator(code)
			if !ok {
				return apperr.BadInputT("unknown indicator \"{code}\"", "code", code)
			}
			// An indicator asked for twice (by name and by working group)
			// gets one line: two would be refused as duplicates on upload.
			if !slices.Contains(inds, ind) {
				inds = append(inds, ind)
			}
		}
	}
	var dims []*Dimension
	for _, ind := range inds {
		for _, d := range ind.Dimensions {
			if !slices.Contains(dims, d) {
				dims = append(dims, d)
			}
		}
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	help := func(key string, args ...any) {
		cw.Write([]string{"# " + i18n.T(lang, key, args...)}) //nolint:errcheck // cw.Error says
	}
	help("IRM statistics template. Lines that begin with # are help: the upload skips them, and you may delete them.")
	help("Write one line per indicator, year and breakdown under the line of column names. Keep the column names, the codes and the statuses as they are: they are not translated.")
	help("indicator: the code of an indicator listed below.")
	help("year: the calendar year the figure covers, for example {year}.", "year", strconv.Itoa(year))
	help("value: the figure in the indicator's unit, in digits, with a point before any decimals and no thousands separator, for example 1234.5.")
	help("status: REPORTED (the default), ESTIMATED, NOT_AVAILABLE (leave the value empty) or CONFIDENTIAL.")
	for _, d := range dims {
		var values string
		if d.CodeList == "states" {
			values = i18n.T(lang, "the State's ISO 3166-1 alpha-3 code, in capitals, such as KEN")
		} else {
			var vs []string
			for _, v := range d.Values {
				vs = append(vs, i18n.T(lang, "{code} ({label})", "code", v, "label", d.ValueIn(v, lang)))
			}
			values = strings.Join(vs, "; ")
		}
		help("{column}: {dimension}. Leave it empty for a figure that is not broken down by it; otherwise one of: {values}.",
			"column", d.ID, "dimension", d.NameIn(lang), "values", values)
	}
	for _, ind := range inds {
		help("{code}: {name}, in {unit}. {description}", "code", ind.Code, "name", ind.NameIn(lang),
			"unit", ind.UnitIn(lang), "description", ind.DescriptionIn(lang))
	}
	header := []string{"indicator", "year", "value", "status"}
	for _, d := range dims {
		header = append(header, d.ID)
	}
	cw.Write(header) //nolint:errcheck
	for _, ind := range inds {
		rec := []string{ind.Code, strconv.Itoa(year), "", string(Reported)}
		cw.Write(append(rec, make([]string, len(dims))...)) //nolint:errcheck
	}
	cw.Flush()
	return cw.Error()
}
