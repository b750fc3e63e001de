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
	l := in.l
	doc := &document{
		Kind: l.t("kind.TECHNICAL_ASSISTANCE"), Title: l.t("ta.title"),
		Subtitle: l.t("ta.subtitle", "cycle", in.cycle.Name),
		Facts:    append(in.facts(), [2]string{l.t("fact.workingGroup"), g.NameIn(l.lang)}),
		Notes:    []string{l.t("note.ta"), l.t("note.counted"), l.t("note.minimumN", "n", l.num(float64(in.r.agg.MinRespondents())))},
		Footer:   in.footer() + " · " + l.t("kind.TECHNICAL_ASSISTANCE"),
	}
	developingParty := func(s submission.StateStatus) bool { return s.Party && s.Developing }
	doc.Sections = append(doc.Sections,
		l.participationSection(board, developingParty),
		l.answersSection(l.t("section.answersDeveloping"), l.t("who.developing"), aggs, true),
		l.indicatorsSection(inds, trends, []string{"DEVELOPING", "OTHER", "ALL"}),
		l.partiesAnnex(l.t("section.developingAnnex"), board, developingParty))
	return doc, nil
}

// participationSection counts, by regional group, the States Parties keep
// selects and how many of them have submitted.
func (l *locale) participationSection(board []submission.StateStatus, keep func(submission.StateStatus) bool) section {
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
	t := table{Columns: []column{{l.t("col.regionalGroup"), 3, false}, {l.t("col.developingParties"), 1.5, true}, {l.t("col.submittedOrAccepted"), 1.5, true}, {l.t("col.responseRate"), 1.3, true}}, Bold: map[int]bool{}}
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
		t.Rows = append(t.Rows, []string{l.groupName(g), l.num(float64(c.states)), l.num(float64(c.submitted)), l.pct(rate(c))})
	}
	t.Bold[len(t.Rows)] = true
	t.Rows = append(t.Rows, []string{l.t("row.allDeveloping"), l.num(float64(all.states)), l.num(float64(all.submitted)), l.pct(rate(all))})
	return section{Title: l.t("section.participation"), Blocks: []block{
		para{Text: l.t("para.participation")},
		t,
	}}
}
