package app

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
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
			writeCSVError(w, r, log, apperr.NotFoundf("post the file to /statistics/{ISO3}.csv"))
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
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				err = apperr.TooLargef("the file is larger than 512 MiB: split it")
			}
			writeCSVError(w, r, log, err)
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

// writeCSVError answers a file that was not read (or not stored) with the
// status, code and message every transport gives err.
func writeCSVError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := httperr.Log(r, log, err)
	if ra := p.RetryAfterHeader(); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	writeCSVPayload(w, p.Status, csvPayload{Code: string(p.Code), Errors: []csvRowError{{Message: p.Message}}})
}

func writeCSVPayload(w http.ResponseWriter, status int, p csvPayload) {
	if p.Errors == nil {
		p.Errors = []csvRowError{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p) //nolint:errcheck
}
