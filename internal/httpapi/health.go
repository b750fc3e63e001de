package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// health answers /healthz on a database connection of its own, so that a
// replica whose pool is busy (every connection held by long requests) is
// still seen as alive by its load balancer: it is busy, not broken. The
// connection is opened at the first check and again after a failure.
type health struct {
	cfg *pgx.ConnConfig

	mu   sync.Mutex // one check at a time: a load balancer polls every few seconds
	conn *pgx.Conn
}

// NewHealth returns the /healthz handler; its connection closes with ctx.
func NewHealth(ctx context.Context, pool *pgxpool.Pool) *health {
	h := &health{cfg: pool.Config().ConnConfig.Copy()}
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.conn != nil {
			h.conn.Close(context.Background()) //nolint:errcheck // shutting down
			h.conn = nil
		}
	})
	return h
}

// check pings the database on the health connection.
func (h *health) check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn == nil || h.conn.IsClosed() {
		conn, err := pgx.ConnectConfig(ctx, h.cfg)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		h.conn = conn
	}
	if err := h.conn.Ping(ctx); err != nil {
		h.conn.Close(context.Background()) //nolint:errcheck // replaced at the next check
		h.conn = nil
		return err
	}
	return nil
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.check(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n") //nolint:errcheck
}
