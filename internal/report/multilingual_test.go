package report

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// submitMultilingual submits for code the complete answers with every
// free-text answer holding the multilingual strings, and returns those
// that landed in some answer the questionnaire accepts.
func (f *fixture) submitMultilingual(tb testing.TB, code string) []string {
	tb.Helper()
	doc := decodeJSON(tb, completeAnswers(tb, f.q.ID))
	var landed []string
	valid := func() bool {
		data, _ := json.Marshal(doc)
		return len(f.q.Validate(data, questionnaire.Complete)) == 0
	}
	for _, q := range f.q.Questions {
		old, ok := getPointer(doc, q.Path)
		if q.Kind != questionnaire.Text || !ok {
			continue
		}
		for _, s := range append([]string{strings.Join(multilingual, " · ")}, multilingual...) {
			setPointer(doc, q.Path, s)
			if valid() {
				if strings.Contains(s, " · ") {
					landed = append(landed, multilingual...)
				} else {
					landed = append(landed, s)
				}
				break
			}
			setPointer(doc, q.Path, old)
		}
	}
	data, _ := json.Marshal(doc)
	ctx := context.Background()
	res, err := f.subs.SaveDraft(ctx, focalPoint(code), cycleID, code, data, nil)
	if err != nil || len(res.Errors) > 0 {
		tb.Fatalf("save %s: %v %v", code, err, res.Errors)
	}
	if res, err = f.subs.Submit(ctx, focalPoint(code), cycleID, code, res.Submission.Version); err != nil || len(res.Errors) > 0 {
		tb.Fatalf("submit %s: %v %v", code, err, res.Errors)
	}
	return landed
}

// TestWhatAStateTypesRenders: answers and State names in Chinese, Arabic
// (with digits and a Latin name inside), Russian, Greek, accented Latin
// and an emoji render; the emoji, which no embedded font has, is a
// placeholder and a warning.
func TestWhatAStateTypesRenders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, shippedID)
	f.parties(t, "CHN", "EGY", "RUS", "GRC")
	for code, name := range map[string]string{"CHN": "中华人民共和国", "EGY": "جمهورية مصر العربية", "RUS": "Российская Федерация", "GRC": "Ελληνική Δημοκρατία"} {
		if _, err := f.pool.Exec(context.Background(), `UPDATE states SET name = $2 WHERE code = $1`, code, name); err != nil {
			t.Fatal(err)
		}
	}
	landed := f.submitMultilingual(t, "CHN")
	for _, s := range multilingual {
		if !slices.Contains(landed, s) {
			t.Fatalf("no free-text answer of %s takes %q", f.q.ID, s)
		}
	}
	f.submit(t, "EGY", 1)
	for _, req := range []Request{{Kind: CountryProfile, CycleID: cycleID, State: "CHN"}, {Kind: CycleSynthesis, CycleID: cycleID}} {
		t.Run(string(req.Kind), func(t *testing.T) {
			doc, text := f.render(t, req)
			wants := []string{"中华人民共和国", "Российская Федерация", "Ελληνική Δημοκρατία"}
			if req.Kind == CountryProfile {
				wants = append(wants, "中华人民共和国的答复", "Côte d'Ivoire, São Tomé, Ñandú", "party □")
			}
			flat := flatten(text)
			for _, s := range wants {
				if !strings.Contains(flat, s) {
					t.Errorf("pdftotext finds no %q", s)
				}
			}
			wantWarnings := 0
			if req.Kind == CountryProfile {
				wantWarnings = 1
			}
			if len(doc.Warnings) != wantWarnings || wantWarnings == 1 && doc.Warnings[0].Params["codepoint"] != "U+1F389" {
				t.Errorf("warnings = %v, want %d naming the emoji U+1F389", doc.Warnings, wantWarnings)
			}
		})
	}
}
