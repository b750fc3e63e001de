package app

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/statistics"
)

// MaxCSVBytes bounds one statistics file; csvTimeout bounds the time to
// send and store it.
const (
	MaxCSVBytes = 512 << 20
	csvTimeout  = 30 * time.Minute
)

// csvPayload is the answer of POST /statistics/{ISO3}.csv: the shape of
// the contract's ObservationsPayload, plus a code when the file was not
// read at all (FORBIDDEN, NOT_FOUND ...).
type csvPayload struct {
	Accepted int           `json:"accepted"`
	Errors   []csvRowError `json:"errors"`
	Code     string        `json:"code,omitempty"`
}

type csvRowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// statisticsCSV stores a State's observations from a CSV body, streaming:
// the file is validated and copied row by row, all or nothing.
func statisticsCSV(stats *statistics.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
		if !ok {
			writeCSVPayload(w, http.StatusNotFound, csvPayload{Code: string(apperr.NotFound),
				Errors: []csvRowError{{Message: "post the file to /statistics/{ISO3}.csv"}}})
			return
		}
		p, _ := auth.FromContext(r.Context())
		// A large file takes longer to send and store than the server's
		// default timeouts allow for a GraphQL call.
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(csvTimeout))  //nolint:errcheck
		rc.SetWriteDeadline(time.Now().Add(csvTimeout)) //nolint:errcheck
		body := http.MaxBytesReader(w, r.Body, MaxCSVBytes)
		res, err := stats.Report(r.Context(), p, state, statistics.NewCSVSource(body, stats.Catalogue()))
		if err != nil {
			code := apperr.CodeOf(err)
			status := map[apperr.Code]int{apperr.Forbidden: http.StatusForbidden, apperr.NotFound: http.StatusNotFound,
				apperr.BadInput: http.StatusBadRequest}[code]
			msg := err.Error()
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				status, code, msg = http.StatusRequestEntityTooLarge, apperr.BadInput, "the file is larger than 512 MiB: split it"
			case status == 0:
				status = http.StatusInternalServerError
				log.ErrorContext(r.Context(), "statistics CSV", "err", err, "request_id", RequestID(r.Context()))
				msg = "internal error (request " + RequestID(r.Context()) + ")"
			}
			writeCSVPayload(w, status, csvPayload{Code: string(code), Errors: []csvRowError{{Message: msg}}})
			return
		}
		out := csvPayload{Accepted: res.Accepted, Errors: make([]csvRowError, len(res.Errors))}
		for i, e := range res.Errors {
			out.Errors[i] = csvRowError(e)
		}
		status := http.StatusOK
		if len(out.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
		writeCSVPayload(w, status, out)
	})
}

func writeCSVPayload(w http.ResponseWriter, status int, p csvPayload) {
	if p.Errors == nil {
		p.Errors = []csvRowError{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p) //nolint:errcheck
}
