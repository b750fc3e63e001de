// Package httperr writes errors to HTTP clients in the contract's shape,
// {"errors": [{"message": …, "extensions": {"code": …}}]}, with the status
// and message apperr.Present maps them to. Every HTTP transport answers a
// failed request through it.
package httperr

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
)

// Write answers r with err: a domain error with its code, status and
// message; anything else as INTERNAL with the request id, the cause going
// to log only. It returns what was presented.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) apperr.Presented {
	p := Log(r, log, err)
	WritePresented(w, p)
	return p
}

// Log presents err, its message in the request's language (the best of
// the six for its Accept-Language, English by default), and logs the
// cause of an internal one.
func Log(r *http.Request, log *slog.Logger, err error) apperr.Presented {
	p := apperr.Present(r.Context(), err)
	p.Message = p.In(i18n.Match(r.Header.Get("Accept-Language")))
	if p.Internal && log != nil {
		log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", apperr.RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path)
	}
	return p
}

// WritePresented writes p in the contract's error shape.
func WritePresented(w http.ResponseWriter, p apperr.Presented) {
	if ra := p.RetryAfterHeader(); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	WriteJSON(w, p.Status, Body(p.Code, p.Message))
}

// Body is the contract's error shape for one error.
func Body(code apperr.Code, message string) map[string]any {
	return map[string]any{"errors": []any{map[string]any{"message": message, "extensions": map[string]string{"code": string(code)}}}}
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}
