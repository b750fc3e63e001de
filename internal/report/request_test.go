package report

import (
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
)

// TestARequestsShapeIsCheckedInOnePlace: the rules of what a report
// request may hold are Request.Validate's alone (issue 14: the schedule
// service and the renderer each had their own copy).
func TestARequestsShapeIsCheckedInOnePlace(t *testing.T) {
	for _, c := range []struct {
		name string
		req  Request
		ok   bool
	}{
		{"a synthesis of the whole Conference", Request{Kind: CycleSynthesis, CycleID: "2027"}, true},
		{"a synthesis of one working group, in Arabic", Request{Kind: CycleSynthesis, CycleID: "2027", WorkingGroup: "prevention", Language: "ar"}, true},
		{"a profile of a State", Request{Kind: CountryProfile, CycleID: "2027", State: "GHA"}, true},
		{"a technical-assistance report", Request{Kind: TechnicalAssistance, CycleID: "2027"}, true},
		{"an unknown kind", Request{Kind: "MEMO", CycleID: "2027"}, false},
		{"no cycle", Request{Kind: CycleSynthesis}, false},
		{"a profile without a State", Request{Kind: CountryProfile, CycleID: "2027"}, false},
		{"a synthesis with a State", Request{Kind: CycleSynthesis, CycleID: "2027", State: "GHA"}, false},
		{"a profile with a working group", Request{Kind: CountryProfile, CycleID: "2027", State: "GHA", WorkingGroup: "prevention"}, false},
		{"a seventh language", Request{Kind: CycleSynthesis, CycleID: "2027", Language: "de"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.req.Validate()
			if c.ok != (err == nil) || (err != nil && apperr.CodeOf(err) != apperr.BadInput) {
				t.Fatalf("Validate() = %v, want ok %v (else BAD_USER_INPUT)", err, c.ok)
			}
		})
	}
	got := Request{Kind: CountryProfile, CycleID: " 2027 ", State: " gha ", WorkingGroup: " "}.Normalize()
	if got.CycleID != "2027" || got.State != "GHA" || got.WorkingGroup != "" || got.Language != DefaultLanguage {
		t.Fatalf("Normalize() = %+v", got)
	}
}
