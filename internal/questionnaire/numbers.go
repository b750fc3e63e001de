package questionnaire

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// The range of every number an answers document may hold, whatever its
// questionnaire says: aggregates sum and average answers from every
// State, so one State's answer must never overflow them (a sum of 193
// values of this size is still a finite float64) nor leave them out.
//
// An INTEGER answer is a 64-bit integer; a NUMBER answer lies within
// ±MaxNumber (a quadrillion: more than any count, rate or amount in USD
// the questionnaires ask for, and the bound the statistics use). Every
// number is checked against the 64-bit range before validation, and each
// questionnaire's schema is compiled with ±MaxNumber added to its
// "number" nodes, so that a file with a looser bound, or none, still
// gets them.
const (
	MaxInteger = math.MaxInt64
	MinInteger = math.MinInt64
	MaxNumber  = 1e15
)

// maxExponent bounds the exponent a number may be written with: the
// validator reads numbers as exact fractions, and 1e-10000000 would cost
// it megabytes (or fail to parse at all).
const maxExponent = 400

// numberErrors checks every number of a decoded document before the
// validator sees it: each must be finite and no larger than a 64-bit
// integer, and written with a reasonable exponent. What the questions'
// kinds add (the bounds above) is checked by the compiled schema.
func numberErrors(doc any) []FieldError {
	var out []FieldError
	var walk func(v any, path string)
	walk = func(v any, path string) {
		if len(out) >= MaxErrors {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				walk(child, path+"/"+EscapeToken(k))
			}
		case []any:
			for i, child := range x {
				walk(child, path+"/"+strconv.Itoa(i))
			}
		case json.Number:
			if fe, bad := numberProblem(string(x)); bad {
				fe.Path = path
				out = append(out, fe)
			}
		}
	}
	walk(doc, "")
	return out
}

// numberProblem says what is wrong with a JSON number literal, if anything.
func numberProblem(lit string) (FieldError, bool) {
	negative := strings.HasPrefix(lit, "-")
	tooLarge := newError("", "maximum", msgTooLargeToStore, map[string]string{"limit": strconv.FormatInt(MaxInteger, 10)})
	if negative {
		tooLarge = newError("", "minimum", msgTooSmallToStore, map[string]string{"limit": strconv.FormatInt(MinInteger, 10)})
	}
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		exp := lit[i+1:]
		if n, err := strconv.Atoi(exp); err != nil || n > maxExponent || n < -maxExponent {
			if strings.HasPrefix(exp, "-") {
				return newError("", "type", msgExponent, nil), true
			}
			return tooLarge, true
		}
	}
	if _, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return FieldError{}, false
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) >= 1<<63 {
		return tooLarge, true
	}
	return FieldError{}, false
}

// boundNumbers returns a copy of a schema in which every node that
// accepts numbers also bounds them to ±MaxNumber, unless the node's own
// bound is tighter. Conditions (if, not) are left as written: a bound added there
// would change which branch applies. Values of const, enum, default and
// examples are data, not schemas.
func boundNumbers(v any) any {
	switch n := v.(type) {
	case *object:
		out := &object{keys: append([]string(nil), n.keys...), vals: make(map[string]any, len(n.keys)+2)}
		for _, k := range n.keys {
			child := n.vals[k]
			switch k {
			case "if", "not", "const", "enum", "default", "examples":
			case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
				if m, ok := child.(*object); ok {
					cm := &object{keys: m.keys, vals: make(map[string]any, len(m.keys))}
					for _, name := range m.keys {
						cm.vals[name] = boundNumbers(m.vals[name])
					}
					child = cm
				}
			default:
				child = boundNumbers(child)
			}
			out.vals[k] = child
		}
		// An integer node needs no bound of its own: numberErrors refuses
		// every number outside 64 bits before the validator runs (and the
		// validator's bounds cost an exact fraction per number).
		if hasType(n, "number") {
			out.bound("minimum", -MaxNumber, "-1000000000000000", false)
			out.bound("maximum", MaxNumber, "1000000000000000", true)
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, child := range n {
			out[i] = boundNumbers(child)
		}
		return out
	}
	return v
}

// hasType reports whether a schema node's "type" is or includes t.
func hasType(o *object, t string) bool {
	switch ty := o.vals["type"].(type) {
	case string:
		return ty == t
	case []any:
		for _, x := range ty {
			if x == t {
				return true
			}
		}
	}
	return false
}

// bound sets keyword (minimum or maximum) to limit, written lit, unless
// the node's own value is already at least as tight (upper: a maximum no
// larger).
func (o *object) bound(keyword string, limit float64, lit string, upper bool) {
	if own, ok := o.vals[keyword].(json.Number); ok {
		if f, err := strconv.ParseFloat(string(own), 64); err == nil && !math.IsInf(f, 0) {
			if (upper && f <= limit) || (!upper && f >= limit) {
				return
			}
		}
	} else {
		o.keys = append(o.keys, keyword)
	}
	o.vals[keyword] = json.Number(lit)
}
