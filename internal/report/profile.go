package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

func (in *reading) profile(ctx context.Context, code string) (*document, error) {
	board, err := submission.StatusBoard(ctx, in.db, in.cycle.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(board, func(s submission.StateStatus) bool { return s.Code == code })
	if i < 0 {
		return nil, fmt.Errorf("state %s vanished", code)
	}
	st := board[i]
	in.fp.add("state", st.Code, st.Name, st.RegionalGroup, strconv.FormatBool(st.Developing), strconv.FormatBool(st.Party))
	sub, err := submission.SubmissionIn(ctx, in.db, in.cycle.ID, code)
	if err != nil {
		return nil, err
	}
	// A profile holds the State's answers and statistics: the review
	// comments exchanged with the secretariat are the review's, not the
	// State's public record, and are not read.
	if sub != nil {
		in.fp.add("submission", code, sub.ID, string(sub.Status), strconv.Itoa(sub.Version))
	}
	codes := make([]string, len(in.r.cat.Indicators))
	for i, ind := range in.r.cat.Indicators {
		codes[i] = ind.Code
	}
	obs, err := statistics.StateTotals(ctx, in.db, code, codes)
	if err != nil {
		return nil, err
	}
	n, digest, err := statistics.TotalsDigest(ctx, in.db, codes, code)
	if err != nil {
		return nil, err
	}
	in.fp.add("observations", strconv.Itoa(n), digest)

	l := in.l
	st.Name = l.stateName(st.Code, st.Name)
	doc := &document{
		Kind: l.t("kind.COUNTRY_PROFILE"), Title: st.Name, Subtitle: l.t("profile.subtitle", "cycle", in.cycle.Name),
		Facts:  in.facts(),
		Footer: in.footer() + " · " + st.Name,
	}
	doc.Facts = append(doc.Facts,
		[2]string{l.t("fact.state"), st.Name + " (" + st.Code + ")"},
		[2]string{l.t("fact.regionalGroup"), l.groupName(st.RegionalGroup)},
		[2]string{l.t("fact.developing"), l.yesNo(st.Developing)},
		[2]string{l.t("fact.party"), l.yesNo(st.Party)})
	if sub == nil {
		doc.Facts = append(doc.Facts, [2]string{l.t("fact.submission"), l.statusName("")})
	} else {
		s := l.t("submission.version", "status", l.statusName(sub.Status), "version", l.int(sub.Version))
		if sub.SubmittedAt != nil {
			s = l.t("submission.submitted", "text", s, "date", l.shortDate(sub.SubmittedAt))
		}
		if sub.Late {
			s = l.t("late", "text", s)
		}
		doc.Facts = append(doc.Facts, [2]string{l.t("fact.submission"), s})
		if sub.Status == submission.Draft || sub.Status == submission.Returned {
			doc.Notes = append(doc.Notes, l.t("note.draft"))
		}
	}
	doc.Notes = append(doc.Notes, l.t("note.stateStatistics"), l.t("note.profileHolds"))

	var answers map[string]any
	if sub != nil {
		v, err := questionnaire.DecodeAnswers(sub.Answers)
		if err != nil {
			return nil, fmt.Errorf("decode answers of %s: %w", code, err)
		}
		answers = map[string]any{}
		for _, a := range in.q.Answers(v) {
			answers[a.Path] = a.Value
		}
	}
	for _, sec := range in.q.Sections {
		s := section{Title: sec.Label(l.lang)}
		if sub == nil {
			s.Blocks = append(s.Blocks, para{Text: l.t("para.noSubmission"), Style: muted})
		}
		group := "/" + sec.ID
		for _, q := range sec.Questions {
			if sub == nil {
				break
			}
			// A group's title before its first question.
			if parent := q.Path[:strings.LastIndex(q.Path, "/")]; parent != group {
				group = parent
				if g, _ := in.q.GroupLabels(parent); g.Title != "" {
					s.Blocks = append(s.Blocks, para{Text: g.Label(l.lang), Style: groupTitle})
				} else {
					s.Blocks = append(s.Blocks, rule{}) // back to the section's own questions
				}
			}
			s.Blocks = append(s.Blocks, para{Text: l.questionTitle(q), Style: label})
			s.Blocks = append(s.Blocks, l.answerBlocks(q, answers[q.Path])...)
		}
		doc.Sections = append(doc.Sections, s)
	}
	doc.Sections = append(doc.Sections, in.stateStatistics(st.Name, obs))
	return doc, nil
}

// answerBlocks prints one answer: choices by their labels, lists as
// tables.
func (l *locale) answerBlocks(q *questionnaire.Question, v any) []block {
	if v == nil {
		return []block{para{Text: l.t("answer.none"), Style: answer}}
	}
	switch q.Kind {
	case questionnaire.List:
		items, _ := v.([]any)
		if len(items) == 0 {
			return []block{para{Text: l.t("answer.noneListed"), Style: answer}}
		}
		var fields []*questionnaire.Control // the items' fields, in the questionnaire's order
		if q.Control != nil && q.Control.Item != nil && q.Control.Item.Kind == questionnaire.Object {
			fields = q.Control.Item.Fields
		}
		if len(fields) == 0 { // items that are not objects: one column
			t := table{Columns: []column{{l.t("col.item"), 1, false}}}
			for _, it := range items {
				t.Rows = append(t.Rows, []string{l.cellText(it, false)})
			}
			return []block{t}
		}
		t := table{}
		for _, f := range fields {
			title := f.Label(l.lang)
			if title == "" {
				title = questionnaire.Humanize(f.Name)
			}
			t.Columns = append(t.Columns, column{Title: title, Weight: 1})
		}
		for _, it := range items {
			obj, _ := it.(map[string]any)
			row := make([]string, len(fields))
			for i, f := range fields {
				row[i] = l.fieldText(f, obj[f.Name])
			}
			t.Rows = append(t.Rows, row)
		}
		return []block{t}
	case questionnaire.SingleChoice, questionnaire.MultiChoice:
		return []block{para{Text: l.choiceText(q, v), Style: answer}}
	case questionnaire.Boolean:
		return []block{para{Text: l.cellText(v, true), Style: answer}}
	}
	return []block{para{Text: l.cellText(v, false), Style: answer}}
}

// choiceText prints the answer to a choice question by its options'
// labels in the report's language.
func (l *locale) choiceText(q *questionnaire.Question, v any) string {
	switch v := v.(type) {
	case string:
		return l.optionLabel(q, v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = l.choiceText(q, e)
		}
		return strings.Join(parts, l.t("list.separator"))
	}
	return l.cellText(v, true)
}

// fieldText prints a list item's field: its options by their labels in
// the report's language, anything else as cellText does.
func (l *locale) fieldText(f *questionnaire.Control, v any) string {
	if f.Kind != questionnaire.SingleChoice && f.Kind != questionnaire.MultiChoice {
		return l.cellText(v, false)
	}
	switch v := v.(type) {
	case string:
		return f.OptionLabel(v, l.lang)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = l.fieldText(f, e)
		}
		return strings.Join(parts, l.t("list.separator"))
	}
	return l.cellText(v, true)
}

// cellText prints an answer value; enum values and booleans in words.
func (l *locale) cellText(v any, enum bool) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		return l.yesNo(v)
	case string:
		if enum {
			return questionnaire.Humanize(v)
		}
		return v
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return v.String()
		}
		return l.answerNum(f)
	case float64:
		return l.answerNum(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = l.cellText(e, enum)
		}
		return strings.Join(parts, l.t("list.separator"))
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = questionnaire.Humanize(k) + ": " + l.cellText(v[k], false)
		}
		return strings.Join(parts, l.t("list.separator"))
	}
	return fmt.Sprint(v)
}

// answerNum prints a number a State answered: whole numbers below 10,000
// without a separator, so that a year reads 2026, not 2,026.
func (l *locale) answerNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 10000 {
		return l.int(int(v))
	}
	return l.num(v)
}

func (in *reading) stateStatistics(stateName string, obs []statistics.Observation) section {
	l := in.l
	s := section{Title: l.t("section.statistics")}
	byCode := map[string][]statistics.Observation{}
	for _, o := range obs {
		byCode[o.Indicator] = append(byCode[o.Indicator], o)
	}
	t := table{Columns: []column{{l.t("col.indicator"), 3.4, false}, {l.t("col.unit"), 1, false}, {l.t("col.yearsReported"), 1.6, false},
		{l.t("col.latestYear"), 0.9, true}, {l.t("col.latestValue"), 1.3, true}}}
	var charts []*chart.Line
	for _, ind := range in.r.cat.Indicators {
		os := byCode[ind.Code]
		if len(os) == 0 {
			continue
		}
		last := os[len(os)-1]
		value := l.statusText(last)
		line := &chart.Line{Title: ind.NameIn(l.lang) + l.unitSuffix(ind)}
		numeric := false
		for _, o := range os {
			line.Years = append(line.Years, o.Year)
			v := chart.Missing
			if o.Value != nil {
				v, numeric = *o.Value, true
			}
			line.Series = appendValue(line.Series, stateName, v)
		}
		t.Rows = append(t.Rows, []string{ind.NameIn(l.lang), ind.UnitIn(l.lang), l.yearsText(os), l.int(last.Year), value})
		if numeric {
			charts = append(charts, line)
		}
	}
	if len(t.Rows) == 0 {
		s.Blocks = append(s.Blocks, para{Text: l.t("para.noStatistics")})
		return s
	}
	s.Blocks = append(s.Blocks,
		para{Text: l.t("para.stateStatistics")},
		t, chartGrid{Charts: charts})
	return s
}

func appendValue(series []chart.Series, name string, v float64) []chart.Series {
	if len(series) == 0 {
		series = []chart.Series{{Name: name}}
	}
	series[0].Values = append(series[0].Values, v)
	return series
}

func (l *locale) statusText(o statistics.Observation) string {
	switch {
	case o.Status == statistics.Confidential:
		return l.t("value.confidential")
	case o.Value == nil:
		return l.t("value.notAvailable")
	case o.Status == statistics.Estimated:
		return l.t("value.estimated", "value", l.num(*o.Value))
	}
	return l.num(*o.Value)
}

// yearsText prints years as ranges: "2016–2019, 2021".
func (l *locale) yearsText(os []statistics.Observation) string {
	var parts []string
	for i := 0; i < len(os); {
		j := i
		for j+1 < len(os) && os[j+1].Year == os[j].Year+1 {
			j++
		}
		if j > i {
			parts = append(parts, l.int(os[i].Year)+"–"+l.int(os[j].Year))
		} else {
			parts = append(parts, l.int(os[i].Year))
		}
		i = j + 1
	}
	return strings.Join(parts, l.t("list.comma"))
}
