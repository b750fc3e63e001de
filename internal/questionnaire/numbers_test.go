package questionnaire_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// TestNumbersOutsideTheirRangeAreRefused: issue 16's first finding. 1e400
// was accepted for an INTEGER answer (and silently left out of
// aggregates), 1.797e308 for a NUMBER one (and a second such answer made
// every sum +Inf). Whatever the questionnaire says, an INTEGER answer is a
// 64-bit integer and a NUMBER answer lies within ±MaxNumber; anything
// else is a field error at the answer's path, and the document is not
// stored.
func TestNumbersOutsideTheirRangeAreRefused(t *testing.T) {
	q := shipped(t)
	integer, number := firstOfKind(t, q, questionnaire.Integer), firstOfKind(t, q, questionnaire.Number)
	for _, c := range []struct {
		name    string
		path    string
		literal string
		keyword string // "" when the value is accepted
	}{
		{"an integer of 1e400 is refused", integer, "1e400", "maximum"},
		{"an integer of -1e400 is refused", integer, "-1e400", "minimum"},
		{"an integer one past the 64-bit range is refused", integer, "9223372036854775808", "maximum"},
		{"the largest 64-bit integer is accepted", integer, "9223372036854775807", ""},
		{"an integer written with a huge negative exponent is refused", integer, "1e-10000000", "type"},
		{"an integer written with a huge exponent is refused", integer, "1e99999999999999999999", "maximum"},
		{"an integer written 1e3 is accepted", integer, "1e3", ""},
		{"a number of 1.797e308 is refused", number, "1.797e308", "maximum"},
		{"a number just over MaxNumber is refused", number, "1000000000000000.5", "maximum"},
		{"a number of MaxNumber is accepted", number, "1e15", ""},
		{"a number of 9e18 is refused", number, "9000000000000000000", "maximum"},
		{"a tiny number is accepted", number, "0.000001", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := withAnswer(t, sample(t), c.path, c.literal)
			for _, mode := range []questionnaire.Mode{questionnaire.Draft, questionnaire.Complete} {
				errs := q.Validate(doc, mode)
				checkErrors(t, errs)
				if c.keyword == "" {
					if len(errs) != 0 {
						t.Fatalf("Validate(%s at %s) = %s, want no error", c.literal, c.path, formatErrors(errs))
					}
					continue
				}
				if len(errs) != 1 || errs[0].Path != c.path || errs[0].Keyword != c.keyword {
					t.Fatalf("Validate(%s at %s) = %s, want one %s error there", c.literal, c.path, formatErrors(errs), c.keyword)
				}
			}
		})
	}
}

// TestANumberAnywhereIsBounded: a number where the schema allows any value
// (no "type") still must be finite and within 64 bits.
func TestANumberAnywhereIsBounded(t *testing.T) {
	q, err := questionnaire.Compile("free", []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema",
		"title": "Free", "type": "object", "properties": {"s": {"title": "S", "type": "object", "properties": {"any": {"title": "Anything", "type": "array"}}}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := q.Validate([]byte(`{"s": {"any": [1, 2e400]}}`), questionnaire.Draft)
	if len(errs) != 1 || errs[0].Path != "/s/any/1" || errs[0].Keyword != "maximum" {
		t.Fatalf("Validate = %s, want one maximum error at /s/any/1", formatErrors(errs))
	}
}

// TestTighterBoundsOfTheFileStay: the service's bounds never loosen what
// a questionnaire asks (the shipped integer's minimum 0 still holds).
func TestTighterBoundsOfTheFileStay(t *testing.T) {
	q := shipped(t)
	integer := firstOfKind(t, q, questionnaire.Integer)
	errs := q.Validate(withAnswer(t, sample(t), integer, "-1"), questionnaire.Draft)
	if len(errs) != 1 || errs[0].Keyword != "minimum" {
		t.Fatalf("Validate(-1 at %s) = %s, want the file's own minimum", integer, formatErrors(errs))
	}
}

func firstOfKind(t *testing.T, q *questionnaire.Questionnaire, kind questionnaire.Kind) string {
	t.Helper()
	for _, qq := range q.Questions {
		if qq.Kind == kind {
			return qq.Path
		}
	}
	t.Fatalf("%s has no %s question", q.ID, kind)
	return ""
}

// withAnswer returns doc with the answer at path (a question two levels
// deep or more, whose parent object exists in doc) written as literal.
func withAnswer(t *testing.T, doc []byte, path, literal string) []byte {
	t.Helper()
	v, err := questionnaire.DecodeAnswers(doc)
	if err != nil {
		t.Fatal(err)
	}
	tokens := strings.Split(path[1:], "/")
	obj := v.(map[string]any)
	for _, tok := range tokens[:len(tokens)-1] {
		next, ok := obj[tok].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[tok] = next
		}
		obj = next
	}
	obj[tokens[len(tokens)-1]] = "\x00NUMBER\x00"
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(string(out), `"\u0000NUMBER\u0000"`, literal, 1))
}
