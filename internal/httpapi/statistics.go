package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/statistics"
)

// MaxCSVBytes bounds one statistics file; csvStoreTimeout bounds the time
// to store it and answer once it is received; drainBytes is how much of a
// refused request's body is read (and dropped) before answering, so that
// the client, still sending, reads the answer rather than a reset.
const (
	MaxCSVBytes     = 512 << 20
	csvStoreTimeout = 30 * time.Minute
	drainBytes      = 4 << 20
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

// statisticsCSV stores a State's observations from a CSV body. The body
// is first received whole into a temporary file (spooled), within the
// upload slots and at a minimum rate, and only then does the ingest take
// a database connection: a slow sender holds a file, not the pool. The
// file is then validated and copied row by row, all or nothing.
// StatisticsCSV serves POST /statistics/{ISO3}.csv.
func (s *API) StatisticsCSV(stats *statistics.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
		if !ok {
			s.refuseCSV(w, r, apperr.NotFoundT("post the file to {pattern}", "pattern", "/statistics/{ISO3}.csv"))
			return
		}
		p, _ := auth.FromContext(r.Context())
		if err := auth.CanReportStatistics(p, strings.ToUpper(state)); err != nil {
			s.refuseCSV(w, r, err)
			return
		}
		release, err := s.uploads.take(p.TokenID)
		if err != nil {
			s.refuseCSV(w, r, err)
			return
		}
		defer release()
		file, err := s.spool(w, r, http.MaxBytesReader(w, r.Body, MaxCSVBytes))
		if err != nil {
			s.refuseCSV(w, r, err)
			return
		}
		defer file.Close()
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(csvStoreTimeout)) //nolint:errcheck
		csv, err := csvBody(r, file)
		if err != nil {
			s.refuseCSV(w, r, err)
			return
		}
		res, err := stats.Report(r.Context(), p, state, statistics.NewCSVSource(csv, stats.Catalogue()))
		if err != nil {
			writeCSVError(w, r, s.log, err)
			return
		}
		out := csvPayload{Accepted: res.Accepted, Errors: make([]csvRowError, len(res.Errors))}
		lang := i18n.Match(r.Header.Get("Accept-Language"))
		for i, e := range res.Errors {
			out.Errors[i] = csvRowError{Row: e.Row, Field: e.Field, Message: e.In(lang)}
		}
		status := http.StatusOK
		if len(out.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
		writeCSVPayload(w, status, out)
	})
}

// spool receives src, read from the body of the request r that w
// answers (and bounded by the caller with http.MaxBytesReader), into an
// unlinked temporary file: never idle longer than UploadIdle; after that
// at UploadMinRate bytes per second on average, or faster when the
// request declares a size that would not arrive within UploadMaxTime at
// that rate; and whole within UploadMaxTime. An upload holds one of a
// few slots while it arrives, so none may hold one for hours.
func (s *API) spool(w http.ResponseWriter, r *http.Request, src io.Reader) (*os.File, error) {
	f, err := os.CreateTemp(s.spoolDir, "irm-upload-*.csv")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) //nolint:errcheck // the open file stays readable; nothing is left behind on a crash
	rate := uploadRate(s.limits, r.ContentLength)
	start := time.Now()
	body := &pacedReader{r: src, rc: http.NewResponseController(w),
		idle: s.limits.UploadIdle, minRate: rate, start: start, deadline: start.Add(s.limits.UploadMaxTime)}
	_, err = io.Copy(f, body)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
		if err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	f.Close()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, apperr.TooLargeT("the file is larger than 512 MiB: split it")
	case errors.Is(err, errTooSlow) || errors.Is(err, os.ErrDeadlineExceeded):
		return nil, apperr.E(apperr.BadInput, http.StatusRequestTimeout,
			"the file arrived too slowly: send it at least {rate}, with no pause longer than {idle}, all within {max}",
			"rate", byteRate(rate), "idle", s.limits.UploadIdle, "max", s.limits.UploadMaxTime)
	}
	return nil, apperr.BadInputT("the file could not be received: {reason}", "reason", errors.Unwrap(err))
}

// uploadRate is the average rate an upload of declared bytes (-1:
// unknown) must keep: the minimum, or what brings the whole file within
// the longest an upload may take.
func uploadRate(l Limits, declared int64) int {
	rate := l.UploadMinRate
	if declared > 0 && l.UploadMaxTime > 0 {
		rate = max(rate, int(float64(declared)/l.UploadMaxTime.Seconds()))
	}
	return rate
}

var errTooSlow = errors.New("upload too slow")

// pacedReader reads a request body with a rolling read deadline (idle,
// never past deadline) and a minimum average rate once idle has passed.
type pacedReader struct {
	r        io.Reader
	rc       *http.ResponseController
	idle     time.Duration
	minRate  int
	start    time.Time
	deadline time.Time
	n        int64
}

func (p *pacedReader) Read(b []byte) (int, error) {
	now := time.Now()
	if !now.Before(p.deadline) {
		return 0, errTooSlow
	}
	next := now.Add(p.idle)
	if next.After(p.deadline) {
		next = p.deadline
	}
	p.rc.SetReadDeadline(next) //nolint:errcheck
	n, err := p.r.Read(b)
	p.n += int64(n)
	if late := time.Since(p.start) - p.idle; late > 0 && float64(p.n) < late.Seconds()*float64(p.minRate) {
		return n, errTooSlow
	}
	return n, err
}

func byteRate(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB/s", float64(n)/(1<<20))
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%d KiB/s", n>>10)
	}
	return fmt.Sprintf("%d bytes/s", n)
}

// refuseCSV answers a file refused before it was stored, after reading
// (a bounded part of) what the client is still sending.
func (s *API) refuseCSV(w http.ResponseWriter, r *http.Request, err error) {
	drain(w, r)
	writeCSVError(w, r, s.log, err)
}

// drain reads up to drainBytes of the body, for a few seconds at most,
// before a refusal is written: a client that is still sending then reads
// the whole answer instead of a connection reset.
func drain(w http.ResponseWriter, r *http.Request) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
	io.Copy(io.Discard, io.LimitReader(r.Body, drainBytes))                        //nolint:errcheck
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
