package people

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/auth"
)

// invitations registers n focal points of Kenya and invites each: n
// PENDING messages.
func (w *world) invitations(t *testing.T, s *Service, n int) []Notification {
	t.Helper()
	ctx := auth.WithPrincipal(context.Background(), w.sec)
	var out []Notification
	for i := range n {
		c := w.add(t, s, ContactInput{Name: "Person " + string(rune('A'+i)), Email: "p" + string(rune('a'+i)) + "@ken.example.org",
			Role: auth.FocalPoint, State: "KEN"})
		m, err := s.Invite(ctx, w.sec, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// perMessageID counts the relay's messages by Message-ID.
func perMessageID(got []received) map[string]int {
	out := map[string]int{}
	for _, m := range got {
		out[m.MessageID]++
	}
	return out
}

// TestDeliveredOnceAcrossTwoReplicas: two replicas work the same outbox
// (each its own job queue client and workers); every message reaches the
// relay once.
func TestDeliveredOnceAcrossTwoReplicas(t *testing.T) {
	w := newWorld(t)
	cfg := w.config()
	cfg.Workers = 4
	a := w.service(t, cfg)
	b := w.service(t, cfg)
	msgs := w.invitations(t, a, 24)
	start(t, a)
	start(t, b)
	eventually(t, 60*time.Second, "every message sent", func() bool {
		return w.count(t, `SELECT count(*) FROM notifications WHERE status = 'SENT'`) == len(msgs)
	})
	got := perMessageID(w.relay.messages())
	if len(w.relay.messages()) != len(msgs) || len(got) != len(msgs) {
		t.Fatalf("the relay got %d messages with %d Message-IDs, want %d each", len(w.relay.messages()), len(got), len(msgs))
	}
	for _, m := range msgs {
		if got[a.MessageID(m.ID)] != 1 {
			t.Errorf("%s reached the relay %d times", m.ID, got[a.MessageID(m.ID)])
		}
	}
}

// TestOneDeliveryAtATime: the same message delivered by two workers at
// once (a job offered twice) reaches the relay once; the second worker
// waits its turn and finds it sent, or is told to look again later.
func TestOneDeliveryAtATime(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, w.config())
	msgs := w.invitations(t, s, 3)
	var wg sync.WaitGroup
	for _, m := range msgs {
		for range 2 {
			wg.Go(func() { s.Deliver(context.Background(), m.ID, 1) }) //nolint:errcheck // a snooze for the loser
		}
	}
	wg.Wait()
	for _, m := range msgs { // a snoozed job comes back later and finds it sent
		if err := s.Deliver(context.Background(), m.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	got := perMessageID(w.relay.messages())
	for _, m := range msgs {
		if got[s.MessageID(m.ID)] != 1 {
			t.Errorf("%s reached the relay %d times", m.ID, got[s.MessageID(m.ID)])
		}
	}
}

// TestKilledAfterDataOffersOnlyThatMessageAgain: a worker whose database
// connection dies after the relay accepted the data (kill -9 between DATA
// and COMMIT) leaves that one message PENDING; the next worker offers it
// again with the same Message-ID, and nothing else twice.
func TestKilledAfterDataOffersOnlyThatMessageAgain(t *testing.T) {
	w := newWorld(t)
	cfg := w.config()
	killed := errors.New("killed")
	var once sync.Once
	cfg.afterData = func(ctx context.Context, tx pgx.Tx) error {
		err := error(nil)
		once.Do(func() {
			tx.Conn().Close(ctx) //nolint:errcheck // the process dies: its connection goes, the transaction with it
			err = killed
		})
		return err
	}
	dying := w.service(t, cfg)
	msgs := w.invitations(t, dying, 3)
	if err := dying.Deliver(context.Background(), msgs[0].ID, 1); !errors.Is(err, killed) {
		t.Fatalf("the dying worker: %v", err)
	}
	if n := w.count(t, `SELECT count(*) FROM notifications WHERE id = $1 AND status = 'PENDING'`, msgs[0].ID); n != 1 {
		t.Fatal("the message in flight is not PENDING after the worker died")
	}
	// Another replica works the queue.
	next := w.service(t, w.config())
	start(t, next)
	eventually(t, 60*time.Second, "every message sent", func() bool {
		return w.count(t, `SELECT count(*) FROM notifications WHERE status = 'SENT'`) == len(msgs)
	})
	got := perMessageID(w.relay.messages())
	if got[next.MessageID(msgs[0].ID)] != 2 {
		t.Errorf("the message in flight reached the relay %d times, want 2 (once before the kill, once after)", got[next.MessageID(msgs[0].ID)])
	}
	for _, m := range msgs[1:] {
		if got[next.MessageID(m.ID)] != 1 {
			t.Errorf("%s reached the relay %d times, want 1", m.ID, got[next.MessageID(m.ID)])
		}
	}
	if len(w.relay.messages()) != len(msgs)+1 {
		t.Errorf("the relay got %d messages, want %d", len(w.relay.messages()), len(msgs)+1)
	}
}

// TestRefusedForGoodIsFailed: a recipient the relay refuses for good
// (5xx) is FAILED at once with the relay's answer; a temporary refusal
// (4xx) stays PENDING for the queue's retry.
func TestRefusedForGoodIsFailed(t *testing.T) {
	w := newWorld(t)
	s := w.service(t, w.config())
	msgs := w.invitations(t, s, 2)
	w.relay.mu.Lock()
	w.relay.fail = func(to string) error {
		if to == "pa@ken.example.org" {
			return &smtp.SMTPError{Code: 550, Message: "no such mailbox"}
		}
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	w.relay.mu.Unlock()
	if err := s.Deliver(context.Background(), msgs[0].ID, 1); err != nil {
		t.Fatalf("refused for good: %v, want nil (recorded FAILED)", err)
	}
	if err := s.Deliver(context.Background(), msgs[1].ID, 1); err == nil {
		t.Fatal("refused for now: nil, want an error for the queue to retry")
	}
	var st1, st2, e1 string
	w.owner.QueryRow(context.Background(), `SELECT (SELECT status FROM notifications WHERE id = $1), (SELECT status FROM notifications WHERE id = $2),
		(SELECT last_error FROM notifications WHERE id = $1)`, msgs[0].ID, msgs[1].ID).Scan(&st1, &st2, &e1) //nolint:errcheck
	if st1 != "FAILED" || st2 != "PENDING" || e1 == "" {
		t.Errorf("statuses %s (%s), %s; want FAILED with the error, PENDING", st1, e1, st2)
	}
}
