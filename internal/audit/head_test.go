package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// headLines reads the heads appended to path.
func headLines(t *testing.T, path string) []audit.Head {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Head
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l struct {
			ChainSeq int64  `json:"chain_seq"`
			Hash     string `json:"hash"`
			At       string `json:"at"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.At == "" {
			t.Fatalf("line %q: %v, want JSON with at, chain_seq and hash", line, err)
		}
		var h []byte
		if _, err := fmt.Sscanf(l.Hash, "%x", &h); err != nil {
			t.Fatalf("hash %q: %v", l.Hash, err)
		}
		out = append(out, audit.Head{Seq: l.ChainSeq, Hash: h})
	}
	return out
}

// TestAPublishedHeadDetectsTheNewestEventsRemoved: the chain alone cannot
// tell that its newest events were removed with their chain rows and the
// head rewound; a head published outside the database before can.
func TestAPublishedHeadDetectsTheNewestEventsRemoved(t *testing.T) {
	t.Parallel()
	owner, app := pgtest.NewApp(t)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	path := filepath.Join(t.TempDir(), "heads.jsonl")
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var logs bytes.Buffer
	// As the service runs it: the app role reads the head.
	pub := &audit.HeadPublisher{DB: app, Out: file, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	recordSealed := func(n int) {
		for i := range n {
			record(t, app, ctx, audit.Event{Actor: "system", Action: "test.event", Subject: fmt.Sprintf("x/%d", i)})
		}
		seal(t, app)
	}

	recordSealed(5)
	first, err := pub.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recordSealed(2)
	second, err := pub.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Publish(ctx); err != nil { // nothing moved: no line
		t.Fatal(err)
	}
	rep := verify(t, owner)
	if first.Seq != 5 || second.Seq != 7 || !bytes.Equal(second.Hash, rep.Head) {
		t.Fatalf("published %d and %d ending in %x, want 5 and 7 ending in the chain's head %x", first.Seq, second.Seq, second.Hash, rep.Head)
	}
	lines := headLines(t, path)
	if len(lines) != 2 || lines[0].Seq != 5 || !bytes.Equal(lines[0].Hash, first.Hash) || lines[1].Seq != 7 || !bytes.Equal(lines[1].Hash, second.Hash) {
		t.Fatalf("the file holds %+v, want the two heads published, %+v and %+v", lines, first, second)
	}
	if want := fmt.Sprintf(`msg="audit head" chain_seq=7 hash=%x`, second.Hash); !strings.Contains(logs.String(), want) {
		t.Fatalf("logs:\n%s\nwant a line with %s", logs.String(), want)
	}

	verifyAgainst := func(t *testing.T, tamper string, heads ...audit.Head) audit.Report {
		t.Helper()
		var rep audit.Report
		tx, err := owner.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		if tamper != "" {
			if _, err := tx.Exec(ctx, tamper); err != nil {
				t.Fatal(err)
			}
		}
		if rep, err = audit.Verify(ctx, tx, heads...); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	t.Run("the intact chain holds both heads", func(t *testing.T) {
		if rep := verifyAgainst(t, "", first, second, audit.Head{Hash: second.Hash}); rep.Broken != nil || rep.Events != 7 {
			t.Fatalf("got %+v (%+v), want 7 events and no break", rep, rep.Broken)
		}
	})

	// A superuser turns the guards off, removes the two newest events and
	// their chain rows and rewinds the head: rolled back after each check.
	const truncate = `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
		ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only;
		CREATE TEMPORARY TABLE gone ON COMMIT DROP AS SELECT event_id FROM audit_chain WHERE chain_seq > 5;
		DELETE FROM audit_chain WHERE event_id IN (SELECT event_id FROM gone);
		DELETE FROM audit_events WHERE id IN (SELECT event_id FROM gone);
		UPDATE audit_chain_head SET chain_seq = 5, hash = (SELECT hash FROM audit_chain WHERE chain_seq = 5)`
	t.Run("without a published head the truncated chain verifies", func(t *testing.T) {
		if rep := verifyAgainst(t, truncate); rep.Broken != nil || rep.Events != 5 {
			t.Fatalf("got %+v (%+v), want 5 events and no break: the gap a published head closes", rep, rep.Broken)
		}
	})
	t.Run("the head published at 7 finds the newest events removed", func(t *testing.T) {
		rep := verifyAgainst(t, truncate, second)
		if rep.Broken == nil || rep.Broken.ChainSeq != 6 || !strings.Contains(rep.Broken.Reason, "newest events were removed") {
			t.Fatalf("got %+v (%+v), want a break at position 6 saying the newest events were removed", rep, rep.Broken)
		}
	})
	t.Run("its hash alone is found nowhere", func(t *testing.T) {
		rep := verifyAgainst(t, truncate, audit.Head{Hash: second.Hash})
		if rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "no event of the chain has the published head's hash") {
			t.Fatalf("got %+v (%+v), want the published hash missing", rep, rep.Broken)
		}
	})
	t.Run("the head published at 5 still holds", func(t *testing.T) {
		if rep := verifyAgainst(t, truncate, first); rep.Broken != nil {
			t.Fatalf("got %+v (%+v), want no break: nothing up to 5 was removed", rep, rep.Broken)
		}
	})
	t.Run("a chain rebuilt over the published position differs there", func(t *testing.T) {
		rep := verifyAgainst(t, "", audit.Head{Seq: 5, Hash: second.Hash})
		if rep.Broken == nil || rep.Broken.ChainSeq != 5 || !strings.Contains(rep.Broken.Reason, "rewritten") {
			t.Fatalf("got %+v (%+v), want a break at 5 saying the chain was rewritten", rep, rep.Broken)
		}
	})
}
