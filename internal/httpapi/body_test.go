package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/httpapi"
	"github.com/cosp-ict/irm/internal/httpapi/reqbody"
)

// countingBody counts the reads of a request body as it arrives.
type countingBody struct {
	r            io.Reader
	reads, bytes int
	afterEOF     int
	eof, closed  bool
}

func (c *countingBody) Read(p []byte) (int, error) {
	if c.eof {
		c.afterEOF++
	}
	n, err := c.r.Read(p)
	c.reads++
	c.bytes += n
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

func (c *countingBody) Close() error { c.closed = true; return nil }

// TestTheGraphQLBodyIsReadOnce: issue 14. POST /graphql passed the body
// through four readers (the size limit, the idempotency check, the
// duplicate-key check, gqlgen), each reading it again into a copy of its
// own. Now the limit reads it once, in one buffer sized by its declared
// length, and the layers after it share that buffer: the body that
// reaches GraphQL is the one the limit kept, not a copy another layer
// made.
func TestTheGraphQLBodyIsReadOnce(t *testing.T) {
	payload := `{"query": "{ viewer { role } }", "variables": {"pad": "` + strings.Repeat("x", 8<<10) + `"}}`
	src := &countingBody{r: strings.NewReader(payload)}
	var reached bool
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		shared, ok := r.Body.(*reqbody.Body)
		if !ok {
			t.Fatalf("the body reaching GraphQL is a %T, a copy made after the limit read it", r.Body)
		}
		kept, ok := reqbody.From(r.Context())
		if !ok || string(kept) != payload || &kept[0] != &shared.Bytes()[0] {
			t.Fatalf("the kept body is not the one buffer the limit read (kept %v)", ok)
		}
		b, err := io.ReadAll(r.Body) // as gqlgen does
		if err != nil || string(b) != payload {
			t.Fatalf("reading the shared body: %v", err)
		}
	})
	s := httpapi.New(httpapi.Config{Log: slog.New(slog.DiscardHandler)})
	h := httpapi.LimitBody(httpapi.RequireJSON(s.Idempotent(nil, gql)))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Body, req.ContentLength = src, int64(len(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "once-1") // a query: the key is checked, the body read for the operation's type
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if !reached {
		t.Fatalf("HTTP %d %s: the request did not reach GraphQL", w.Code, w.Body)
	}
	if src.bytes != len(payload) || src.afterEOF != 0 {
		t.Fatalf("the body was read for %d bytes of %d, %d times after its end", src.bytes, len(payload), src.afterEOF)
	}
	if src.reads > 2 { // the declared length: one read of the bytes, one of the end
		t.Fatalf("the body was read in %d reads, want one buffer filled at once (2)", src.reads)
	}
}
