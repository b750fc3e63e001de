package aggregate

import (
	"encoding/json"
	"testing"
)

// TestNumberCountsWhatValidationAccepts: the largest 64-bit integer (a
// float64 rounds it to 2^63) is counted; a number stored before the
// bounds (1.797e308, two of which made every sum +Inf) is left out.
func TestNumberCountsWhatValidationAccepts(t *testing.T) {
	for lit, counted := range map[string]bool{
		"9223372036854775807":  true,
		"-9223372036854775808": true,
		"1e15":                 true,
		"1.797e308":            false,
		"1e400":                false,
	} {
		if got := number(json.Number(lit)) != nil; got != counted {
			t.Errorf("number(%s) counted: %v, want %v", lit, got, counted)
		}
	}
}
