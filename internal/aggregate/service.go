package aggregate

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// Cycles finds a cycle; the submission service is one.
type Cycles interface {
	Cycle(ctx context.Context, id string) (submission.Cycle, error)
}

// Service answers the aggregate queries for a principal, checking the
// policy first.
type Service struct {
	pool   *pgxpool.Pool
	reg    *questionnaire.Registry
	stats  *statistics.Service
	cycles Cycles
}

// NewService returns a service over pool.
func NewService(pool *pgxpool.Pool, reg *questionnaire.Registry, stats *statistics.Service, cycles Cycles) *Service {
	return &Service{pool: pool, reg: reg, stats: stats, cycles: cycles}
}

// Reader computes aggregates through one database handle without any
// policy check: the pool, or the REPEATABLE READ transaction a report is
// read in (postgres.Snapshot). Callers check access themselves.
type Reader struct {
	s  *Service
	db postgres.DB
}

// In returns a Reader over db.
func (s *Service) In(db postgres.DB) *Reader { return &Reader{s: s, db: db} }

// Completeness returns one row per regional group, then All, over States
// Parties. Working-group members and the secretariat read it.
func (s *Service) Completeness(ctx context.Context, p auth.Principal, cycleID string) ([]Completeness, error) {
	if err := auth.CanReadAggregates(p); err != nil {
		return nil, err
	}
	if _, err := s.cycles.Cycle(ctx, cycleID); err != nil {
		return nil, err
	}
	var out []Completeness
	err := postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = s.In(tx).Completeness(ctx, cycleID)
		return err
	})
	return out, err
}

// Question returns the aggregate of the question at path in a cycle.
func (s *Service) Question(ctx context.Context, p auth.Principal, cycleID, path string, by statistics.GroupBy) (*QuestionAggregate, error) {
	if err := auth.CanReadAggregates(p); err != nil {
		return nil, err
	}
	c, err := s.cycles.Cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	q, err := s.questionnaire(c)
	if err != nil {
		return nil, err
	}
	qq, ok := q.Question(path)
	if !ok {
		if q.HasNode(path) {
			return nil, apperr.BadInputf("%q is a section or group of %s, not a question: ask for one of its questions", path, q.ID)
		}
		return nil, apperr.NotFoundf("questionnaire %s has no question at %q", q.ID, path)
	}
	var aggs []QuestionAggregate
	err = postgres.ReadTx(ctx, s.pool, func(tx pgx.Tx) error {
		aggs, err = s.In(tx).Questions(ctx, c, []*questionnaire.Question{qq}, by)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &aggs[0], nil
}

// Summary returns a working group's summary of a cycle: members of the
// group and the secretariat read it.
func (s *Service) Summary(ctx context.Context, p auth.Principal, workingGroup, cycleID string) (*Summary, error) {
	if err := auth.CanReadSummary(p, workingGroup); err != nil {
		return nil, err
	}
	if _, ok := s.reg.WorkingGroup(workingGroup); !ok {
		return nil, apperr.NotFoundf("no working group with id %q", workingGroup)
	}
	c, err := s.cycles.Cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	var out *Summary
	err = postgres.Snapshot(ctx, s.pool, func(tx pgx.Tx) error {
		out, err = s.In(tx).Summary(ctx, workingGroup, c)
		return err
	})
	return out, err
}

func (s *Service) questionnaire(c submission.Cycle) (*questionnaire.Questionnaire, error) {
	q, ok := s.reg.Get(c.QuestionnaireID)
	if !ok {
		return nil, fmt.Errorf("cycle %s uses questionnaire %s, which is not loaded", c.ID, c.QuestionnaireID)
	}
	return q, nil
}

// Completeness over the States Parties, unchecked.
func (r *Reader) Completeness(ctx context.Context, cycleID string) ([]Completeness, error) {
	rows, err := r.db.Query(ctx, `SELECT grouping(st.regional_group), coalesce(st.regional_group, ''), count(*),
			count(*) FILTER (WHERE s.status IS NULL),
			count(*) FILTER (WHERE s.status IN ('DRAFT', 'RETURNED')),
			count(*) FILTER (WHERE s.status = 'SUBMITTED'),
			count(*) FILTER (WHERE s.status = 'ACCEPTED')
		FROM states st LEFT JOIN submissions s ON s.state_code = st.code AND s.cycle_id = $1
		WHERE st.party
		GROUP BY GROUPING SETS ((st.regional_group), ())`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	byGroup := map[string]Completeness{}
	var total int
	var c Completeness
	if _, err := pgx.ForEachRow(rows, []any{&total, &c.Group, &c.States, &c.NotStarted, &c.Drafts, &c.Submitted, &c.Accepted}, func() error {
		if total == 1 {
			c.Group = All
		}
		byGroup[c.Group] = c
		return nil
	}); err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	groups := append(append([]string{}, state.RegionalGroups...), All)
	out := make([]Completeness, len(groups))
	for i, g := range groups {
		c := byGroup[g]
		c.Group = g
		if c.States > 0 {
			c.Rate = float64(c.Submitted+c.Accepted) / float64(c.States)
		}
		out[i] = c
	}
	return out, nil
}

// groupsOf returns the groups a question's figures are split into and the
// SQL expression (a fixed string) that puts a State in one.
func groupsOf(by statistics.GroupBy) ([]string, string, error) {
	switch by {
	case statistics.GroupNone, "":
		return nil, `NULL::text`, nil
	case statistics.GroupRegional:
		return state.RegionalGroups, `st.regional_group`, nil
	case statistics.GroupDevelop:
		return []string{"DEVELOPING", "OTHER"}, `CASE WHEN st.developing THEN 'DEVELOPING' ELSE 'OTHER' END`, nil
	}
	return nil, "", apperr.BadInputf("unknown groupBy %q", by)
}

// counted is the facts of a cycle's counted submissions for some
// questions, each with its State's group; $1 the cycle, $2 the paths;
// conditions may be appended ("AND ..."). The facts are read first, as
// one range of answer_facts' key, and only then matched with their
// submissions (of the same cycle): the planner cannot estimate the
// row-level security conditions and, joining first, would scan the
// submissions of every cycle once per fact, a cost that grows with the
// history stored.
const counted = `WITH facts AS MATERIALIZED (
		SELECT path, submission_id, state_code, options, num FROM answer_facts WHERE cycle_id = $1 AND path = ANY($2))
	SELECT f.path, %s AS grp, f.options, f.num
	FROM facts f
	JOIN submissions s ON s.id = f.submission_id
	JOIN states st ON st.code = f.state_code
	WHERE s.cycle_id = $1 AND s.status IN ('SUBMITTED', 'ACCEPTED')`

// key names one question's figures in one group ("" for the total).
type key struct{ path, group string }

// Questions returns the aggregates of the given questions of cycle c, in
// the order given, in two statements whatever their number.
func (r *Reader) Questions(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question, by statistics.GroupBy) ([]QuestionAggregate, error) {
	return r.questionsWhere(ctx, c, questions, by, "")
}

// questionsWhere is Questions with the counted facts narrowed by filter,
// a fixed SQL condition (never input) appended to counted's WHERE.
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
	var median, minV, maxV *float64

	// Respondents and numeric summaries. Sums add in value order, so that
	// a figure is the same to the last bit whichever query computes it.
	rows, err := r.db.Query(ctx, `WITH c AS (`+src+`)
		SELECT path, grouping(grp), coalesce(grp, ''), count(*), count(num), coalesce(sum(num ORDER BY num), 0),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY num), min(num), max(num)
		FROM c GROUP BY GROUPING SETS (`+sets+`)`, c.ID, paths)
	if err != nil {
		return nil, fmt.Errorf("question aggregates: %w", err)
	}
	var respondents int
	if _, err := pgx.ForEachRow(rows, []any{&path, &total, &grp, &respondents, &n.N, &n.Sum, &median, &minV, &maxV}, func() error {
		if total == 1 || groups == nil {
			grp = ""
		} else if grp == "" {
			return nil // a State in no regional group counts in the total only
		}
		f := get(key{path, grp})
		f.respondents = respondents
		f.numeric = NumericSummary{N: n.N, Sum: n.Sum, Median: deref(median), Min: deref(minV), Max: deref(maxV)}
		if n.N > 0 {
			f.numeric.Mean = n.Sum / float64(n.N)
		}
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

func hasChoices(questions []*questionnaire.Question) bool {
	for _, q := range questions {
		switch q.Kind {
		case questionnaire.SingleChoice, questionnaire.MultiChoice, questionnaire.Boolean:
			return true
		}
	}
	return false
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// Summary, unchecked: completeness, the group's questions with their
// aggregates by regional group, and the group's indicators with their
// trends by regional group plus All. Four statements, whatever the number
// of questions and indicators.
func (r *Reader) Summary(ctx context.Context, workingGroup string, c submission.Cycle) (*Summary, error) {
	wg, ok := r.s.reg.WorkingGroup(workingGroup)
	if !ok {
		return nil, apperr.NotFoundf("no working group with id %q", workingGroup)
	}
	q, err := r.s.questionnaire(c)
	if err != nil {
		return nil, err
	}
	out := &Summary{WorkingGroup: wg, Cycle: c}
	if out.Completeness, err = r.Completeness(ctx, c.ID); err != nil {
		return nil, err
	}
	var questions []*questionnaire.Question
	for _, qq := range q.Questions {
		if slices.Contains(qq.WorkingGroups, workingGroup) {
			questions = append(questions, qq)
		}
	}
	if out.Questions, err = r.Questions(ctx, c, questions, statistics.GroupRegional); err != nil {
		return nil, err
	}
	inds := r.s.stats.Catalogue().ForWorkingGroup(workingGroup)
	codes := make([]string, len(inds))
	for i, ind := range inds {
		codes[i] = ind.Code
	}
	trends := map[string][]statistics.TrendSeries{}
	if len(codes) > 0 {
		if trends, err = r.s.stats.Trends(ctx, r.db, statistics.TrendQuery{Codes: codes, By: statistics.GroupRegional, WithAll: true}); err != nil {
			return nil, err
		}
	}
	out.Indicators = make([]IndicatorSummary, len(inds))
	for i, ind := range inds {
		out.Indicators[i] = IndicatorSummary{Indicator: ind, Trend: trends[ind.Code]}
	}
	if out.Questions == nil {
		out.Questions = []QuestionAggregate{}
	}
	return out, nil
}
