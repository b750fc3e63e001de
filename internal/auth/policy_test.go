package auth

import (
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
)

// Every policy function against every role: the table is the access matrix.
func TestPolicyAllowsExactlyTheRolesItShould(t *testing.T) {
	fp := Principal{Name: "fp", Role: FocalPoint, State: "KEN"}
	wg := Principal{Name: "wg", Role: WorkingGroup, WorkingGroups: []string{"international-cooperation"}}
	sec := Principal{Name: "sec", Role: Secretariat}
	cases := []struct {
		action string
		check  func(Principal) error
		allow  map[string]bool // by principal name
	}{
		{"set party", CanSetStateParty, map[string]bool{"sec": true}},
		{"open cycle", CanOpenCycle, map[string]bool{"sec": true}},
		{"review", CanReview, map[string]bool{"sec": true}},
		{"read own submission", func(p Principal) error { return CanReadSubmission(p, "KEN") }, map[string]bool{"fp": true, "sec": true}},
		{"read another State's submission", func(p Principal) error { return CanReadSubmission(p, "GHA") }, map[string]bool{"sec": true}},
		{"list submissions", CanListSubmissions, map[string]bool{"fp": true, "sec": true}},
		{"edit own submission", func(p Principal) error { return CanEditSubmission(p, "KEN") }, map[string]bool{"fp": true, "sec": true}},
		{"edit another State's submission", func(p Principal) error { return CanEditSubmission(p, "GHA") }, map[string]bool{"sec": true}},
		{"manage reports", CanManageReports, map[string]bool{"sec": true}},
		{"read report schedules", CanReadReportSchedules, map[string]bool{"sec": true}},
		{"read an unpublished synthesis", func(p Principal) error { return CanReadReportRun(p, "CYCLE_SYNTHESIS", "", false) }, map[string]bool{"sec": true}},
		{"read a published synthesis", func(p Principal) error { return CanReadReportRun(p, "CYCLE_SYNTHESIS", "", true) }, map[string]bool{"fp": true, "wg": true, "sec": true}},
		{"read own unpublished profile", func(p Principal) error { return CanReadReportRun(p, "COUNTRY_PROFILE", "KEN", false) }, map[string]bool{"fp": true, "sec": true}},
		{"read another State's unpublished profile", func(p Principal) error { return CanReadReportRun(p, "COUNTRY_PROFILE", "GHA", false) }, map[string]bool{"sec": true}},
		{"read another State's published profile", func(p Principal) error { return CanReadReportRun(p, "COUNTRY_PROFILE", "GHA", true) }, map[string]bool{"fp": true, "wg": true, "sec": true}},
	}
	for _, c := range cases {
		for _, p := range []Principal{fp, wg, sec} {
			t.Run(c.action+" as "+p.Name, func(t *testing.T) {
				err := c.check(p)
				if got, want := err == nil, c.allow[p.Name]; got != want {
					t.Fatalf("allowed = %v, want %v (err %v)", got, want, err)
				}
				if err != nil && apperr.CodeOf(err) != apperr.Forbidden {
					t.Fatalf("code = %s, want FORBIDDEN", apperr.CodeOf(err))
				}
			})
		}
	}
}

func TestParseRoleAcceptsAnyCaseAndRefusesUnknown(t *testing.T) {
	if r, err := ParseRole(" focal_point "); err != nil || r != FocalPoint {
		t.Fatalf("got %q, %v; want FOCAL_POINT", r, err)
	}
	if _, err := ParseRole("ADMIN"); apperr.CodeOf(err) != apperr.BadInput {
		t.Fatalf("ADMIN: got %v, want BAD_USER_INPUT", err)
	}
}
