package apperr_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
)

func TestPresent(t *testing.T) {
	ctx := apperr.WithRequestID(context.Background(), "0123456789abcdef")
	for _, c := range []struct {
		name       string
		err        error
		code       apperr.Code
		status     int
		message    string
		retryAfter string
	}{
		{"a domain error keeps its code and message", apperr.NotFoundf("no cycle %q", "x"), apperr.NotFound, 404, `no cycle "x"`, ""},
		{"a wrapped domain error is found in the chain", fmt.Errorf("save: %w", apperr.Conflictf("stale")), apperr.Conflict, 409, "stale", ""},
		{"bad input is 400", apperr.BadInputf("bad"), apperr.BadInput, 400, "bad", ""},
		{"forbidden is 403", apperr.Forbiddenf("no"), apperr.Forbidden, 403, "no", ""},
		{"unauthenticated is 401", apperr.New(apperr.Unauthenticated, "who"), apperr.Unauthenticated, 401, "who", ""},
		{"a size limit is 413", apperr.TooLargef("big"), apperr.BadInput, 413, "big", ""},
		{"a work limit is 422", apperr.Limitf("deep"), apperr.BadInput, 422, "deep", ""},
		{"a rate limit is RATE_LIMITED, 429 with Retry-After in whole seconds", apperr.TooManyRequests(1500*time.Millisecond, "slow down"), apperr.RateLimited, 429, "slow down", "2"},
		{"anything else is INTERNAL with the request id only", errors.New("SELECT secret FROM x"), apperr.Internal, 500, "internal error (request 0123456789abcdef)", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := apperr.Present(ctx, c.err)
			if p.Code != c.code || p.Status != c.status || p.Message != c.message || p.RetryAfterHeader() != c.retryAfter {
				t.Fatalf("got %+v (Retry-After %q), want code %s status %d message %q Retry-After %q",
					p, p.RetryAfterHeader(), c.code, c.status, c.message, c.retryAfter)
			}
			if p.Internal != (c.code == apperr.Internal) {
				t.Fatalf("Internal = %v for code %s", p.Internal, p.Code)
			}
		})
	}
	if got := apperr.Internal.HTTPStatus(); got != http.StatusInternalServerError {
		t.Fatalf("INTERNAL: got %d", got)
	}
}

// TestAFailureIsRecordedByItsCode: a layer around a transport learns that
// the request failed inside from Present, not from the answer's bytes.
func TestAFailureIsRecordedByItsCode(t *testing.T) {
	ctx, failed := apperr.WithFailureRecord(context.Background())
	apperr.Present(ctx, apperr.Conflictf("stale"))
	if failed() {
		t.Fatal("a CONFLICT was recorded as a failure inside")
	}
	apperr.Present(ctx, errors.New("connection reset"))
	if !failed() {
		t.Fatal("an INTERNAL error was not recorded")
	}
	apperr.Present(context.Background(), errors.New("elsewhere")) // no record: nothing to note, no panic
}

// A domain error kept as data (a report run's failure, issue 13) reads
// later in any language; an error without a key has nothing to keep.
func TestStoredKeepsTheKeyAndParameters(t *testing.T) {
	err := fmt.Errorf("render: %w", apperr.NotFoundT("no cycle with id \"{id}\"", "id", "2031"))
	m, ok := apperr.Stored(err)
	if !ok || m.Key != "no cycle with id \"{id}\"" || m.Params["id"] != "2031" {
		t.Fatalf("got %+v, %v", m, ok)
	}
	if got, want := m.In("en"), apperr.Message(err, "en"); got != want {
		t.Errorf("English: got %q, want %q", got, want)
	}
	if got, want := m.In("fr"), apperr.Message(err, "fr"); got != want || got == m.In("en") {
		t.Errorf("French: got %q, want %q (not the English)", got, want)
	}
	if _, ok := apperr.Stored(errors.New("disk full")); ok {
		t.Error("an error without a key was kept as a message")
	}
	if _, ok := apperr.Stored(apperr.NotFoundf("no %s", "thing")); ok {
		t.Error("an English-only domain error was kept as a message")
	}
}
