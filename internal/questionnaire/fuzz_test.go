package questionnaire_test

import (
	"path/filepath"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// FuzzValidate feeds arbitrary bytes as answers to implementation-v1 in
// both modes. Validation never panics, reports at most MaxErrors errors,
// each at a valid JSON Pointer with a keyword and a one-sentence message,
// and a document complete enough to submit is also a valid draft.
func FuzzValidate(f *testing.F) {
	q := shipped(f)
	f.Add(sample(f))
	for _, c := range loadCases(f, filepath.Join("testdata", "implementation-v1.invalid.json")) {
		f.Add([]byte(c.Answers))
	}
	for _, junk := range []string{
		``, ` `, `{`, `}`, `null`, `true`, `0`, `-0.0e-0`, `"x"`, `[]`, `{}`, `[{}]`, `{"":{}}`,
		`{"general_provisions": null}`, `{"general_provisions": []}`,
		`{"prevention": {"agency_designated": "true"}}`,
		`{"criminalization": {"case_statistics": {"convictions": 1e400}}}`,
		`{"criminalization": {"case_statistics": {"convictions": 123456789012345678901234567890}}}`,
		`{"criminalization": {"case_statistics": {"convictions": 1.0}}}`,
		`{"international_cooperation": {"designated_authorities": [null, 1, "x", {"fax": 1}]}}`,
		`{"a/b": 1, "c~d": 2, "%41": 3, "é ü": 4, "\u0000": 5, "~": 6}`,
		`{"general_provisions": {"x": 1}, "general_provisions": 2}`,
		`{} trailing`, "\xff\xfe", `[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`,
		`{"technical_assistance": {"needs_assistance": true, "assistance_needs": ["a", "a"]}}`,
		`{"implementation": {"completed_on": "2026-02-30"}}`,
	} {
		f.Add([]byte(junk))
	}
	f.Fuzz(func(t *testing.T, answers []byte) {
		complete := q.Validate(answers, questionnaire.Complete)
		draft := q.Validate(answers, questionnaire.Draft)
		for _, errs := range [][]questionnaire.FieldError{complete, draft} {
			if len(errs) > questionnaire.MaxErrors {
				t.Fatalf("%d errors, want at most %d", len(errs), questionnaire.MaxErrors)
			}
			for _, e := range errs {
				if !questionnaire.ValidPointer(e.Path) {
					t.Errorf("error path %q is not a JSON Pointer (%+v)", e.Path, e)
				}
				if e.Keyword == "" {
					t.Errorf("error at %q has no keyword (%+v)", e.Path, e)
				}
				if p := sentenceProblem(e.Message); p != "" {
					t.Errorf("message %q at %q is not one sentence: %s", e.Message, e.Path, p)
				}
			}
		}
		if len(complete) == 0 && len(draft) != 0 {
			t.Errorf("a document valid in Complete mode has draft errors: %s", formatErrors(draft))
		}
	})
}
