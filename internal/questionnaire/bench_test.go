package questionnaire_test

import (
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

func benchmarkValidate(b *testing.B, mode questionnaire.Mode) {
	q := shipped(b)
	doc := sample(b)
	if errs := q.Validate(doc, mode); len(errs) != 0 {
		b.Fatalf("the sample is not valid: %s", formatErrors(errs))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if errs := q.Validate(doc, mode); len(errs) != 0 {
			b.Fatal("the sample became invalid")
		}
	}
}

// BenchmarkValidateComplete checks the complete sample as a submission.
func BenchmarkValidateComplete(b *testing.B) { benchmarkValidate(b, questionnaire.Complete) }

// BenchmarkValidateDraft checks the complete sample as a draft.
func BenchmarkValidateDraft(b *testing.B) { benchmarkValidate(b, questionnaire.Draft) }

// BenchmarkValidateInvalid checks a short document that is wrong at
// every section, the path where errors are built and sorted.
func BenchmarkValidateInvalid(b *testing.B) {
	q := shipped(b)
	doc := []byte(`{"general_provisions": 1, "prevention": [], "criminalization": "x",
		"international_cooperation": null, "technical_assistance": true, "implementation": {"completed_on": 5}, "extra": {}}`)
	b.ReportAllocs()
	for b.Loop() {
		if errs := q.Validate(doc, questionnaire.Complete); len(errs) == 0 {
			b.Fatal("want errors")
		}
	}
}

// BenchmarkLoadRegistry loads the shipped questionnaires and catalogue,
// what the service does once at start.
func BenchmarkLoadRegistry(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeAnswers decodes the complete sample, what every save
// does before validation.
func BenchmarkDecodeAnswers(b *testing.B) {
	doc := sample(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := questionnaire.DecodeAnswers(doc); err != nil {
			b.Fatal(err)
		}
	}
}
