// Package aggregate answers what working groups read across States:
// completeness of a cycle, the distribution of answers to a question, and a
// working group's summary of both with its indicators' trends.
//
// Everything is computed live, from what was submitted a second ago, out of
// a projection this package owns: answer_facts, one row per answered
// question of the latest SUBMITTED version of each submission, with the
// answer in typed columns (options text[] for choices and booleans, num for
// numbers and for a list's item count). The submission workflow writes it
// through Project in the same transaction as the submit, so saving a draft
// costs the projection nothing: drafts never count. Whether a submission
// counts is its current status (SUBMITTED or ACCEPTED), read from
// submissions at query time; a returned submission keeps its facts but
// stops counting until it is submitted again, when Project replaces them.
//
// Reads are a fixed number of statements whatever the number of questions
// or indicators: one for completeness, one for the counted facts of any set
// of questions (tallied in Go: a few thousand small rows travel faster
// than PostgreSQL groups them by option and by group), and one for the
// trends of any set of indicators (statistics.Trends, GROUPING SETS for
// every group and the total at once). A summary reads its trends beside
// the rest, on a second connection importing its snapshot
// (postgres.SnapshotBeside): the two halves run at once and see the same
// database. Facts are keyed (cycle, path,
// submission), so a question's rows are one index range whatever the
// history stored. This package reads submissions' status and the States'
// groups, and owns no other table.
package aggregate

import (
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// All names the series or row over every State.
const All = "ALL"

// Completeness is how far the States Parties of a group are in a cycle.
type Completeness struct {
	Group      string // All or a regional group
	States     int    // States Parties in the group
	NotStarted int
	Drafts     int // DRAFT or RETURNED
	Submitted  int
	Accepted   int
	Rate       float64 // (Submitted + Accepted) / States; 0 with no States
}

// OptionCount is how many respondents chose an option.
type OptionCount struct {
	Option string
	Count  int
	Share  float64 // Count / respondents; 0 with none
	// Suppressed: withheld by the minimum-n rule (Count and Share 0);
	// Small tells a primary cell (fewer than N) from a complementary one.
	Suppressed, Small bool
}

// NumericSummary summarizes numeric answers (or a list's item counts).
// Sum is computed for every question, but means something only where
// Additive (the question's x-measure is a count or an amount, or an
// unannotated whole number): pages and reports show it only there.
type NumericSummary struct {
	N                           int
	Sum, Mean, Median, Min, Max float64
	Additive                    bool
}

// GroupAggregate is a question's figures within one group of States.
type GroupAggregate struct {
	Group       string
	Respondents int
	Counts      []OptionCount   // every option in schema order, zeros too; empty for other kinds
	Numeric     *NumericSummary // numbers, integers and lists; nil otherwise or with no answers
	// Suppressed: the group's figures are withheld by the minimum-n rule
	// (Respondents 0, every count suppressed, Numeric nil); Small when
	// the group itself counts fewer than N respondents.
	Suppressed, Small bool
}

// QuestionAggregate is a question's figures over every counted
// submission, and by group when asked.
type QuestionAggregate struct {
	Question    *questionnaire.Question
	Respondents int
	Counts      []OptionCount
	Numeric     *NumericSummary
	ByGroup     []GroupAggregate // empty for statistics.GroupNone
	// Suppressed and Small are GroupAggregate's, for the total.
	Suppressed, Small bool
	// MinRespondents is N of the minimum-n rule, whether or not it was
	// applied (the secretariat reads every count).
	MinRespondents int
}

// IndicatorSummary is an indicator's trend by regional group, plus All.
type IndicatorSummary struct {
	Indicator *statistics.Indicator
	Trend     []statistics.TrendSeries
}

// Summary is what a working group reads about a cycle.
type Summary struct {
	WorkingGroup questionnaire.WorkingGroup
	Cycle        submission.Cycle
	Completeness []Completeness
	Questions    []QuestionAggregate // the group's questions, in document order
	Indicators   []IndicatorSummary  // the group's indicators, in catalogue order
}
