package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cosp-ict/irm/graph"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/apperr/httperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/httpapi/reqbody"
	"github.com/cosp-ict/irm/internal/idempotency"
)

// idempotent replays the first answer to a GraphQL mutation sent again
// with the same Idempotency-Key by the same token; the same key with
// another request is CONFLICT. Queries ignore the header. The answer is
// stored before it is sent, so an answer the client received is always
// the one it gets again.
func (s *API) Idempotent(keys *idempotency.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if err := idempotency.CheckKey(key); err != nil {
			httperr.Write(w, r, s.log, err)
			return
		}
		body, kept := reqbody.From(r.Context()) // read once by LimitBody
		if !kept {
			httperr.Write(w, r, s.log, errors.New("idempotency: the request body was not kept by LimitBody"))
			return
		}
		if !graph.IsMutation(body) {
			next.ServeHTTP(w, r)
			return
		}
		p, _ := auth.FromContext(r.Context())
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		claimed, replay, err := keys.Claim(r.Context(), p.TokenID, key, hash)
		if err != nil {
			httperr.Write(w, r, s.log, err)
			return
		}
		if !claimed {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(replay.Status)
			w.Write(replay.Body) //nolint:errcheck
			return
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		served, failed := apperr.WithFailureRecord(r.Context())
		next.ServeHTTP(rec, r.WithContext(served))
		// The answer is kept even when the client has gone: the change
		// it reports was made. One that failed inside (INTERNAL) changed
		// nothing, and the key is freed for a retry.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		if rec.status >= 500 || failed() {
			err = keys.Release(ctx, p.TokenID, key)
		} else {
			err = keys.Complete(ctx, p.TokenID, key, idempotency.Answer{Status: rec.status, Body: rec.body.Bytes()})
		}
		if err != nil {
			httperr.Write(w, r, s.log, err)
			return
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes()) //nolint:errcheck
	})
}

// recorder keeps an answer in memory (a GraphQL answer is bounded by
// graph.MaxResponseBytes).
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
