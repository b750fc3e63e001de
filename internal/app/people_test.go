package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/auth"
)

// TestPeopleOverTheAPI (issue 15): the contract's contacts, invitations,
// outbox and reminder rules over GraphQL, with their rules of access; a
// submission and a publication queue their messages in the outbox as the
// service writes them, in each recipient's language.
func TestPeopleOverTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env.StartReports(t)
	kenya := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	member := w.token(t, "IC member", auth.WorkingGroup, "", "international-cooperation")
	add := func(in map[string]any) string {
		t.Helper()
		var out struct{ AddContact struct{ ID, Language string } }
		w.env.Do(t, w.sec, `mutation($in: ContactInput!) { addContact(input: $in) { id language role state { code } workingGroups { id } active } }`,
			map[string]any{"in": in}).Decode(t, &out)
		return out.AddContact.ID
	}
	add(map[string]any{"name": "Kofi", "email": "kofi@ken.example.org", "role": "FOCAL_POINT", "state": "KEN"})
	add(map[string]any{"name": "Ama", "email": "ama@gha.example.org", "role": "FOCAL_POINT", "state": "GHA", "language": "fr"})
	add(map[string]any{"name": "Sara", "email": "sara@sec.example.org", "role": "SECRETARIAT", "language": "ar"})
	li := add(map[string]any{"name": "Li", "email": "li@wg.example.org", "role": "WORKING_GROUP", "language": "zh",
		"workingGroups": []string{"international-cooperation"}})

	t.Run("only the secretariat registers, invites and reads the outbox", func(t *testing.T) {
		for _, tok := range []string{kenya, member} {
			wantCode(t, w.env.Do(t, tok, `mutation { addContact(input: {name: "X", email: "x@y.org", role: SECRETARIAT}) { id } }`, nil), "FORBIDDEN")
			wantCode(t, w.env.Do(t, tok, `mutation($id: ID!) { inviteContact(id: $id) { id } }`, map[string]any{"id": li}), "FORBIDDEN")
			wantCode(t, w.env.Do(t, tok, `{ outbox { id } }`, nil), "FORBIDDEN")
		}
		wantCode(t, w.env.Do(t, member, `{ contacts { id } }`, nil), "FORBIDDEN")
		wantCode(t, w.env.Do(t, w.sec, `mutation { addContact(input: {name: "X", email: "not-an-address", role: SECRETARIAT}) { id } }`, nil), "BAD_USER_INPUT")
	})
	t.Run("a focal point reads its own State's contacts", func(t *testing.T) {
		var out struct{ Contacts []struct{ Email string } }
		w.env.Do(t, kenya, `{ contacts { email } }`, nil).Decode(t, &out)
		if len(out.Contacts) != 1 || out.Contacts[0].Email != "kofi@ken.example.org" {
			t.Errorf("Kenya's contacts: %+v", out.Contacts)
		}
		wantCode(t, w.env.Do(t, kenya, `{ contacts(state: "GHA") { email } }`, nil), "FORBIDDEN")
	})

	var inv struct {
		InviteContact struct{ Kind, To, Language, Subject, Status string }
	}
	w.env.Do(t, w.sec, `mutation($id: ID!) { inviteContact(id: $id) { kind to language subject status } }`, map[string]any{"id": li}).Decode(t, &inv)
	if inv.InviteContact.Kind != "INVITATION" || inv.InviteContact.To != "li@wg.example.org" || inv.InviteContact.Status != "PENDING" ||
		inv.InviteContact.Subject != "登录履约审议系统" {
		t.Errorf("inviteContact: %+v", inv.InviteContact)
	}

	// Kenya submits: the secretariat's contact is told, in Arabic.
	doc := sample(t)
	sub := w.mustSave(t, kenya, "KEN", doc, -1)
	w.mustSubmit(t, kenya, "KEN", sub.Version)
	// A synthesis for the international-cooperation group is published:
	// its member is told, in Chinese.
	queued := w.mustRender(t, map[string]any{"kind": "CYCLE_SYNTHESIS", "cycle": "2027", "workingGroup": "international-cooperation"})
	w.waitSucceeded(t, queued.ID)
	w.env.Do(t, w.sec, `mutation($id: ID!) { publishReport(run: $id) { id } }`, map[string]any{"id": queued.ID})
	w.env.Do(t, w.sec, `mutation($id: ID!) { publishReport(run: $id) { id } }`, map[string]any{"id": queued.ID}) // again: nothing new

	var box struct {
		Outbox []struct{ Kind, To, Language, Subject, Status string }
	}
	w.env.Do(t, w.sec, `{ outbox(first: 10) { kind to language subject status createdAt sentAt } }`, nil).Decode(t, &box)
	var got []string
	for _, m := range box.Outbox {
		got = append(got, m.Kind+" "+m.To+" "+m.Language+" "+m.Subject)
	}
	want := []string{
		"PUBLISHED li@wg.example.org zh 已发布关于 Review cycle 2027 的报告",
		"SUBMITTED sara@sec.example.org ar قدّمت كينيا إجاباتها عن Review cycle 2027",
		"INVITATION li@wg.example.org zh 登录履约审议系统",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("outbox, newest first:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	t.Run("reminder rules", func(t *testing.T) {
		var r struct {
			SetReminderRules struct {
				DaysBefore []int
				Cycle      struct{ ID string }
			}
		}
		w.env.Do(t, w.sec, `mutation { setReminderRules(cycle: "2027", daysBefore: [10, 3], weeklyAfterDeadline: false) { daysBefore weeklyAfterDeadline cycle { id } } }`, nil).Decode(t, &r)
		if len(r.SetReminderRules.DaysBefore) != 2 || r.SetReminderRules.Cycle.ID != "2027" {
			t.Errorf("setReminderRules: %+v", r)
		}
		wantCode(t, w.env.Do(t, kenya, `mutation { setReminderRules(cycle: "2027", daysBefore: [1], weeklyAfterDeadline: false) { daysBefore } }`, nil), "FORBIDDEN")
		wantCode(t, w.env.Do(t, w.sec, `{ reminderRules(cycle: "nope") { daysBefore } }`, nil), "NOT_FOUND")
	})

	t.Run("deactivation revokes the person's tokens", func(t *testing.T) {
		var c struct{ DeactivateContact struct{ Active bool } }
		w.env.Do(t, w.sec, `mutation($id: ID!) { deactivateContact(id: $id) { active } }`, map[string]any{"id": li}).Decode(t, &c)
		if c.DeactivateContact.Active {
			t.Error("still active")
		}
		var live int
		if err := w.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM tokens WHERE contact_id = $1 AND revoked_at IS NULL`, li).Scan(&live); err != nil || live != 0 {
			t.Errorf("%d live tokens of the deactivated contact (%v)", live, err)
		}
	})
}
