package submission_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/submission"
)

// TestVersionsKeepEachSavedDocument: every version row holds the answers
// as they were saved, and the status they were saved in.
func TestVersionsKeepEachSavedDocument(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	fp := focalPoint("KEN")
	first := json.RawMessage(`{"general_provisions":{}}`)
	sub := w.bring(t, "2027", "KEN", submission.Draft, first)
	res, err := w.svc.SaveDraft(as(fp), fp, "2027", "KEN", complete, ptr(sub.Version))
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("save: %v %v", err, res.Errors)
	}
	if res, err = w.svc.Submit(as(fp), fp, "2027", "KEN", res.Submission.Version); err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit: %v %v", err, res.Errors)
	}
	got, err := w.svc.Versions(as(fp), []string{sub.ID, "00000000-0000-4000-8000-000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[1]) != 0 {
		t.Fatalf("versions of two ids: got %d lists (%v for an unknown id), want 2 (none for the unknown)", len(got), got[1:])
	}
	want := []struct {
		status  submission.Status
		answers json.RawMessage
	}{{submission.Draft, first}, {submission.Draft, complete}, {submission.Submitted, complete}}
	if len(got[0]) != len(want) {
		t.Fatalf("versions: got %d, want %d", len(got[0]), len(want))
	}
	for i, v := range got[0] {
		if v.Version != i+1 || v.Status != want[i].status || !sameJSON(t, v.Answers, want[i].answers) || v.SavedBy != fp.Name {
			t.Fatalf("version %d: got %d %s saved by %q, answers %.80s; want %d %s by %q, answers %.80s",
				i+1, v.Version, v.Status, v.SavedBy, v.Answers, i+1, want[i].status, fp.Name, want[i].answers)
		}
	}
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// TestWhoReadsSubmissions: a focal point reads and lists its own State's,
// the secretariat every State's, a working-group member none.
func TestWhoReadsSubmissions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	for _, code := range []string{"BRA", "FRA", "KEN"} {
		w.bring(t, "2027", code, submission.Draft, emptyDraft)
	}
	for _, tt := range []struct {
		name     string
		as       auth.Principal
		state    string
		wantCode apperr.Code
	}{
		{"a focal point reads its State's submission", focalPoint("KEN"), "KEN", ""},
		{"the secretariat reads any State's submission", secretariat, "KEN", ""},
		{"a focal point may not read another State's submission", focalPoint("FRA"), "KEN", apperr.Forbidden},
		{"a working-group member may not read a submission", member, "KEN", apperr.Forbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := w.svc.Get(as(tt.as), tt.as, "2027", tt.state)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("got %v (%s), want %q", err, got, tt.wantCode)
			}
			if tt.wantCode == "" && (sub == nil || sub.StateCode != tt.state) {
				t.Fatalf("got %+v, want %s's submission", sub, tt.state)
			}
		})
	}
	list := func(p auth.Principal, first int, after *string) (submission.Page, error) {
		return w.svc.List(as(p), p, "2027", nil, first, after)
	}
	t.Run("the secretariat lists every State's submission, a page at a time", func(t *testing.T) {
		page, err := list(secretariat, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := states(page); !slices.Equal(got, []string{"BRA", "FRA"}) || !page.HasNext || page.TotalCount != 3 {
			t.Fatalf("first page: got %v, next %v, total %d; want [BRA FRA], a next page, 3", got, page.HasNext, page.TotalCount)
		}
		page, err = list(secretariat, 2, ptr(submission.Cursor(page.Submissions[1])))
		if err != nil {
			t.Fatal(err)
		}
		if got := states(page); !slices.Equal(got, []string{"KEN"}) || page.HasNext {
			t.Fatalf("second page: got %v, next %v; want [KEN] and no next page", got, page.HasNext)
		}
	})
	t.Run("a focal point lists its own State's submission only", func(t *testing.T) {
		page, err := list(focalPoint("FRA"), 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := states(page); !slices.Equal(got, []string{"FRA"}) || page.TotalCount != 1 {
			t.Fatalf("got %v (total %d), want [FRA] (1)", got, page.TotalCount)
		}
	})
	for _, tt := range []struct {
		name     string
		as       auth.Principal
		first    int
		after    *string
		wantCode apperr.Code
	}{
		{"a working-group member may not list submissions", member, 10, nil, apperr.Forbidden},
		{"a page larger than the limit is bad input", secretariat, submission.MaxPageSize + 1, nil, apperr.BadInput},
		{"a cursor not from the list is bad input", secretariat, 10, ptr("not a cursor"), apperr.BadInput},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := list(tt.as, tt.first, tt.after)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("got %v (%s), want %s", err, got, tt.wantCode)
			}
		})
	}
}

func states(p submission.Page) []string {
	var out []string
	for _, s := range p.Submissions {
		out = append(out, s.StateCode)
	}
	return out
}
