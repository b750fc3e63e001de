package aggregate

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/submission"
)

// Projection writes answer_facts; the submission workflow calls it in the
// transaction that submits.
type Projection struct{}

var _ submission.Projector = Projection{}

// fact is one answered question in typed columns.
type fact struct {
	path    string
	options []string // nil unless a choice or boolean
	num     *float64 // a number, or a list's item count
}

// facts types the answers of doc by their questions' kinds.
func facts(q *questionnaire.Questionnaire, doc any) []fact {
	answers := q.Answers(doc)
	out := make([]fact, 0, len(answers))
	for _, a := range answers {
		qq, _ := q.Question(a.Path)
		f := fact{path: a.Path}
		switch qq.Kind {
		case questionnaire.SingleChoice:
			if s, ok := a.Value.(string); ok {
				f.options = []string{s}
			}
		case questionnaire.Boolean:
			if b, ok := a.Value.(bool); ok {
				f.options = []string{strconv.FormatBool(b)}
			}
		case questionnaire.MultiChoice:
			f.options = []string{}
			if items, ok := a.Value.([]any); ok {
				for _, it := range items {
					if s, ok := it.(string); ok && !slices.Contains(f.options, s) {
						f.options = append(f.options, s) // a respondent counts once per option
					}
				}
			}
		case questionnaire.Number, questionnaire.Integer:
			f.num = number(a.Value)
		case questionnaire.List:
			if items, ok := a.Value.([]any); ok {
				n := float64(len(items))
				f.num = &n
			}
		}
		out = append(out, f)
	}
	return out
}

func number(v any) *float64 {
	var f float64
	switch n := v.(type) {
	case json.Number:
		x, err := n.Float64()
		if err != nil {
			return nil
		}
		f = x
	case float64:
		f = n
	default:
		return nil
	}
	// Validation bounds every number a submission holds now; one stored
	// before it did (1.797e308) is left out rather than overflow a sum.
	if math.IsNaN(f) || math.Abs(f) > 1<<63 { // 2^63: MaxInt64 as a float64
		return nil
	}
	return &f
}

// Project replaces the facts of sub with its answers doc (decoded with
// questionnaire.DecodeAnswers), in tx. Two statements, one round trip.
func (Projection) Project(ctx context.Context, tx pgx.Tx, q *questionnaire.Questionnaire, sub *submission.Submission, doc any) error {
	fs := facts(q, doc)
	paths := make([]string, len(fs))
	options := make([]*string, len(fs)) // text[] literals, so that nil stays NULL in unnest
	nums := make([]*float64, len(fs))
	for i, f := range fs {
		paths[i], nums[i] = f.path, f.num
		if f.options != nil {
			lit := textArray(f.options)
			options[i] = &lit
		}
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM answer_facts WHERE submission_id = $1`, sub.ID)
	b.Queue(`INSERT INTO answer_facts (cycle_id, path, submission_id, state_code, options, num)
		SELECT $1, p, $2, $3, o::text[], n FROM unnest($4::text[], $5::text[], $6::float8[]) AS u(p, o, n)`,
		sub.CycleID, sub.ID, sub.StateCode, paths, options, nums)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("project answers: %w", err)
	}
	return nil
}

// textArray writes a PostgreSQL text[] literal, quoting every element.
func textArray(items []string) string {
	buf := make([]byte, 0, 16*len(items)+2)
	buf = append(buf, '{')
	for i, s := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				buf = append(buf, '\\')
			}
			buf = append(buf, s[j])
		}
		buf = append(buf, '"')
	}
	return string(append(buf, '}'))
}

// Backfill projects every counted submission that has no facts yet (a
// database migrated from before answer_facts). Idempotent; cheap when
// there is nothing to do. It runs as the service's own work (System).
func Backfill(ctx context.Context, pool *pgxpool.Pool, reg *questionnaire.Registry) (int, error) {
	ctx = postgres.WithPrincipal(ctx, postgres.System)
	var list []submission.Counted
	err := postgres.ReadTx(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT submission_id::text FROM answer_facts`)
		if err != nil {
			return err
		}
		projected, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		list, err = submission.CountedExcept(ctx, tx, projected)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("backfill answer facts: %w", err)
	}
	for _, t := range list {
		q, ok := reg.Get(t.QuestionnaireID)
		if !ok {
			return 0, fmt.Errorf("backfill answer facts: questionnaire %s is not loaded", t.QuestionnaireID)
		}
		doc, err := questionnaire.DecodeAnswers(t.Answers)
		if err != nil {
			return 0, fmt.Errorf("backfill answer facts of %s: %w", t.ID, err)
		}
		if err := postgres.Tx(ctx, pool, func(tx pgx.Tx) error { return Projection{}.Project(ctx, tx, q, &t.Submission, doc) }); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}
