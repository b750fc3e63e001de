// Package demo loads synthetic demonstration data for "make run": States
// Parties, an open review cycle, submissions in every status and a token
// per role. Everything it writes is marked synthetic; it never runs
// against a database that already holds cycles of its own.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

//go:embed data/implementation-v1.json
var sampleAnswers []byte

// SampleAnswers returns a complete, valid answers document for
// implementation-v1, written for a fictional State.
func SampleAnswers() []byte { return slices.Clone(sampleAnswers) }

const (
	CycleID         = "2027"
	QuestionnaireID = "implementation-v1"
	FocalPointState = "GHA" // the demo focal point's State: a Party with no submission yet
	tokenPrefix     = "demo: "
	seedActor       = "demo seed (synthetic data)"
)

// Seed loads the demo data once: it does nothing if the demo cycle exists.
func Seed(ctx context.Context, pool *pgxpool.Pool, reg *questionnaire.Registry, log *slog.Logger) error {
	workflow := submission.NewService(pool, reg, aggregate.Projection{})
	if _, err := workflow.Cycle(ctx, CycleID); err == nil {
		log.Info("demo data already loaded", "cycle", CycleID)
		return nil
	}
	q, ok := reg.Get(QuestionnaireID)
	if !ok {
		return fmt.Errorf("demo: questionnaire %s is not loaded", QuestionnaireID)
	}
	seeder := auth.Principal{Name: seedActor, Role: auth.Secretariat}
	rng := rand.New(rand.NewPCG(2027, 11))

	states := state.NewStore(pool)
	all, err := states.List(ctx, state.Filter{})
	if err != nil {
		return err
	}
	parties := pickParties(all, rng)
	for _, code := range parties {
		if _, err := states.SetParty(ctx, seeder, code, true); err != nil {
			return err
		}
	}
	if _, err := workflow.OpenCycle(ctx, seeder, submission.Cycle{
		ID: CycleID, Name: "2027 implementation review (synthetic demo data)", QuestionnaireID: QuestionnaireID,
		OpensOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ClosesOn: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC),
	}); err != nil {
		return err
	}

	var base map[string]any
	if err := json.Unmarshal(sampleAnswers, &base); err != nil {
		return fmt.Errorf("demo: sample answers: %w", err)
	}
	counts := map[submission.Status]int{}
	for i, code := range parties {
		if code == FocalPointState {
			continue
		}
		// About one State Party in five has not started.
		status := []submission.Status{submission.Accepted, submission.Submitted, submission.Submitted,
			submission.Returned, submission.Draft, ""}[i%6]
		if status == "" {
			continue
		}
		answers := vary(q, base, rng)
		if status == submission.Draft {
			answers = partial(answers, rng)
		}
		if err := file(ctx, workflow, seeder, code, answers, status); err != nil {
			return fmt.Errorf("demo: %s: %w", code, err)
		}
		counts[status]++
	}
	log.Info("demo data loaded (synthetic)", "parties", len(parties), "cycle", CycleID,
		"drafts", counts[submission.Draft], "submitted", counts[submission.Submitted],
		"returned", counts[submission.Returned], "accepted", counts[submission.Accepted])
	return nil
}

// pickParties chooses a plausible set of States Parties: a share of every
// regional group, always including the demo focal point's State.
func pickParties(all []state.State, rng *rand.Rand) []string {
	out := []string{FocalPointState}
	for _, s := range all {
		if s.Code != FocalPointState && rng.Float64() < 0.35 {
			out = append(out, s.Code)
		}
	}
	slices.Sort(out)
	return out
}

// file walks one submission through the workflow to status.
func file(ctx context.Context, w *submission.Service, p auth.Principal, code string, answers map[string]any, status submission.Status) error {
	doc, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	res, err := w.SaveDraft(ctx, p, CycleID, code, doc, nil)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("draft refused: %v", res.Errors[0])
	}
	if status == submission.Draft {
		return nil
	}
	res, err = w.Submit(ctx, p, CycleID, code, res.Submission.Version)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("submission refused: %v", res.Errors[0])
	}
	switch status {
	case submission.Accepted:
		_, err = w.Accept(ctx, p, res.Submission.ID, res.Submission.Version)
	case submission.Returned:
		path := "/international_cooperation"
		_, err = w.Return(ctx, p, res.Submission.ID, res.Submission.Version, []submission.CommentInput{
			{Path: &path, Body: "Please complete the statistics on mutual legal assistance for the reporting period (synthetic demo comment)."},
		})
	}
	return err
}

// vary returns a copy of base with some choice, boolean and number answers
// changed, keeping only changes after which the document stays complete
// and valid, so that aggregates over the demo States show real spread.
func vary(q *questionnaire.Questionnaire, base map[string]any, rng *rand.Rand) map[string]any {
	doc := clone(base)
	for _, qq := range q.Questions {
		if rng.Float64() < 0.5 {
			continue
		}
		parent, key, ok := locate(doc, qq.Path)
		if !ok {
			continue
		}
		old, present := parent[key]
		if !present {
			continue
		}
		switch qq.Kind {
		case questionnaire.SingleChoice:
			parent[key] = qq.Options[rng.IntN(len(qq.Options))]
		case questionnaire.Boolean:
			parent[key] = rng.IntN(3) > 0
		case questionnaire.Integer:
			if n, ok := old.(float64); ok {
				parent[key] = float64(int(n * (0.3 + rng.Float64()*1.4)))
			}
		case questionnaire.Number:
			if n, ok := old.(float64); ok {
				parent[key] = float64(int(n*(0.3+rng.Float64()*1.4)*10)) / 10
			}
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
			parent[key] = pick
		case questionnaire.List: // between one item and two more than the sample has
			if items, ok := old.([]any); ok && len(items) > 0 {
				list := make([]any, 1+rng.IntN(len(items)+2))
				for i := range list {
					list[i] = items[i%len(items)]
				}
				parent[key] = list
			}
		default:
			continue
		}
		b, _ := json.Marshal(doc)
		if len(q.Validate(b, questionnaire.Complete)) > 0 {
			parent[key] = old
		}
	}
	return doc
}

// partial drops whole sections, as a State part-way through would have.
func partial(doc map[string]any, rng *rand.Rand) map[string]any {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys[len(keys)/2:] {
		if rng.IntN(2) == 0 {
			delete(doc, k)
		}
	}
	return doc
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out) //nolint:errcheck
	return out
}

// locate returns the object holding the value at a simple JSON Pointer.
func locate(doc map[string]any, ptr string) (map[string]any, string, bool) {
	tokens := splitPointer(ptr)
	cur := doc
	for _, t := range tokens[:len(tokens)-1] {
		next, ok := cur[t].(map[string]any)
		if !ok {
			return nil, "", false
		}
		cur = next
	}
	return cur, tokens[len(tokens)-1], true
}

// Token is a demo token to print.
type Token struct {
	Role, Name, Secret string
}

// Tokens revokes the previous demo tokens and makes one per role.
func Tokens(ctx context.Context, store *auth.Store) ([]Token, error) {
	if _, err := store.RevokeNamed(ctx, tokenPrefix); err != nil {
		return nil, err
	}
	specs := []auth.NewToken{
		{Name: tokenPrefix + "focal point of Ghana", Role: auth.FocalPoint, State: FocalPointState},
		{Name: tokenPrefix + "working-group member", Role: auth.WorkingGroup, WorkingGroups: []string{"international-cooperation", "technical-assistance"}},
		{Name: tokenPrefix + "secretariat", Role: auth.Secretariat},
	}
	out := make([]Token, 0, len(specs))
	for _, s := range specs {
		secret, err := store.Create(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, Token{Role: string(s.Role), Name: s.Name, Secret: secret})
	}
	return out, nil
}

func splitPointer(ptr string) []string {
	var out []string
	for _, t := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		out = append(out, strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~"))
	}
	return out
}
