package httpapi

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/schedule"
	"github.com/cosp-ict/irm/internal/statistics"
)

// ReportPDF serves GET /reports/{id}.pdf to whoever may read the run:
// the bytes as stored, an ETag from their SHA-256 (If-None-Match gives
// 304) and the file name the run recorded. A run that does not exist and
// one the caller may not read are both 404.
func ReportPDF(reports *schedule.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
		if !ok {
			httperr.Write(w, r, log, apperr.NotFoundT("report files are named {pattern}", "pattern", "/reports/{id}.pdf"))
			return
		}
		p, _ := auth.FromContext(r.Context())
		f, err := reports.PDF(r.Context(), p, id)
		if err != nil {
			httperr.Write(w, r, log, err)
			return
		}
		ServePDF(w, r, f)
	})
}

// ServePDF writes a report's PDF as the API and the pages serve it: the
// bytes as stored, an ETag from their SHA-256 (If-None-Match gives 304),
// the file name the run recorded, never cached by a shared cache.
func ServePDF(w http.ResponseWriter, r *http.Request, f schedule.File) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, f.Name))
	w.Header().Set("ETag", `"`+f.SHA256+`"`)
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, f.Name, time.Time{}, bytes.NewReader(f.PDF))
}

// Template serves GET /statistics/template.csv: the CSV template of the
// indicators asked for (?indicators=A,B or ?workingGroup=ID), or all,
// with its help in the language asked for (?lang=, which the pages' links
// give, else Accept-Language).
func Template(cat *statistics.Catalogue, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var codes []string
		if q := r.URL.Query().Get("indicators"); q != "" {
			codes = strings.Split(q, ",")
		}
		if wg := r.URL.Query().Get("workingGroup"); wg != "" {
			for _, ind := range cat.ForWorkingGroup(wg) {
				codes = append(codes, ind.Code)
			}
			if len(codes) == 0 {
				httperr.Write(w, r, log, apperr.NotFoundT("no indicators for working group \"{workingGroup}\"", "workingGroup", wg))
				return
			}
		}
		var buf bytes.Buffer
		lang := r.URL.Query().Get("lang")
		if !i18n.Known(lang) {
			lang = i18n.Match(r.Header.Get("Accept-Language"))
		}
		if err := cat.Template(&buf, codes, time.Now().Year()-1, lang); err != nil {
			httperr.Write(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="irm-statistics-template.csv"`)
		w.Header().Set("Content-Language", lang)
		w.Header().Add("Vary", "Accept-Language")
		w.Write(buf.Bytes()) //nolint:errcheck
	})
}
