package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// Scale seeding ("irm seed"): synthetic data at the size of the real
// Conference, for benchmarks and load tests. Everything is derived from
// (cycle, State) alone, never from the order of work or from how many
// States or cycles are asked for, so that a database seeded with one cycle
// holds the same newest cycle as one seeded with ten, and a second run
// finds everything made and changes nothing.
const (
	scaleActor      = "irm seed (synthetic data)"
	scaleCyclePref  = "seed-"
	scaleNewestYear = 2027 // the newest seed cycle is seed-2027; older ones go back a year each
	maxScaleStates  = 193
	maxScaleCycles  = 30
)

// ScaleVersion changes whenever SeedScale would make different data, so
// that databases kept by benchmarks are rebuilt.
const ScaleVersion = "1"

// ScaleOptions says how much to seed.
type ScaleOptions struct {
	States  int // the first States by code, all marked States Parties
	Cycles  int // seed-2027 and the cycles of the years before it
	Workers int // submissions and statistics saved at once; 0 means 4
	Log     *slog.Logger
}

// ScaleReport says what one run made; zero everywhere when it found
// everything made already.
type ScaleReport struct {
	Parties         int // States newly marked States Parties
	Cycles          []string
	Filed           map[submission.Status]int // submissions made now, by final status
	NotStarted      int                       // (cycle, State) pairs left without a submission by design
	StatisticStates int                       // States given their statistics now
	Observations    int
	Took            time.Duration
}

// Changed reports whether the run made anything.
func (r ScaleReport) Changed() bool {
	n := r.Parties + len(r.Cycles) + r.StatisticStates
	for _, v := range r.Filed {
		n += v
	}
	return n > 0
}

// String says what the run made, in one paragraph.
func (r ScaleReport) String() string {
	if !r.Changed() {
		return fmt.Sprintf("nothing to do: everything asked for was seeded already (checked in %s)", r.Took.Round(time.Millisecond))
	}
	total := 0
	for _, v := range r.Filed {
		total += v
	}
	cycles := "none"
	if len(r.Cycles) > 0 {
		cycles = strings.Join(r.Cycles, ", ")
	}
	return fmt.Sprintf("made (synthetic) in %s: %d States marked States Parties; cycles opened: %s; "+
		"%d submissions (%d accepted, %d submitted, %d returned, %d drafts; %d not started by design); "+
		"statistics for %d States (%d observations)",
		r.Took.Round(time.Second), r.Parties, cycles, total, r.Filed[submission.Accepted], r.Filed[submission.Submitted],
		r.Filed[submission.Returned], r.Filed[submission.Draft], r.NotStarted, r.StatisticStates, r.Observations)
}

// ScaleCycleIDs returns the ids of the seed cycles for n cycles, oldest first.
func ScaleCycleIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", scaleCyclePref, scaleNewestYear-n+1+i)
	}
	return out
}

// SeedScale seeds o.States States Parties with submissions of
// implementation-v1 in every status in each of o.Cycles cycles, and ten
// years of statistics for every indicator and dimension value, through
// the real services. It is idempotent: what exists is left alone.
func SeedScale(ctx context.Context, pool *pgxpool.Pool, reg *questionnaire.Registry, cat *statistics.Catalogue, o ScaleOptions) (ScaleReport, error) {
	start := time.Now()
	rep := ScaleReport{Filed: map[submission.Status]int{}}
	if o.States < 1 || o.States > maxScaleStates {
		return rep, fmt.Errorf("--states must be between 1 and %d, got %d", maxScaleStates, o.States)
	}
	if o.Cycles < 1 || o.Cycles > maxScaleCycles {
		return rep, fmt.Errorf("--cycles must be between 1 and %d, got %d", maxScaleCycles, o.Cycles)
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	q, ok := reg.Get(QuestionnaireID)
	if !ok {
		return rep, fmt.Errorf("seed: questionnaire %s is not loaded", QuestionnaireID)
	}
	seeder := auth.Principal{Name: scaleActor, Role: auth.Secretariat}
	states := state.NewStore(pool)
	all, err := states.List(ctx, state.Filter{})
	if err != nil {
		return rep, err
	}
	if len(all) < o.States {
		return rep, fmt.Errorf("seed: only %d States in the reference data", len(all))
	}
	chosen := all[:o.States] // List orders by code
	for _, st := range chosen {
		if st.Party {
			continue
		}
		if _, err := states.SetParty(ctx, seeder, st.Code, true); err != nil {
			return rep, err
		}
		rep.Parties++
	}

	workflow := submission.NewService(pool, reg, aggregate.Projection{})
	g, err := newGenerator(q)
	if err != nil {
		return rep, err
	}
	var jobs []filing
	for _, id := range ScaleCycleIDs(o.Cycles) {
		year := scaleYear(id)
		if _, err := workflow.Cycle(ctx, id); err != nil {
			if _, err := workflow.OpenCycle(ctx, seeder, submission.Cycle{
				ID: id, Name: fmt.Sprintf("%d implementation review (synthetic seed data)", year), QuestionnaireID: QuestionnaireID,
				OpensOn: time.Date(year-1, 11, 1, 0, 0, 0, 0, time.UTC), ClosesOn: time.Date(year, 3, 31, 0, 0, 0, 0, time.UTC),
			}); err != nil {
				return rep, err
			}
			rep.Cycles = append(rep.Cycles, id)
		}
		existing, err := currentStatuses(ctx, workflow, seeder, id)
		if err != nil {
			return rep, err
		}
		for _, st := range chosen {
			plan := planFor(id, st)
			if plan.status == "" {
				rep.NotStarted++
				continue
			}
			if cur, ok := existing[st.Code]; ok && cur.Status == plan.status {
				continue
			}
			jobs = append(jobs, filing{cycle: id, state: st, plan: plan, cur: existing[st.Code]})
		}
	}
	if len(jobs) > 0 {
		o.Log.Info("seed: filing submissions through the workflow", "submissions", len(jobs), "workers", o.Workers)
		var done atomic.Int64
		err := parallel(ctx, o.Workers, len(jobs), func(i int) error {
			j := jobs[i]
			if err := j.run(ctx, workflow, seeder, g); err != nil {
				return fmt.Errorf("seed: %s %s: %w", j.cycle, j.state.Code, err)
			}
			if n := done.Add(1); n%250 == 0 || int(n) == len(jobs) {
				o.Log.Info("seed: submissions", "done", n, "of", len(jobs))
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		for _, j := range jobs {
			rep.Filed[j.plan.status]++
		}
	}

	n, obs, err := seedScaleStatistics(ctx, pool, statistics.NewService(pool, cat), chosen, o)
	if err != nil {
		return rep, err
	}
	rep.StatisticStates, rep.Observations = n, obs
	if rep.Changed() {
		// Fresh statistics and visibility maps for the planner, as
		// autovacuum would leave them some minutes later.
		o.Log.Info("seed: vacuum and analyze")
		if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) observations, answer_facts, submissions, submission_versions, states`); err != nil {
			return rep, fmt.Errorf("seed: vacuum: %w", err)
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

func scaleYear(cycleID string) int {
	var y int
	fmt.Sscanf(strings.TrimPrefix(cycleID, scaleCyclePref), "%d", &y) //nolint:errcheck
	return y
}

// currentStatuses lists a cycle's submissions by State.
func currentStatuses(ctx context.Context, w *submission.Service, p auth.Principal, cycleID string) (map[string]*submission.Submission, error) {
	out := map[string]*submission.Submission{}
	var after *string
	for {
		page, err := w.List(ctx, p, cycleID, nil, submission.MaxPageSize, after)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Submissions {
			out[s.StateCode] = s
		}
		if !page.HasNext || len(page.Submissions) == 0 {
			return out, nil
		}
		c := submission.Cursor(page.Submissions[len(page.Submissions)-1])
		after = &c
	}
}

// parallel runs do(0..n-1) on workers goroutines; the first error stops it.
func parallel(ctx context.Context, workers, n int, do func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(i); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// rngFor is a random source determined by its labels alone.
func rngFor(labels ...string) *rand.Rand {
	h := fnv.New64a()
	for _, l := range labels {
		h.Write([]byte(l))
		h.Write([]byte{0})
	}
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// plan is what becomes of one State's submission in one cycle.
type plan struct {
	status   submission.Status // "" for not started
	rework   bool              // returned once and submitted again (or, for a draft, edited after a return)
	maturity float64           // 0..1: how far the State's implementation is, which the answers show
}

// planFor decides a (cycle, State)'s story: in old cycles most States
// have been accepted or are waiting for review; in the newest, the
// cycle is under way.
func planFor(cycleID string, st state.State) plan {
	age := scaleNewestYear - scaleYear(cycleID)
	rng := rngFor("plan", cycleID, st.Code)
	r := rng.Float64()
	var p plan
	if age == 0 {
		switch {
		case r < 0.22:
			p.status = ""
		case r < 0.45:
			p.status = submission.Draft
		case r < 0.55:
			p.status = submission.Returned
		case r < 0.85:
			p.status = submission.Submitted
		default:
			p.status = submission.Accepted
		}
	} else {
		switch {
		case r < 0.06:
			p.status = ""
		case r < 0.09:
			p.status = submission.Draft
		case r < 0.12:
			p.status = submission.Returned
		case r < 0.30:
			p.status = submission.Submitted
		default:
			p.status = submission.Accepted
		}
	}
	p.rework = rng.Float64() < 0.2
	base := rngFor("maturity", st.Code).Float64() * 0.6
	if st.Developing {
		base *= 0.7
	}
	// States move forward a little every cycle.
	p.maturity = math.Min(1, base+0.4*(1-float64(age)/float64(maxScaleCycles)))
	return p
}

// filing is one submission to bring to its planned status.
type filing struct {
	cycle string
	state state.State
	plan  plan
	cur   *submission.Submission // what an interrupted run left, or nil
}

// run walks the submission through the workflow. A new one follows its
// whole story (with a return round when planned); one that an earlier,
// interrupted run left half-way goes the shortest way to its status.
func (f filing) run(ctx context.Context, w *submission.Service, p auth.Principal, g *generator) error {
	target := f.plan.status
	rng := rngFor("answers", f.cycle, f.state.Code)
	cur := f.cur
	rework := f.plan.rework && cur == nil
	rounds := 0
	for range 12 {
		var status submission.Status
		if cur != nil {
			status = cur.Status
		}
		var res submission.Result
		var err error
		switch {
		case cur == nil:
			doc := g.complete(rng, f.plan.maturity)
			if target == submission.Draft && !rework {
				doc = g.partial(doc, rng)
			}
			res, err = saveDraft(ctx, w, p, f.cycle, f.state.Code, doc, nil)
		case status == target && !(rework && rounds == 0):
			return nil
		case status == submission.Draft:
			res, err = w.Submit(ctx, p, f.cycle, f.state.Code, cur.Version)
		case status == submission.Submitted && (target == submission.Returned || target == submission.Draft || (rework && rounds == 0)):
			rounds++
			path := g.commentPath(rng)
			res, err = w.Return(ctx, p, cur.ID, cur.Version, []submission.CommentInput{{Path: &path,
				Body: "Please check this answer against the legislation in force (synthetic seed comment)."}})
		case status == submission.Submitted && target == submission.Accepted:
			res, err = w.Accept(ctx, p, cur.ID, cur.Version)
		case status == submission.Returned:
			doc := g.complete(rng, math.Min(1, f.plan.maturity+0.1)) // the corrected answers differ
			v := cur.Version
			res, err = saveDraft(ctx, w, p, f.cycle, f.state.Code, doc, &v)
		default:
			return fmt.Errorf("cannot go from %s to %s", status, target)
		}
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("refused: %s: %s", res.Errors[0].Path, res.Errors[0].Message)
		}
		cur = res.Submission
	}
	return fmt.Errorf("did not reach %s", target)
}

func saveDraft(ctx context.Context, w *submission.Service, p auth.Principal, cycleID, code string, doc map[string]any, version *int) (submission.Result, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return submission.Result{}, err
	}
	return w.SaveDraft(ctx, p, cycleID, code, b, version)
}

// generator makes varied answers documents that pass every check of the
// questionnaire, starting from the complete sample.
type generator struct {
	q        *questionnaire.Questionnaire
	base     map[string]any
	comments []string // question paths a review comment may point at
}

func newGenerator(q *questionnaire.Questionnaire) (*generator, error) {
	var base map[string]any
	if err := json.Unmarshal(sampleAnswers, &base); err != nil {
		return nil, fmt.Errorf("seed: sample answers: %w", err)
	}
	if errs := q.ValidateValue(base, questionnaire.Complete); len(errs) > 0 {
		return nil, fmt.Errorf("seed: the sample answers do not pass %s: %s %s", q.ID, errs[0].Path, errs[0].Message)
	}
	g := &generator{q: q, base: base}
	for _, qq := range q.Questions {
		g.comments = append(g.comments, qq.Path)
	}
	return g, nil
}

func (g *generator) commentPath(rng *rand.Rand) string { return g.comments[rng.IntN(len(g.comments))] }

// complete returns a complete, valid document: every question of the
// sample may get another option, truth value, number, subset of options
// or number of list items; a State of greater maturity keeps more of the
// sample's (fully implemented) answers. Changes the schema refuses are
// undone, so the document always validates.
func (g *generator) complete(rng *rand.Rand, maturity float64) map[string]any {
	doc := clone(g.base)
	type change struct {
		parent map[string]any
		key    string
		old    any
	}
	changed := map[string]change{}
	for _, qq := range g.q.Questions {
		parent, key, ok := locate(doc, qq.Path)
		if !ok {
			continue
		}
		old, present := parent[key]
		if !present {
			continue
		}
		keep := 0.25 + 0.5*maturity
		var v any
		switch qq.Kind {
		case questionnaire.SingleChoice:
			if rng.Float64() < keep {
				continue
			}
			v = qq.Options[rng.IntN(len(qq.Options))]
		case questionnaire.Boolean:
			if rng.Float64() < keep {
				continue
			}
			v = rng.Float64() < 0.35+0.5*maturity
		case questionnaire.MultiChoice:
			if rng.Float64() < keep/2 {
				continue
			}
			var pick []any
			share := 0.2 + 0.6*maturity
			for _, o := range qq.Options {
				if rng.Float64() < share {
					pick = append(pick, o)
				}
			}
			if len(pick) == 0 {
				pick = []any{qq.Options[rng.IntN(len(qq.Options))]}
			}
			v = pick
		case questionnaire.Integer, questionnaire.Number:
			n, ok := old.(float64)
			if !ok {
				continue
			}
			f := (0.2 + 1.6*rng.Float64()) * (0.5 + maturity)
			if qq.Kind == questionnaire.Integer {
				v = math.Round(n * f)
			} else {
				v = math.Round(n*f*10) / 10
			}
		case questionnaire.List:
			items, ok := old.([]any)
			if !ok || len(items) == 0 {
				continue
			}
			n := rng.IntN(len(items) + 3) // 0 .. len+2 items, cycling through the sample's
			list := make([]any, n)
			for i := range list {
				list[i] = clone1(items[i%len(items)])
			}
			v = list
		default:
			continue
		}
		changed[qq.Path] = change{parent, key, old}
		parent[key] = v
	}
	for range 3 {
		errs := g.q.ValidateValue(doc, questionnaire.Complete)
		if len(errs) == 0 {
			return doc
		}
		undone := 0
		for _, e := range errs {
			for path, c := range changed {
				if e.Path == path || strings.HasPrefix(e.Path, path+"/") || strings.HasPrefix(path, e.Path+"/") {
					c.parent[c.key] = c.old
					delete(changed, path)
					undone++
				}
			}
		}
		if undone == 0 {
			break
		}
	}
	if len(g.q.ValidateValue(doc, questionnaire.Complete)) == 0 {
		return doc
	}
	return clone(g.base)
}

// partial drops some sections, as a State part-way through would have.
func (g *generator) partial(doc map[string]any, rng *rand.Rand) map[string]any {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if rng.IntN(3) == 0 {
			delete(doc, k)
		}
	}
	return doc
}

func clone1(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out) //nolint:errcheck
	return out
}
