// Package audit appends audit events and verifies their chain. Events are
// written in the same transaction as the change they describe; the
// database refuses to update, delete or truncate them, even for the
// owner, and chains each to the previous one by hash (migration 00005),
// so that a rewrite by a database administrator is detectable by Verify.
// Who acted (the token's id and role) is filled in by the database from
// the transaction's principal (internal/postgres), not by the caller.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Event is one recorded action.
type Event struct {
	Actor   string // the token holder's name
	Action  string // e.g. "submission.submit"
	Subject string // e.g. "submission/<id>", "state/KEN"
	Detail  any    // JSON-encodable, may be nil
}

// Record appends e inside tx, a READ COMMITTED transaction (postgres.Tx):
// appends queue on the chain's head row until their transaction ends, and
// a REPEATABLE READ one would fail on a concurrent append. Record last,
// just before the commit: every other append waits from here to the end
// of tx.
func Record(ctx context.Context, tx pgx.Tx, e Event) error {
	detail := []byte("{}")
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		detail = b
	}
	_, err := tx.Exec(ctx,
		`INSERT INTO audit_events (actor, action, subject, detail) VALUES ($1, $2, $3, $4)`,
		e.Actor, e.Action, e.Subject, detail)
	if err != nil {
		return fmt.Errorf("record audit event: %w", err)
	}
	return nil
}

// Stored is an event as the chain holds it.
type Stored struct {
	ChainSeq   int64
	ID         int64
	At         time.Time
	Actor      string
	ActorToken *int64
	ActorRole  *string
	Action     string
	Subject    string
	Detail     string // jsonb's own text form
	PrevHash   []byte
	Hash       []byte
}

// Canonical is the text an event's hash covers, after the previous hash:
// each field as "N:bytes" (N its length in bytes), "~" for NULL. The
// database's audit_canonical computes the same.
func Canonical(e Stored) string {
	var b strings.Builder
	field := func(s *string) {
		if s == nil {
			b.WriteString("~")
			return
		}
		b.WriteString(strconv.Itoa(len(*s)))
		b.WriteByte(':')
		b.WriteString(*s)
	}
	str := func(s string) *string { return &s }
	field(str(strconv.FormatInt(e.ChainSeq, 10)))
	field(str(strconv.FormatInt(e.ID, 10)))
	field(str(e.At.UTC().Format("2006-01-02T15:04:05.000000Z")))
	field(&e.Actor)
	if e.ActorToken != nil {
		field(str(strconv.FormatInt(*e.ActorToken, 10)))
	} else {
		field(nil)
	}
	field(e.ActorRole)
	field(&e.Action)
	field(&e.Subject)
	field(&e.Detail)
	return b.String()
}

// Hash is the hash of e chained after prev.
func Hash(prev []byte, e Stored) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write([]byte(Canonical(e)))
	return h.Sum(nil)
}

// Genesis is the previous hash of the first event.
var Genesis = make([]byte, sha256.Size)

// Report is the outcome of Verify.
type Report struct {
	Events int64  // events checked
	Head   []byte // the last event's hash: record it elsewhere to anchor the chain
	// Broken describes the first event where the chain breaks, if any.
	Broken *Break
}

// Break is where the chain stops holding.
type Break struct {
	ChainSeq int64
	ID       int64
	Reason   string
}

// Verify walks the whole chain in order and recomputes every hash in Go,
// independently of the database's functions. It reads the events through
// db in one statement (one snapshot) and keeps one event in memory.
func Verify(ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}) (Report, error) {
	var rep Report
	rows, err := db.Query(ctx, `SELECT chain_seq, id, at, actor, actor_token, actor_role, action, subject, detail::text, prev_hash, hash
		FROM audit_events ORDER BY chain_seq`)
	if err != nil {
		return rep, fmt.Errorf("read audit events: %w", err)
	}
	prev := Genesis
	var e Stored
	_, err = pgx.ForEachRow(rows, []any{&e.ChainSeq, &e.ID, &e.At, &e.Actor, &e.ActorToken, &e.ActorRole, &e.Action,
		&e.Subject, &e.Detail, &e.PrevHash, &e.Hash}, func() error {
		if rep.Broken != nil {
			return nil
		}
		brk := func(reason string) { rep.Broken = &Break{ChainSeq: e.ChainSeq, ID: e.ID, Reason: reason} }
		switch want := rep.Events + 1; {
		case e.ChainSeq != want:
			brk(fmt.Sprintf("chain position %d follows %d: events are missing", e.ChainSeq, rep.Events))
		case !bytes.Equal(e.PrevHash, prev):
			brk(fmt.Sprintf("its previous hash %x is not the hash %x of the event before it", e.PrevHash, prev))
		case !bytes.Equal(e.Hash, Hash(prev, e)):
			brk(fmt.Sprintf("its hash %x does not match its content (%x): the event was changed", e.Hash, Hash(prev, e)))
		default:
			rep.Events++
			prev = e.Hash
			rep.Head = e.Hash
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("read audit events: %w", err)
	}
	if rep.Broken == nil {
		var seq int64
		var head []byte
		err := db.QueryRow(ctx, `SELECT chain_seq, hash FROM audit_chain_head`).Scan(&seq, &head)
		if err != nil {
			return rep, fmt.Errorf("read the chain's head: %w", err)
		}
		if seq != rep.Events || !bytes.Equal(head, prev) {
			rep.Broken = &Break{ChainSeq: rep.Events + 1, Reason: fmt.Sprintf(
				"the chain's head says %d events ending in %x, the table holds %d ending in %x: the last events were removed",
				seq, head, rep.Events, prev)}
		}
	}
	return rep, nil
}
