package app_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// TestCalendarOverTheAPI: issue 15's extensions, threads and consent as
// the contract names them, end to end over GraphQL.
func TestCalendarOverTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env.StartReports(t)
	kenya := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	w.openCycle(t, "2020", "2020-01-01", "2020-12-31")

	t.Run("grantExtension and extensions; late follows the State's deadline", func(t *testing.T) {
		res := w.env.Do(t, kenya, `mutation { grantExtension(cycle: "2020", state: "KEN", closesOn: "2099-01-31", reason: "Elections") { closesOn } }`, nil)
		wantCode(t, res, "FORBIDDEN")
		res = w.env.Do(t, w.sec, `mutation { grantExtension(cycle: "2020", state: "KEN", closesOn: "2020-12-01", reason: "Elections") { closesOn } }`, nil)
		wantCode(t, res, "BAD_USER_INPUT")
		var out struct {
			GrantExtension struct {
				Cycle    struct{ ID string }
				State    struct{ Code string }
				ClosesOn string
				Reason   string
			}
		}
		w.env.Do(t, w.sec, `mutation { grantExtension(cycle: "2020", state: "KEN", closesOn: "2099-01-31", reason: "Elections") {
			cycle { id } state { code } closesOn reason } }`, nil).Decode(t, &out)
		if e := out.GrantExtension; e.Cycle.ID != "2020" || e.State.Code != "KEN" || e.ClosesOn != "2099-01-31" || e.Reason != "Elections" {
			t.Fatalf("grantExtension: %+v", e)
		}
		var list struct{ Extensions []struct{ ClosesOn string } }
		w.env.Do(t, kenya, `{ extensions(cycle: "2020") { closesOn } }`, nil).Decode(t, &list)
		if len(list.Extensions) != 1 || list.Extensions[0].ClosesOn != "2099-01-31" {
			t.Fatalf("extensions as Kenya: %+v", list)
		}
		w.cycle = "2020"
		defer func() { w.cycle = "2027" }()
		sub := w.mustSave(t, kenya, "KEN", sample(t), -1)
		sub = w.mustSubmit(t, kenya, "KEN", sub.Version)
		if sub.Late {
			t.Fatalf("submitted within Kenya's extension, yet late")
		}
	})

	t.Run("threads: reply, resolve, and the resubmission's warning", func(t *testing.T) {
		sub := w.mustSave(t, kenya, "KEN", sample(t), -1)
		sub = w.mustSubmit(t, kenya, "KEN", sub.Version)
		var ret struct{ ReturnSubmission payload }
		w.env.Do(t, w.sec, `mutation($id: ID!, $v: Int!) { returnSubmission(id: $id, expectedVersion: $v, comments: [{path: "/general_provisions", body: "Which law?"}]) {
			submission { version comments { id } } errors { path } } }`, map[string]any{"id": sub.ID, "v": sub.Version}).Decode(t, &ret)
		root := ret.ReturnSubmission.Submission.Comments[0].ID
		type threaded struct {
			ID       string
			Path     *string
			ReplyTo  *string
			Resolved bool
		}
		var reply struct{ Comment threaded }
		w.env.Do(t, kenya, `mutation($s: ID!, $r: ID!) { comment(submission: $s, body: "The 2019 act.", replyTo: $r) { id path replyTo resolved } }`,
			map[string]any{"s": sub.ID, "r": root}).Decode(t, &reply)
		if reply.Comment.ReplyTo == nil || *reply.Comment.ReplyTo != root || reply.Comment.Path == nil || *reply.Comment.Path != "/general_provisions" {
			t.Fatalf("reply: %+v", reply.Comment)
		}
		res := w.env.Do(t, kenya, `mutation($id: ID!) { resolveComment(id: $id, resolved: true) { id } }`, map[string]any{"id": reply.Comment.ID})
		wantCode(t, res, "BAD_USER_INPUT")

		resubmit := func() []string {
			cur := w.get(t, kenya, "KEN")
			saved := w.mustSave(t, kenya, "KEN", sample(t), cur.Version)
			var out struct {
				Submit struct {
					Submission struct{ Status string }
					Warnings   []string
				}
			}
			w.env.Do(t, kenya, `mutation($c: ID!, $s: ID!, $v: Int!) { submit(cycle: $c, state: $s, expectedVersion: $v) { submission { status } warnings } }`,
				map[string]any{"c": w.cycle, "s": "KEN", "v": saved.Version}).Decode(t, &out)
			if out.Submit.Submission.Status != "SUBMITTED" {
				t.Fatalf("resubmit: %+v", out)
			}
			return out.Submit.Warnings
		}
		if got := resubmit(); len(got) != 1 || !strings.Contains(got[0], "1 comment thread") {
			t.Fatalf("warnings with one thread open: %q", got)
		}
		var resolved struct{ ResolveComment threaded }
		w.env.Do(t, kenya, `mutation($id: ID!) { resolveComment(id: $id, resolved: true) { id resolved } }`, map[string]any{"id": root}).Decode(t, &resolved)
		if !resolved.ResolveComment.Resolved {
			t.Fatalf("resolveComment: %+v", resolved)
		}
		var ret2 struct{ ReturnSubmission payload }
		cur := w.get(t, w.sec, "KEN")
		w.env.Do(t, w.sec, `mutation($id: ID!, $v: Int!) { returnSubmission(id: $id, expectedVersion: $v, comments: [{body: "Now the annex"}]) { submission { id } errors { path } } }`,
			map[string]any{"id": cur.ID, "v": cur.Version}).Decode(t, &ret2)
		var threads struct {
			Submission struct{ Comments []threaded }
		}
		w.env.Do(t, kenya, `{ submission(cycle: "2027", state: "KEN") { comments { id replyTo resolved } } }`, nil).Decode(t, &threads)
		open := 0
		for _, c := range threads.Submission.Comments {
			if c.ReplyTo == nil && !c.Resolved {
				open++
			}
		}
		if open != 1 {
			t.Fatalf("open threads after a second return: %d in %+v", open, threads.Submission.Comments)
		}
	})

	t.Run("a country profile is published only with the State's consent", func(t *testing.T) {
		profile := w.mustRender(t, map[string]any{"kind": "COUNTRY_PROFILE", "cycle": "2027", "state": "KEN"})
		w.waitSucceeded(t, profile.ID)
		publish := `mutation($id: ID!) { publishReport(run: $id) { published } }`
		res := w.env.Do(t, w.sec, publish, map[string]any{"id": profile.ID})
		wantCode(t, res, "FORBIDDEN")
		if msg := res.Errors[0].Message; !strings.Contains(msg, "KEN has not consented") {
			t.Fatalf("message: %q", msg)
		}
		if r := w.run(t, w.sec, profile.ID); r.Published {
			t.Fatal("published without consent")
		}
		var c struct {
			SetConsent struct {
				PublishProfile bool
				State          struct{ Code string }
			}
		}
		w.env.Do(t, kenya, `mutation { setConsent(cycle: "2027", state: "KEN", publishProfile: true) { publishProfile state { code } } }`, nil).Decode(t, &c)
		if !c.SetConsent.PublishProfile || c.SetConsent.State.Code != "KEN" {
			t.Fatalf("setConsent: %+v", c)
		}
		wantCode(t, w.env.Do(t, kenya, `mutation { setConsent(cycle: "2027", state: "FRA", publishProfile: true) { publishProfile } }`, nil), "FORBIDDEN")
		var pub struct{ PublishReport struct{ Published bool } }
		w.env.Do(t, w.sec, publish, map[string]any{"id": profile.ID}).Decode(t, &pub)
		if !pub.PublishReport.Published {
			t.Fatal("not published with consent")
		}
		var list struct {
			Consents []struct{ PublishProfile bool }
		}
		w.env.Do(t, w.sec, `{ consents(cycle: "2027") { publishProfile } }`, nil).Decode(t, &list)
		if len(list.Consents) != 1 || !list.Consents[0].PublishProfile {
			t.Fatalf("consents: %+v", list)
		}
	})
}

func TestServeRefusesNoMinRespondents(t *testing.T) {
	err := app.Run(context.Background(), []string{"irm", "serve", "--addr", "127.0.0.1:0", "--min-respondents", "0"},
		envWith(map[string]string{"DATABASE_URL": pgtest.AppURL(pgtest.NewURL(t))}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--min-respondents 0") {
		t.Fatalf("got %v, want a refusal naming --min-respondents", err)
	}
}

// TestMinimumNOverTheAPI: one State answered; a working-group member
// reads the total withheld (suppressed, every count 0 and suppressed,
// the rule's N), the secretariat the count.
func TestMinimumNOverTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	kenya := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	member := w.token(t, "IC member", auth.WorkingGroup, "", "international-cooperation")
	sub := w.mustSave(t, kenya, "KEN", sample(t), -1)
	w.mustSubmit(t, kenya, "KEN", sub.Version)
	query := `{ questionAggregate(cycle: "2027", path: "/international_cooperation/dual_criminality") {
		respondents suppressed minRespondents counts { option count share suppressed } } }`
	type agg struct {
		QuestionAggregate struct {
			Respondents    int
			Suppressed     bool
			MinRespondents int
			Counts         []struct {
				Option     string
				Count      int
				Suppressed bool
			}
		}
	}
	var bySec, byMember agg
	w.env.Do(t, w.sec, query, nil).Decode(t, &bySec)
	w.env.Do(t, member, query, nil).Decode(t, &byMember)
	if a := bySec.QuestionAggregate; a.Respondents != 1 || a.Suppressed || a.MinRespondents != 3 {
		t.Fatalf("the secretariat reads %+v, want the count", a)
	}
	a := byMember.QuestionAggregate
	if a.Respondents != 0 || !a.Suppressed || a.MinRespondents != 3 {
		t.Fatalf("a member reads %+v, want the total withheld", a)
	}
	for _, c := range a.Counts { // the whole total is withheld, zeros too
		if c.Count != 0 || !c.Suppressed {
			t.Fatalf("a member reads option %+v, want it withheld", c)
		}
	}
}
