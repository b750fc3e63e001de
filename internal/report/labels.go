package report

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// groupNames are the printed names of the groups series and rows carry.
var groupNames = map[string]string{
	"AFRICAN":                  "African States",
	"ASIA_PACIFIC":             "Asia-Pacific States",
	"EASTERN_EUROPEAN":         "Eastern European States",
	"LATIN_AMERICAN_CARIBBEAN": "Latin American and Caribbean States",
	"WESTERN_EUROPEAN_OTHER":   "Western European and other States",
	"DEVELOPING":               "Developing States",
	"OTHER":                    "Other States",
	"NONE":                     "No regional group",
	"":                         "No regional group",
	aggregate.All:              "All States",
}

// groupShort are the names as table column titles.
var groupShort = map[string]string{
	"AFRICAN":                  "African",
	"ASIA_PACIFIC":             "Asia-Pacific",
	"EASTERN_EUROPEAN":         "Eastern European",
	"LATIN_AMERICAN_CARIBBEAN": "Latin Am. & Caribbean",
	"WESTERN_EUROPEAN_OTHER":   "Western Eur. & other",
	"DEVELOPING":               "Developing",
	"OTHER":                    "Other",
	"NONE":                     "No group",
	"":                         "No group",
	aggregate.All:              "All",
}

func groupName(g string) string {
	if n, ok := groupNames[g]; ok {
		return n
	}
	return humanize(g)
}

func groupShortName(g string) string {
	if n, ok := groupShort[g]; ok {
		return n
	}
	return humanize(g)
}

// regionalOrder is the order of group rows and series: the regional
// groups, then All.
var regionalOrder = append(append([]string{}, state.RegionalGroups()...), aggregate.All)

// humanize turns an enum value into words: "case_by_case_consultation" →
// "Case by case consultation"; "true"/"false" → "Yes"/"No". Values that
// are already words keep their case.
func humanize(v string) string {
	switch v {
	case "true":
		return "Yes"
	case "false":
		return "No"
	}
	s := strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == '_' || r == '-' }), " ")
	if s == "" {
		return v
	}
	if strings.ToUpper(s) == s && strings.ToLower(s) != s && !strings.Contains(s, " ") && len(s) <= 5 {
		return s // an acronym: "EU", "ASEAN"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// optionLabel is an option of a question as a reader wants it.
// (Options are enum values without labels of their own in the format.)
func optionLabel(_ *questionnaire.Question, opt string) string { return humanize(opt) }

var kindNames = map[questionnaire.Kind]string{
	questionnaire.SingleChoice: "single choice",
	questionnaire.MultiChoice:  "multiple choice",
	questionnaire.Boolean:      "yes or no",
	questionnaire.Number:       "number",
	questionnaire.Integer:      "whole number",
	questionnaire.Text:         "text",
	questionnaire.List:         "list",
}

func statusName(s submission.Status) string {
	switch s {
	case "":
		return "Not started"
	case submission.Draft:
		return "Draft"
	case submission.Returned:
		return "Returned"
	case submission.Submitted:
		return "Submitted"
	case submission.Accepted:
		return "Accepted"
	}
	return humanize(string(s))
}

func num(v float64) string { return chart.Format(v, "") }

func pct(share float64) string { return chart.Format(math.Round(share*1000)/10, "%") }

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// questionTitle is a question's label; a question without a title, which
// the questionnaire labels with its property name, gets that name in
// words.
func questionTitle(q *questionnaire.Question) string {
	name := q.Path[strings.LastIndex(q.Path, "/")+1:]
	if q.Title == name {
		return humanize(name)
	}
	return q.Title
}
