// Package audit appends audit events and verifies their chain. Events are
// written in the same transaction as the change they describe; the
// database refuses to update, delete or truncate them, even for the
// owner. Who acted (the token's id and role) is filled in by the database
// from the transaction's principal (internal/postgres), not by the caller.
//
// The events are chained by hash after they commit (migration 00012): an
// event waits in audit_pending until a sealer (Seal, run by every replica
// through RunSealer) gives it the next position in audit_chain, with the
// previous event's hash and its own, so that a rewrite by a database
// administrator is detectable by Verify. The chain alone cannot show that
// its newest events were removed together with their chain rows and the
// head rewound: HeadPublisher writes the head outside the database now and
// then (a log line, a file), and Verify checks the chain against a head
// published earlier. Chaining inside the writing
// transaction, as migration 00005 did, made every write of the service
// wait for the one before it to commit; now only sealers wait for each
// other, and one that finds another at work leaves at once.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
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

// Record appends e inside tx, so that the event commits or rolls back with
// the change it describes. It takes no lock that another writer waits for
// and may come anywhere in tx; the sealer chains the event after tx
// commits (within about a second while the service runs).
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

// genesis is the previous hash of the first event.
var genesis = make([]byte, sha256.Size)

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SealBatch bounds the events one Seal chains, so that a backlog is
// chained in transactions of a bounded size.
const SealBatch = 10000

// SealEvery is how often RunSealer seals while the service runs.
const SealEvery = 250 * time.Millisecond

// Seal chains up to SealBatch committed events, in the order of their
// ids, and returns how many. It returns 0 at once when none waits or when
// another sealer is at work (that one chains them). db should be a pool or
// a connection outside a transaction: the call is then its own
// transaction, which holds the chain's head only while it seals.
func Seal(ctx context.Context, db Querier) (int, error) {
	var n int
	if err := db.QueryRow(ctx, `SELECT audit_seal($1)`, SealBatch).Scan(&n); err != nil {
		return 0, fmt.Errorf("seal audit events: %w", err)
	}
	return n, nil
}

// SealAll seals until a call chains less than a full batch: the events
// committed before it started are chained then, unless another sealer
// holds the head (that one chains them).
func SealAll(ctx context.Context, db Querier) (int, error) {
	total := 0
	for {
		n, err := Seal(ctx, db)
		total += n
		if err != nil || n < SealBatch {
			return total, err
		}
	}
}

// RunSealer seals at once, then every interval until ctx ends, then once
// more, so that the events of the last requests do not wait for the next
// start. Every replica runs one. A seal in flight when ctx ends is let
// finish (within SealTimeout), not abandoned: the server runs an abandoned
// statement on until a cancel request reaches it, and it may commit
// first, holding the head while the last seal looks for it. A failure is
// logged when sealing stops working and when it works again, not at
// every tick.
func RunSealer(ctx context.Context, db Querier, every time.Duration, log *slog.Logger) {
	failing := false
	seal := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SealTimeout)
		defer cancel()
		_, err := SealAll(sctx, db)
		switch {
		case err != nil && !failing:
			log.Warn("audit events are not being chained", "err", err)
			failing = true
		case err == nil && failing:
			log.Info("audit events are chained again")
			failing = false
		}
	}
	seal()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			seal()
		case <-ctx.Done():
			seal()
			return
		}
	}
}

// SealTimeout bounds one round of RunSealer's sealing; a batch takes
// milliseconds.
const SealTimeout = 30 * time.Second

// Head is a position in the chain and the hash of the event there: what
// HeadPublisher publishes and Verify checks against.
type Head struct {
	Seq  int64
	Hash []byte
}

// ReadHead returns the chain's head (migration 00015's audit_head(), which
// the app role may call): Seq 0 and the genesis hash when nothing is
// chained yet.
func ReadHead(ctx context.Context, db Querier) (Head, error) {
	var h Head
	if err := db.QueryRow(ctx, `SELECT chain_seq, hash FROM audit_head()`).Scan(&h.Seq, &h.Hash); err != nil {
		return h, fmt.Errorf("read the audit chain's head: %w", err)
	}
	return h, nil
}

// HeadEvery is how often the service publishes the chain's head by
// default.
const HeadEvery = 5 * time.Minute

// HeadWriter is where HeadPublisher appends the heads besides the log: an
// *os.File opened with O_APPEND.
type HeadWriter interface {
	Write(p []byte) (int, error)
	Sync() error
}

// HeadPublisher publishes the chain's head outside the database, where the
// database's administrators cannot rewrite it: a structured log line
// "audit head" (chain_seq, hash) and, with Out, the same as a line of
// JSON appended and synced to a file. "irm audit verify --head HASH
// --head-seq N" then fails if the chain no longer holds that hash at that
// position: events up to a published head cannot be removed unnoticed,
// even with their chain rows and the head rewound.
type HeadPublisher struct {
	DB  Querier
	Out HeadWriter // nil: the log only
	Log *slog.Logger

	last    *Head // the last head published by this publisher
	failing bool
}

// headLine is a published head as a line of Out.
type headLine struct {
	At       time.Time `json:"at"`
	ChainSeq int64     `json:"chain_seq"`
	Hash     string    `json:"hash"`
}

// Publish publishes the head if it moved since this publisher's last one
// (the first call always publishes), and returns it.
func (p *HeadPublisher) Publish(ctx context.Context) (Head, error) {
	h, err := ReadHead(ctx, p.DB)
	if err != nil {
		return h, err
	}
	if p.last != nil && p.last.Seq == h.Seq && bytes.Equal(p.last.Hash, h.Hash) {
		return h, nil
	}
	p.Log.Info("audit head", "chain_seq", h.Seq, "hash", fmt.Sprintf("%x", h.Hash))
	if p.Out != nil {
		line, err := json.Marshal(headLine{At: time.Now().UTC(), ChainSeq: h.Seq, Hash: fmt.Sprintf("%x", h.Hash)})
		if err != nil {
			return h, err
		}
		if _, err := p.Out.Write(append(line, '\n')); err != nil {
			return h, fmt.Errorf("append the audit head: %w", err)
		}
		if err := p.Out.Sync(); err != nil {
			return h, fmt.Errorf("sync the audit head file: %w", err)
		}
	}
	p.last = &h
	return h, nil
}

// Run publishes the head at once, then every interval until ctx ends. A
// failure is logged when publishing stops working and when it works
// again. Callers publish once more after the last seal, on stop.
func (p *HeadPublisher) Run(ctx context.Context, every time.Duration) {
	p.publishLogged(ctx)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			p.publishLogged(ctx)
		case <-ctx.Done():
			return
		}
	}
}

func (p *HeadPublisher) publishLogged(ctx context.Context) {
	_, err := p.Publish(ctx)
	switch {
	case err != nil && !p.failing && ctx.Err() == nil:
		p.Log.Warn("the audit head is not being published", "err", err)
		p.failing = true
	case err == nil && p.failing:
		p.Log.Info("the audit head is published again")
		p.failing = false
	}
}

// Report is the outcome of Verify.
type Report struct {
	Events int64  // chained events checked
	Head   []byte // the last event's hash: record it elsewhere to anchor the chain
	// Pending counts the events committed but not chained yet (the sealer
	// chains them within about a second while the service runs).
	Pending int64
	// Broken describes the first event where the chain breaks, if any.
	Broken *Break
}

// Break is where the chain stops holding.
type Break struct {
	ChainSeq int64 // 0 for an event that has no place in the chain
	ID       int64
	Reason   string
}

// Verify walks the whole chain in order and recomputes every hash in Go,
// independently of the database's functions, keeping one event in
// memory. It also checks that every event not chained waits to be, and
// that the chain still holds each of the heads published earlier (a head
// with Seq 0 anywhere in the chain). db should be a REPEATABLE READ
// transaction, so that its statements read one snapshot: an event and its
// place in the chain or the queue commit together.
func Verify(ctx context.Context, db Querier, published ...Head) (Report, error) {
	var rep Report
	found := make([]bool, len(published))
	rows, err := db.Query(ctx, `SELECT c.chain_seq, e.id, e.at, e.actor, e.actor_token, e.actor_role, e.action, e.subject,
			e.detail::text, c.prev_hash, c.hash
		FROM audit_chain c JOIN audit_events e ON e.id = c.event_id ORDER BY c.chain_seq`)
	if err != nil {
		return rep, fmt.Errorf("read audit events: %w", err)
	}
	prev := genesis
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
			for i, h := range published {
				switch {
				case h.Seq == e.ChainSeq && !bytes.Equal(h.Hash, e.Hash):
					brk(fmt.Sprintf("the head published at chain position %d was %x, the chain holds %x there: the chain was rewritten",
						h.Seq, h.Hash, e.Hash))
				case (h.Seq == e.ChainSeq || h.Seq == 0) && bytes.Equal(h.Hash, e.Hash):
					found[i] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("read audit events: %w", err)
	}
	var (
		seq      int64
		head     []byte
		unsealed *int64 // the first event neither chained nor waiting
	)
	err = db.QueryRow(ctx, `SELECT h.chain_seq, h.hash, (SELECT count(*) FROM audit_pending),
			(SELECT min(e.id) FROM audit_events e
			 WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)
			   AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.event_id = e.id))
		FROM audit_chain_head h`).Scan(&seq, &head, &rep.Pending, &unsealed)
	if err != nil {
		return rep, fmt.Errorf("read the chain's head and queue: %w", err)
	}
	switch {
	case rep.Broken != nil:
	case seq != rep.Events || !bytes.Equal(head, prev):
		rep.Broken = &Break{ChainSeq: rep.Events + 1, Reason: fmt.Sprintf(
			"the chain's head says %d events ending in %x, the chain holds %d ending in %x: the last events were removed",
			seq, head, rep.Events, prev)}
	case unsealed != nil:
		rep.Broken = &Break{ID: *unsealed, Reason: fmt.Sprintf(
			"event %d is neither chained nor waiting to be: its place in the queue was removed", *unsealed)}
	default:
		for i, h := range published {
			switch {
			case found[i], h.Seq == 0 && bytes.Equal(h.Hash, genesis): // published before any event was chained
			case h.Seq > rep.Events:
				rep.Broken = &Break{ChainSeq: rep.Events + 1, Reason: fmt.Sprintf(
					"the chain ends at position %d but a head was published at %d (%x): the newest events were removed",
					rep.Events, h.Seq, h.Hash)}
			case h.Seq == 0:
				rep.Broken = &Break{ChainSeq: rep.Events + 1, Reason: fmt.Sprintf(
					"no event of the chain has the published head's hash %x: events were removed or rewritten", h.Hash)}
			}
			if rep.Broken != nil {
				break
			}
		}
	}
	return rep, nil
}
