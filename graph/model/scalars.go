// Package model holds the GraphQL transport's own types: gqlgen's generated
// models and the custom scalars of the contract.
package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cosp-ict/irm/internal/apperr"
)

// JSON is any JSON value, kept as its encoding so that numbers keep their
// precision on the way in and out.
type JSON json.RawMessage

// UnmarshalGQL accepts a value decoded from variables or a literal.
func (j *JSON) UnmarshalGQL(v any) error {
	if r, ok := v.(RawJSON); ok {
		*j = JSON(r.Raw)
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return apperr.BadInputT("JSON: {reason}", "reason", err)
	}
	*j = b
	return nil
}

// MarshalGQL writes the value as is.
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		io.WriteString(w, "null") //nolint:errcheck
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, j); err != nil {
		io.WriteString(w, "null") //nolint:errcheck
		return
	}
	w.Write(buf.Bytes()) //nolint:errcheck
}

// Date is a calendar date, written YYYY-MM-DD.
type Date struct{ time.Time }

// UnmarshalGQL parses YYYY-MM-DD.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return apperr.BadInputT("a Date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return apperr.BadInputT("\"{date}\" is not a date of the form YYYY-MM-DD", "date", s)
	}
	d.Time = t
	return nil
}

// MarshalGQL writes YYYY-MM-DD.
func (d Date) MarshalGQL(w io.Writer) {
	fmt.Fprintf(w, "%q", d.Time.Format(time.DateOnly))
}

// MarshalInt and UnmarshalInt are the contract's Int: a 32-bit signed
// integer, as the GraphQL specification defines it. A larger value is
// BAD_USER_INPUT here, not a failure of the database's integer columns
// further on.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

func UnmarshalInt(v any) (int, error) {
	i, err := graphql.UnmarshalInt(v)
	if err != nil || i < math.MinInt32 || i > math.MaxInt32 {
		return 0, apperr.BadInputT("Int cannot represent {value}: an Int is a 32-bit signed integer", "value", v)
	}
	return i, nil
}

// RawJSON is a variable's JSON exactly as sent, for a value that decoding
// would change: an object with a key twice, which the services refuse
// with a field error at its path rather than keep the last value.
type RawJSON struct{ Raw []byte }
