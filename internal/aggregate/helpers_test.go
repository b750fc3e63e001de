package aggregate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
)

var sec = auth.Principal{TokenID: 1, Name: "Secretariat", Role: auth.Secretariat}

// env is the services over one test database, with the shipped
// questionnaire and the second, differently shaped one, plus extra files.
type env struct {
	pool     *pgxpool.Pool
	reg      *questionnaire.Registry
	workflow *submission.Service
	stats    *statistics.Service
	agg      *aggregate.Service
	states   map[string]state.State
}

func newEnv(t testing.TB, pool *pgxpool.Pool, extra map[string][]byte) *env {
	t.Helper()
	files := fstest.MapFS{}
	shipped, err := fs.ReadFile(questionnaires.Files(), "implementation-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	files["implementation-v1.json"] = &fstest.MapFile{Data: shipped}
	files["training-survey-v2.json"] = &fstest.MapFile{Data: secondSchema(t)}
	for name, data := range extra {
		files[name] = &fstest.MapFile{Data: data}
	}
	reg, err := questionnaire.Load(files, questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	known := func(id string) bool { _, ok := reg.WorkingGroup(id); return ok }
	cat, err := statistics.LoadCatalogue(questionnaires.Catalogue(), known, state.Codes())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pool: pool, reg: reg, stats: statistics.NewService(pool, cat)}
	e.workflow = submission.NewService(pool, reg, aggregate.Projection{})
	e.agg = aggregate.NewService(pool, reg, e.stats, e.workflow)
	list, err := state.NewStore(pool).List(context.Background(), state.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	e.states = map[string]state.State{}
	for _, s := range list {
		e.states[s.Code] = s
	}
	return e
}

func secondSchema(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "questionnaire", "testdata", "second", "training-survey-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// secondComplete is the second questionnaire's complete answers, from its
// hand-written validation cases.
func secondComplete(t testing.TB) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "questionnaire", "testdata", "second", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string         `json:"name"`
		Answers map[string]any `json:"answers"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Name == "complete answers are valid on submit" {
			return c.Answers
		}
	}
	t.Fatal("no complete case in cases.json")
	return nil
}

func shippedComplete(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(demo.SampleAnswers(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) openCycle(t testing.TB, id, qid string) submission.Cycle {
	t.Helper()
	c, err := e.workflow.OpenCycle(context.Background(), sec, submission.Cycle{ID: id, Name: "Cycle " + id,
		QuestionnaireID: qid, OpensOn: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), ClosesOn: time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) setParty(t testing.TB, code string) {
	t.Helper()
	if _, err := state.NewStore(e.pool).SetParty(context.Background(), sec, code, true); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func clone(t testing.TB, v map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// save writes doc as the State's draft (creating it at first) and returns
// the new version.
func (e *env) save(t testing.TB, cycle, code string, doc map[string]any, version *int) int {
	t.Helper()
	res, err := e.workflow.SaveDraft(context.Background(), sec, cycle, code, mustJSON(t, doc), version)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("save %s %s: %v %+v", cycle, code, err, res.Errors)
	}
	return res.Submission.Version
}

func (e *env) submit(t testing.TB, cycle, code string, version int) (string, int) {
	t.Helper()
	res, err := e.workflow.Submit(context.Background(), sec, cycle, code, version)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("submit %s %s: %v %+v", cycle, code, err, res.Errors)
	}
	return res.Submission.ID, res.Submission.Version
}

func (e *env) review(t testing.TB, id string, version int, accept bool) int {
	t.Helper()
	var res submission.Result
	var err error
	if accept {
		res, err = e.workflow.Accept(context.Background(), sec, id, version)
	} else {
		res, err = e.workflow.Return(context.Background(), sec, id, version, []submission.CommentInput{{Body: "Please complete."}})
	}
	if err != nil {
		t.Fatalf("review %s: %v", id, err)
	}
	return res.Submission.Version
}

// pointer resolves a JSON Pointer in a decoded document.
func pointer(doc any, ptr string) (any, bool) {
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// setPointer sets (or, with del, removes) the value at an existing
// parent of ptr.
func setPointer(doc map[string]any, ptr string, v any, del bool) {
	toks := strings.Split(ptr[1:], "/")
	cur := doc
	for _, tok := range toks[:len(toks)-1] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		next, ok := cur[tok].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
	last := strings.NewReplacer("~1", "/", "~0", "~").Replace(toks[len(toks)-1])
	if del {
		delete(cur, last)
	} else {
		cur[last] = v
	}
}

// vary returns a copy of a complete document with about a third of its
// answers changed or removed at random; a change that breaks a check is
// undone (with the others in the same section), so the result passes every
// check.
func vary(t testing.TB, q *questionnaire.Questionnaire, base map[string]any, rng *rand.Rand) map[string]any {
	t.Helper()
	doc := clone(t, base)
	type change struct {
		path    string
		old     any
		present bool
	}
	var changes []change
	for _, qq := range q.Questions {
		old, ok := pointer(doc, qq.Path)
		if !ok || rng.IntN(3) != 0 {
			continue
		}
		var nv any
		switch qq.Kind {
		case questionnaire.SingleChoice:
			nv = qq.Options[rng.IntN(len(qq.Options))]
		case questionnaire.Boolean:
			nv = rng.IntN(2) == 0
		case questionnaire.MultiChoice:
			var pick []any
			for _, o := range qq.Options {
				if rng.IntN(2) == 0 {
					pick = append(pick, o)
				}
			}
			if len(pick) == 0 {
				pick = []any{qq.Options[0]}
			}
			nv = pick
		case questionnaire.Integer:
			nv = rng.IntN(60)
		case questionnaire.Number:
			nv = math.Round(rng.Float64()*100000) / 100
		case questionnaire.List:
			items, _ := old.([]any)
			if len(items) == 0 {
				continue
			}
			list := make([]any, rng.IntN(len(items)+3))
			for i := range list {
				list[i] = items[i%len(items)]
			}
			nv = list
		case questionnaire.Text:
			nv = fmt.Sprintf("answer %d", rng.IntN(1000))
		}
		changes = append(changes, change{qq.Path, old, true})
		setPointer(doc, qq.Path, nv, rng.IntN(5) == 0)
	}
	section := func(p string) string { return strings.SplitN(p+"/", "/", 3)[1] }
	for range 8 {
		errs := q.Validate(mustJSON(t, doc), questionnaire.Complete)
		if len(errs) == 0 {
			return clone(t, doc) // numbers as JSON decodes them
		}
		broken := map[string]bool{}
		for _, e := range errs {
			broken[section(e.Path)] = true
		}
		kept := changes[:0]
		for _, c := range changes {
			if broken[section(c.path)] || broken[""] {
				setPointer(doc, c.path, c.old, false)
			} else {
				kept = append(kept, c)
			}
		}
		changes = kept
	}
	return clone(t, base)
}

// near compares floats summed in different orders.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func sortedCopy(xs []float64) []float64 {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
