package people

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
)

// reminded lists the reminders in the outbox, oldest first, as
// "to subject".
func (w *world) reminded(t *testing.T) []string {
	t.Helper()
	rows, err := w.owner.Query(context.Background(), `SELECT to_address || ' ' || subject FROM notifications WHERE kind = 'REMINDER' ORDER BY created_at, to_address`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestRemindersFollowTheClock drives the reminders day by day with the
// injected clock: the default rules (30, 7 and 1 days before, weekly
// after), each to the focal points of the States Parties that have not
// submitted, in each one's language, once per day of the rules; a State
// that submits gets no more.
func TestRemindersFollowTheClock(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now}) // no relay: they stay in the outbox
	ghana := w.add(t, s, ContactInput{Name: "Amal", Email: "amal@gha.example.org", Language: "fr", Role: auth.FocalPoint, State: "GHA"})
	w.add(t, s, ContactInput{Name: "Kofi", Email: "kofi@ken.example.org", Language: "en", Role: auth.FocalPoint, State: "KEN"})
	w.add(t, s, ContactInput{Name: "Ina", Email: "ina@ind.example.org", Language: "en", Role: auth.FocalPoint, State: "IND"}) // not a Party
	w.add(t, s, ContactInput{Name: "Sec", Email: "sec@example.org", Language: "en", Role: auth.Secretariat})

	var log []string
	run := func(day time.Time) {
		t.Helper()
		w.clock.set(day.Add(10 * time.Hour))
		before := len(w.reminded(t))
		if _, err := s.SendReminders(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, r := range w.reminded(t)[before:] {
			log = append(log, day.Format(time.DateOnly)+" "+r)
		}
	}
	for d := deadline.AddDate(0, 0, -32); !d.After(deadline.AddDate(0, 0, 15)); d = d.AddDate(0, 0, 1) {
		if d.Equal(deadline.AddDate(0, 0, -3)) {
			w.submit(t, w.as(t, ghana)) // Ghana submits three days before the deadline
		}
		run(d)
		run(d) // a second replica, or a second pass the same day: nothing new
	}
	want := []string{
		"2027-05-31 amal@gha.example.org Rappel : les réponses de Ghana pour Review 2027 sont attendues le 2027-06-30",
		"2027-05-31 kofi@ken.example.org Reminder: the answers of Kenya for Review 2027 are due on 2027-06-30",
		"2027-06-23 amal@gha.example.org Rappel : les réponses de Ghana pour Review 2027 sont attendues le 2027-06-30",
		"2027-06-23 kofi@ken.example.org Reminder: the answers of Kenya for Review 2027 are due on 2027-06-30",
		"2027-06-29 kofi@ken.example.org Reminder: the answers of Kenya for Review 2027 are due on 2027-06-30",
		"2027-07-07 kofi@ken.example.org Overdue: the answers of Kenya for Review 2027 were due on 2027-06-30",
		"2027-07-14 kofi@ken.example.org Overdue: the answers of Kenya for Review 2027 were due on 2027-06-30",
	}
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Errorf("reminders:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

// TestReminderRulesAndPreview: the secretariat sets a cycle's rules; the
// preview lists who would get what on which day from today on, and
// follows the rules; bad rules are refused and change nothing.
func TestReminderRulesAndPreview(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now})
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	w.add(t, s, ContactInput{Name: "Kofi", Email: "kofi@ken.example.org", Language: "ru", Role: auth.FocalPoint, State: "KEN"})
	r, err := s.ReminderRules(ctx, w.sec, "2027")
	if err != nil || fmt.Sprint(r.DaysBefore) != "[30 7 1]" || !r.WeeklyAfterDeadline {
		t.Fatalf("default rules: %+v, %v", r, err)
	}
	if _, err := s.SetReminderRules(ctx, w.sec, "2027", []int{-1}, false); apperr.CodeOf(err) != apperr.BadInput {
		t.Errorf("daysBefore -1: %v, want BAD_USER_INPUT", err)
	}
	fp := w.as(t, Contact{ID: "1"})
	if _, err := s.SetReminderRules(auth.WithPrincipal(context.Background(), fp), fp, "2027", []int{3}, false); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a focal point sets rules: %v, want FORBIDDEN", err)
	}
	if r, err = s.SetReminderRules(ctx, w.sec, "2027", []int{2, 14, 2}, false); err != nil || fmt.Sprint(r.DaysBefore) != "[14 2]" {
		t.Fatalf("set rules: %+v, %v", r, err)
	}
	w.clock.set(deadline.AddDate(0, 0, -10))
	plan, err := s.PreviewReminders(ctx, w.sec, "2027")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range plan {
		got = append(got, p.Day.Format(time.DateOnly)+" "+p.State+" "+p.To.Email+" "+p.Subject)
	}
	want := []string{"2027-06-28 KEN kofi@ken.example.org Напоминание: ответы (Кения) за Review 2027 нужно представить до 2027-06-30"}
	if !slices.Equal(got, want) {
		t.Errorf("preview:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := s.PreviewReminders(auth.WithPrincipal(context.Background(), fp), fp, "2027"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a focal point previews: %v, want FORBIDDEN", err)
	}
}

// An extended State is reminded against its own deadline: Kenya's,
// extended by three weeks, moves its reminders with it, while Ghana keeps
// the cycle's (issue 15).
func TestAnExtendedStateIsRemindedAgainstItsOwnDeadline(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, Config{PublicURL: "https://irm.example.org", Now: w.clock.now})
	w.add(t, s, ContactInput{Name: "Amal", Email: "amal@gha.example.org", Language: "en", Role: auth.FocalPoint, State: "GHA"})
	w.add(t, s, ContactInput{Name: "Kofi", Email: "kofi@ken.example.org", Language: "en", Role: auth.FocalPoint, State: "KEN"})
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	extended := deadline.AddDate(0, 0, 21)
	if _, err := w.workflow.GrantExtension(ctx, w.sec, w.cycle.ID, "KEN", extended, "elections"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetReminderRules(ctx, w.sec, w.cycle.ID, []int{1}, false); err != nil {
		t.Fatal(err)
	}
	w.clock.set(deadline.AddDate(0, 0, -5))
	plan, err := s.PreviewReminders(ctx, w.sec, w.cycle.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range plan {
		got = append(got, p.Day.Format(time.DateOnly)+" "+p.State)
	}
	want := []string{
		deadline.AddDate(0, 0, -1).Format(time.DateOnly) + " GHA",
		extended.AddDate(0, 0, -1).Format(time.DateOnly) + " KEN",
	}
	if !slices.Equal(got, want) {
		t.Errorf("preview: %v, want %v", got, want)
	}
	var sent []string
	for d := deadline.AddDate(0, 0, -2); !d.After(extended); d = d.AddDate(0, 0, 1) {
		w.clock.set(d.Add(10 * time.Hour))
		before := len(w.reminded(t))
		if _, err := s.SendReminders(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, r := range w.reminded(t)[before:] {
			sent = append(sent, d.Format(time.DateOnly)+" "+r)
		}
	}
	wantSent := []string{
		deadline.AddDate(0, 0, -1).Format(time.DateOnly) + " amal@gha.example.org Reminder: the answers of Ghana for Review 2027 are due on 2027-06-30",
		extended.AddDate(0, 0, -1).Format(time.DateOnly) + " kofi@ken.example.org Reminder: the answers of Kenya for Review 2027 are due on 2027-07-21",
	}
	if !slices.Equal(sent, wantSent) {
		t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(sent, "\n"), strings.Join(wantSent, "\n"))
	}
}
