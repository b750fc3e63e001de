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
// empty dimension cell means the value is not broken down by it. Positions
// are 1-based line numbers. It holds one record at a time.
type CSVSource struct {
	r      *csv.Reader
	cols   map[string]int
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
	cr.FieldsPerRecord = 0
	s := &CSVSource{r: cr, cols: map[string]int{}}
	if magic, _ := br.Peek(8); workbook(magic) {
		s.whole = Workbook
		s.header = []RowError{rowError(1, "",
			"the file is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV: in the spreadsheet, save it as CSV UTF-8 (comma-delimited) and upload that file")}
		return s
	}
	head, err := cr.Read()
	if err != nil {
		e := rowError(1, "", "the file is empty: the first line must be a header such as indicator,year,value,status")
		if !errors.Is(err, io.EOF) {
			e = rowError(1, "", "the header cannot be read: {reason}", "reason", err.Error())
		}
		s.header = []RowError{e}
		return s
	}
	known := map[string]bool{}
	for _, d := range cat.Dimensions {
		known[d.ID] = true
	}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := s.cols[h]; dup {
			s.header = append(s.header, rowError(1, h, `column "{column}" appears twice`, "column", h))
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
			s.header = []RowError{rowError(1, "",
				"the columns are separated by semicolons: save the file with commas as separators (CSV, comma-delimited), as the template is")}
			return s
		default:
			s.header = append(s.header, rowError(1, h,
				`unknown column "{column}": use indicator, year, value, status and dimension ids`, "column", h))
		}
	}
	for _, need := range []string{"indicator", "year", "value"} {
		if _, ok := s.cols[need]; !ok {
			s.header = append(s.header, rowError(1, need, `the header has no "{column}" column`, "column", need))
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
		return Row{}, 1, errs, true, nil
	}
	if s.done {
		return Row{}, 0, nil, false, nil
	}
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		s.done = true
		return Row{}, 0, nil, false, nil
	}
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		if errors.Is(perr.Err, csv.ErrFieldCount) {
			return Row{}, perr.StartLine, []RowError{rowError(perr.StartLine, "",
				"expected {want} fields like the header, found {got}", "want", len(s.cols), "got", len(rec))}, true, nil
		}
		// A quoting error leaves the reader lost: report it and stop.
		s.done = true
		return Row{}, perr.Line, []RowError{rowError(perr.Line, "", "malformed CSV: {reason}", "reason", perr.Err.Error())}, true, nil
	}
	if err != nil {
		return Row{}, 0, nil, false, fmt.Errorf("read CSV: %w", err)
	}
	line, _ := s.r.FieldPos(0)
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

// Template returns a CSV template for the given indicators (all when
// codes is empty): the header with the dimensions they use, and one
// example line per indicator for year.
func (c *Catalogue) Template(w io.Writer, codes []string, year int) error {
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
	var dims []string
	for _, ind := range inds {
		for _, d := range ind.DimensionIDs {
			if !slices.Contains(dims, d) {
				dims = append(dims, d)
			}
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"indicator", "year", "value", "status"}, dims...)) //nolint:errcheck
	for _, ind := range inds {
		rec := []string{ind.Code, strconv.Itoa(year), "", string(Reported)}
		cw.Write(append(rec, make([]string, len(dims))...)) //nolint:errcheck
	}
	cw.Flush()
	return cw.Error()
}
