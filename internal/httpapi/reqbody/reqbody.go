// Package reqbody carries a request body read once: the HTTP API's
// LimitBody reads it into one buffer, and every later reader (the
// idempotency check, GraphQL's duplicate-key check, gqlgen) shares those
// bytes instead of reading and copying the body again.
package reqbody

import (
	"bytes"
	"context"
	"net/http"
)

type key struct{}

// Body is a request body already read: r.Body after Keep. Reading it
// reads the shared bytes; Bytes gives them without reading.
type Body struct {
	*bytes.Reader
	b []byte
}

// Close does nothing: the body was read and closed by its first reader.
func (*Body) Close() error { return nil }

// Bytes returns the whole body, however much of it was read.
func (b *Body) Bytes() []byte { return b.b }

// Keep returns r with body b in its context and as its Body.
func Keep(r *http.Request, b []byte) *http.Request {
	r = r.WithContext(NewContext(r.Context(), b))
	r.Body = &Body{Reader: bytes.NewReader(b), b: b}
	return r
}

// NewContext returns ctx carrying body b.
func NewContext(ctx context.Context, b []byte) context.Context {
	return context.WithValue(ctx, key{}, b)
}

// From returns the body kept in ctx, if any.
func From(ctx context.Context) ([]byte, bool) {
	b, ok := ctx.Value(key{}).([]byte)
	return b, ok
}
