package statistics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
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
// Message is the reason in English; In gives it in a reader's language.
type RowError struct {
	Row     int
	Field   string
	Message string
	reason  error // the reason with its catalogue key (apperr)
}

// rowError is a row's reason by its catalogue key (internal/i18n's
// errors file) and named parameters.
func rowError(row int, field, key string, args ...any) RowError {
	err := apperr.BadInputT(key, args...)
	return RowError{Row: row, Field: field, Message: err.Error(), reason: err}
}

// RowErrorOf is a row's reason given as an error (a domain error keeps
// its catalogue key).
func RowErrorOf(row int, field string, err error) RowError {
	return RowError{Row: row, Field: field, Message: err.Error(), reason: err}
}

// In is the reason in lang, one of the six.
func (e RowError) In(lang string) string {
	if e.reason == nil {
		return e.Message
	}
	return apperr.Message(e.reason, lang)
}

// RowErrorsIn gives each reason in lang; rows and fields stay as they are.
func RowErrorsIn(errs []RowError, lang string) []RowError {
	out := make([]RowError, len(errs))
	for i, e := range errs {
		out[i] = e
		out[i].Message = e.In(lang)
	}
	return out
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
	bad := func(field, key string, args ...any) {
		errs = append(errs, rowError(at, field, key, args...))
	}
	out := checked{indicator: r.Indicator, year: r.Year, value: r.Value, status: r.Status}
	if out.status == "" {
		out.status = Reported
	}
	ind, ok := c.Indicator(r.Indicator)
	if !ok {
		bad("indicator", `unknown indicator "{code}"`, "code", r.Indicator)
	}
	if last := now.Year(); r.Year < FirstYear || r.Year > last {
		bad("year", "year {year} is outside {first}..{last}", "year", r.Year, "first", FirstYear, "last", last)
	}
	switch {
	case !out.status.valid():
		bad("status", `unknown status "{status}": use REPORTED, ESTIMATED, NOT_AVAILABLE or CONFIDENTIAL`, "status", string(out.status))
	case r.Value == nil && (out.status == Reported || out.status == Estimated):
		bad("value", "a {status} value is missing", "status", string(out.status))
	case r.Value != nil && out.status == NotAvailable:
		bad("value", "a NOT_AVAILABLE observation carries no value")
	}
	if v := r.Value; v != nil {
		switch {
		case math.IsNaN(*v) || math.IsInf(*v, 0) || math.Abs(*v) > maxMagnitude:
			bad("value", "value {value} is not a finite number below {max}", "value", fmt.Sprint(*v), "max", fmt.Sprintf("%g", float64(maxMagnitude)))
		case ind != nil && ind.Minimum != nil && *v < *ind.Minimum:
			bad("value", "{indicator} cannot be negative (got {value})", "indicator", ind.Code, "value", fmt.Sprint(*v))
		case ind != nil && ind.Integer && *v != math.Trunc(*v):
			bad("value", "{indicator} is a whole number of {unit} (got {value})", "indicator", ind.Code, "unit", ind.Unit, "value", fmt.Sprint(*v))
		}
	}
	if len(r.Breakdown) > maxBreakdowns {
		bad("breakdown", "at most {max} dimensions", "max", maxBreakdowns)
	}
	key, canon, problems := canonicalBreakdown(ind, r.Breakdown)
	for _, p := range problems {
		errs = append(errs, RowError{Row: at, Field: "breakdown." + p.dimension, Message: p.err.Error(), reason: p.err})
	}
	out.breakdownKey, out.breakdown = key, canon
	return out, errs
}

// breakdownProblem is a dimension a breakdown may not use, or a value it
// may not take.
type breakdownProblem struct {
	dimension string
	err       error
}

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
				problems = append(problems, breakdownProblem{k, apperr.BadInputT(`{indicator} has no dimension "{dimension}" (it has: {dimensions})`,
					"indicator", ind.Code, "dimension", k, "dimensions", strings.Join(ind.DimensionIDs, ", "))})
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
