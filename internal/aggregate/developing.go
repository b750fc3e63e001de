package aggregate

import (
	"context"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// DevelopingQuestions is Questions over developing States only (the
// technical-assistance report), split by regional group: the same
// statements with the States narrowed to st.developing.
func (r *Reader) DevelopingQuestions(ctx context.Context, c submission.Cycle, questions []*questionnaire.Question) ([]QuestionAggregate, error) {
	return r.questions(ctx, c, questions, statistics.GroupRegional, true)
}
