package report

import (
	"strings"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// GroupName is group g's name in lang: a regional group, DEVELOPING,
// OTHER, "" (no regional group) or aggregate.All. The report catalogue is
// the one place group names are translated; the pages read them here.
func GroupName(lang, g string) string {
	l, err := localeFor(lang)
	if err != nil {
		if l, err = localeFor(DefaultLanguage); err != nil {
			return questionnaire.Humanize(g)
		}
	}
	return l.groupName(g)
}

// TranslateGroupName returns text, a group's name as an English report
// prints it (in full, or short as a chart's category or series), in lang;
// ok is false when text names no group.
func TranslateGroupName(lang, text string) (string, bool) {
	en, err := localeFor("en")
	if err != nil {
		return "", false
	}
	for key, s := range en.msgs {
		if s != text || !(strings.HasPrefix(key, "group.") || strings.HasPrefix(key, "groupShort.")) {
			continue
		}
		l, err := localeFor(lang)
		if err != nil {
			return text, true
		}
		return l.t(key), true
	}
	return "", false
}

// groupName is the printed name of a group series and rows carry.
func (l *locale) groupName(g string) string {
	switch g {
	case "":
		g = "NONE"
	case aggregate.All:
		g = "ALL"
	}
	if l.has("group." + g) {
		return l.t("group." + g)
	}
	return questionnaire.Humanize(g)
}

// groupShortName is a group's name as a table column title.
func (l *locale) groupShortName(g string) string {
	switch g {
	case "":
		g = "NONE"
	case aggregate.All:
		g = "ALL"
	}
	if l.has("groupShort." + g) {
		return l.t("groupShort." + g)
	}
	return questionnaire.Humanize(g)
}

// regionalOrder is the order of group rows and series: the regional
// groups, then All.
var regionalOrder = append(append([]string{}, state.RegionalGroups()...), aggregate.All)

// optionLabel is an option of a question as a reader wants it: its label
// in the report's language (x-choice-labels), else in English, else its
// code in words.
func (l *locale) optionLabel(q *questionnaire.Question, opt string) string {
	switch opt {
	case "true", "false":
		return l.yesNo(opt == "true")
	}
	if q != nil {
		for _, c := range q.Choices {
			if c.Value == opt {
				if label := c.Label(l.lang); label != "" {
					return label
				}
			}
		}
	}
	return questionnaire.Humanize(opt)
}

func (l *locale) kindName(k questionnaire.Kind) string { return l.t("questionKind." + string(k)) }

func (l *locale) statusName(s submission.Status) string {
	if s == "" {
		return l.t("status.NOT_STARTED")
	}
	if l.has("status." + string(s)) {
		return l.t("status." + string(s))
	}
	return questionnaire.Humanize(string(s))
}

// questionTitle is a question's label in the report's language, from the
// questionnaire's translations (x-labels); English where it has none.
func (l *locale) questionTitle(q *questionnaire.Question) string {
	if t, ok := q.Translations[l.lang]; ok && t != "" && l.lang != "en" {
		return t
	}
	return questionTitle(q)
}

// questionTitle is a question's label; a question without a title, which
// the questionnaire labels with its property name, gets that name in
// words.
func questionTitle(q *questionnaire.Question) string {
	name := q.Path[strings.LastIndex(q.Path, "/")+1:]
	if q.Title == name {
		return questionnaire.Humanize(name)
	}
	return q.Title
}
