package report

import (
	"context"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

func checkProfile(t *testing.T, f *fixture) {
	ctx := context.Background()
	doc, text := f.render(t, Request{Kind: CountryProfile, CycleID: cycleID, State: "civ"})
	if doc.FileName != "country-profile-2027-civ-en.pdf" {
		t.Errorf("file name %q, want country-profile-2027-civ-en.pdf", doc.FileName)
	}
	flat := flatten(text)
	want := []string{"Côte d'Ivoire", "Country profile for the review cycle Review Ω", "Returned, version",
		flatten(questionTitle(f.q.Questions[0])), "Statistics", flatten(english().t("note.profileHolds"))}
	// The review comments exchanged with the secretariat are the review's,
	// not the published profile's (issue 17).
	for _, internal := range []string{flatten(returnComment), "Review comments", "Please say which law"} {
		if strings.Contains(flat, internal) {
			t.Errorf("the profile prints the internal review: %q", internal)
		}
	}
	for _, s := range f.q.Sections {
		want = append(want, flatten(s.Title))
	}
	// Every answered choice prints as its label (x-choice-labels).
	cur, _ := submission.SubmissionIn(ctx, f.pool, cycleID, "CIV")
	v, _ := questionnaire.DecodeAnswers(cur.Answers)
	for _, a := range f.q.Answers(v) {
		q, _ := f.q.Question(a.Path)
		switch q.Kind {
		case questionnaire.SingleChoice:
			label := questionnaire.Humanize(a.Value.(string))
			for _, c := range q.Choices {
				if c.Value == a.Value.(string) {
					label = c.Label("en")
				}
			}
			want = append(want, flatten(label))
		case questionnaire.Boolean:
			want = append(want, yesNo(a.Value.(bool)))
		}
	}
	// Every reported total's latest value, as the observations give it.
	obs, err := statistics.StateTotals(ctx, f.pool, "CIV", []string{f.cat.Indicators[0].Code})
	if err != nil || len(obs) != 4 {
		t.Fatalf("observations: %v, %d", err, len(obs))
	}
	want = append(want, flatten(f.cat.Indicators[0].Name)+" "+f.cat.Indicators[0].Unit+" 2020–2023 2023 "+num(*obs[3].Value))
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("the profile lacks %q", w)
		}
	}
	if strings.Contains(flat, "Türkiye") {
		t.Error("the profile of Côte d'Ivoire names Türkiye: it reads another State's data")
	}
}

// flatten collapses every run of white space to one space.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestCountryProfileOfAStateWithNothingYet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, secondID)
	_, text := f.render(t, Request{Kind: CountryProfile, CycleID: cycleID, State: "KEN"})
	flat := flatten(text)
	for _, want := range []string{"Kenya", "Submission Not started", "State Party No", "No submission in this cycle.",
		"The State has reported no statistics.", flatten(english().t("note.profileHolds"))} {
		if !strings.Contains(flat, want) {
			t.Errorf("the profile lacks %q", want)
		}
	}
}
