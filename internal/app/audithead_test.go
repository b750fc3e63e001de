package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// irm audit verify --head: a superuser who removes the newest events with
// their chain rows and rewinds the head leaves a chain that verifies on
// its own; checked against the head published before, it does not.
func TestAuditVerifyHeadDetectsTheNewestEventsRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	env := envWith(map[string]string{"DATABASE_URL": dsn})
	for _, name := range []string{"a", "b", "c", "d"} {
		if err := app.Run(ctx, []string{"irm", "token", "create", "--name", name, "--role", "SECRETARIAT"}, env, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := app.Run(ctx, append([]string{"irm", "audit", "verify"}, args...), env, &out, io.Discard)
		return out.String(), err
	}
	out, err := verify()
	m := regexp.MustCompile(`intact: 4 events, head ([0-9a-f]{64})`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("got %v, %q; want 4 events intact and the head", err, out)
	}
	head := m[1]
	if out, err := verify("--head", head, "--head-seq", "4"); err != nil || !strings.Contains(out, "the published head "+head+" is in the chain") {
		t.Fatalf("the intact chain against its head: got %v, %q; want it to pass", err, out)
	}

	// As a superuser can: the guards off, the last two events and their
	// chain rows removed, the head rewound to the second event.
	if _, err := ownerPool(t, dsn).Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
		ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only;
		CREATE TEMPORARY TABLE gone AS SELECT event_id FROM audit_chain WHERE chain_seq > 2;
		DELETE FROM audit_chain WHERE event_id IN (SELECT event_id FROM gone);
		DELETE FROM audit_events WHERE id IN (SELECT event_id FROM gone);
		UPDATE audit_chain_head SET chain_seq = 2, hash = (SELECT hash FROM audit_chain WHERE chain_seq = 2);
		ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
		ALTER TABLE audit_chain ENABLE TRIGGER audit_chain_append_only`); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "intact: 2 events") {
		t.Fatalf("without a head: got %v, %q; want the truncated chain to verify (what --head is for)", err, out)
	}
	for _, args := range [][]string{{"--head", head, "--head-seq", "4"}, {"--head", head}} {
		out, err := verify(args...)
		if err == nil || !strings.Contains(out, "BROKEN") || !strings.Contains(out, head) {
			t.Fatalf("%v: got %v, %q; want a failure naming the published head", args, err, out)
		}
	}
	if out, err := verify("--head", "abc"); err == nil || strings.Contains(out, "intact") {
		t.Fatalf("a malformed head: got %v, %q; want it refused", err, out)
	}
}

// irm serve --audit-head-file appends the chain's head, and the head after
// its last seal on stop, where "irm audit verify --head" can find it.
func TestServePublishesTheAuditHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	if err := app.Run(ctx, []string{"irm", "token", "create", "--name", "desk", "--role", "SECRETARIAT"},
		envWith(map[string]string{"DATABASE_URL": dsn}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit-heads.jsonl")
	logs, err := startServe(t, pgtest.AppURL(dsn), "--audit-head-file", path)
	if err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var last struct {
		ChainSeq int64  `json:"chain_seq"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	var seq int64
	var hash []byte
	if err := ownerPool(t, dsn).QueryRow(ctx, `SELECT chain_seq, hash FROM audit_chain_head`).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%x", hash); last.ChainSeq != 1 || seq != 1 || last.Hash != want {
		t.Fatalf("the file's last head is %d %s, the chain's %d %s; want both at 1 (the token's event)", last.ChainSeq, last.Hash, seq, want)
	}
	if want := fmt.Sprintf(`msg="audit head" chain_seq=1 hash=%x`, hash); !strings.Contains(logs, want) {
		t.Fatalf("logs:\n%s\nwant %s", logs, want)
	}
	var out bytes.Buffer
	if err := app.Run(ctx, []string{"irm", "audit", "verify", "--head", last.Hash, "--head-seq", "1"},
		envWith(map[string]string{"DATABASE_URL": dsn}), &out, io.Discard); err != nil {
		t.Fatalf("verify against the published head: %v, %q", err, out.String())
	}
}
