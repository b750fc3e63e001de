package submission_test

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// at is where a transition starts: who calls, on which State's submission
// in which cycle, and that submission as it stands (nil for none).
type at struct {
	w     *world
	p     auth.Principal
	cycle string
	state string
	cur   *submission.Submission
}

// The expectedVersion a call passes.
func currentVersion(a at) int { return a.cur.Version }
func staleVersion(a at) int   { return a.cur.Version - 1 }
func firstVersion(at) int     { return 1 }

type call func(a at) (submission.Result, error)

func saveDraft(answers json.RawMessage, version func(at) int) call {
	return func(a at) (submission.Result, error) {
		var expected *int
		if version != nil {
			v := version(a)
			expected = &v
		}
		return a.w.svc.SaveDraft(as(a.p), a.p, a.cycle, a.state, answers, expected)
	}
}

func submit(version func(at) int) call {
	return func(a at) (submission.Result, error) {
		return a.w.svc.Submit(as(a.p), a.p, a.cycle, a.state, version(a))
	}
}

var twoComments = []submission.CommentInput{{Body: "The figures for 2026 are missing."}, {Body: "Name the authority.", Path: ptr("/general_provisions")}}

func returnWith(version func(at) int, comments []submission.CommentInput) call {
	return func(a at) (submission.Result, error) {
		return a.w.svc.Return(as(a.p), a.p, a.cur.ID, version(a), comments)
	}
}

func accept(version func(at) int) call {
	return func(a at) (submission.Result, error) {
		return a.w.svc.Accept(as(a.p), a.p, a.cur.ID, version(a))
	}
}

func ptr[T any](v T) *T { return &v }

// Who calls, for the State whose submission it is.
type who func(state, other string) auth.Principal

func ownFocalPoint(state, _ string) auth.Principal   { return focalPoint(state) }
func otherFocalPoint(_, other string) auth.Principal { return focalPoint(other) }
func theSecretariat(string, string) auth.Principal   { return secretariat }
func aMember(string, string) auth.Principal          { return member }

// TestTransitions runs every transition of the workflow, as everyone who
// may or may not make it. A change stores the submission with the next
// version, one version row saying who saved it and one audit event; a
// refusal changes nothing in any table.
func TestTransitions(t *testing.T) {
	t.Parallel()
	const (
		none      = submission.Status("")
		draft     = submission.Draft
		submitted = submission.Submitted
		returned  = submission.Returned
		accepted  = submission.Accepted
	)
	tests := []struct {
		name  string
		cycle string            // "" is the open cycle; "today" opens today, "future" in 2099
		from  submission.Status // the submission before the call; none for none
		draft json.RawMessage   // its draft's answers (default complete)
		as    who
		do    call

		// A change: the status after it and its audit action.
		want   submission.Status
		action string
		// Or a refusal: its error code, or field errors (wantErrors).
		wantCode   apperr.Code
		wantErrors bool
		// Or neither: the call succeeds and changes nothing.
		unchanged bool
	}{
		// saveDraft
		{name: "a focal point creates its State's first draft", from: none, as: ownFocalPoint,
			do: saveDraft(emptyDraft, nil), want: draft, action: "submission.create"},
		{name: "the secretariat creates a draft for a State", from: none, as: theSecretariat,
			do: saveDraft(complete, nil), want: draft, action: "submission.create"},
		{name: "another State's focal point may not create a draft", from: none, as: otherFocalPoint,
			do: saveDraft(emptyDraft, nil), wantCode: apperr.Forbidden},
		{name: "a working-group member may not create a draft", from: none, as: aMember,
			do: saveDraft(emptyDraft, nil), wantCode: apperr.Forbidden},
		{name: "a draft with a value of the wrong type is not created", from: none, as: ownFocalPoint,
			do: saveDraft(wrongType, nil), wantErrors: true},
		{name: "saving with an expectedVersion where there is no submission is not found", from: none, as: ownFocalPoint,
			do: saveDraft(emptyDraft, firstVersion), wantCode: apperr.NotFound},
		{name: "a draft cannot be saved before the cycle opens", cycle: "future", from: none, as: ownFocalPoint,
			do: saveDraft(emptyDraft, nil), wantCode: apperr.Conflict},
		{name: "a draft can be saved on the day the cycle opens", cycle: "today", from: none, as: ownFocalPoint,
			do: saveDraft(emptyDraft, nil), want: draft, action: "submission.create"},
		{name: "creating a draft where one exists is a conflict", from: draft, as: ownFocalPoint,
			do: saveDraft(emptyDraft, nil), wantCode: apperr.Conflict},
		{name: "a focal point saves over its draft", from: draft, draft: emptyDraft, as: ownFocalPoint,
			do: saveDraft(complete, currentVersion), want: draft, action: "submission.save_draft"},
		{name: "the secretariat saves over a State's draft", from: draft, draft: emptyDraft, as: theSecretariat,
			do: saveDraft(complete, currentVersion), want: draft, action: "submission.save_draft"},
		{name: "another State's focal point may not save over a draft", from: draft, draft: emptyDraft, as: otherFocalPoint,
			do: saveDraft(complete, currentVersion), wantCode: apperr.Forbidden},
		{name: "a working-group member may not save over a draft", from: draft, draft: emptyDraft, as: aMember,
			do: saveDraft(complete, currentVersion), wantCode: apperr.Forbidden},
		{name: "saving over a draft with a stale version is a conflict", from: draft, draft: emptyDraft, as: ownFocalPoint,
			do: saveDraft(complete, staleVersion), wantCode: apperr.Conflict},
		{name: "saving a value of the wrong type over a draft stores nothing", from: draft, as: ownFocalPoint,
			do: saveDraft(wrongType, currentVersion), wantErrors: true},
		{name: "saving the draft's own answers again makes no version", from: draft, as: ownFocalPoint,
			do: saveDraft(complete, currentVersion), unchanged: true},
		{name: "saving over a returned submission makes it a draft again", from: returned, as: ownFocalPoint,
			do: saveDraft(complete, currentVersion), want: draft, action: "submission.save_draft"},
		{name: "saving over a returned submission with a stale version is a conflict", from: returned, as: ownFocalPoint,
			do: saveDraft(complete, staleVersion), wantCode: apperr.Conflict},
		{name: "a submitted submission cannot be saved over", from: submitted, as: ownFocalPoint,
			do: saveDraft(emptyDraft, currentVersion), wantCode: apperr.Conflict},
		{name: "an accepted submission cannot be saved over", from: accepted, as: ownFocalPoint,
			do: saveDraft(emptyDraft, currentVersion), wantCode: apperr.Conflict},
		{name: "the secretariat cannot save over an accepted submission either", from: accepted, as: theSecretariat,
			do: saveDraft(emptyDraft, currentVersion), wantCode: apperr.Conflict},

		// submit
		{name: "a focal point submits its complete draft", from: draft, as: ownFocalPoint,
			do: submit(currentVersion), want: submitted, action: "submission.submit"},
		{name: "the secretariat submits a State's complete draft", from: draft, as: theSecretariat,
			do: submit(currentVersion), want: submitted, action: "submission.submit"},
		{name: "another State's focal point may not submit", from: draft, as: otherFocalPoint,
			do: submit(currentVersion), wantCode: apperr.Forbidden},
		{name: "a working-group member may not submit", from: draft, as: aMember,
			do: submit(currentVersion), wantCode: apperr.Forbidden},
		{name: "submitting with a stale version is a conflict", from: draft, as: ownFocalPoint,
			do: submit(staleVersion), wantCode: apperr.Conflict},
		{name: "a draft with problems cannot be submitted", from: draft, draft: emptyDraft, as: ownFocalPoint,
			do: submit(currentVersion), wantErrors: true},
		{name: "submitting where there is no submission is not found", from: none, as: ownFocalPoint,
			do: submit(firstVersion), wantCode: apperr.NotFound},
		{name: "nothing can be submitted before the cycle opens", cycle: "future", from: none, as: ownFocalPoint,
			do: submit(firstVersion), wantCode: apperr.Conflict},
		{name: "a submitted submission cannot be submitted again", from: submitted, as: ownFocalPoint,
			do: submit(currentVersion), wantCode: apperr.Conflict},
		{name: "a returned submission must be saved as a draft before it is submitted", from: returned, as: ownFocalPoint,
			do: submit(currentVersion), wantCode: apperr.Conflict},
		{name: "an accepted submission cannot be submitted", from: accepted, as: ownFocalPoint,
			do: submit(currentVersion), wantCode: apperr.Conflict},

		// return
		{name: "the secretariat returns a submitted submission with comments", from: submitted, as: theSecretariat,
			do: returnWith(currentVersion, twoComments), want: returned, action: "submission.return"},
		{name: "a focal point may not return its own submission", from: submitted, as: ownFocalPoint,
			do: returnWith(currentVersion, twoComments), wantCode: apperr.Forbidden},
		{name: "another State's focal point may not return a submission", from: submitted, as: otherFocalPoint,
			do: returnWith(currentVersion, twoComments), wantCode: apperr.Forbidden},
		{name: "a working-group member may not return a submission", from: submitted, as: aMember,
			do: returnWith(currentVersion, twoComments), wantCode: apperr.Forbidden},
		{name: "returning without a comment is bad input", from: submitted, as: theSecretariat,
			do: returnWith(currentVersion, nil), wantCode: apperr.BadInput},
		{name: "returning with a comment on a path outside the questionnaire is bad input", from: submitted, as: theSecretariat,
			do: returnWith(currentVersion, []submission.CommentInput{{Body: "?", Path: ptr("/no/such/question")}}), wantCode: apperr.BadInput},
		{name: "returning with an empty comment is bad input", from: submitted, as: theSecretariat,
			do: returnWith(currentVersion, []submission.CommentInput{{Body: "  "}}), wantCode: apperr.BadInput},
		{name: "returning with a stale version is a conflict", from: submitted, as: theSecretariat,
			do: returnWith(staleVersion, twoComments), wantCode: apperr.Conflict},
		{name: "a draft cannot be returned", from: draft, as: theSecretariat,
			do: returnWith(currentVersion, twoComments), wantCode: apperr.Conflict},
		{name: "a returned submission cannot be returned again", from: returned, as: theSecretariat,
			do: returnWith(currentVersion, twoComments), wantCode: apperr.Conflict},
		{name: "an accepted submission cannot be returned", from: accepted, as: theSecretariat,
			do: returnWith(currentVersion, twoComments), wantCode: apperr.Conflict},

		// accept
		{name: "the secretariat accepts a submitted submission", from: submitted, as: theSecretariat,
			do: accept(currentVersion), want: accepted, action: "submission.accept"},
		{name: "a focal point may not accept its own submission", from: submitted, as: ownFocalPoint,
			do: accept(currentVersion), wantCode: apperr.Forbidden},
		{name: "another State's focal point may not accept a submission", from: submitted, as: otherFocalPoint,
			do: accept(currentVersion), wantCode: apperr.Forbidden},
		{name: "a working-group member may not accept a submission", from: submitted, as: aMember,
			do: accept(currentVersion), wantCode: apperr.Forbidden},
		{name: "accepting with a stale version is a conflict", from: submitted, as: theSecretariat,
			do: accept(staleVersion), wantCode: apperr.Conflict},
		{name: "a draft cannot be accepted", from: draft, as: theSecretariat,
			do: accept(currentVersion), wantCode: apperr.Conflict},
		{name: "a returned submission cannot be accepted", from: returned, as: theSecretariat,
			do: accept(currentVersion), wantCode: apperr.Conflict},
		{name: "an accepted submission cannot be accepted again", from: accepted, as: theSecretariat,
			do: accept(currentVersion), wantCode: apperr.Conflict},
	}

	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	w.openCycle(t, "future", date(2099, 1, 1))
	w.openCycle(t, "today", time.Now().UTC().Truncate(24*time.Hour))
	// Each case has a State of its own in one database; "other" is a State
	// no case uses.
	codes := state.Codes()
	if len(codes) < len(tests)+1 {
		t.Fatalf("%d States for %d cases", len(codes), len(tests))
	}
	other := codes[len(codes)-1]
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cycle := cmp.Or(tt.cycle, "2027")
			code := codes[i]
			answers := tt.draft
			if answers == nil {
				answers = complete
			}
			a := at{w: w, p: tt.as(code, other), cycle: cycle, state: code,
				cur: w.bring(t, cycle, code, tt.from, answers)}
			before, lastEvent := w.snapshot(t), w.lastEvent(t)

			res, err := tt.do(a)

			switch {
			case tt.wantCode != "" || tt.wantErrors:
				if got := codeOf(err); got != tt.wantCode {
					t.Fatalf("error: got %v (%s), want %s", err, got, tt.wantCode)
				}
				if tt.wantErrors && len(res.Errors) == 0 {
					t.Fatalf("field errors: got none, want some")
				}
				if after := w.snapshot(t); after != before {
					t.Fatalf("a refused call changed the tables:\n got %s\nwant %s", after, before)
				}
				return
			case err != nil || len(res.Errors) > 0:
				t.Fatalf("got error %v and field errors %v, want none", err, res.Errors)
			case tt.unchanged:
				if after := w.snapshot(t); after != before {
					t.Fatalf("a call that changes nothing changed the tables:\n got %s\nwant %s", after, before)
				}
				if res.Submission == nil || res.Submission.Version != a.cur.Version {
					t.Fatalf("got %+v, want the submission as it was, version %d", res.Submission, a.cur.Version)
				}
				return
			}
			sub := res.Submission
			wantVersion := 1
			if a.cur != nil {
				wantVersion = a.cur.Version + 1
			}
			if sub == nil || sub.Status != tt.want || sub.Version != wantVersion || sub.StateCode != code || sub.CycleID != cycle {
				t.Fatalf("got submission %+v, want %s %s %s version %d", sub, cycle, code, tt.want, wantVersion)
			}
			stored, err := w.svc.Get(as(secretariat), secretariat, cycle, code)
			if err != nil || stored == nil || stored.Status != sub.Status || stored.Version != sub.Version || stored.ID != sub.ID {
				t.Fatalf("stored: got %+v (%v), want %+v", stored, err, sub)
			}
			versions := w.versions(t, sub.ID)
			if got, want := len(versions), wantVersion; got != want {
				t.Fatalf("version rows: got %d, want one per change (%d)", got, want)
			}
			if got, want := versions[len(versions)-1], (version{wantVersion, tt.want, a.p.Name}); got != want {
				t.Fatalf("the new version row: got %+v, want %+v", got, want)
			}
			if got, want := w.eventsSince(t, lastEvent), []event{{tt.action, "submission/" + sub.ID}}; !slices.Equal(got, want) {
				t.Fatalf("audit events: got %v, want %v", got, want)
			}
			if tt.want == returned {
				comments, err := submission.CommentsIn(as(secretariat), w.owner, sub.ID)
				if err != nil {
					t.Fatal(err)
				}
				var onThis []string
				for _, c := range comments {
					if c.Version == sub.Version {
						onThis = append(onThis, c.Body)
					}
				}
				if want := []string{twoComments[0].Body, twoComments[1].Body}; !slices.Equal(onThis, want) {
					t.Fatalf("comments on version %d: got %q, want %q", sub.Version, onThis, want)
				}
			}
		})
	}
}

// TestSaveDraftRefusesDocumentsItCannotStore: answers that are not JSON,
// too large or hold U+0000, and an unknown cycle or State, store nothing.
func TestSaveDraftRefusesDocumentsItCannotStore(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	fp := focalPoint("KEN")
	tests := []struct {
		name     string
		cycle    string
		state    string
		answers  json.RawMessage
		wantCode apperr.Code
	}{
		{"answers that are not JSON are bad input", "2027", "KEN", json.RawMessage(`{"general_provisions":`), apperr.BadInput},
		{"answers over the size limit are bad input", "2027", "KEN",
			json.RawMessage(`{"x":"` + strings.Repeat("a", submission.MaxAnswerBytes) + `"}`), apperr.BadInput},
		{"answers holding U+0000 are bad input", "2027", "KEN", json.RawMessage(`{"general_provisions":{"a\u0000":1}}`), apperr.BadInput},
		{"an unknown cycle is not found", "2099", "KEN", emptyDraft, apperr.NotFound},
		{"a focal point saving for an unknown State is forbidden", "2027", "XXX", emptyDraft, apperr.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.snapshot(t)
			res, err := w.svc.SaveDraft(as(fp), fp, tt.cycle, tt.state, tt.answers, nil)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("got %v (%s), field errors %v; want %s", err, got, res.Errors, tt.wantCode)
			}
			if after := w.snapshot(t); after != before {
				t.Fatalf("a refused call changed the tables:\n got %s\nwant %s", after, before)
			}
		})
	}
	t.Run("the secretariat saving for an unknown State is not found", func(t *testing.T) {
		_, err := w.svc.SaveDraft(as(secretariat), secretariat, "2027", "XXX", emptyDraft, nil)
		if got := codeOf(err); got != apperr.NotFound {
			t.Fatalf("got %v (%s), want %s", err, got, apperr.NotFound)
		}
	})
	t.Run("a State code in lower case is the State's", func(t *testing.T) {
		res, err := w.svc.SaveDraft(as(fp), fp, "2027", "ken", emptyDraft, nil)
		if err != nil || res.Submission == nil || res.Submission.StateCode != "KEN" {
			t.Fatalf("got %+v, %v; want KEN's draft", res.Submission, err)
		}
	})
}

// TestOneOfConcurrentSavesWins: callers that pass the same version at
// once get one new version between them; the others a CONFLICT.
func TestOneOfConcurrentSavesWins(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	fp := focalPoint("KEN")
	const callers = 5
	race := func(save func(i int) (submission.Result, error)) (won int, codes []apperr.Code) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				res, err := save(i)
				mu.Lock()
				defer mu.Unlock()
				if err == nil && len(res.Errors) == 0 {
					won++
				} else {
					codes = append(codes, codeOf(err))
				}
			})
		}
		wg.Wait()
		return won, codes
	}
	answers := func(i int) json.RawMessage {
		return json.RawMessage(`{"general_provisions":{"national_focal_point":{"name":"Caller ` + string(rune('A'+i)) + `"}}}`)
	}
	wantOne := func(what string, won int, codes []apperr.Code) {
		t.Helper()
		if won != 1 || len(codes) != callers-1 || slices.ContainsFunc(codes, func(c apperr.Code) bool { return c != apperr.Conflict }) {
			t.Fatalf("%s: got %d winners and errors %v, want 1 and %d CONFLICTs", what, won, codes, callers-1)
		}
	}
	won, codes := race(func(i int) (submission.Result, error) {
		return w.svc.SaveDraft(as(fp), fp, "2027", "KEN", answers(i), nil)
	})
	wantOne("creating at once", won, codes)
	// Other answers than the first round's: the first round's winner
	// sending its stored answers again would change nothing, and win.
	won, codes = race(func(i int) (submission.Result, error) {
		return w.svc.SaveDraft(as(fp), fp, "2027", "KEN", answers(callers+i), ptr(1))
	})
	wantOne("saving over version 1 at once", won, codes)

	sub, err := w.svc.Get(as(fp), fp, "2027", "KEN")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(w.versions(t, sub.ID)); sub.Version != 2 || got != 2 {
		t.Fatalf("after two races: version %d with %d version rows, want 2 and 2", sub.Version, got)
	}
}

// TestLateIsFirstSubmittedAfterTheDeadline: a submission first submitted
// after its cycle closed is late, and stays so; one submitted in time is
// not, even once returned.
func TestLateIsFirstSubmittedAfterTheDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	closed, err := w.svc.OpenCycle(as(secretariat), secretariat, submission.Cycle{ID: "2020", Name: "Review 2020",
		QuestionnaireID: questionnaireID, OpensOn: date(2020, 1, 1), ClosesOn: date(2020, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	w.openCycle(t, "2027", date(2020, 1, 1)) // closes in 2099
	tests := []struct {
		name  string
		cycle string
		to    submission.Status
		want  bool
	}{
		{"a submission after the deadline is late", closed.ID, submission.Submitted, true},
		{"a late submission accepted stays late", closed.ID, submission.Accepted, true},
		{"a submission before the deadline is not late", "2027", submission.Submitted, false},
		{"a submission in time returned is not late", "2027", submission.Returned, false},
		{"a draft is not late", closed.ID, submission.Draft, false},
	}
	codes := []string{"KEN", "FRA", "GHA", "BRA", "IND"}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := w.bring(t, tt.cycle, codes[i], tt.to, complete)
			if sub.Late != tt.want {
				t.Fatalf("late as returned by the call: got %v, want %v", sub.Late, tt.want)
			}
			stored, err := w.svc.Get(as(secretariat), secretariat, tt.cycle, codes[i])
			if err != nil || stored.Late != tt.want {
				t.Fatalf("late as stored: got %+v (%v), want %v", stored, err, tt.want)
			}
		})
	}
}

// TestComments: the State's focal point and the secretariat comment on a
// submission without changing its version; nobody else may.
func TestComments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	sub := w.bring(t, "2027", "KEN", submission.Submitted, complete)
	tests := []struct {
		name     string
		as       auth.Principal
		id       string
		path     *string
		body     string
		wantCode apperr.Code
	}{
		{"the State's focal point comments on its submission", focalPoint("KEN"), sub.ID, nil, "We will send the figures.", ""},
		{"the secretariat comments on a question", secretariat, sub.ID, ptr("/general_provisions"), "See the guidance.", ""},
		{"another State's focal point may not comment", focalPoint("FRA"), sub.ID, nil, "Hello", apperr.Forbidden},
		{"a working-group member may not comment", member, sub.ID, nil, "Hello", apperr.Forbidden},
		{"a comment on an unknown submission is not found", secretariat, "00000000-0000-4000-8000-000000000000", nil, "Hello", apperr.NotFound},
		{"a comment on an id that is no UUID is not found", secretariat, "KEN", nil, "Hello", apperr.NotFound},
		{"an empty comment is bad input", secretariat, sub.ID, nil, " \n", apperr.BadInput},
		{"a comment too long is bad input", secretariat, sub.ID, nil, strings.Repeat("x", submission.MaxCommentBytes+1), apperr.BadInput},
		{"a comment on a path outside the questionnaire is bad input", secretariat, sub.ID, ptr("/nowhere"), "Hello", apperr.BadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, lastEvent := w.snapshot(t), w.lastEvent(t)
			c, err := w.svc.Comment(as(tt.as), tt.as, tt.id, tt.path, tt.body, nil)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("got %v (%s), want %q", err, got, tt.wantCode)
			}
			if tt.wantCode != "" {
				if after := w.snapshot(t); after != before {
					t.Fatalf("a refused call changed the tables:\n got %s\nwant %s", after, before)
				}
				return
			}
			if c.Author != tt.as.Name || c.Body != tt.body || (c.Path == nil) != (tt.path == nil) {
				t.Fatalf("got comment %+v, want by %q saying %q", c, tt.as.Name, tt.body)
			}
			if got, want := w.eventsSince(t, lastEvent), []event{{"submission.comment", "submission/" + sub.ID}}; !slices.Equal(got, want) {
				t.Fatalf("audit events: got %v, want %v", got, want)
			}
			stored, err := w.svc.Get(as(secretariat), secretariat, "2027", "KEN")
			if err != nil || stored.Version != sub.Version || stored.Status != sub.Status {
				t.Fatalf("after a comment: got %+v (%v), want version %d %s unchanged", stored, err, sub.Version, sub.Status)
			}
		})
	}
}

// TestTheCallerIsTheContextsPrincipal: issue 14. A service is given the
// caller for its policy checks and a context whose principal row-level
// security and the audit read. Nothing checked that they agree: the
// secretariat's context with a Kenyan focal point as the argument saved
// Kenya's draft as neither. Now the two must be the same identity, or the
// call is refused before it opens a transaction, and nothing changes.
func TestTheCallerIsTheContextsPrincipal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2026, 1, 1))
	fp := focalPoint("KEN")
	before := w.snapshot(t)
	for _, c := range []struct {
		name string
		ctx  context.Context
		p    auth.Principal
	}{
		{"the secretariat's context, a focal point's argument", as(secretariat), fp},
		{"Kenya's context, Uganda's argument", as(fp), focalPoint("UGA")},
		{"the same role and State with another token", as(fp), auth.Principal{TokenID: fp.TokenID + 1000, Role: fp.Role, State: fp.State}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.svc.SaveDraft(c.ctx, c.p, "2027", "KEN", emptyDraft, nil)
			if err == nil {
				t.Fatal("a save with two identities was made")
			}
			if _, err := w.svc.Get(c.ctx, c.p, "2027", "KEN"); err == nil {
				t.Fatal("a read with two identities was answered")
			}
			if after := w.snapshot(t); after != before {
				t.Fatalf("a refused call changed the tables:\n got %s\nwant %s", after, before)
			}
		})
	}
	if _, err := w.svc.SaveDraft(as(fp), fp, "2027", "KEN", emptyDraft, nil); err != nil {
		t.Fatalf("the same identity in both: %v", err)
	}
}
