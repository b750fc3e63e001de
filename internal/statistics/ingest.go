package statistics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/auth"
	statepkg "github.com/cosp-ict/irm/internal/state"
)

// Service stores and reads observations.
type Service struct {
	pool *pgxpool.Pool
	cat  *Catalogue
	now  func() time.Time
}

// NewService returns a service over pool with the catalogue cat.
func NewService(pool *pgxpool.Pool, cat *Catalogue) *Service {
	return &Service{pool: pool, cat: cat, now: time.Now}
}

// Catalogue returns the indicator catalogue.
func (s *Service) Catalogue() *Catalogue { return s.cat }

// Source yields rows one at a time, so that a file of any size is read in
// constant memory. Next returns the row, its position (0-based index or
// 1-based line), and false at the end. A row that cannot even be read
// comes back as RowErrors; err is for failures of the input itself.
type Source interface {
	Next() (row Row, pos int, rowErrs []RowError, ok bool, err error)
	// Unit names a position in messages: "row" or "line".
	Unit() string
}

// Result is the outcome of a batch: rows stored (new or changed) or, when
// Errors is non-empty, nothing stored at all.
type Result struct {
	Accepted int
	Errors   []RowError
}

// Report validates and stores a batch of one State's observations, all or
// nothing. An unchanged value stores nothing; a changed one becomes a new
// revision and the superseded one is kept.
func (s *Service) Report(ctx context.Context, p auth.Principal, state string, src Source) (Result, error) {
	state = strings.ToUpper(state)
	if err := auth.CanReportStatistics(p, state); err != nil {
		return Result{}, err
	}
	if _, err := statepkg.NewStore(s.pool).Get(ctx, state); err != nil {
		return Result{}, err
	}

	var res Result
	errRollback := errors.New("rollback")
	err := auth.Tx(ctx, s.pool, p, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE staging (
			pos integer NOT NULL, indicator text NOT NULL, year integer NOT NULL, breakdown_key text NOT NULL,
			breakdown jsonb NOT NULL, value double precision, status text NOT NULL) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("staging table: %w", err)
		}
		rows := &copySource{src: src, cat: s.cat, now: s.now()}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"staging"},
			[]string{"pos", "indicator", "year", "breakdown_key", "breakdown", "value", "status"}, rows); err != nil {
			if rows.err != nil {
				return rows.err
			}
			return fmt.Errorf("copy observations: %w", err)
		}
		if len(rows.errs) > 0 {
			dups, err := duplicates(ctx, tx, src.Unit(), MaxRowErrors-len(rows.errs))
			if err != nil {
				return err
			}
			res.Errors = mergeErrors(rows.errs, dups)
			return errRollback
		}
		m, err := s.merge(ctx, tx, p, state)
		var pgErr *pgconn.PgError
		if errors.Is(err, errDuplicateKeys) || errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "21000") { // the batch holds one key twice
			dups, derr := duplicates(ctx, tx, src.Unit(), MaxRowErrors)
			if derr != nil {
				return derr
			}
			res.Errors = dups
			return errRollback
		}
		if err != nil {
			return err
		}
		res.Accepted = m.accepted
		// The event names what the batch changed; the rows it wrote carry
		// reported_at = the event's "at" (one transaction, one now()).
		return audit.Record(ctx, tx, audit.Event{Actor: p.Name, Action: "statistics.report", Subject: "state/" + state,
			Detail: map[string]any{"rows": rows.n, "accepted": m.accepted, "superseded": m.superseded,
				"indicators": m.indicators, "years": m.years, "revisions": m.revisions}})
	})
	if errors.Is(err, errRollback) {
		return res, nil
	}
	if err != nil {
		return Result{}, err
	}
	res.Errors = []RowError{}
	return res, nil
}

var errDuplicateKeys = errors.New("the batch holds a key twice")

// merge moves the staged rows into observations inside a savepoint.
// Batches of one State are serialized by an advisory lock. When the State
// has no stored values for the staged indicators yet (a first upload), the
// rows are simply inserted; otherwise the values they supersede go to
// observation_revisions and the batch is upserted.
func (s *Service) merge(ctx context.Context, tx pgx.Tx, p auth.Principal, state string) (merged, error) {
	var m merged
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		if _, err := sp.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('observations/' || $1))`, state); err != nil {
			return err
		}
		var existing bool
		if err := sp.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM observations
			WHERE state_code = $1 AND indicator IN (SELECT DISTINCT indicator FROM staging))`, state).Scan(&existing); err != nil {
			return err
		}
		if existing {
			// A key staged twice is reported as a duplicate before any
			// statement below trips over it.
			var dup bool
			if err := sp.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM staging
				GROUP BY indicator, breakdown_key, year HAVING count(*) > 1)`).Scan(&dup); err != nil {
				return err
			}
			if dup {
				return errDuplicateKeys
			}
			// Every statement below is driven by the staged rows, each
			// finding its stored row through the primary key, whatever the
			// statistics of observations say (right after a bulk load they
			// describe a near-empty table, and a sequential scan per staged
			// row would follow): LIMIT 1 keeps the lateral lookup from being
			// flattened into a join the planner could turn around, and
			// enable_seqscan = off makes it use the key. That setting
			// inflates cost estimates past the JIT thresholds, and compiling
			// would cost more than the statements: jit = off.
			if _, err := sp.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL jit = off`); err != nil {
				return err
			}
			sup, err := sp.Exec(ctx, `INSERT INTO observation_revisions
					(indicator, breakdown_key, year, state_code, breakdown, value, status, revision, reported_at, reported_by)
				SELECT o.indicator, o.breakdown_key, o.year, o.state_code, o.breakdown, o.value, o.status, o.revision, o.reported_at, o.reported_by
				FROM staging s CROSS JOIN LATERAL (
					SELECT * FROM observations o WHERE o.indicator = s.indicator AND o.breakdown_key = s.breakdown_key
						AND o.year = s.year AND o.state_code = $1 LIMIT 1) o
				WHERE (o.value, o.status) IS DISTINCT FROM (s.value, s.status)`, state)
			if err != nil {
				return err
			}
			m.superseded = int(sup.RowsAffected())
			tag, err := sp.Exec(ctx, `INSERT INTO observations AS o
					(indicator, breakdown_key, year, state_code, breakdown, value, status, revision, reported_at, reported_by)
				SELECT indicator, breakdown_key, year, $1, breakdown, value, status, 1, now(), $2 FROM staging
				ON CONFLICT (state_code, indicator, breakdown_key, year) DO UPDATE
				SET value = EXCLUDED.value, status = EXCLUDED.status, revision = o.revision + 1,
					reported_at = EXCLUDED.reported_at, reported_by = EXCLUDED.reported_by
				WHERE (o.value, o.status) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.status)`, state, p.Name)
			if err != nil {
				return err
			}
			m.accepted = int(tag.RowsAffected())
			return m.describe(ctx, sp, state)
		}
		// A first upload: nothing to supersede, and a key staged twice
		// fails the primary key.
		tag, err := sp.Exec(ctx, `INSERT INTO observations
				(indicator, breakdown_key, year, state_code, breakdown, value, status, revision, reported_at, reported_by)
			SELECT indicator, breakdown_key, year, $1, breakdown, value, status, 1, now(), $2 FROM staging`, state, p.Name)
		if err != nil {
			return err
		}
		m.accepted = int(tag.RowsAffected())
		return m.describe(ctx, sp, state)
	})
	return m, err
}

// merged is what a batch changed, for its audit event.
type merged struct {
	accepted, superseded int
	indicators           []string // the staged indicators
	years                []int    // the first and last staged year
	revisions            []int    // the lowest and highest revision written
}

// describe reads what the merge just wrote: the rows of state reported in
// this transaction.
func (m *merged) describe(ctx context.Context, tx pgx.Tx, state string) error {
	return tx.QueryRow(ctx, `SELECT
			(SELECT coalesce(array_agg(DISTINCT indicator ORDER BY indicator), '{}') FROM staging),
			(SELECT ARRAY[coalesce(min(year), 0), coalesce(max(year), 0)] FROM staging),
			(SELECT ARRAY[coalesce(min(revision), 0), coalesce(max(revision), 0)] FROM observations
				WHERE state_code = $1 AND indicator IN (SELECT DISTINCT indicator FROM staging) AND reported_at = now())`,
		state).Scan(&m.indicators, &m.years, &m.revisions)
}

// duplicates reports every staged row whose key an earlier row has.
func duplicates(ctx context.Context, tx pgx.Tx, unit string, limit int) ([]RowError, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT pos, first FROM (
			SELECT pos, min(pos) OVER (PARTITION BY indicator, breakdown_key, year) AS first FROM staging) d
		WHERE pos <> first ORDER BY pos LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	var out []RowError
	var pos, first int
	_, err = pgx.ForEachRow(rows, []any{&pos, &first}, func() error {
		out = append(out, duplicate(unit, pos, first))
		return nil
	})
	return out, err
}

// mergeErrors returns a and b ordered by row.
func mergeErrors(a, b []RowError) []RowError {
	out := make([]RowError, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j >= len(b) || (i < len(a) && a[i].Row <= b[j].Row) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// copySource validates rows as COPY pulls them: valid rows go to the
// staging table, bad ones only into errs.
type copySource struct {
	src    Source
	cat    *Catalogue
	now    time.Time
	errs   []RowError
	n      int
	values []any
	err    error
}

func (c *copySource) Next() (more bool) {
	// pgx calls Next on its own goroutine, where a panic would take the
	// whole process down: turn one into an error instead.
	defer func() {
		if v := recover(); v != nil {
			c.err, more = fmt.Errorf("panic while reading observations: %v", v), false
		}
	}()
	for {
		row, pos, rowErrs, ok, err := c.src.Next()
		if err != nil {
			c.err = err
			return false
		}
		if !ok {
			return false
		}
		c.n++
		if len(rowErrs) == 0 {
			var v checked
			v, rowErrs = c.cat.check(row, pos, c.now)
			if len(rowErrs) == 0 {
				if c.values == nil {
					c.values = make([]any, 7)
				}
				c.values[0], c.values[1], c.values[2], c.values[3] = pos, v.indicator, v.year, v.breakdownKey
				c.values[4], c.values[5], c.values[6] = v.breakdown, v.value, string(v.status)
				return true
			}
		}
		c.errs = append(c.errs, rowErrs...)
		if len(c.errs) >= MaxRowErrors {
			c.errs = append(c.errs[:MaxRowErrors-1], tooManyErrors(c.src.Unit(), pos))
			return false
		}
	}
}

func (c *copySource) Values() ([]any, error) { return c.values, nil }
func (c *copySource) Err() error             { return c.err }

// SliceSource serves a list of rows, positions being 0-based indexes.
// Unreadable holds errors found while reading a row's fields (say, a
// breakdown that is not an object), by index; such rows are not checked
// further.
type SliceSource struct {
	Rows       []Row
	Unreadable map[int][]RowError
	i          int
}

func (s *SliceSource) Next() (Row, int, []RowError, bool, error) {
	if s.i >= len(s.Rows) {
		return Row{}, 0, nil, false, nil
	}
	s.i++
	return s.Rows[s.i-1], s.i - 1, s.Unreadable[s.i-1], true, nil
}

func (s *SliceSource) Unit() string { return "row" }

// duplicate and tooManyErrors name a position by the source's unit, a
// CSV file's line or a list's row, each a whole sentence of the catalogue.
func duplicate(unit string, pos, first int) RowError {
	if unit == "line" {
		return rowError(pos, "indicator", "duplicate of line {first}: the same indicator, year and breakdown", "first", first)
	}
	return rowError(pos, "indicator", "duplicate of row {first}: the same indicator, year and breakdown", "first", first)
}

func tooManyErrors(unit string, pos int) RowError {
	if unit == "line" {
		return rowError(pos, "", "too many errors: stopped reading at line {line}", "line", pos)
	}
	return rowError(pos, "", "too many errors: stopped reading at row {row}", "row", pos)
}
