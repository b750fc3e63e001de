package aggregate_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
)

var member = auth.Principal{TokenID: 2, Name: "Member", Role: auth.WorkingGroup,
	WorkingGroups: []string{"international-cooperation", "prevention", "criminalization", "technical-assistance"}}

// TestMinimumNTheSubtractionCase: four States answer the same question,
// three African and one Western European. The secretariat reads every
// count; a member reads the Western European group withheld (one
// respondent), and the African group withheld too, since the total (4)
// less the African 3 would give the hidden 1; the total itself, 4 of
// every answer, stays.
func TestMinimumNTheSubtractionCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.New(t), nil)
	ctx := context.Background()
	c := e.openCycle(t, "main", "implementation-v1")
	doc := shippedComplete(t)
	groups := map[string]string{"KEN": "AFRICAN", "GHA": "AFRICAN", "NGA": "AFRICAN", "FRA": "WESTERN_EUROPEAN_OTHER"}
	for code, g := range groups {
		if e.states[code].RegionalGroup != g {
			t.Fatalf("%s is in %s, the test assumes %s", code, e.states[code].RegionalGroup, g)
		}
		v := e.save(t, c.ID, code, doc, nil)
		e.submit(t, c.ID, code, v)
	}
	const path = "/prevention/agency_designated"
	answer, _ := pointer(doc, path)
	chosen := "false"
	if answer == true {
		chosen = "true"
	}
	count := func(g aggregate.GroupAggregate, option string) aggregate.OptionCount {
		for _, oc := range g.Counts {
			if oc.Option == option {
				return oc
			}
		}
		t.Fatalf("no option %s in %+v", option, g)
		return aggregate.OptionCount{}
	}
	group := func(qa *aggregate.QuestionAggregate, name string) aggregate.GroupAggregate {
		for _, g := range qa.ByGroup {
			if g.Group == name {
				return g
			}
		}
		t.Fatalf("no group %s", name)
		return aggregate.GroupAggregate{}
	}

	all, err := e.agg.Question(ctx, sec, c.ID, path, statistics.GroupRegional)
	if err != nil {
		t.Fatal(err)
	}
	if all.Suppressed || all.Respondents != 4 || group(all, "AFRICAN").Respondents != 3 || group(all, "WESTERN_EUROPEAN_OTHER").Respondents != 1 ||
		count(group(all, "WESTERN_EUROPEAN_OTHER"), chosen).Count != 1 || all.MinRespondents != aggregate.DefaultMinRespondents {
		t.Fatalf("the secretariat reads %+v, want every count", all)
	}

	got, err := e.agg.Question(ctx, member, c.ID, path, statistics.GroupRegional)
	if err != nil {
		t.Fatal(err)
	}
	weog, african := group(got, "WESTERN_EUROPEAN_OTHER"), group(got, "AFRICAN")
	if !weog.Suppressed || !weog.Small || weog.Respondents != 0 || !count(weog, chosen).Suppressed {
		t.Fatalf("the group of one respondent: %+v, want withheld as fewer than N", weog)
	}
	if !african.Suppressed || african.Small || african.Respondents != 0 || !count(african, chosen).Suppressed {
		t.Fatalf("the African group: %+v, want withheld (4 - 3 would give the hidden 1)", african)
	}
	if got.Suppressed || got.Respondents != 4 || count(aggregate.GroupAggregate{Counts: got.Counts}, chosen).Count != 4 {
		t.Fatalf("the total: %+v, want 4 respondents shown", got)
	}
	for _, g := range got.ByGroup {
		if g.Group != "AFRICAN" && g.Group != "WESTERN_EUROPEAN_OTHER" && (g.Suppressed || g.Respondents != 0) {
			t.Fatalf("an empty group: %+v, want shown as 0", g)
		}
	}
	// Without groups: four respondents, nothing to hide.
	none, err := e.agg.Question(ctx, member, c.ID, path, statistics.GroupNone)
	if err != nil || none.Suppressed || none.Respondents != 4 {
		t.Fatalf("ungrouped: %+v (%v)", none, err)
	}
}

// TestMinimumNWithholdsEnough: for 40 States' varied answers and every
// question, by each grouping, a member reads (1) exactly the
// secretariat's figure in every cell not withheld, (2) every cell of 1
// to N-1 respondents withheld, and (3) no withheld cell alone in any
// sum the figures publish (a group's options adding up to its
// respondents for single-choice and yes/no questions; the groups and the
// States in no group adding up to the total), so none can be worked out
// by subtraction.
func TestMinimumNWithholdsEnough(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pgtest.New(t), nil)
	ctx := context.Background()
	q, _ := e.reg.Get("implementation-v1")
	rng := rand.New(rand.NewPCG(15, 3))
	c := e.openCycle(t, "main", q.ID)
	codes := state.Codes()
	for i := 0; i < len(codes); i += 5 {
		doc := vary(t, q, shippedComplete(t), rng)
		v := e.save(t, c.ID, codes[i], doc, nil)
		e.submit(t, c.ID, codes[i], v)
	}
	n := aggregate.DefaultMinRespondents
	small := func(v int) bool { return v > 0 && v < n }
	withheld, complementary := 0, 0
	for _, by := range []statistics.GroupBy{statistics.GroupNone, statistics.GroupRegional, statistics.GroupDevelop} {
		for _, qq := range q.Questions {
			truth, err := e.agg.Question(ctx, sec, c.ID, qq.Path, by)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.agg.Question(ctx, member, c.ID, qq.Path, by)
			if err != nil {
				t.Fatal(err)
			}
			where := qq.Path + " by " + string(by)
			// rows: each group, then the total, as [respondents, options...]
			type row struct {
				vals, truth []int
				hidden      []bool
			}
			mk := func(g, tg aggregate.GroupAggregate) row {
				r := row{vals: []int{g.Respondents}, truth: []int{tg.Respondents}, hidden: []bool{g.Suppressed}}
				if g.Suppressed != (g.Numeric == nil && tg.Numeric != nil) {
					t.Fatalf("%s %s: numeric %v while suppressed %v", where, g.Group, g.Numeric, g.Suppressed)
				}
				for i, oc := range g.Counts {
					r.vals = append(r.vals, oc.Count)
					r.truth = append(r.truth, tg.Counts[i].Count)
					r.hidden = append(r.hidden, oc.Suppressed || g.Suppressed)
				}
				return r
			}
			var rows []row
			for i := range got.ByGroup {
				rows = append(rows, mk(got.ByGroup[i], truth.ByGroup[i]))
			}
			totalRow := mk(aggregate.GroupAggregate{Respondents: got.Respondents, Counts: got.Counts, Numeric: got.Numeric, Suppressed: got.Suppressed},
				aggregate.GroupAggregate{Respondents: truth.Respondents, Counts: truth.Counts, Numeric: truth.Numeric})
			// The States in no group: what the total counts beyond the
			// groups, never shown; unknown to a reader when small.
			var rest row
			if len(rows) > 0 {
				rest = row{truth: slices.Clone(totalRow.truth)}
				for _, r := range rows {
					for c := range r.truth {
						rest.truth[c] -= r.truth[c]
					}
				}
				for _, v := range rest.truth {
					rest.hidden = append(rest.hidden, small(v))
				}
				rest.vals = rest.truth
			}
			all := append(slices.Clone(rows), totalRow)
			for _, r := range all {
				for c := range r.vals {
					if r.hidden[c] {
						withheld++
						if r.vals[c] != 0 {
							t.Fatalf("%s: a withheld cell shows %d", where, r.vals[c])
						}
						if !small(r.truth[c]) {
							complementary++
						}
						continue
					}
					if r.vals[c] != r.truth[c] {
						t.Fatalf("%s: a shown cell reads %d, the secretariat %d", where, r.vals[c], r.truth[c])
					}
					if small(r.truth[c]) {
						t.Fatalf("%s: a cell of %d respondents is shown (rows %+v)", where, r.truth[c], all)
					}
				}
			}
			alone := func(unknowns int, what string) {
				if unknowns == 1 {
					t.Fatalf("%s: one withheld cell alone in %s: it can be worked out (rows %+v)", where, what, all)
				}
			}
			if qq.Kind == questionnaire.SingleChoice || qq.Kind == questionnaire.Boolean {
				for _, r := range all {
					u := 0
					for _, h := range r.hidden {
						if h {
							u++
						}
					}
					alone(u, "a group's options")
				}
			}
			if len(rows) > 0 {
				for c := range totalRow.vals {
					u := 0
					for _, r := range append(append(slices.Clone(rows), rest), totalRow) {
						if r.hidden[c] {
							u++
						}
					}
					alone(u, "a column over the groups")
				}
			}
		}
	}
	if withheld == 0 || complementary == 0 {
		t.Fatalf("the seed never withheld a cell (%d) or a complementary one (%d): it tests nothing", withheld, complementary)
	}
}
