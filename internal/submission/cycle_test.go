package submission_test

import (
	"bytes"
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
)

func TestOpenCycle(t *testing.T) {
	t.Parallel()
	good := submission.Cycle{ID: "2027", Name: "Review 2027", QuestionnaireID: questionnaireID,
		OpensOn: date(2027, 1, 1), ClosesOn: date(2027, 6, 30)}
	with := func(change func(*submission.Cycle)) submission.Cycle {
		c := good
		change(&c)
		return c
	}
	tests := []struct {
		name     string
		as       auth.Principal
		cycle    submission.Cycle
		wantCode apperr.Code // "" for opened
	}{
		{"the secretariat opens a cycle", secretariat, good, ""},
		{"a cycle may open and close on the same day", secretariat,
			with(func(c *submission.Cycle) { c.ID, c.ClosesOn = "one-day", c.OpensOn }), ""},
		{"a focal point may not open a cycle", focalPoint("KEN"), with(func(c *submission.Cycle) { c.ID = "fp" }), apperr.Forbidden},
		{"a working-group member may not open a cycle", member, with(func(c *submission.Cycle) { c.ID = "wg" }), apperr.Forbidden},
		{"a cycle that closes before it opens is bad input", secretariat,
			with(func(c *submission.Cycle) { c.ID, c.ClosesOn = "backwards", c.OpensOn.AddDate(0, 0, -1) }), apperr.BadInput},
		{"an empty cycle id is bad input", secretariat, with(func(c *submission.Cycle) { c.ID = "" }), apperr.BadInput},
		{"a cycle id with a space is bad input", secretariat, with(func(c *submission.Cycle) { c.ID = "review 2027" }), apperr.BadInput},
		{"a cycle id starting with a dash is bad input", secretariat, with(func(c *submission.Cycle) { c.ID = "-2027" }), apperr.BadInput},
		{"a cycle id of 65 characters is bad input", secretariat, with(func(c *submission.Cycle) { c.ID = strings.Repeat("a", 65) }), apperr.BadInput},
		{"a cycle without a name is bad input", secretariat, with(func(c *submission.Cycle) { c.ID, c.Name = "unnamed", "   " }), apperr.BadInput},
		{"a name of 201 characters is bad input", secretariat, with(func(c *submission.Cycle) { c.ID, c.Name = "long", strings.Repeat("n", 201) }), apperr.BadInput},
		{"a name holding U+0000 is bad input", secretariat, with(func(c *submission.Cycle) { c.ID, c.Name = "nul", "Review\x002027" }), apperr.BadInput},
		{"an unknown questionnaire is not found", secretariat,
			with(func(c *submission.Cycle) { c.ID, c.QuestionnaireID = "unknown-q", "implementation-v9" }), apperr.NotFound},
		{"a cycle id in use is a conflict", secretariat, with(func(c *submission.Cycle) { c.Name = "Review 2027 again" }), apperr.Conflict},
	}
	w := newWorld(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, lastEvent := w.snapshot(t), w.lastEvent(t)
			got, err := w.svc.OpenCycle(as(tt.as), tt.as, tt.cycle)
			if c := codeOf(err); c != tt.wantCode {
				t.Fatalf("error: got %v (%s), want %s", err, c, tt.wantCode)
			}
			if tt.wantCode != "" {
				if after := w.snapshot(t); after != before {
					t.Fatalf("a refused call changed the tables:\n got %s\nwant %s", after, before)
				}
				return
			}
			if !sameCycle(got, tt.cycle) {
				t.Fatalf("opened: got %+v, want %+v", got, tt.cycle)
			}
			stored, err := w.svc.Cycle(as(member), tt.cycle.ID)
			if err != nil || !sameCycle(stored, tt.cycle) {
				t.Fatalf("stored: got %+v (%v), want %+v", stored, err, tt.cycle)
			}
			if got, want := w.eventsSince(t, lastEvent), []event{{"cycle.open", "cycle/" + tt.cycle.ID}}; !slices.Equal(got, want) {
				t.Fatalf("audit events: got %v, want %v", got, want)
			}
		})
	}

	// The first cycle recorded the questionnaire's digest; the second kept it.
	var digests int
	if err := w.owner.QueryRow(context.Background(), `SELECT count(*) FROM questionnaire_digests WHERE questionnaire_id = $1`,
		questionnaireID).Scan(&digests); err != nil {
		t.Fatal(err)
	}
	if digests != 1 {
		t.Fatalf("digests of %s: got %d, want 1", questionnaireID, digests)
	}
}

func sameCycle(a, b submission.Cycle) bool {
	return a.ID == b.ID && a.Name == strings.TrimSpace(b.Name) && a.QuestionnaireID == b.QuestionnaireID &&
		a.OpensOn.Equal(b.OpensOn) && a.ClosesOn.Equal(b.ClosesOn)
}

func TestReadingCycles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	old := w.openCycle(t, "2026", date(2026, 1, 1))
	newer := w.openCycle(t, "2027", date(2027, 1, 1))
	ctx := as(member)

	list, err := w.svc.Cycles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(list), []string{newer.ID, old.ID}; !slices.Equal(got, want) {
		t.Fatalf("cycles: got %v, want newest first %v", got, want)
	}
	byID, err := w.svc.CyclesByID(ctx, []string{old.ID, newer.ID, old.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(byID), []string{old.ID, newer.ID, old.ID}; !slices.Equal(got, want) {
		t.Fatalf("cycles by id: got %v, want in the order asked %v", got, want)
	}
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"an unknown cycle is not found", func() error { _, err := w.svc.Cycle(ctx, "2099"); return err }()},
		{"a cycle id holding U+0000 is not found", func() error { _, err := w.svc.Cycle(ctx, "20\x0027"); return err }()},
		{"a list with an unknown cycle is not found", func() error { _, err := w.svc.CyclesByID(ctx, []string{old.ID, "2099"}); return err }()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := codeOf(tt.err); got != apperr.NotFound {
				t.Fatalf("got %v (%s), want %s", tt.err, got, apperr.NotFound)
			}
		})
	}
}

func ids(cs []submission.Cycle) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// TestCheckDigests: start-up refuses a questionnaire file changed, or
// gone, since the first cycle that uses it opened.
func TestCheckDigests(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	if err := w.svc.CheckDigests(ctx); err != nil {
		t.Fatalf("before any cycle: got %v, want nil", err)
	}
	w.openCycle(t, "2027", date(2027, 1, 1))

	shippedFile, err := fs.ReadFile(questionnaires.Files(), questionnaireID+".json")
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(shippedFile, []byte("Reply on behalf of your State"), []byte("Reply for your State"), 1)
	if bytes.Equal(edited, shippedFile) {
		t.Fatal("the edit changed nothing: the questionnaire's description moved")
	}
	tests := []struct {
		name    string
		files   fs.FS
		wantErr string // "" for none
	}{
		{"the file as it was when the cycle opened is accepted", questionnaires.Files(), ""},
		{"a file changed since the cycle opened only in a description is accepted (issue 13)",
			fstest.MapFS{questionnaireID + ".json": {Data: edited}}, ""},
		{"a file changed since the cycle opened in what it accepts is refused",
			fstest.MapFS{questionnaireID + ".json": {Data: bytes.Replace(shippedFile, []byte(`"maxLength": 200`), []byte(`"maxLength": 100`), 1)}},
			"questionnaire implementation-v1.json changed after cycles started using it"},
		{"a file gone since the cycle opened is refused",
			fstest.MapFS{"implementation-v2.json": {Data: shippedFile}}, "questionnaire implementation-v1.json is used by cycles but the file is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newService(t, w.app, tt.files).CheckDigests(ctx)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error saying %q", err, tt.wantErr)
			}
		})
	}
}
