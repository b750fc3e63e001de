package statistics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Status says what a value is.
type Status string

const (
	Reported     Status = "REPORTED"
	Estimated    Status = "ESTIMATED"
	NotAvailable Status = "NOT_AVAILABLE"
	Confidential Status = "CONFIDENTIAL"
)

func (s Status) valid() bool {
	switch s {
	case Reported, Estimated, NotAvailable, Confidential:
		return true
	}
	return false
}

// Limits of one batch.
const (
	MaxBatchRows  = 10_000 // a GraphQL batch
	MaxRowErrors  = 10_000 // errors reported for one batch or file
	FirstYear     = 1990
	maxMagnitude  = 1e15
	maxBreakdowns = 8
)

// Row is one observation as a State sends it.
type Row struct {
	Indicator string
	Year      int
	Value     *float64
	Status    Status            // "" means REPORTED
	Breakdown map[string]string // dimension id → value; empty = the total
}

// RowError is one bad row: 0-based index in a list, or 1-based CSV line.
type RowError struct {
	Row     int
	Field   string
	Message string
}

// checked is a valid row, ready to store.
type checked struct {
	indicator    string
	year         int
	value        *float64
	status       Status
	breakdownKey string // canonical "dim=value;dim=value", "" for the total
	breakdown    []byte // canonical JSON object
}

// check validates one row against the catalogue. It returns every problem
// with the row, each naming its field.
func (c *Catalogue) check(r Row, at int, now time.Time) (checked, []RowError) {
	var errs []RowError
	bad := func(field, format string, args ...any) {
		errs = append(errs, RowError{Row: at, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	out := checked{indicator: r.Indicator, year: r.Year, value: r.Value, status: r.Status}
	if out.status == "" {
		out.status = Reported
	}
	ind, ok := c.Indicator(r.Indicator)
	if !ok {
		bad("indicator", "unknown indicator %q", r.Indicator)
	}
	if last := now.Year(); r.Year < FirstYear || r.Year > last {
		bad("year", "year %d is outside %d..%d", r.Year, FirstYear, last)
	}
	switch {
	case !out.status.valid():
		bad("status", "unknown status %q: use REPORTED, ESTIMATED, NOT_AVAILABLE or CONFIDENTIAL", out.status)
	case r.Value == nil && (out.status == Reported || out.status == Estimated):
		bad("value", "a %s value is missing", out.status)
	case r.Value != nil && out.status == NotAvailable:
		bad("value", "a NOT_AVAILABLE observation carries no value")
	}
	if v := r.Value; v != nil {
		switch {
		case math.IsNaN(*v) || math.IsInf(*v, 0) || math.Abs(*v) > maxMagnitude:
			bad("value", "value %v is not a finite number below %g", *v, maxMagnitude)
		case ind != nil && ind.Minimum != nil && *v < *ind.Minimum:
			bad("value", "%s cannot be negative (got %v)", ind.Code, *v)
		case ind != nil && ind.Integer && *v != math.Trunc(*v):
			bad("value", "%s is a whole number of %s (got %v)", ind.Code, ind.Unit, *v)
		}
	}
	if len(r.Breakdown) > maxBreakdowns {
		bad("breakdown", "at most %d dimensions", maxBreakdowns)
	}
	key, canon, problems := canonicalBreakdown(ind, r.Breakdown)
	for _, p := range problems {
		bad("breakdown."+p.dimension, "%s", p.message)
	}
	out.breakdownKey, out.breakdown = key, canon
	return out, errs
}

// breakdownProblem is a dimension a breakdown may not use, or a value it
// may not take.
type breakdownProblem struct{ dimension, message string }

// canonicalBreakdown is the one place a breakdown becomes its canonical
// key ("dim=value;dim=value" in dimension order, "" for the total: what
// observations are stored and looked up by) and its canonical JSON
// object. With ind, each dimension and value is checked against the
// indicator, and a bad one is left out and reported.
func canonicalBreakdown(ind *Indicator, b map[string]string) (key string, canon []byte, problems []breakdownProblem) {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var kb strings.Builder
	canon = make([]byte, 0, 64)
	canon = append(canon, '{')
	for _, k := range keys {
		v := b[k]
		if ind != nil {
			d, ok := ind.Dimension(k)
			switch {
			case !ok:
				problems = append(problems, breakdownProblem{k, fmt.Sprintf("%s has no dimension %q (it has: %s)", ind.Code, k, strings.Join(ind.DimensionIDs, ", "))})
				continue
			case !d.Allows(v):
				problems = append(problems, breakdownProblem{k, d.notAValue(v)})
				continue
			}
		}
		if kb.Len() > 0 {
			kb.WriteByte(';')
			canon = append(canon, ',')
		}
		kb.WriteString(k + "=" + v)
		canon = strconv.AppendQuote(canon, k) // dimension ids and values are plain ASCII codes
		canon = append(canon, ':')
		canon = strconv.AppendQuote(canon, v)
	}
	return kb.String(), append(canon, '}'), problems
}
