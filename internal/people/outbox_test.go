package people

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/submission"
)

// TestEveryKindOfMessageReachesTheRelay: invitations, submitted,
// returned (with the comments), accepted, published and reminders go
// through a real SMTP relay (STARTTLS, then AUTH PLAIN), each to its
// recipients only, in each one's language, with the subject, the link and
// the Message-ID of its row; every one exactly once.
func TestEveryKindOfMessageReachesTheRelay(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, w.config())
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	w.add(t, s, ContactInput{Name: "Sophie Secretariat", Email: "sophie@sec.example.org", Language: "fr", Role: auth.Secretariat})
	amal := w.add(t, s, ContactInput{Name: "Amal", Email: "amal@gha.example.org", Language: "ar", Role: auth.FocalPoint, State: "GHA"})
	w.add(t, s, ContactInput{Name: "Elena", Email: "elena@gha.example.org", Language: "es", Role: auth.FocalPoint, State: "GHA"})
	w.add(t, s, ContactInput{Name: "Kofi", Email: "kofi@ken.example.org", Language: "en", Role: auth.FocalPoint, State: "KEN"})
	w.add(t, s, ContactInput{Name: "Li", Email: "li@wg.example.org", Language: "zh", Role: auth.WorkingGroup,
		WorkingGroups: []string{"international-cooperation"}})
	w.add(t, s, ContactInput{Name: "Ivan", Email: "ivan@wg.example.org", Language: "ru", Role: auth.WorkingGroup,
		WorkingGroups: []string{"technical-assistance"}})

	inv, err := s.Invite(ctx, w.sec, amal.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Link == "" || !strings.HasPrefix(inv.Link, "https://irm.example.org/sign-in/link/") || inv.Status != Pending {
		t.Fatalf("invitation: %+v", inv)
	}
	// Ghana submits (its focal point, acting with the contact's own
	// token), is returned with a comment, submits again and is accepted.
	fp := w.as(t, amal)
	sub := w.submit(t, fp)
	path := "/general_provisions/national_focal_point/name"
	res, err := w.workflow.Return(ctx, w.sec, sub.ID, sub.Version, []submission.CommentInput{{Path: &path, Body: "Name the ministry too."}})
	if err != nil {
		t.Fatal(err)
	}
	sub = w.submit(t, fp)
	if _, err := w.workflow.Accept(ctx, w.sec, sub.ID, sub.Version); err != nil {
		t.Fatal(err)
	}
	_ = res
	w.inTx(t, func(ctx context.Context, tx pgx.Tx) error {
		return s.ReportPublished(ctx, tx, "2b1f8a9e-0000-4000-8000-000000000001", w.cycle.ID, "international-cooperation")
	})
	// A week before the deadline Kenya (a Party) has not submitted:
	// reminded; Ghana has, and France has no contact.
	w.clock.set(deadline.AddDate(0, 0, -7).Add(8 * time.Hour))
	if n, err := s.SendReminders(context.Background()); err != nil || n != 1 {
		t.Fatalf("reminders: %d, %v; want 1", n, err)
	}

	start(t, s)
	const want = 1 + 1 + 2 + 1 + 2 + 1 + 1 // invitation, submitted, returned ×2, submitted, accepted ×2, published, reminder
	eventually(t, 30*time.Second, "every message delivered", func() bool {
		return w.count(t, `SELECT count(*) FROM notifications WHERE status = 'SENT'`) == want
	})
	got := w.relay.messages()
	if len(got) != want {
		t.Fatalf("the relay got %d messages, want %d", len(got), want)
	}
	ids := map[string]string{} // Message-ID → notification
	rows, err := w.owner.Query(context.Background(), `SELECT id::text, kind, to_address FROM notifications ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, kind, to string
		if err := rows.Scan(&id, &kind, &to); err != nil {
			t.Fatal(err)
		}
		ids["<"+id+"@irm.example.org>"] = kind + " " + to
	}
	var lines []string
	for _, m := range got {
		if !m.TLS || m.User != "irm" || m.From != "irm@example.org" {
			t.Errorf("%s: TLS %v, user %q, from %q: want STARTTLS, AUTH as irm, from irm@example.org", m.To, m.TLS, m.User, m.From)
		}
		what, ok := ids[m.MessageID]
		if !ok {
			t.Errorf("Message-ID %s is no notification's", m.MessageID)
		}
		delete(ids, m.MessageID) // each once
		lines = append(lines, what+" | "+m.To+" | "+m.Subject)
		if !strings.Contains(m.Body, "https://irm.example.org/") {
			t.Errorf("%s: no link in %q", what, m.Body)
		}
	}
	slices.Sort(lines)
	wantLines := []string{
		"ACCEPTED amal@gha.example.org | amal@gha.example.org | قُبلت إجابات غانا عن Review 2027",
		"ACCEPTED elena@gha.example.org | elena@gha.example.org | Las respuestas de Ghana para Review 2027 fueron aceptadas",
		"INVITATION amal@gha.example.org | amal@gha.example.org | الدخول إلى استعراض التنفيذ",
		"PUBLISHED li@wg.example.org | li@wg.example.org | 已发布关于 Review 2027 的报告",
		"REMINDER kofi@ken.example.org | kofi@ken.example.org | Reminder: the answers of Kenya for Review 2027 are due on 2027-06-30",
		"RETURNED amal@gha.example.org | amal@gha.example.org | أُعيدت إجابات غانا عن Review 2027",
		"RETURNED elena@gha.example.org | elena@gha.example.org | Las respuestas de Ghana para Review 2027 fueron devueltas",
		"SUBMITTED sophie@sec.example.org | sophie@sec.example.org | Ghana a soumis ses réponses pour Review 2027",
		"SUBMITTED sophie@sec.example.org | sophie@sec.example.org | Ghana a soumis ses réponses pour Review 2027",
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
	// The bodies: the invitation's one-time link signs in; the returned
	// one carries the comment; the submitted one links to the review page.
	for _, m := range got {
		what := fmt.Sprint(m.Header.Get("Subject"))
		switch {
		case m.To == "amal@gha.example.org" && strings.Contains(m.Subject, "استعراض"):
			if !strings.Contains(m.Body, inv.Link) || !strings.HasPrefix(m.Body, "مرحبًا Amal") {
				t.Errorf("invitation body: %q", m.Body)
			}
		case m.To == "elena@gha.example.org" && strings.Contains(m.Subject, "devueltas"):
			if !strings.Contains(m.Body, "- Nombre completo: Name the ministry too.") ||
				!strings.Contains(m.Body, "https://irm.example.org/cycles/2027/states/GHA") {
				t.Errorf("returned body: %q", m.Body)
			}
		case m.To == "sophie@sec.example.org":
			if !strings.Contains(m.Body, "https://irm.example.org/review/2027/GHA") {
				t.Errorf("submitted body (%s): %q", what, m.Body)
			}
		}
	}
	// Sent, an invitation keeps neither its link nor its body.
	if n := w.count(t, `SELECT count(*) FROM notifications WHERE link IS NOT NULL OR (kind = 'INVITATION' AND body <> '')`); n != 0 {
		t.Errorf("%d sent notifications still hold a sign-in link", n)
	}
	// Reminders again the same day, or the day after: nothing new.
	w.clock.set(deadline.AddDate(0, 0, -6))
	if n, err := s.SendReminders(context.Background()); err != nil || n != 0 {
		t.Errorf("reminders the day after: %d, %v; want 0", n, err)
	}
}
