package report

import (
	"context"
	"slices"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// technicalAssistance reports across developing States: their
// participation by regional group, the answers to the questions of the
// technical-assistance working group over developing States only, and the
// group's indicators, developing States against the others.
func (in *reading) technicalAssistance(ctx context.Context) (*document, error) {
	board, err := in.board(ctx)
	if err != nil {
		return nil, err
	}
	var qs []*questionnaire.Question
	for _, q := range in.q.Questions {
		if slices.Contains(q.WorkingGroups, TechnicalAssistanceGroup) {
			qs = append(qs, q)
		}
	}
	inds := in.r.cat.ForWorkingGroup(TechnicalAssistanceGroup)
	aggs, err := in.agg.DevelopingQuestions(ctx, in.cycle, qs)
	if err != nil {
		return nil, err
	}
	trends, err := in.trends(ctx, inds, statistics.GroupDevelop)
	if err != nil {
		return nil, err
	}
	g, _ := in.r.reg.WorkingGroup(TechnicalAssistanceGroup)
	doc := &document{
		Kind: "Technical assistance", Title: "Technical assistance: developing States",
		Subtitle: "Needs and capacities reported by developing States Parties in the cycle " + in.cycle.Name,
		Facts:    append(in.facts(), [2]string{"Working group", g.Name}),
		Notes: []string{"Developing States follow UNCTAD's classification, as in the States reference data. " +
			"The answers are those of developing States Parties only, by regional group; the statistics compare developing States with the others.", countedNote},
		Footer: in.footer() + " · Technical assistance",
	}
	developingParty := func(s submission.StateStatus) bool { return s.Party && s.Developing }
	doc.Sections = append(doc.Sections,
		participationSection(board, developingParty),
		answersSection("Answers of developing States", "developing States Parties", aggs, true),
		indicatorsSection(inds, trends, []string{"DEVELOPING", "OTHER", "ALL"}),
		partiesAnnex("Developing States Parties and their submissions", board, developingParty))
	return doc, nil
}

// participationSection counts, by regional group, the States Parties keep
// selects and how many of them have submitted.
func participationSection(board []submission.StateStatus, keep func(submission.StateStatus) bool) section {
	type counts struct{ states, submitted int }
	by := map[string]*counts{}
	all := &counts{}
	for _, s := range board {
		if !keep(s) {
			continue
		}
		c := by[s.RegionalGroup]
		if c == nil {
			c = &counts{}
			by[s.RegionalGroup] = c
		}
		for _, x := range []*counts{c, all} {
			x.states++
			if s.Status == submission.Submitted || s.Status == submission.Accepted {
				x.submitted++
			}
		}
	}
	t := table{Columns: []column{{"Regional group", 3, false}, {"Developing States Parties", 1.5, true}, {"Submitted or accepted", 1.5, true}, {"Response rate", 1.3, true}}, Bold: map[int]bool{}}
	rate := func(c *counts) float64 {
		if c.states == 0 {
			return 0
		}
		return float64(c.submitted) / float64(c.states)
	}
	groups := append(append([]string{}, regionalOrder[:len(regionalOrder)-1]...), "")
	for _, g := range groups {
		c := by[g]
		if c == nil {
			continue
		}
		t.Rows = append(t.Rows, []string{groupName(g), num(float64(c.states)), num(float64(c.submitted)), pct(rate(c))})
	}
	t.Bold[len(t.Rows)] = true
	t.Rows = append(t.Rows, []string{"All developing States Parties", num(float64(all.states)), num(float64(all.submitted)), pct(rate(all))})
	return section{Title: "Participation of developing States", Blocks: []block{
		para{Text: "Developing States Parties by regional group, and how many have a submitted or accepted submission in the cycle — the submissions the answers in the next section count."},
		t,
	}}
}
