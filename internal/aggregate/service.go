package aggregate

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/semaphore"

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
	// spare bounds the summaries that read their trends on a second
	// connection (postgres.SnapshotBeside): a quarter of the pool.
	spare *semaphore.Weighted
	// minN is N of the minimum-n rule (disclosure.go).
	minN int
}

// NewService returns a service over pool.
func NewService(pool *pgxpool.Pool, reg *questionnaire.Registry, stats *statistics.Service, cycles Cycles) *Service {
	spare := max(1, int64(pool.Config().MaxConns)/4)
	return &Service{pool: pool, reg: reg, stats: stats, cycles: cycles, spare: semaphore.NewWeighted(spare), minN: DefaultMinRespondents}
}

// SetMinRespondents sets N of the minimum-n rule (at least 1; 1 withholds
// nothing). Call it before serving.
func (s *Service) SetMinRespondents(n int) { s.minN = max(1, n) }

// MinRespondents is N of the minimum-n rule.
func (s *Service) MinRespondents() int { return s.minN }

// Reader computes aggregates through one database handle without any
// policy check: the pool, or the REPEATABLE READ transaction a report is
// read in (postgres.Snapshot). Callers check access themselves.
type Reader struct {
	s        *Service
	db       postgres.DB
	withhold bool // apply the minimum-n rule
}

// In returns a Reader over db that shows every count (the secretariat's).
func (s *Service) In(db postgres.DB) *Reader { return &Reader{s: s, db: db} }

// Disclosed returns a Reader over db that withholds small cells by the
// minimum-n rule: what working groups and reports read.
func (s *Service) Disclosed(db postgres.DB) *Reader { return &Reader{s: s, db: db, withhold: true} }

// reader is the Reader p reads through: the secretariat sees the counts.
func (s *Service) reader(p auth.Principal, db postgres.DB) *Reader {
	if p.Role == auth.Secretariat {
		return s.In(db)
	}
	return s.Disclosed(db)
}

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
	err := auth.ReadTx(ctx, s.pool, p, func(tx pgx.Tx) error {
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
			return nil, apperr.BadInputT("\"{path}\" is a section or group of {id}, not a question: ask for one of its questions", "path", path, "id", q.ID)
		}
		return nil, apperr.NotFoundT("questionnaire {id} has no question at \"{path}\"", "id", q.ID, "path", path)
	}
	var aggs []QuestionAggregate
	err = auth.ReadTx(ctx, s.pool, p, func(tx pgx.Tx) error {
		aggs, err = s.reader(p, tx).Questions(ctx, c, []*questionnaire.Question{qq}, by)
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
		return nil, apperr.NotFoundT("no working group with id \"{workingGroup}\"", "workingGroup", workingGroup)
	}
	c, err := s.cycles.Cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	// The trends, the longest statement, are read beside the rest, on a
	// second connection in the same snapshot.
	var out *Summary
	err = postgres.SnapshotBeside(ctx, s.pool, s.spare, func(tx pgx.Tx, start func(postgres.Beside) func() error) error {
		var trends map[string][]statistics.TrendSeries
		wait := start(func(tx pgx.Tx) error {
			var err error
			trends, err = s.In(tx).trends(ctx, workingGroup)
			return err
		})
		out, err = s.reader(p, tx).summary(ctx, workingGroup, c, func() (map[string][]statistics.TrendSeries, error) {
			return trends, wait()
		})
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
	groups := append(append([]string{}, state.RegionalGroups()...), All)
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
		return state.RegionalGroups(), `st.regional_group`, nil
	case statistics.GroupDevelop:
		return []string{"DEVELOPING", "OTHER"}, `CASE WHEN st.developing THEN 'DEVELOPING' ELSE 'OTHER' END`, nil
	}
	return nil, "", apperr.BadInputT("unknown groupBy \"{by}\"", "by", by)
}

// counted is the facts of a cycle's counted submissions for some
// questions, each with its State's group; $1 the cycle, $2 the paths. The facts are read first, as
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
// the order given, in one statement whatever their number.
func (r *Reader) Questions(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question, by statistics.GroupBy) ([]QuestionAggregate, error) {
	return r.questions(ctx, c, questions, by, false)
}

// countedStatements are counted for each grouping, of every State or of
// the developing ones: named statements, chosen by their key.
var countedStatements = func() map[countedKey]string {
	out := map[countedKey]string{}
	for _, by := range []statistics.GroupBy{statistics.GroupNone, statistics.GroupRegional, statistics.GroupDevelop} {
		_, expr, _ := groupsOf(by)
		out[countedKey{by, false}] = fmt.Sprintf(counted, expr)
		out[countedKey{by, true}] = fmt.Sprintf(counted, expr) + ` AND st.developing`
	}
	return out
}()

type countedKey struct {
	by             statistics.GroupBy
	developingOnly bool
}

// figures gathers one question's answers within one group.
type figures struct {
	respondents int
	nums        []float64
	counts      map[string]int
}

// questions is Questions, of developing States only when developingOnly.
//
// The counted facts themselves come back, one row per answer (at most
// one per State and question), and are tallied here: a working group's
// forty questions are a few thousand small rows, which PostgreSQL sends
// faster than it sorts and groups them twice over (GROUPING SETS for the
// total and the groups, once for numbers and once for options). Figures
// are computed as PostgreSQL would: sums add in value order, and the
// median is percentile_cont(0.5), so they are the same to the last bit
// whichever way they were asked for.
func (r *Reader) questions(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question, by statistics.GroupBy, developingOnly bool) ([]QuestionAggregate, error) {
	groups, _, err := groupsOf(by)
	if err != nil {
		return nil, err
	}
	if by == "" {
		by = statistics.GroupNone
	}
	statement := countedStatements[countedKey{by, developingOnly}]
	paths := make([]string, len(questions))
	for i, q := range questions {
		paths[i] = q.Path
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
	rows, err := r.db.Query(ctx, statement, c.ID, paths)
	if err != nil {
		return nil, fmt.Errorf("question aggregates: %w", err)
	}
	var path string
	var grp *string
	var options []string
	var num *float64
	if _, err := pgx.ForEachRow(rows, []any{&path, &grp, &options, &num}, func() error {
		tally := func(f *figures) {
			f.respondents++
			if num != nil {
				f.nums = append(f.nums, *num)
			}
			for _, o := range options {
				f.counts[o]++
			}
		}
		tally(get(key{path, ""}))
		// A State in no regional group counts in the total only.
		if groups != nil && grp != nil && *grp != "" {
			tally(get(key{path, *grp}))
		} else if groups != nil {
			tally(get(key{path, noGroup}))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("question aggregates: %w", err)
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
			num := summarize(f.nums)
			num.Additive = q.Additive()
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
		out[i].MinRespondents = r.s.minN
		if r.withhold {
			suppress(&out[i], build(q, noGroup), r.s.minN,
				q.Kind == questionnaire.SingleChoice || q.Kind == questionnaire.Boolean)
		}
	}
	return out, nil
}

// noGroup keys the figures of the States in no group, which only the
// total counts (the minimum-n rule needs them).
const noGroup = "\x00"

// summarize computes n, sum, mean, median, min and max of nums (which it
// sorts) as PostgreSQL's sum(x ORDER BY x) and percentile_cont(0.5) do.
func summarize(nums []float64) NumericSummary {
	var s NumericSummary
	if len(nums) == 0 {
		return s
	}
	slices.Sort(nums)
	s.N = len(nums)
	for _, x := range nums {
		s.Sum += x
	}
	s.Mean = s.Sum / float64(s.N)
	s.Min, s.Max = nums[0], nums[s.N-1]
	// percentile_cont: interpolate between the values around the
	// fractional position 0.5 * (n - 1).
	pos := 0.5 * float64(s.N-1)
	lo := int(pos)
	s.Median = nums[lo]
	if frac := pos - float64(lo); frac > 0 {
		s.Median = nums[lo] + frac*(nums[lo+1]-nums[lo])
	}
	return s
}

// Summary, unchecked: completeness, the group's questions with their
// aggregates by regional group, and the group's indicators with their
// trends by regional group plus All. Three statements, whatever the number
// of questions and indicators.
func (r *Reader) Summary(ctx context.Context, workingGroup string, c submission.Cycle) (*Summary, error) {
	return r.summary(ctx, workingGroup, c, func() (map[string][]statistics.TrendSeries, error) {
		return r.trends(ctx, workingGroup)
	})
}

// trends reads the trends of a working group's indicators by regional
// group plus All, in one statement.
func (r *Reader) trends(ctx context.Context, workingGroup string) (map[string][]statistics.TrendSeries, error) {
	inds := r.s.stats.Catalogue().ForWorkingGroup(workingGroup)
	if len(inds) == 0 {
		return map[string][]statistics.TrendSeries{}, nil
	}
	codes := make([]string, len(inds))
	for i, ind := range inds {
		codes[i] = ind.Code
	}
	return r.s.stats.Trends(ctx, r.db, statistics.TrendQuery{Codes: codes, By: statistics.GroupRegional, WithAll: true})
}

// summary is Summary with the trends from trends.
func (r *Reader) summary(ctx context.Context, workingGroup string, c submission.Cycle,
	trends func() (map[string][]statistics.TrendSeries, error)) (*Summary, error) {
	wg, ok := r.s.reg.WorkingGroup(workingGroup)
	if !ok {
		return nil, apperr.NotFoundT("no working group with id \"{workingGroup}\"", "workingGroup", workingGroup)
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
	if out.Questions == nil {
		out.Questions = []QuestionAggregate{}
	}
	byCode, err := trends()
	if err != nil {
		return nil, err
	}
	inds := r.s.stats.Catalogue().ForWorkingGroup(workingGroup)
	out.Indicators = make([]IndicatorSummary, len(inds))
	for i, ind := range inds {
		out.Indicators[i] = IndicatorSummary{Indicator: ind, Trend: byCode[ind.Code]}
	}
	return out, nil
}
