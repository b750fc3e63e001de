package aggregate_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/state"
)

// counter counts the statements sent to PostgreSQL, batched ones included.
type counter struct{ n atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) { c.n.Add(1) }
func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// wideQuestionnaire is a questionnaire of n questions of every kind, all
// tagged with the international-cooperation working group.
func wideQuestionnaire(n int) []byte {
	var props []string
	for i := range n {
		var schema string
		switch i % 5 {
		case 0:
			schema = `{"type": "string", "enum": ["a", "b", "c"]}`
		case 1:
			schema = `{"type": "boolean"}`
		case 2:
			schema = `{"type": "integer", "minimum": 0}`
		case 3:
			schema = `{"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}`
		case 4:
			schema = `{"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}`
		}
		props = append(props, fmt.Sprintf(`"q%d": %s`, i, schema))
	}
	return []byte(fmt.Sprintf(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Wide %d", "type": "object",
		"properties": {"s": {"type": "object", "title": "Section", "x-working-groups": ["international-cooperation"],
		"properties": {%s}}}}`, n, strings.Join(props, ", ")))
}

func wideAnswers(n, seed int) map[string]any {
	s := map[string]any{}
	for i := range n {
		switch i % 5 {
		case 0:
			s[fmt.Sprintf("q%d", i)] = []string{"a", "b", "c"}[(i+seed)%3]
		case 1:
			s[fmt.Sprintf("q%d", i)] = (i+seed)%2 == 0
		case 2:
			s[fmt.Sprintf("q%d", i)] = i * seed
		case 3:
			s[fmt.Sprintf("q%d", i)] = []string{"x"}
		case 4:
			s[fmt.Sprintf("q%d", i)] = []map[string]any{{"name": "one"}}
		}
	}
	return map[string]any{"s": s}
}

// TestSummaryStatementsDoNotGrowWithItsSize: a working group's summary
// costs the same number of statements for 10 questions as for 100 (no
// N+1), counted by a pgx tracer on the pool.
func TestSummaryStatementsDoNotGrowWithItsSize(t *testing.T) {
	t.Parallel()
	cfg, err := pgxpool.ParseConfig(pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	var c counter
	cfg.ConnConfig.Tracer = &c
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	e := newEnv(t, pool, map[string][]byte{"wide-10.json": wideQuestionnaire(10), "wide-100.json": wideQuestionnaire(100)})
	ctx := context.Background()
	counts := map[int]int64{}
	for _, n := range []int{10, 100} {
		cycle := e.openCycle(t, fmt.Sprintf("wide-%d", n), fmt.Sprintf("wide-%d", n))
		for i, code := range state.Codes()[:6] {
			v := e.save(t, cycle.ID, code, wideAnswers(n, i), nil)
			e.submit(t, cycle.ID, code, v)
		}
		c.n.Store(0)
		sum, err := e.agg.Summary(ctx, sec, "international-cooperation", cycle.ID)
		if err != nil {
			t.Fatal(err)
		}
		counts[n] = c.n.Load()
		if len(sum.Questions) != n || sum.Questions[0].Respondents != 6 || len(sum.Indicators) == 0 {
			t.Fatalf("summary of %d questions: %d questions, %d respondents, %d indicators", n,
				len(sum.Questions), sum.Questions[0].Respondents, len(sum.Indicators))
		}
	}
	if counts[10] != counts[100] || counts[10] == 0 || counts[10] > 8 {
		t.Fatalf("statements for a summary of 10 questions: %d; of 100: %d; want the same, and few", counts[10], counts[100])
	}
	t.Logf("a summary costs %d statements", counts[10])
}
