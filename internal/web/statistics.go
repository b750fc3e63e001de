package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/report"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
)

// maxUploadBytes bounds a CSV uploaded from the page, as the CSV endpoint does.
const maxUploadBytes = 512 << 20

type seriesRow struct {
	Code, Name, Unit string
	Points           []seriesPoint
}

type seriesPoint struct {
	Year   int
	Value  string
	Status string
}

type statsView struct {
	State    state.State
	Series   []seriesRow
	Reported bool           // any series has a value
	Groups   []templateLink // a template per working group with indicators
	Single   []templateLink // a template per indicator
	Uploaded bool
	Accepted int
	Errors   []statistics.RowError
	BadRows  int // the rows the errors are on
	Problem  string
}

// templateLink is a CSV template's link, labelled with what it holds.
type templateLink struct{ Href, Label string }

// formatValue is an observation's value as lang writes it, "–" when the
// value is missing.
func formatValue(lang string, v *float64) string {
	if v == nil {
		return "–"
	}
	return report.Number(lang, *v, "")
}

func (h *Handler) statsView(r *http.Request, rq *req) (*statsView, error) {
	code := strings.ToUpper(r.PathValue("state"))
	if err := auth.CanReportStatistics(rq.P, code); err != nil {
		return nil, err
	}
	st, err := h.States.Get(r.Context(), code)
	if err != nil {
		return nil, err
	}
	v := &statsView{State: st}
	for _, ind := range h.Statistics.Catalogue().Indicators {
		obs, err := h.Statistics.Observations(r.Context(), rq.P, statistics.Filter{Indicator: ind.Code, State: &code, Breakdown: map[string]string{}})
		if err != nil {
			return nil, err
		}
		row := seriesRow{Code: ind.Code, Name: ind.NameIn(rq.Lang), Unit: ind.UnitIn(rq.Lang)}
		v.Single = append(v.Single, templateLink{Href: "/statistics/template.csv?indicators=" + url.QueryEscape(ind.Code) + "&lang=" + rq.Lang, Label: row.Name})
		for _, o := range obs {
			row.Points = append(row.Points, seriesPoint{Year: o.Year, Value: formatValue(rq.Lang, o.Value), Status: string(o.Status)})
		}
		v.Series = append(v.Series, row)
		v.Reported = v.Reported || len(row.Points) > 0
	}
	for _, g := range h.Registry.WorkingGroups() {
		if len(h.Statistics.Catalogue().ForWorkingGroup(g.ID)) > 0 {
			v.Groups = append(v.Groups, templateLink{Href: "/statistics/template.csv?workingGroup=" + url.QueryEscape(g.ID) + "&lang=" + rq.Lang, Label: g.NameIn(rq.Lang)})
		}
	}
	return v, nil
}

// fileProblems are the messages for a file that is not CSV as the
// template is.
var fileProblems = map[statistics.FileProblem]string{
	statistics.Workbook:   "This file is a spreadsheet workbook (.xlsx, .xls or .ods), not a CSV file. In the spreadsheet, save it as “CSV UTF-8 (comma delimited)” and upload that file.",
	statistics.Semicolons: "The columns of this file are separated by semicolons. Save it with commas as separators (“CSV UTF-8 (comma delimited)”), as the template is, and upload it again.",
}

// badRows counts the rows with a problem: a row with two errors is one.
func badRows(errs []statistics.RowError) int {
	rows := map[int]bool{}
	for _, e := range errs {
		rows[e.Row] = true
	}
	return len(rows)
}

func (h *Handler) statisticsPage(w http.ResponseWriter, r *http.Request, rq *req) error {
	v, err := h.statsView(r, rq)
	if err != nil {
		return err
	}
	h.render(w, r, rq, http.StatusOK, "statistics", "Statistics", v)
	return nil
}

// statisticsUpload stores an uploaded CSV file through the statistics
// service. Its CSRF token is checked before a byte of the file is
// received: it comes in the X-CSRF-Token header (scripts), or as the form's
// first field (the page puts it first, so this works without JavaScript);
// a form whose first part is anything else is refused there. Only then is
// the file received, under the CSV endpoint's rules (SpoolUpload).
func (h *Handler) statisticsUpload(w http.ResponseWriter, r *http.Request, rq *req) error {
	code := strings.ToUpper(r.PathValue("state"))
	if err := auth.CanReportStatistics(rq.P, code); err != nil {
		return err // before a byte of the file is received
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		return apperr.BadInputT("send the file as multipart/form-data, as the page's form does")
	}
	csrfChecked := false
	if got := r.Header.Get("X-CSRF-Token"); got != "" {
		if !sameToken(got, rq.CSRF) {
			return errCSRF
		}
		csrfChecked = true
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, maxUploadBytes), params["boundary"])
	var res statistics.Result
	var problem string
	uploaded := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return apperr.BadInputT("the upload could not be read: {reason}", "reason", err)
		}
		if !csrfChecked {
			if part.FormName() != "csrf" {
				return errCSRF // the first part must be the token
			}
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			if !sameToken(string(b), rq.CSRF) {
				return errCSRF
			}
			csrfChecked = true
			continue
		}
		if part.FormName() != "file" || uploaded {
			continue
		}
		if part.FileName() == "" {
			problem = tr(rq.Lang, "Choose a CSV file to upload.")
			continue
		}
		uploaded = true
		var file io.Reader = part
		if h.SpoolUpload != nil {
			spooled, err := h.SpoolUpload(w, r, rq.P, part)
			if err != nil {
				return err
			}
			defer spooled.Close()
			file = spooled
		}
		src := statistics.NewCSVSource(file, h.Statistics.Catalogue())
		res, err = h.Statistics.Report(r.Context(), rq.P, code, src)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return apperr.TooLargeT("the file is larger than 512 MiB: split it")
		case err != nil && apperr.CodeOf(err) == apperr.BadInput:
			problem = apperr.Message(err, rq.Lang)
		case err != nil:
			return err
		}
		// A file that is not CSV as the template is gets one message in
		// the reader's words, not a row error.
		if p := fileProblems[src.Problem()]; p != "" {
			problem, res.Errors = tr(rq.Lang, p), nil
		}
	}
	if !csrfChecked {
		return errCSRF
	}
	v, err := h.statsView(r, rq)
	if err != nil {
		return err
	}
	v.Uploaded, v.Accepted, v.Errors, v.Problem = uploaded && problem == "", res.Accepted, statistics.RowErrorsIn(res.Errors, rq.Lang), problem
	v.BadRows = badRows(res.Errors)
	st := http.StatusOK
	if len(v.Errors) > 0 || problem != "" {
		st = http.StatusUnprocessableEntity
	}
	h.render(w, r, rq, st, "statistics", "Statistics", v)
	return nil
}
