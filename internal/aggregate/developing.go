package aggregate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// DevelopingQuestions is Questions over developing States only (the
// technical-assistance report), split by regional group: the same
// statements with the States narrowed to st.developing.
func (r *Reader) DevelopingQuestions(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question) ([]QuestionAggregate, error) {
	return r.questionsWhere(ctx, c, questions, statistics.GroupRegional, developingOnly)
}

// developingOnly narrows counted to developing States.
const developingOnly = ` AND st.developing`

// questionsWhere is Questions with the counted facts narrowed by filter,
// a fixed SQL condition appended to counted's WHERE. (Questions could be
// questionsWhere with filter ""; it is kept as it is so that this file
// adds without changing the package's other files.)
func (r *Reader) questionsWhere(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question, by statistics.GroupBy, filter string) ([]QuestionAggregate, error) {
	groups, groupExpr, err := groupsOf(by)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(questions))
	for i, q := range questions {
		paths[i] = q.Path
	}
	sets := `(path, grp)` // grp is NULL for everyone: the total alone
	if groups != nil {
		sets = `(path), (path, grp)`
	}
	src := fmt.Sprintf(counted, groupExpr) + filter

	type figures struct {
		respondents int
		numeric     NumericSummary
		counts      map[string]int
	}
	figs := map[key]*figures{}
	get := func(k key) *figures {
		f := figs[k]
		if f == nil {
			f = &figures{counts: map[string]int{}}
			figs[k] = f
		}
		return f
	}
	var path, grp string
	var total int
	var n NumericSummary
	var mean, median, minV, maxV *float64

	// Respondents and numeric summaries.
	rows, err := r.db.Query(ctx, `WITH c AS (`+src+`)
		SELECT path, grouping(grp), coalesce(grp, ''), count(*), count(num), coalesce(sum(num), 0), avg(num),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY num), min(num), max(num)
		FROM c GROUP BY GROUPING SETS (`+sets+`)`, c.ID, paths)
	if err != nil {
		return nil, fmt.Errorf("question aggregates: %w", err)
	}
	var respondents int
	if _, err := pgx.ForEachRow(rows, []any{&path, &total, &grp, &respondents, &n.N, &n.Sum, &mean, &median, &minV, &maxV}, func() error {
		if total == 1 || groups == nil {
			grp = ""
		} else if grp == "" {
			return nil // a State in no regional group counts in the total only
		}
		f := get(key{path, grp})
		f.respondents = respondents
		f.numeric = NumericSummary{N: n.N, Sum: n.Sum, Mean: deref(mean), Median: deref(median), Min: deref(minV), Max: deref(maxV)}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("question aggregates: %w", err)
	}

	// Option counts, for the choice and boolean questions among them.
	if hasChoices(questions) {
		osets := `(path, grp, o)`
		if groups != nil {
			osets = `(path, o), (path, grp, o)`
		}
		rows, err = r.db.Query(ctx, `WITH c AS (`+src+` AND f.options IS NOT NULL)
			SELECT path, grouping(grp), coalesce(grp, ''), o, count(*)
			FROM c, unnest(c.options) AS o GROUP BY GROUPING SETS (`+osets+`)`, c.ID, paths)
		if err != nil {
			return nil, fmt.Errorf("option counts: %w", err)
		}
		var option string
		var count int
		if _, err := pgx.ForEachRow(rows, []any{&path, &total, &grp, &option, &count}, func() error {
			if total == 1 || groups == nil {
				grp = ""
			} else if grp == "" {
				return nil
			}
			get(key{path, grp}).counts[option] = count
			return nil
		}); err != nil {
			return nil, fmt.Errorf("option counts: %w", err)
		}
	}

	build := func(q *questionnaire.Question, group string) GroupAggregate {
		f := figs[key{q.Path, group}]
		if f == nil {
			f = &figures{}
		}
		g := GroupAggregate{Group: group, Respondents: f.respondents, Counts: []OptionCount{}}
		switch q.Kind {
		case questionnaire.SingleChoice, questionnaire.MultiChoice, questionnaire.Boolean:
			options := q.Options
			if q.Kind == questionnaire.Boolean {
				options = []string{"true", "false"}
			}
			for _, o := range options {
				oc := OptionCount{Option: o, Count: f.counts[o]}
				if f.respondents > 0 {
					oc.Share = float64(oc.Count) / float64(f.respondents)
				}
				g.Counts = append(g.Counts, oc)
			}
		case questionnaire.Number, questionnaire.Integer, questionnaire.List:
			num := f.numeric
			g.Numeric = &num
		}
		return g
	}
	out := make([]QuestionAggregate, len(questions))
	for i, q := range questions {
		all := build(q, "")
		out[i] = QuestionAggregate{Question: q, Respondents: all.Respondents, Counts: all.Counts, Numeric: all.Numeric,
			ByGroup: make([]GroupAggregate, len(groups))}
		for j, g := range groups {
			out[i].ByGroup[j] = build(q, g)
		}
	}
	return out, nil
}
