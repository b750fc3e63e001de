package report

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// board reads every State with its submission and adds the submissions'
// versions to the fingerprint.
func (in *reading) board(ctx context.Context) ([]submission.StateStatus, error) {
	b, err := submission.StatusBoard(ctx, in.db, in.cycle.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range b {
		if s.SubmissionID != "" {
			in.fp.add("submission", s.Code, s.SubmissionID, string(s.Status), strconv.Itoa(s.Version))
		}
		in.fp.add("state", s.Code, s.RegionalGroup, strconv.FormatBool(s.Developing), strconv.FormatBool(s.Party))
	}
	return b, nil
}

// trends reads the indicators' trends by group and adds the values they
// are made of to the fingerprint.
func (in *reading) trends(ctx context.Context, inds []*statistics.Indicator, by statistics.GroupBy) (map[string][]statistics.TrendSeries, error) {
	if len(inds) == 0 {
		return map[string][]statistics.TrendSeries{}, nil
	}
	codes := make([]string, len(inds))
	for i, ind := range inds {
		codes[i] = ind.Code
	}
	t, err := in.r.trends.Trends(ctx, in.db, statistics.TrendQuery{Codes: codes, By: by, WithAll: true})
	if err != nil {
		return nil, err
	}
	n, digest, err := statistics.TotalsDigest(ctx, in.db, codes, "")
	if err != nil {
		return nil, err
	}
	in.fp.add("observations", strconv.Itoa(n), digest)
	return t, nil
}

func (in *reading) facts() [][2]string {
	l := in.l
	return [][2]string{
		{l.t("fact.cycle"), in.cycle.Name + " (" + in.cycle.ID + ")"},
		{l.t("fact.period"), l.t("fact.periodValue", "from", l.date(in.cycle.OpensOn), "to", l.date(in.cycle.ClosesOn))},
		{l.t("fact.questionnaire"), in.q.Label(l.lang) + " (" + in.q.ID + ")"},
	}
}

func (in *reading) footer() string {
	return in.l.t("footer.cycle", "name", in.cycle.Name, "id", in.cycle.ID)
}

func (in *reading) synthesis(ctx context.Context, wg string) (*document, error) {
	board, err := in.board(ctx)
	if err != nil {
		return nil, err
	}
	comp, err := in.agg.Completeness(ctx, in.cycle.ID)
	if err != nil {
		return nil, err
	}
	l := in.l
	qs, inds := in.q.Questions, in.r.cat.Indicators
	scope := l.t("synthesis.scopeAll")
	title := l.t("synthesis.title", "name", in.cycle.Name)
	if wg != "" {
		g, _ := in.r.reg.WorkingGroup(wg)
		scope = l.t("synthesis.scopeGroup", "name", g.NameIn(l.lang))
		title = l.t("synthesis.title", "name", g.NameIn(l.lang))
		qs = nil
		for _, q := range in.q.Questions {
			if slices.Contains(q.WorkingGroups, wg) {
				qs = append(qs, q)
			}
		}
		inds = in.r.cat.ForWorkingGroup(wg)
	}
	aggs, err := in.agg.Questions(ctx, in.cycle, qs, statistics.GroupRegional)
	if err != nil {
		return nil, err
	}
	trends, err := in.trends(ctx, inds, statistics.GroupRegional)
	if err != nil {
		return nil, err
	}

	doc := &document{
		Kind: l.t("kind.CYCLE_SYNTHESIS"), Title: title, Subtitle: scope,
		Facts:  in.facts(),
		Notes:  []string{l.t("note.counted"), l.t("note.minimumN", "n", l.num(float64(in.r.agg.MinRespondents())))},
		Footer: in.footer(),
	}
	if wg != "" {
		doc.Facts = append(doc.Facts, [2]string{l.t("fact.workingGroup"), wg})
	}
	doc.Facts = append(doc.Facts, [2]string{l.t("fact.contents"), l.t("fact.contentsValue",
		"questions", l.num(float64(len(qs))), "indicators", l.num(float64(len(inds))), "parties", l.num(float64(countParties(board))))})

	doc.Sections = append(doc.Sections, l.completenessSection(comp))
	doc.Sections = append(doc.Sections, l.answersSection(l.t("section.answers"), l.t("who.parties"), aggs, false))
	doc.Sections = append(doc.Sections, l.indicatorsSection(inds, trends, regionalOrder))
	doc.Sections = append(doc.Sections, l.partiesAnnex(l.t("section.partiesAnnex"), board, func(s submission.StateStatus) bool { return s.Party }))
	return doc, nil
}

func countParties(board []submission.StateStatus) int {
	n := 0
	for _, s := range board {
		if s.Party {
			n++
		}
	}
	return n
}

func (l *locale) completenessSection(comp []aggregate.Completeness) section {
	t := table{Columns: []column{
		{l.t("col.regionalGroup"), 3.2, false}, {l.t("col.statesParties"), 1.2, true}, {l.t("col.notStarted"), 1.2, true},
		{l.t("col.draftOrReturned"), 1.3, true}, {l.t("col.submitted"), 1.2, true}, {l.t("col.accepted"), 1.2, true}, {l.t("col.responseRate"), 1.3, true},
	}, Bold: map[int]bool{}}
	bar := &chart.Bar{Title: l.t("chart.responseRate"), Unit: "%",
		Series: []chart.Series{{Name: l.t("col.responseRate")}}}
	for _, c := range comp {
		if c.Group == aggregate.All {
			t.Bold[len(t.Rows)] = true
		}
		name := l.groupName(c.Group)
		if c.Group == aggregate.All {
			name = l.t("group.allParties")
		}
		t.Rows = append(t.Rows, []string{name, l.num(float64(c.States)), l.num(float64(c.NotStarted)),
			l.num(float64(c.Drafts)), l.num(float64(c.Submitted)), l.num(float64(c.Accepted)), l.pct(c.Rate)})
		bar.Categories = append(bar.Categories, name)
		bar.Series[0].Values = append(bar.Series[0].Values, math.Round(c.Rate*1000)/10)
	}
	return section{Title: l.t("section.completeness"), Blocks: []block{
		para{Text: l.t("para.completeness")},
		t, barChart{bar},
	}}
}

// answersSection has one subsection per question with its distribution
// (choices) or numeric summary (numbers, lists), in total and by group;
// byGroup draws each choice question's chart as grouped bars, the share
// of each regional group's respondents choosing each option.
func (l *locale) answersSection(title, who string, aggs []aggregate.QuestionAggregate, byGroup bool) section {
	s := section{Title: title}
	if len(aggs) == 0 {
		s.Blocks = append(s.Blocks, para{Text: l.t("para.noQuestions")})
		return s
	}
	s.Blocks = append(s.Blocks, para{Text: l.t("para.answers", "who", who)})
	for _, a := range aggs {
		s.Blocks = append(s.Blocks, l.questionBlocks(a, byGroup)...)
	}
	return s
}

func (l *locale) questionBlocks(a aggregate.QuestionAggregate, byGroup bool) []block {
	q := a.Question
	out := []block{heading{l.questionTitle(q)},
		para{Text: l.t("line.question", "kind", l.kindName(q.Kind), "respondents", l.cell(a.Respondents, a.Suppressed, a.Small, a.MinRespondents)), Style: muted}}
	switch {
	case len(a.Counts) > 0:
		cols := []column{{l.t("col.answer"), 3, false}, {l.t("col.all"), 1, true}, {l.t("col.share"), 1, true}}
		for _, g := range a.ByGroup {
			cols = append(cols, column{l.groupShortName(g.Group), 1.15, true})
		}
		t := table{Columns: cols}
		bar := &chart.Bar{Title: l.t("chart.respondentsByAnswer"), Series: []chart.Series{{Name: l.t("chart.states")}}}
		for i, c := range a.Counts {
			share := l.pct(c.Share)
			if c.Suppressed {
				share = "–"
			}
			row := []string{l.optionLabel(q, c.Option), l.cell(c.Count, c.Suppressed, c.Small, a.MinRespondents), share}
			for _, g := range a.ByGroup {
				var n aggregate.OptionCount
				if i < len(g.Counts) && g.Counts[i].Option == c.Option {
					n = g.Counts[i]
				} else {
					for _, gc := range g.Counts {
						if gc.Option == c.Option {
							n = gc
						}
					}
				}
				row = append(row, l.cell(n.Count, n.Suppressed, n.Small, a.MinRespondents))
			}
			t.Rows = append(t.Rows, row)
			bar.Categories = append(bar.Categories, l.optionLabel(q, c.Option))
			v := float64(c.Count)
			if c.Suppressed {
				v = chart.Missing
			}
			bar.Series[0].Values = append(bar.Series[0].Values, v)
		}
		respondents := []string{l.t("row.respondents"), l.cell(a.Respondents, a.Suppressed, a.Small, a.MinRespondents), ""}
		for _, g := range a.ByGroup {
			respondents = append(respondents, l.cell(g.Respondents, g.Suppressed, g.Small, a.MinRespondents))
		}
		t.Bold = map[int]bool{len(t.Rows): true}
		t.Rows = append(t.Rows, respondents)
		if byGroup && len(a.ByGroup) > 0 && len(a.Counts) <= 8 {
			bar = l.groupedShares(q, a)
		}
		out = append(out, t, barChart{bar})
	case q.Kind == questionnaire.Number || q.Kind == questionnaire.Integer || q.Kind == questionnaire.List:
		what := l.t("para.numericAnswers")
		if q.Kind == questionnaire.List {
			what = l.t("para.numericItems")
		}
		// A sum only where the answers add up (counts, amounts): a sum of
		// average days or of years means nothing.
		additive := a.Numeric != nil && a.Numeric.Additive
		cols := []column{{l.t("col.group"), 3, false}, {l.t("col.respondents"), 1.2, true}}
		if additive {
			cols = append(cols, column{l.t("col.sum"), 1.2, true})
		}
		t := table{Columns: append(cols, column{l.t("col.mean"), 1, true},
			column{l.t("col.median"), 1, true}, column{l.t("col.min"), 1, true}, column{l.t("col.max"), 1, true}), Bold: map[int]bool{0: true}}
		t.Rows = append(t.Rows, l.numericRow(l.t("col.all"), l.cell(a.Respondents, a.Suppressed, a.Small, a.MinRespondents), a.Numeric, additive))
		for _, g := range a.ByGroup {
			t.Rows = append(t.Rows, l.numericRow(l.groupName(g.Group), l.cell(g.Respondents, g.Suppressed, g.Small, a.MinRespondents), g.Numeric, additive))
		}
		out = append(out, para{Text: what}, t)
	default:
		out = append(out, para{Text: l.t("para.freeText", "groups", l.respondentsByGroup(a))})
	}
	return out
}

// groupedShares is a question's answers as grouped bars: for each option,
// the share of each group's respondents who chose it.
func (l *locale) groupedShares(q *questionnaire.Question, a aggregate.QuestionAggregate) *chart.Bar {
	bar := &chart.Bar{Title: l.t("chart.sharesByGroup"), Unit: "%"}
	for _, c := range a.Counts {
		bar.Categories = append(bar.Categories, l.optionLabel(q, c.Option))
	}
	for _, g := range a.ByGroup {
		s := chart.Series{Name: l.groupShortName(g.Group)}
		if g.Suppressed {
			s.Name = l.t("legend.withheld", "name", s.Name)
		}
		if g.Respondents == 0 {
			// No bars, but a place in the legend, so that each group keeps
			// its colour from chart to chart.
			s.Name = l.t("legend.noRespondents", "name", s.Name)
			for range a.Counts {
				s.Values = append(s.Values, chart.Missing)
			}
			bar.Series = append(bar.Series, s)
			continue
		}
		for _, c := range a.Counts {
			share := 0.0
			withheld := false
			for _, gc := range g.Counts {
				if gc.Option == c.Option {
					share, withheld = gc.Share, gc.Suppressed
				}
			}
			if withheld {
				s.Values = append(s.Values, chart.Missing)
				continue
			}
			s.Values = append(s.Values, math.Round(share*1000)/10)
		}
		bar.Series = append(bar.Series, s)
	}
	return bar
}

// cell is a count as a report prints it: a cell withheld by the
// minimum-n rule reads "<N" (the notes say: fewer than N), or "withheld"
// when it was withheld so that another could not be worked out by
// subtraction.
func (l *locale) cell(n int, suppressed, small bool, minN int) string {
	switch {
	case suppressed && small:
		return l.t("cell.fewerThan", "n", l.num(float64(minN)))
	case suppressed:
		return l.t("cell.withheld")
	}
	return l.num(float64(n))
}

func (l *locale) numericRow(name, respondents string, n *aggregate.NumericSummary, withSum bool) []string {
	row := []string{name, respondents}
	if n == nil || n.N == 0 {
		row = append(row, "–", "–", "–", "–")
		if withSum {
			row = append(row, "–")
		}
		return row
	}
	if withSum {
		row = append(row, l.num(n.Sum))
	}
	return append(row, l.num(n.Mean), l.num(n.Median), l.num(n.Min), l.num(n.Max))
}

func (l *locale) respondentsByGroup(a aggregate.QuestionAggregate) string {
	var parts []string
	for _, g := range a.ByGroup {
		parts = append(parts, l.groupName(g.Group)+" "+l.cell(g.Respondents, g.Suppressed, g.Small, a.MinRespondents))
	}
	if len(parts) == 0 {
		return l.t("none")
	}
	return strings.Join(parts, l.t("list.separator"))
}

// unitSuffix is how an indicator's unit follows its name, in the
// report's language.
func (l *locale) unitSuffix(ind *statistics.Indicator) string {
	switch ind.Unit {
	case "", "count":
		return ""
	}
	return " (" + ind.UnitIn(l.lang) + ")"
}

// indicatorsSection has one subsection per indicator: its yearly values
// by group in a table and a line chart, and the trend figures.
func (l *locale) indicatorsSection(inds []*statistics.Indicator, trends map[string][]statistics.TrendSeries, order []string) section {
	s := section{Title: l.t("section.statistics")}
	if len(inds) == 0 {
		s.Blocks = append(s.Blocks, para{Text: l.t("para.noIndicators")})
		return s
	}
	s.Blocks = append(s.Blocks, para{Text: l.t("para.indicators")})
	for _, ind := range inds {
		s.Blocks = append(s.Blocks, l.indicatorBlocks(ind, trends[ind.Code], order)...)
	}
	return s
}

func (l *locale) indicatorBlocks(ind *statistics.Indicator, series []statistics.TrendSeries, order []string) []block {
	series = ordered(series, order)
	how := l.t("indicator.sum")
	if ind.Aggregation == "median" {
		how = l.t("indicator.median")
	}
	out := []block{heading{ind.NameIn(l.lang) + l.unitSuffix(ind)},
		para{Text: ind.DescriptionIn(l.lang)},
		para{Text: l.t("line.indicator", "code", ind.Code, "how", how, "unit", ind.UnitIn(l.lang)), Style: muted}}
	years := map[int]bool{}
	for _, s := range series {
		for _, p := range s.Points {
			years[p.Year] = true
		}
	}
	if len(years) == 0 {
		return append(out, para{Text: l.t("para.noValues")})
	}
	ys := make([]int, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	cols := []column{{l.t("col.year"), 2.2, false}}
	line := &chart.Line{Title: l.t("chart.byGroup", "name", ind.NameIn(l.lang)+l.unitSuffix(ind)), Years: ys}
	for _, s := range series {
		cols = append(cols, column{l.groupShortName(s.Group), 1.3, true})
		vals := make([]float64, len(ys))
		for i := range vals {
			vals[i] = chart.Missing
		}
		for _, p := range s.Points {
			vals[slices.Index(ys, p.Year)] = p.Value
		}
		line.Series = append(line.Series, chart.Series{Name: l.groupShortName(s.Group), Values: vals})
	}
	t := table{Columns: cols, Bold: map[int]bool{}}
	for i, y := range ys {
		row := []string{l.int(y)}
		for _, s := range line.Series {
			row = append(row, l.num(s.Values[i]))
		}
		t.Rows = append(t.Rows, row)
	}
	for _, f := range []struct {
		name string
		get  func(statistics.TrendSeries) *float64
		unit string
	}{
		{l.t("row.change"), func(s statistics.TrendSeries) *float64 { return s.ChangePct }, "%"},
		{l.t("row.cagr"), func(s statistics.TrendSeries) *float64 { return s.CagrPct }, "%"},
		{l.t("row.slope"), func(s statistics.TrendSeries) *float64 { return s.Slope }, ""},
	} {
		row := []string{f.name}
		for _, s := range series {
			if v := f.get(s); v != nil {
				row = append(row, l.withUnit(*v, f.unit))
			} else {
				row = append(row, "–")
			}
		}
		t.Bold[len(t.Rows)] = true
		t.Rows = append(t.Rows, row)
	}
	return append(out, t, lineChart{Chart: line})
}

// ordered puts series in the given group order, others after.
func ordered(series []statistics.TrendSeries, order []string) []statistics.TrendSeries {
	out := make([]statistics.TrendSeries, 0, len(series))
	for _, g := range order {
		for _, s := range series {
			if s.Group == g {
				out = append(out, s)
			}
		}
	}
	for _, s := range series {
		if !slices.Contains(order, s.Group) {
			out = append(out, s)
		}
	}
	return out
}

func (l *locale) partiesAnnex(title string, board []submission.StateStatus, keep func(submission.StateStatus) bool) section {
	// Widths that keep every State's and group's name on one line.
	t := table{Columns: []column{{l.t("col.state"), 200, false}, {l.t("col.regionalGroup"), 141, false}, {l.t("col.status"), 56, false},
		{l.t("col.version"), 46, true}, {l.t("col.submittedOn"), 52, false}}}
	board = l.byName(board)
	for _, s := range board {
		if !keep(s) {
			continue
		}
		status := l.statusName(s.Status)
		if s.SubmissionID != "" && s.Late {
			status = l.t("late", "text", status)
		}
		version := ""
		if s.Version > 0 {
			version = l.int(s.Version)
		}
		t.Rows = append(t.Rows, []string{s.Name, l.groupName(s.RegionalGroup), status, version, l.shortDate(s.SubmittedAt)})
	}
	blocks := []block{para{Text: l.t("para.partiesAnnex")}}
	if len(t.Rows) == 0 {
		blocks = append(blocks, para{Text: l.t("para.noParties")})
	} else {
		blocks = append(blocks, t)
	}
	return section{Title: title, Annex: true, Blocks: blocks}
}
