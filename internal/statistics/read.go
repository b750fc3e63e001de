package statistics

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/state"
)

// Observation is a stored value.
type Observation struct {
	StateCode string
	Indicator string
	Year      int
	Value     *float64 // nil for NOT_AVAILABLE, and for CONFIDENTIAL values the reader may not see
	Status    Status
	Breakdown json.RawMessage
	Revision  int
}

// Filter narrows observations; nil fields do not filter. A nil Breakdown
// matches every breakdown; an empty one matches the totals.
type Filter struct {
	Indicator     string
	State         *string
	RegionalGroup *string
	From, To      *int
	Breakdown     map[string]string
}

// breakdownKey checks a breakdown filter against the indicator and
// returns its canonical key.
func (c *Catalogue) breakdownKey(ind *Indicator, b map[string]string) (string, error) {
	key, _, problems := canonicalBreakdown(ind, b)
	if len(problems) > 0 {
		return "", apperr.BadInputT("breakdown: {reason}", "reason", problems[0].err)
	}
	return key, nil
}

func (s *Service) indicator(code string) (*Indicator, error) {
	ind, ok := s.cat.Indicator(code)
	if !ok {
		return nil, apperr.BadInputT("unknown indicator \"{code}\"", "code", code)
	}
	return ind, nil
}

// Observations returns stored values, hiding CONFIDENTIAL ones from all
// but their State's focal point and the secretariat: at most
// MaxObservations of them; when more match, the caller is asked to
// narrow the filter or read them in pages (ObservationsPage).
func (s *Service) Observations(ctx context.Context, p auth.Principal, f Filter) ([]Observation, error) {
	page, err := s.read(ctx, p, f, MaxObservations, nil)
	if err != nil {
		return nil, err
	}
	if page.HasNext {
		return nil, apperr.LimitT("more than {max} observations match: narrow the query by state, regionalGroup, years or breakdown, or read them in pages with observationsPage", "max", MaxObservations)
	}
	return page.Observations, nil
}

// ObservationPage is one page of observations in their order (State,
// year, breakdown key).
type ObservationPage struct {
	Observations []Observation
	Cursors      []string // one per observation
	HasNext      bool
}

// ObservationsPage returns up to first observations after the cursor
// after, in the order of Observations.
func (s *Service) ObservationsPage(ctx context.Context, p auth.Principal, f Filter, first int, after *string) (ObservationPage, error) {
	if first < 0 || first > MaxObservationPage {
		return ObservationPage{}, apperr.LimitT("first must be between 0 and {max}", "max", MaxObservationPage)
	}
	var cur *obsCursor
	if after != nil {
		c, err := decodeObsCursor(*after)
		if err != nil {
			return ObservationPage{}, err
		}
		cur = &c
	}
	return s.read(ctx, p, f, first, cur)
}

// Limits of reading observations.
const (
	MaxObservations    = 2_000 // the observations list; more are read in pages
	MaxObservationPage = 1_000 // one page of observationsPage
)

// obsCursor is the position of an observation in the reading order.
type obsCursor struct {
	State string
	Year  int
	Key   string
}

func (c obsCursor) encode() string {
	b, _ := json.Marshal([]any{c.State, c.Year, c.Key})
	return base64.RawURLEncoding.EncodeToString(append([]byte("obs:"), b...))
}

func decodeObsCursor(s string) (obsCursor, error) {
	bad := apperr.BadInputT("after: \"{cursor}\" is not a cursor from observationsPage", "cursor", s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return obsCursor{}, bad
	}
	rest, ok := strings.CutPrefix(string(raw), "obs:")
	if !ok {
		return obsCursor{}, bad
	}
	var parts []json.RawMessage
	var c obsCursor
	if json.Unmarshal([]byte(rest), &parts) != nil || len(parts) != 3 ||
		json.Unmarshal(parts[0], &c.State) != nil || json.Unmarshal(parts[1], &c.Year) != nil || json.Unmarshal(parts[2], &c.Key) != nil ||
		!state.ValidCode(c.State) || strings.ContainsRune(c.Key, 0) {
		return obsCursor{}, bad
	}
	return c, nil
}

// read returns up to limit observations after cur. The ORDER BY and the
// keyset condition follow observations_reading (migration 00006), so a
// page reads limit+1 index entries, whatever the table holds.
func (s *Service) read(ctx context.Context, p auth.Principal, f Filter, limit int, cur *obsCursor) (ObservationPage, error) {
	ind, err := s.indicator(f.Indicator)
	if err != nil {
		return ObservationPage{}, err
	}
	var key *string
	if f.Breakdown != nil {
		k, err := s.cat.breakdownKey(ind, f.Breakdown)
		if err != nil {
			return ObservationPage{}, err
		}
		key = &k
	}
	var st *string
	if f.State != nil {
		if !state.ValidCode(*f.State) {
			return ObservationPage{}, apperr.BadInputT("state: \"{state}\" is not an ISO 3166-1 alpha-3 code", "state", *f.State)
		}
		up := strings.ToUpper(*f.State)
		st = &up
	}
	var cState, cKey *string
	var cYear *int
	if cur != nil {
		cState, cYear, cKey = &cur.State, &cur.Year, &cur.Key
	}
	var page ObservationPage
	// observations_visible hides a CONFIDENTIAL value from those the
	// database's principal may not show it to; the check below repeats it.
	// A context without a principal acts as p; one with another refuses.
	if err := auth.Acting(ctx, p); err != nil {
		return page, err
	}
	ctx = auth.WithPrincipal(ctx, p)
	err = postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, readObservationsSQL,
			ind.Code, key, st, f.RegionalGroup, f.From, f.To, limit+1, cState, cYear, cKey)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if len(page.Observations) == limit {
				page.HasNext = true
				break
			}
			o := Observation{Indicator: ind.Code}
			var k string
			if err := rows.Scan(&o.StateCode, &o.Year, &o.Value, &o.Status, &o.Breakdown, &o.Revision, &k); err != nil {
				return err
			}
			if o.Status == Confidential && !auth.SeesConfidential(p, o.StateCode) {
				o.Value = nil
			}
			page.Observations = append(page.Observations, o)
			page.Cursors = append(page.Cursors, obsCursor{o.StateCode, o.Year, k}.encode())
		}
		return rows.Err()
	})
	if err != nil {
		return ObservationPage{}, fmt.Errorf("read observations: %w", err)
	}
	if page.Observations == nil {
		page.Observations = []Observation{}
	}
	return page, nil
}

const readObservationsSQL = `SELECT o.state_code, o.year, o.value, o.status, o.breakdown, o.revision, o.breakdown_key
	FROM observations_visible o JOIN states s ON s.code = o.state_code
	WHERE o.indicator = $1 AND ($2::text IS NULL OR o.breakdown_key = $2)
		AND ($3::text IS NULL OR o.state_code = $3) AND ($4::text IS NULL OR s.regional_group = $4)
		AND ($5::int IS NULL OR o.year >= $5) AND ($6::int IS NULL OR o.year <= $6)
		AND ($8::text IS NULL OR (o.state_code, o.year, o.breakdown_key) > ($8, $9::int, $10::text))
	ORDER BY o.state_code, o.year, o.breakdown_key LIMIT $7`

// GroupBy splits a trend into series.
type GroupBy string

const (
	GroupNone     GroupBy = "NONE"
	GroupRegional GroupBy = "REGIONAL_GROUP"
	GroupDevelop  GroupBy = "DEVELOPING"
)

// Trend returns yearly values of an indicator over the States that
// reported (REPORTED and ESTIMATED only; CONFIDENTIAL values never count),
// one series per group. breakdown nil or empty means the totals.
func (s *Service) Trend(ctx context.Context, code string, by GroupBy, from, to *int, breakdown map[string]string) ([]TrendSeries, error) {
	var m map[string][]TrendSeries
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		m, err = s.Trends(ctx, tx, TrendQuery{Codes: []string{code}, By: by, From: from, To: to, Breakdown: breakdown})
		return err
	})
	if err != nil {
		return nil, err
	}
	return m[code], nil
}

// HasObservations reports whether any observation is stored: of state,
// or of any State when state is "".
func (s *Service) HasObservations(ctx context.Context, state string) (bool, error) {
	var has bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM observations WHERE $1 = '' OR state_code = $1)`, state).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("has observations: %w", err)
	}
	return has, nil
}
