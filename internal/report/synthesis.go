package report

import (
	"context"
	"fmt"
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

// countedNote says what aggregates count, on every title page that
// prints them.
const countedNote = "Answer figures count the latest submitted version of every submission that is submitted or accepted; drafts and returned submissions do not count. Completeness counts States Parties. Statistics sum the reported and estimated values of the States that reported each year (indicators measured in days take the median across States); confidential values never count."

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
	return [][2]string{
		{"Cycle", in.cycle.Name + " (" + in.cycle.ID + ")"},
		{"Period", in.cycle.OpensOn.Format("2 January 2006") + " to " + in.cycle.ClosesOn.Format("2 January 2006")},
		{"Questionnaire", in.q.Title + " (" + in.q.ID + ")"},
	}
}

func (in *reading) footer() string { return "Cycle " + in.cycle.Name + " (" + in.cycle.ID + ")" }

func (in *reading) synthesis(ctx context.Context, wg string) (*document, error) {
	board, err := in.board(ctx)
	if err != nil {
		return nil, err
	}
	comp, err := in.agg.Completeness(ctx, in.cycle.ID)
	if err != nil {
		return nil, err
	}
	qs, inds := in.q.Questions, in.r.cat.Indicators
	scope := "The whole Conference: every question and every indicator"
	title := "Cycle synthesis: " + in.cycle.Name
	if wg != "" {
		g, _ := in.r.reg.WorkingGroup(wg)
		scope = "Working group: " + g.Name
		title = "Cycle synthesis: " + g.Name
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
		Kind: "Cycle synthesis", Title: title, Subtitle: scope,
		Facts:  in.facts(),
		Notes:  []string{countedNote},
		Footer: in.footer(),
	}
	if wg != "" {
		doc.Facts = append(doc.Facts, [2]string{"Working group", wg})
	}
	doc.Facts = append(doc.Facts, [2]string{"Contents", fmt.Sprintf("%d questions, %d indicators, %d States Parties", len(qs), len(inds), countParties(board))})

	doc.Sections = append(doc.Sections, completenessSection(comp))
	doc.Sections = append(doc.Sections, answersSection("Answers", "States Parties", aggs, false))
	doc.Sections = append(doc.Sections, indicatorsSection(inds, trends, regionalOrder))
	doc.Sections = append(doc.Sections, partiesAnnex("States Parties and their submissions", board, func(s submission.StateStatus) bool { return s.Party }))
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

func completenessSection(comp []aggregate.Completeness) section {
	t := table{Columns: []column{
		{"Regional group", 3.2, false}, {"States Parties", 1.2, true}, {"Not started", 1.2, true},
		{"Draft or returned", 1.3, true}, {"Submitted", 1.2, true}, {"Accepted", 1.2, true}, {"Response rate", 1.3, true},
	}, Bold: map[int]bool{}}
	bar := &chart.Bar{Title: "Response rate by regional group (submitted or accepted, % of States Parties)", Unit: "%",
		Series: []chart.Series{{Name: "Response rate"}}}
	for _, c := range comp {
		if c.Group == aggregate.All {
			t.Bold[len(t.Rows)] = true
		}
		name := groupName(c.Group)
		if c.Group == aggregate.All {
			name = "All States Parties"
		}
		t.Rows = append(t.Rows, []string{name, num(float64(c.States)), num(float64(c.NotStarted)),
			num(float64(c.Drafts)), num(float64(c.Submitted)), num(float64(c.Accepted)), pct(c.Rate)})
		bar.Categories = append(bar.Categories, name)
		bar.Series[0].Values = append(bar.Series[0].Values, math.Round(c.Rate*1000)/10)
	}
	return section{Title: "Completeness by regional group", Blocks: []block{
		para{Text: "How far the States Parties of each regional group are in the cycle. The response rate is the share of States Parties whose submission is submitted or accepted."},
		t, barChart{bar},
	}}
}

// answersSection has one subsection per question with its distribution
// (choices) or numeric summary (numbers, lists), in total and by group.
// answersSection has one subsection per question; byGroup draws each
// choice question's chart as grouped bars, the share of each regional
// group's respondents choosing each option.
func answersSection(title, who string, aggs []aggregate.QuestionAggregate, byGroup bool) section {
	s := section{Title: title}
	if len(aggs) == 0 {
		s.Blocks = append(s.Blocks, para{Text: "No question of the questionnaire is in this report's scope."})
		return s
	}
	s.Blocks = append(s.Blocks, para{Text: fmt.Sprintf("One subsection per question, in the questionnaire's order. Respondents are the %s whose counted submission answers the question; shares are of respondents, and a State may choose several options of a multiple-choice question.", who)})
	for _, a := range aggs {
		s.Blocks = append(s.Blocks, questionBlocks(a, byGroup)...)
	}
	return s
}

func questionBlocks(a aggregate.QuestionAggregate, byGroup bool) []block {
	q := a.Question
	out := []block{heading{questionTitle(q)},
		para{Text: fmt.Sprintf("%s · %s · %s respondents", q.Path, kindNames[q.Kind], num(float64(a.Respondents))), Style: muted}}
	switch {
	case len(a.Counts) > 0:
		cols := []column{{"Answer", 3, false}, {"All", 1, true}, {"Share", 1, true}}
		for _, g := range a.ByGroup {
			cols = append(cols, column{groupShortName(g.Group), 1.15, true})
		}
		t := table{Columns: cols}
		bar := &chart.Bar{Title: "Respondents by answer", Series: []chart.Series{{Name: "States"}}}
		for i, c := range a.Counts {
			row := []string{optionLabel(q, c.Option), num(float64(c.Count)), pct(c.Share)}
			for _, g := range a.ByGroup {
				n := 0
				if i < len(g.Counts) && g.Counts[i].Option == c.Option {
					n = g.Counts[i].Count
				} else {
					for _, gc := range g.Counts {
						if gc.Option == c.Option {
							n = gc.Count
						}
					}
				}
				row = append(row, num(float64(n)))
			}
			t.Rows = append(t.Rows, row)
			bar.Categories = append(bar.Categories, optionLabel(q, c.Option))
			bar.Series[0].Values = append(bar.Series[0].Values, float64(c.Count))
		}
		respondents := []string{"Respondents", num(float64(a.Respondents)), ""}
		for _, g := range a.ByGroup {
			respondents = append(respondents, num(float64(g.Respondents)))
		}
		t.Bold = map[int]bool{len(t.Rows): true}
		t.Rows = append(t.Rows, respondents)
		if byGroup && len(a.ByGroup) > 0 && len(a.Counts) <= 8 {
			bar = groupedShares(q, a)
		}
		out = append(out, t, barChart{bar})
	case q.Kind == questionnaire.Number || q.Kind == questionnaire.Integer || q.Kind == questionnaire.List:
		what := "Answers"
		if q.Kind == questionnaire.List {
			what = "Items listed per respondent"
		}
		t := table{Columns: []column{{"Group", 3, false}, {"Respondents", 1.2, true}, {"Sum", 1.2, true}, {"Mean", 1, true},
			{"Median", 1, true}, {"Min", 1, true}, {"Max", 1, true}}, Bold: map[int]bool{0: true}}
		t.Rows = append(t.Rows, numericRow("All", a.Respondents, a.Numeric))
		for _, g := range a.ByGroup {
			t.Rows = append(t.Rows, numericRow(groupName(g.Group), g.Respondents, g.Numeric))
		}
		out = append(out, para{Text: what + ", in total and by regional group:"}, t)
	default:
		out = append(out, para{Text: "Free-text answers are not aggregated; the country profiles print them. Respondents by regional group: " + respondentsByGroup(a) + "."})
	}
	return out
}

// groupedShares is a question's answers as grouped bars: for each option,
// the share of each group's respondents who chose it.
func groupedShares(q *questionnaire.Question, a aggregate.QuestionAggregate) *chart.Bar {
	bar := &chart.Bar{Title: "Share of respondents choosing each answer, by regional group", Unit: "%"}
	for _, c := range a.Counts {
		bar.Categories = append(bar.Categories, optionLabel(q, c.Option))
	}
	for _, g := range a.ByGroup {
		s := chart.Series{Name: groupShortName(g.Group)}
		if g.Respondents == 0 {
			// No bars, but a place in the legend, so that each group keeps
			// its colour from chart to chart.
			s.Name += " (no respondents)"
			for range a.Counts {
				s.Values = append(s.Values, chart.Missing)
			}
			bar.Series = append(bar.Series, s)
			continue
		}
		for _, c := range a.Counts {
			share := 0.0
			for _, gc := range g.Counts {
				if gc.Option == c.Option {
					share = gc.Share
				}
			}
			s.Values = append(s.Values, math.Round(share*1000)/10)
		}
		bar.Series = append(bar.Series, s)
	}
	return bar
}

func numericRow(name string, respondents int, n *aggregate.NumericSummary) []string {
	if n == nil || n.N == 0 {
		return []string{name, num(float64(respondents)), "–", "–", "–", "–", "–"}
	}
	return []string{name, num(float64(respondents)), num(n.Sum), num(n.Mean), num(n.Median), num(n.Min), num(n.Max)}
}

func respondentsByGroup(a aggregate.QuestionAggregate) string {
	var parts []string
	for _, g := range a.ByGroup {
		parts = append(parts, groupName(g.Group)+" "+num(float64(g.Respondents)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// unitSuffix is how an indicator's unit follows its name.
func unitSuffix(ind *statistics.Indicator) string {
	switch ind.Unit {
	case "", "count":
		return ""
	}
	return " (" + ind.Unit + ")"
}

// indicatorsSection has one subsection per indicator: its yearly values
// by group in a table and a line chart, and the trend figures.
func indicatorsSection(inds []*statistics.Indicator, trends map[string][]statistics.TrendSeries, order []string) section {
	s := section{Title: "Statistics"}
	if len(inds) == 0 {
		s.Blocks = append(s.Blocks, para{Text: "No indicator of the catalogue is in this report's scope."})
		return s
	}
	s.Blocks = append(s.Blocks, para{Text: "One subsection per indicator of the catalogue: the yearly totals by group (reported and estimated values of the States that reported that year; the median across States for indicators so marked), and the change on the previous year, the compound annual growth and the least-squares slope per year over the whole range."})
	for _, ind := range inds {
		s.Blocks = append(s.Blocks, indicatorBlocks(ind, trends[ind.Code], order)...)
	}
	return s
}

func indicatorBlocks(ind *statistics.Indicator, series []statistics.TrendSeries, order []string) []block {
	series = ordered(series, order)
	how := "Sum over the reporting States"
	if ind.Aggregation == "median" {
		how = "Median across the reporting States"
	}
	out := []block{heading{ind.Name + unitSuffix(ind)},
		para{Text: ind.Description},
		para{Text: ind.Code + " · " + how + " · unit: " + ind.Unit, Style: muted}}
	years := map[int]bool{}
	for _, s := range series {
		for _, p := range s.Points {
			years[p.Year] = true
		}
	}
	if len(years) == 0 {
		return append(out, para{Text: "No State has reported a value for this indicator."})
	}
	ys := make([]int, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	cols := []column{{"Year", 2.2, false}}
	line := &chart.Line{Title: ind.Name + unitSuffix(ind) + " by group", Years: ys}
	for _, s := range series {
		cols = append(cols, column{groupShortName(s.Group), 1.3, true})
		vals := make([]float64, len(ys))
		for i := range vals {
			vals[i] = chart.Missing
		}
		for _, p := range s.Points {
			vals[slices.Index(ys, p.Year)] = p.Value
		}
		line.Series = append(line.Series, chart.Series{Name: groupShortName(s.Group), Values: vals})
	}
	t := table{Columns: cols, Bold: map[int]bool{}}
	for i, y := range ys {
		row := []string{strconv.Itoa(y)}
		for _, s := range line.Series {
			row = append(row, chart.Format(s.Values[i], ""))
		}
		t.Rows = append(t.Rows, row)
	}
	for _, f := range []struct {
		name string
		get  func(statistics.TrendSeries) *float64
		unit string
	}{
		{"Change on previous year", func(s statistics.TrendSeries) *float64 { return s.ChangePct }, "%"},
		{"Compound annual growth", func(s statistics.TrendSeries) *float64 { return s.CagrPct }, "%"},
		{"Slope per year", func(s statistics.TrendSeries) *float64 { return s.Slope }, ""},
	} {
		row := []string{f.name}
		for _, s := range series {
			if v := f.get(s); v != nil {
				row = append(row, chart.Format(*v, f.unit))
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

func partiesAnnex(title string, board []submission.StateStatus, keep func(submission.StateStatus) bool) section {
	// Widths that keep every State's and group's name on one line.
	t := table{Columns: []column{{"State", 200, false}, {"Regional group", 141, false}, {"Status", 56, false},
		{"Version", 46, true}, {"Submitted", 52, false}}}
	for _, s := range board {
		if !keep(s) {
			continue
		}
		status := statusName(s.Status)
		if s.SubmissionID != "" && s.Late {
			status += " (late)"
		}
		version := ""
		if s.Version > 0 {
			version = strconv.Itoa(s.Version)
		}
		t.Rows = append(t.Rows, []string{s.Name, groupName(s.RegionalGroup), status, version, date(s.SubmittedAt)})
	}
	blocks := []block{para{Text: "Every State Party in alphabetical order, with the status of its submission at the time of the report. Submitted is the date of the latest submission; late means first submitted after the deadline."}}
	if len(t.Rows) == 0 {
		blocks = append(blocks, para{Text: "There are no States Parties in this scope."})
	} else {
		blocks = append(blocks, t)
	}
	return section{Title: title, Annex: true, Blocks: blocks}
}
