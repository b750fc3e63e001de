package submission_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/submission"
)

// closedCycle opens cycle id, closed since the end of 2020.
func (w *world) closedCycle(t *testing.T, id string) submission.Cycle {
	t.Helper()
	c, err := w.svc.OpenCycle(as(secretariat), secretariat, submission.Cycle{ID: id, Name: "Review " + id,
		QuestionnaireID: questionnaireID, OpensOn: date(2020, 1, 1), ClosesOn: date(2020, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGrantExtension: only the secretariat grants, a date later than the
// cycle's with a reason; anything else is refused and changes nothing.
// A grant is audited; granting again replaces the date and the reason.
func TestGrantExtension(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.closedCycle(t, "2020")
	tests := []struct {
		name     string
		as       auth.Principal
		cycle    string
		state    string
		closesOn time.Time
		reason   string
		wantCode apperr.Code
	}{
		{"the secretariat grants a later deadline", secretariat, "2020", "KEN", date(2021, 2, 28), "Elections in January", ""},
		{"granting again replaces it", secretariat, "2020", "ken", date(2021, 3, 31), "Elections postponed", ""},
		{"a focal point may not grant", focalPoint("KEN"), "2020", "KEN", date(2021, 2, 28), "Please", apperr.Forbidden},
		{"a working-group member may not grant", member, "2020", "KEN", date(2021, 2, 28), "Please", apperr.Forbidden},
		{"the cycle's own deadline is no extension", secretariat, "2020", "FRA", date(2020, 12, 31), "Same day", apperr.BadInput},
		{"an earlier date is no extension", secretariat, "2020", "FRA", date(2020, 6, 30), "Earlier", apperr.BadInput},
		{"a reason is required", secretariat, "2020", "FRA", date(2021, 2, 28), "  \n", apperr.BadInput},
		{"a reason too long is bad input", secretariat, "2020", "FRA", date(2021, 2, 28), strings.Repeat("x", submission.MaxReasonBytes+1), apperr.BadInput},
		{"an unknown cycle is not found", secretariat, "1999", "FRA", date(2021, 2, 28), "Why", apperr.NotFound},
		{"an unknown State is not found", secretariat, "2020", "XYZ", date(2021, 2, 28), "Why", apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, last := w.snapshot(t), w.lastEvent(t)
			e, err := w.svc.GrantExtension(as(tt.as), tt.as, tt.cycle, tt.state, tt.closesOn, tt.reason)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("got %v (%s), want %q", err, got, tt.wantCode)
			}
			if tt.wantCode != "" {
				if after := w.snapshot(t); after != before {
					t.Fatalf("a refused grant changed the tables:\n got %s\nwant %s", after, before)
				}
				return
			}
			if e.StateCode != "KEN" || !e.ClosesOn.Equal(tt.closesOn) || e.Reason != tt.reason || e.GrantedBy != secretariat.Name {
				t.Fatalf("got %+v, want KEN until %s for %q", e, tt.closesOn, tt.reason)
			}
			if got, want := w.eventsSince(t, last), []event{{"cycle.extension", "cycle/2020/KEN"}}; !slices.Equal(got, want) {
				t.Fatalf("audit events: got %v, want %v", got, want)
			}
			list, err := w.svc.Extensions(as(secretariat), secretariat, "2020")
			if err != nil || len(list) != 1 || !list[0].ClosesOn.Equal(tt.closesOn) || list[0].Reason != tt.reason {
				t.Fatalf("extensions: got %+v (%v), want the one just granted", list, err)
			}
		})
	}
	// Who reads them: a focal point its own State's, a member none.
	if list, err := w.svc.Extensions(as(focalPoint("FRA")), focalPoint("FRA"), "2020"); err != nil || len(list) != 0 {
		t.Fatalf("another State's focal point reads %+v (%v), want none", list, err)
	}
	if list, err := w.svc.Extensions(as(focalPoint("KEN")), focalPoint("KEN"), "2020"); err != nil || len(list) != 1 {
		t.Fatalf("the State's focal point reads %+v (%v), want its extension", list, err)
	}
	if _, err := w.svc.Extensions(as(member), member, "2020"); codeOf(err) != apperr.Forbidden {
		t.Fatalf("a member reads extensions: %v, want FORBIDDEN", err)
	}
}

// TestLateFollowsTheStatesOwnDeadline: after the cycle closed, a State
// with an extension still running submits in time; one whose extension
// ran out too is late; Deadline gives each State its own date.
func TestLateFollowsTheStatesOwnDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.closedCycle(t, "2020")
	if _, err := w.svc.GrantExtension(as(secretariat), secretariat, "2020", "KEN", date(2099, 12, 31), "Elections"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.GrantExtension(as(secretariat), secretariat, "2020", "GHA", date(2021, 1, 31), "Floods"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		state    string
		to       submission.Status
		deadline time.Time
		late     bool
	}{
		{"KEN", submission.Submitted, date(2099, 12, 31), false},
		{"GHA", submission.Submitted, date(2021, 1, 31), true},
		{"FRA", submission.Submitted, date(2020, 12, 31), true},
		{"BRA", submission.Returned, date(2020, 12, 31), true},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			sub := w.bring(t, "2020", tt.state, tt.to, complete)
			if sub.Late != tt.late {
				t.Fatalf("late as the call returned it: got %v, want %v", sub.Late, tt.late)
			}
			stored, err := w.svc.Get(as(secretariat), secretariat, "2020", tt.state)
			if err != nil || stored.Late != tt.late {
				t.Fatalf("late as stored: got %+v (%v), want %v", stored, err, tt.late)
			}
			fp := focalPoint(tt.state)
			got, err := w.svc.Deadline(as(fp), "2020", tt.state)
			if err != nil || !got.Equal(tt.deadline) {
				t.Fatalf("Deadline as the focal point: got %s (%v), want %s", got, err, tt.deadline)
			}
			if tt.to == submission.Returned { // saved again as a draft, still late
				res, err := w.svc.SaveDraft(as(fp), fp, "2020", tt.state, complete, &stored.Version)
				if err != nil || res.Submission.Late != tt.late {
					t.Fatalf("a returned submission saved again: %+v (%v), want late %v", res.Submission, err, tt.late)
				}
			}
		})
	}
	var board []submission.StateStatus
	err := postgres.ReadTx(as(secretariat), w.app, func(tx pgx.Tx) error {
		var err error
		board, err = submission.StatusBoard(context.Background(), tx, c.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range board {
		want := s.Code == "GHA" || s.Code == "FRA" || s.Code == "BRA"
		if s.Late != want {
			t.Fatalf("status board: %s late %v, want %v", s.Code, s.Late, want)
		}
	}
}

// TestConsent: a focal point records its own State's consent (and
// withdraws it), the secretariat may record any, nobody else; audited.
func TestConsent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	tests := []struct {
		name     string
		as       auth.Principal
		state    string
		publish  bool
		wantCode apperr.Code
	}{
		{"a focal point consents for its State", focalPoint("KEN"), "KEN", true, ""},
		{"and withdraws it", focalPoint("KEN"), "KEN", false, ""},
		{"the secretariat records a State's consent", secretariat, "FRA", true, ""},
		{"another State's focal point may not", focalPoint("FRA"), "KEN", true, apperr.Forbidden},
		{"a working-group member may not", member, "KEN", true, apperr.Forbidden},
		{"an unknown State is not found", secretariat, "XYZ", true, apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, last := w.snapshot(t), w.lastEvent(t)
			c, err := w.svc.SetConsent(as(tt.as), tt.as, "2027", tt.state, tt.publish)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("got %v (%s), want %q", err, got, tt.wantCode)
			}
			if tt.wantCode != "" {
				if after := w.snapshot(t); after != before {
					t.Fatalf("a refused call changed the tables")
				}
				return
			}
			if c.StateCode != tt.state || c.PublishProfile != tt.publish {
				t.Fatalf("got %+v", c)
			}
			if got, want := w.eventsSince(t, last), []event{{"consent.set", "cycle/2027/" + tt.state}}; !slices.Equal(got, want) {
				t.Fatalf("audit events: got %v, want %v", got, want)
			}
			var ok bool
			err = postgres.ReadTx(as(secretariat), w.app, func(tx pgx.Tx) error {
				var err error
				ok, err = submission.ProfileConsentIn(context.Background(), tx, "2027", tt.state)
				return err
			})
			if err != nil || ok != tt.publish {
				t.Fatalf("ProfileConsentIn: got %v (%v), want %v", ok, err, tt.publish)
			}
		})
	}
	list, err := w.svc.Consents(as(focalPoint("KEN")), focalPoint("KEN"), "2027")
	if err != nil || len(list) != 1 || list[0].StateCode != "KEN" || list[0].PublishProfile {
		t.Fatalf("the focal point's consents: %+v (%v), want KEN's withdrawn one only", list, err)
	}
	if list, err := w.svc.Consents(as(secretariat), secretariat, "2027"); err != nil || len(list) != 2 {
		t.Fatalf("the secretariat's consents: %+v (%v), want two", list, err)
	}
}

// TestThreads: replies join the thread of the comment they answer, even
// a reply to a reply; only a thread's first comment is resolved or
// reopened, by the secretariat or the State's focal point; a submit
// with open threads says how many.
func TestThreads(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.openCycle(t, "2027", date(2020, 1, 1))
	sub := w.bring(t, "2027", "KEN", submission.Returned, complete)
	comments, err := w.svc.Comments(as(secretariat), []string{sub.ID})
	if err != nil || len(comments[0]) != 1 {
		t.Fatalf("comments of a returned submission: %v %v", comments, err)
	}
	root := comments[0][0]
	q := ptr("/general_provisions")
	onQuestion, err := w.svc.Comment(as(secretariat), secretariat, sub.ID, q, "Which law?", nil)
	if err != nil {
		t.Fatal(err)
	}
	fp := focalPoint("KEN")
	reply, err := w.svc.Comment(as(fp), fp, sub.ID, nil, "The 2019 act.", &onQuestion.ID)
	if err != nil || reply.ReplyTo == nil || *reply.ReplyTo != onQuestion.ID || reply.Path == nil || *reply.Path != *q {
		t.Fatalf("a reply: %+v (%v), want in thread %s on %s", reply, err, onQuestion.ID, *q)
	}
	again, err := w.svc.Comment(as(secretariat), secretariat, sub.ID, nil, "Thanks, which article?", &reply.ID)
	if err != nil || again.ReplyTo == nil || *again.ReplyTo != onQuestion.ID {
		t.Fatalf("a reply to a reply: %+v (%v), want in thread %s", again, err, onQuestion.ID)
	}

	refused := []struct {
		name     string
		do       func() error
		wantCode apperr.Code
	}{
		{"a reply about another question", func() error {
			_, err := w.svc.Comment(as(fp), fp, sub.ID, ptr("/prevention"), "x", &onQuestion.ID)
			return err
		}, apperr.BadInput},
		{"a reply to an unknown comment", func() error {
			_, err := w.svc.Comment(as(fp), fp, sub.ID, nil, "x", ptr("00000000-0000-4000-8000-000000000000"))
			return err
		}, apperr.NotFound},
		{"a reply to a comment of another submission", func() error {
			other := w.bring(t, "2027", "GHA", submission.Returned, complete)
			cs, _ := w.svc.Comments(as(secretariat), []string{other.ID})
			_, err := w.svc.Comment(as(secretariat), secretariat, sub.ID, nil, "x", &cs[0][0].ID)
			return err
		}, apperr.NotFound},
		{"resolving a reply", func() error {
			_, err := w.svc.ResolveComment(as(fp), fp, reply.ID, true)
			return err
		}, apperr.BadInput},
		{"another State's focal point resolving", func() error {
			_, err := w.svc.ResolveComment(as(focalPoint("FRA")), focalPoint("FRA"), root.ID, true)
			return err
		}, apperr.NotFound},
		{"a member resolving", func() error {
			_, err := w.svc.ResolveComment(as(member), member, root.ID, true)
			return err
		}, apperr.Forbidden},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := w.snapshot(t)
			if err := tt.do(); codeOf(err) != tt.wantCode {
				t.Fatalf("got %v, want %s", err, tt.wantCode)
			}
			if tt.name != "a reply to a comment of another submission" && w.snapshot(t) != before {
				t.Fatal("a refused call changed the tables")
			}
		})
	}

	last := w.lastEvent(t)
	resolved, err := w.svc.ResolveComment(as(fp), fp, root.ID, true)
	if err != nil || !resolved.Resolved {
		t.Fatalf("the focal point resolves: %+v (%v)", resolved, err)
	}
	reopened, err := w.svc.ResolveComment(as(secretariat), secretariat, root.ID, false)
	if err != nil || reopened.Resolved {
		t.Fatalf("the secretariat reopens: %+v (%v)", reopened, err)
	}
	if _, err := w.svc.ResolveComment(as(secretariat), secretariat, root.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, want := w.eventsSince(t, last), []event{{"comment.resolve", "submission/" + sub.ID},
		{"comment.reopen", "submission/" + sub.ID}, {"comment.resolve", "submission/" + sub.ID}}; !slices.Equal(got, want) {
		t.Fatalf("audit events: got %v, want %v", got, want)
	}
	all, err := w.svc.Comments(as(fp), []string{sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, c := range all[0] {
		if c.ReplyTo == nil && !c.Resolved {
			open = append(open, c.ID)
		}
		if c.ReplyTo != nil && c.Resolved {
			t.Fatalf("a reply is resolved: %+v", c)
		}
	}
	if !slices.Equal(open, []string{onQuestion.ID}) {
		t.Fatalf("open threads: %v, want only %s", open, onQuestion.ID)
	}

	// Resubmitting with one thread open: done, and warned of it.
	cur, _ := w.svc.Get(as(fp), fp, "2027", "KEN")
	res, err := w.svc.SaveDraft(as(fp), fp, "2027", "KEN", complete, &cur.Version)
	if err != nil {
		t.Fatal(err)
	}
	res, err = w.svc.Submit(as(fp), fp, "2027", "KEN", res.Submission.Version)
	if err != nil || res.Submission.Status != submission.Submitted || res.OpenThreads != 1 {
		t.Fatalf("resubmit with an open thread: %+v (%v), want SUBMITTED with 1 open thread", res, err)
	}
	if _, err := w.svc.ResolveComment(as(fp), fp, onQuestion.ID, true); err != nil {
		t.Fatal(err)
	}
}
