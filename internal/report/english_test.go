package report

import "github.com/cosp-ict/irm/internal/questionnaire"

// The tests of English reports print expected figures and labels as the
// English locale does.

func num(v float64) string      { return english().num(v) }
func pct(share float64) string  { return english().pct(share) }
func yesNo(b bool) string       { return english().yesNo(b) }
func groupName(g string) string { return english().groupName(g) }
func optionLabel(q *questionnaire.Question, opt string) string {
	return english().optionLabel(q, opt)
}
