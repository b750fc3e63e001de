package audit_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/audit"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
)

// BenchmarkAuditAppendParallel: transactions appending one event each
// from 4×GOMAXPROCS clients, as the app role. "chained" is the real
// table, whose appends are queued for the sealer, with a sealer running
// as in the service; "unchained" is a copy without the audit's triggers,
// the cost of the same transactions without them.
func BenchmarkAuditAppendParallel(b *testing.B) {
	owner, app := pgtest.NewApp(b)
	ctx := postgres.WithPrincipal(context.Background(), postgres.System)
	sealerCtx, stopSealer := context.WithCancel(ctx)
	sealed := make(chan struct{})
	go func() {
		defer close(sealed)
		audit.RunSealer(sealerCtx, app, audit.SealEvery, slog.New(slog.DiscardHandler))
	}()
	defer func() { stopSealer(); <-sealed }()
	if _, err := owner.Exec(ctx, `CREATE TABLE audit_unchained (LIKE audit_events INCLUDING DEFAULTS INCLUDING IDENTITY);
		GRANT SELECT, INSERT ON audit_unchained TO `+pgtest.AppRole); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, table string }{{"chained", "audit_events"}, {"unchained", "audit_unchained"}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := postgres.Tx(ctx, app, func(tx pgx.Tx) error {
						if c.table == "audit_events" {
							return audit.Record(ctx, tx, audit.Event{Actor: "bench", Action: "bench.append", Subject: "x/1",
								Detail: map[string]int{"n": 1}})
						}
						_, err := tx.Exec(ctx, `INSERT INTO audit_unchained (actor, action, subject, detail)
							VALUES ('bench', 'bench.append', 'x/1', '{"n": 1}')`)
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
