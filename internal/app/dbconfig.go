package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// withMaxConns sets the pool size in a database URL or DSN (pgxpool's
// pool_max_conns) when n > 0.
func withMaxConns(dsn string, n int) (string, error) {
	if n <= 0 || strings.TrimSpace(dsn) == "" {
		return dsn, nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("database url: %w", err)
		}
		q := u.Query()
		q.Set("pool_max_conns", strconv.Itoa(n))
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " pool_max_conns=" + strconv.Itoa(n), nil
}

// DefaultMaxConns is the pool size when --db-max-conns is not given: the
// connections one replica may hold, whatever its CPU count.
const DefaultMaxConns = 20
