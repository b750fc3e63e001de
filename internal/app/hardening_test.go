package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/statistics"
)

// TestObservationsAreWeighedByTheirRows: the ten aliases of one
// observations query are refused by complexity before any row is read
// (each alias weighs its row cap), one of them is served, and
// observationsPage reads the rest a page at a time.
func TestObservationsAreWeighedByTheirRows(t *testing.T) {
	w, before := limitsWorld(t)
	const fields = `state { code name } year value status breakdown revision`
	var aliases strings.Builder
	aliases.WriteString("{ ")
	for i := range 10 {
		fmt.Fprintf(&aliases, `a%d: observations(indicator: "MLA_REQUESTS_RECEIVED") { %s } `, i, fields)
	}
	aliases.WriteString("}")
	res := w.env.Do(t, w.sec, aliases.String(), nil)
	wantCode(t, res, "BAD_USER_INPUT")
	if res.Status != http.StatusUnprocessableEntity || !noData(res) || !strings.Contains(res.Errors[0].Message, "complexity") {
		t.Fatalf("ten aliases: HTTP %d %+v", res.Status, res.Errors)
	}
	// One is served.
	one := w.env.Do(t, w.sec, `{ observations(indicator: "MLA_REQUESTS_RECEIVED") { `+fields+` } }`, nil)
	if len(one.Errors) > 0 || one.Status != http.StatusOK {
		t.Fatalf("one observations query: HTTP %d %+v", one.Status, one.Errors)
	}
	// A page as big as the cap, with the same fields, fits; two do not.
	page := fmt.Sprintf(`observationsPage(indicator: "MLA_REQUESTS_RECEIVED", first: %d) { edges { cursor node { %s } } pageInfo { hasNextPage endCursor } }`,
		statistics.MaxObservationPage, fields)
	if r := w.env.Do(t, w.sec, "{ "+page+" }", nil); len(r.Errors) > 0 {
		t.Fatalf("one page: %+v", r.Errors)
	}
	wantCode(t, w.env.Do(t, w.sec, "{ a: "+page+" b: "+page+" c: "+page+" }", nil), "BAD_USER_INPUT")
	// first over the page cap is refused by name.
	r := w.env.Do(t, w.sec, `{ observationsPage(indicator: "MLA_REQUESTS_RECEIVED", first: 1001) { pageInfo { hasNextPage } } }`, nil)
	wantCode(t, r, "BAD_USER_INPUT")
	if !strings.Contains(r.Errors[0].Message, "first must be between 0 and 1000") {
		t.Fatalf("first 1001: %q", r.Errors[0].Message)
	}
	w.after(t, before)
}

// TestMessagesDoNotLeakTheSchema: outside dev mode no message suggests
// names ("Did you mean …") for fields, arguments, enum values or types;
// an Int that overflows is BAD_USER_INPUT; every refusal of the
// operation is a 4xx.
func TestMessagesDoNotLeakTheSchema(t *testing.T) {
	w, before := limitsWorld(t)
	for name, q := range map[string]string{
		"a misspelt field":         `{ viewr { name } }`,
		"a misspelt argument":      `{ submissions(cycl: "2027") { totalCount } }`,
		"a misspelt enum value":    `{ submissions(cycle: "2027", status: SUBMITED) { totalCount } }`,
		"a misspelt type":          `query($s: SubmissionStatu) { submissions(cycle: "2027", status: $s) { totalCount } }`,
		"a misspelt input field":   `mutation { openCycle(input: {id: "x", nam: "x", questionnaire: "q", opensOn: "2030-01-01", closesOn: "2030-02-01"}) { id } }`,
		"a misspelt fragment type": `query { ...F } fragment F on Quer { __typename }`,
		"a field on a scalar":      `{ viewer { name { first } } }`,
		"an object without fields": `{ viewer }`,
	} {
		t.Run(name, func(t *testing.T) {
			res := w.env.Do(t, w.sec, q, nil)
			wantCode(t, res, "BAD_USER_INPUT")
			if res.Status < 400 || res.Status >= 500 {
				t.Errorf("HTTP %d, want a 4xx", res.Status)
			}
			for _, e := range res.Errors {
				if strings.Contains(e.Message, "Did you mean") || strings.Contains(e.Message, "did you mean") {
					t.Errorf("the message suggests names: %q", e.Message)
				}
			}
		})
	}
	// An Int beyond 32 bits reached the database's integer columns and
	// came back INTERNAL.
	for name, c := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"an Int literal beyond 32 bits":            {`{ trend(indicator: "OFFENCES_RECORDED", from: 9999999999) { group } }`, nil},
		"an Int literal beyond 32 bits, as to":     {`{ observations(indicator: "OFFENCES_RECORDED", to: 9999999999) { year } }`, nil},
		"an Int variable beyond 32 bits":           {`query($f: Int) { trend(indicator: "OFFENCES_RECORDED", from: $f) { group } }`, map[string]any{"f": 1e12}},
		"an Int in an input object beyond 32 bits": {`mutation { reportObservations(state: "KEN", observations: [{indicator: "OFFENCES_RECORDED", year: 9999999999, value: 1}]) { accepted } }`, nil},
		"an Int beyond 64 bits":                    {`{ trend(indicator: "OFFENCES_RECORDED", from: 99999999999999999999) { group } }`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			res := w.env.Do(t, w.sec, c.query, c.vars)
			wantCode(t, res, "BAD_USER_INPUT")
			if res.Status >= 500 {
				t.Fatalf("HTTP %d", res.Status)
			}
		})
	}
	w.after(t, before)
}
