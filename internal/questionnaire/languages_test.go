package questionnaire_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// inline compiles a one-section questionnaire whose section has props.
func inline(t *testing.T, props string, defs string) (*questionnaire.Questionnaire, error) {
	t.Helper()
	if defs == "" {
		defs = "{}"
	}
	return questionnaire.Compile("inline", []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema",
		"type": "object", "title": "Q", "$defs": `+defs+`,
		"properties": {"s": {"type": "object", "title": "S", "properties": `+props+`}}}`), nil)
}

func choiceLabel(t *testing.T, q *questionnaire.Questionnaire, path, value, lang string) string {
	t.Helper()
	qq, ok := q.Question(path)
	if !ok {
		t.Fatalf("no question %s", path)
	}
	for _, c := range qq.Choices {
		if c.Value == value {
			return c.Label(lang)
		}
	}
	t.Fatalf("question %s has no choice %q (choices %+v)", path, value, qq.Choices)
	return ""
}

func TestChoiceLabels(t *testing.T) {
	q, err := inline(t, `{
		"single": {"type": "string", "title": "Strategy", "enum": ["adopted", "in_preparation"],
			"x-choice-labels": {"adopted": {"en": "Adopted", "fr": "Adoptée", "es": "Aprobada"}}},
		"multi": {"type": "array", "title": "Sectors",
			"items": {"type": "string", "enum": ["energy", "health"],
				"x-choice-labels": {"energy": {"en": "Energy", "fr": "Énergie"}, "health": {"en": "Health", "fr": "Santé"}}},
			"x-choice-labels": {"health": {"fr": "Santé publique"}}},
		"consts": {"type": "string", "title": "Consts", "oneOf": [
			{"const": "yes", "title": "Yes, fully", "x-labels": {"fr": "Oui, entièrement"}},
			{"const": "no"}]},
		"referenced": {"$ref": "#/$defs/yn", "title": "Referenced"}
	}`, `{"yn": {"type": "string", "enum": ["yes", "no"], "x-choice-labels": {"yes": {"en": "Yes", "ru": "Да"}, "no": {"en": "No", "ru": "Нет"}}}}`)
	if err != nil {
		t.Fatalf("Compile = %v, want no error", err)
	}
	for _, tt := range []struct {
		name, path, value, lang, want string
	}{
		{"x-choice-labels give the English label", "/s/single", "adopted", "en", "Adopted"},
		{"x-choice-labels give a translation", "/s/single", "adopted", "fr", "Adoptée"},
		{"a language without a label falls back to English", "/s/single", "adopted", "ar", "Adopted"},
		{"an option without labels is its code humanized", "/s/single", "in_preparation", "fr", "In preparation"},
		{"a multiple choice reads its items' labels", "/s/multi", "energy", "fr", "Énergie"},
		{"the array's labels override its items'", "/s/multi", "health", "fr", "Santé publique"},
		{"the array keeps its items' English label", "/s/multi", "health", "en", "Health"},
		{"a oneOf const's title is its English label", "/s/consts", "yes", "en", "Yes, fully"},
		{"a oneOf const's x-labels are its translations", "/s/consts", "yes", "fr", "Oui, entièrement"},
		{"a oneOf const without a title is humanized", "/s/consts", "no", "en", "No"},
		{"labels come through a $ref", "/s/referenced", "no", "ru", "Нет"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := choiceLabel(t, q, tt.path, tt.value, tt.lang); got != tt.want {
				t.Errorf("label of %s %q in %s = %q, want %q", tt.path, tt.value, tt.lang, got, tt.want)
			}
		})
	}
	t.Run("choices follow the schema's order and match the options", func(t *testing.T) {
		qq, _ := q.Question("/s/single")
		if len(qq.Choices) != 2 || qq.Choices[0].Value != "adopted" || qq.Choices[1].Value != "in_preparation" {
			t.Errorf("choices = %+v, want adopted, in_preparation", qq.Choices)
		}
	})
	t.Run("a question that is not a choice has no choices", func(t *testing.T) {
		q, err := inline(t, `{"n": {"type": "integer", "title": "N"}}`, "")
		if err != nil {
			t.Fatal(err)
		}
		if qq, _ := q.Question("/s/n"); qq.Choices == nil || len(qq.Choices) != 0 {
			t.Errorf("choices = %#v, want an empty list", qq.Choices)
		}
	})
	t.Run("labels for a value that is not an option stop the load", func(t *testing.T) {
		_, err := inline(t, `{"c": {"type": "string", "title": "C", "enum": ["adopted"],
			"x-choice-labels": {"adoptd": {"en": "Adopted"}}}}`, "")
		if err == nil || !strings.Contains(err.Error(), `"adoptd"`) {
			t.Errorf("Compile = %v, want an error naming \"adoptd\"", err)
		}
	})
	t.Run("labels for a value that is not an option stop the load inside a list's items too", func(t *testing.T) {
		_, err := inline(t, `{"l": {"type": "array", "title": "L", "items": {"type": "object", "properties": {
			"kind": {"type": "string", "enum": ["a", "b"], "x-choice-labels": {"c": {"en": "C"}}}}}}}`, "")
		if err == nil || !strings.Contains(err.Error(), `"c"`) || !strings.Contains(err.Error(), "/items/properties/kind") {
			t.Errorf("Compile = %v, want an error naming \"c\" at the list's field", err)
		}
	})
	t.Run("labels without options beside them stop the load", func(t *testing.T) {
		_, err := inline(t, `{"c": {"type": "string", "title": "C", "x-choice-labels": {"a": {"en": "A"}}}}`, "")
		if err == nil || !strings.Contains(err.Error(), "needs options") {
			t.Errorf("Compile = %v, want an error saying x-choice-labels needs options", err)
		}
	})
	t.Run("labels that are not strings stop the load", func(t *testing.T) {
		_, err := inline(t, `{"c": {"type": "string", "title": "C", "enum": ["adopted"],
			"x-choice-labels": {"adopted": {"en": 1}}}}`, "")
		if err == nil || !strings.Contains(err.Error(), "x-choice-labels") {
			t.Errorf("Compile = %v, want an error about x-choice-labels", err)
		}
	})
}

// The second questionnaire's labels, counted by hand from the file: 35
// labelled nodes (root, 3 sections, 5 groups, 26 questions) and 22
// options (target_audiences 5, funding_source 5, formats 4,
// priority_areas 5, urgency 3), none of which has labels; and the
// sessions list's items ("Session"), its fields topic, participants,
// level and trainer_email (whose $defs/email has "fr" and "es"), and
// level's 3 options: a person reads them too, so 8 more in Arabic,
// Chinese and Russian and 7 more in French and Spanish. French lacks the "needs" section, requested_experts
// and comments; Spanish also the four groups with only "fr" (coordinator,
// partners, foreign, regional_bodies), focal_contact (whose x-labels come
// from $defs/contact and have only "fr") and urgency; Arabic, Chinese and
// Russian lack everything.
func TestSecondQuestionnaireMissingLabels(t *testing.T) {
	q := second(t)
	want := map[string]int{"ar": 65, "zh": 65, "en": 0, "fr": 32, "ru": 65, "es": 38}
	for _, lang := range questionnaire.Languages {
		if got := q.Missing(lang); got != want[lang] {
			t.Errorf("Missing(%s) = %d, want %d", lang, got, want[lang])
		}
	}
	t.Run("an unlabelled option reads as its humanized code in every language", func(t *testing.T) {
		if got := choiceLabel(t, q, "/programme/target_audiences", "forensic_experts", "fr"); got != "Forensic experts" {
			t.Errorf("label = %q, want %q", got, "Forensic experts")
		}
	})
}

func TestLanguages(t *testing.T) {
	if got := strings.Join(questionnaire.Languages, " "); got != "ar zh en fr ru es" {
		t.Errorf("Languages = %s, want ar zh en fr ru es", got)
	}
	for lang, want := range map[string]bool{"fr": true, "en": true, "de": false, "FR": false, "": false} {
		if got := questionnaire.IsLanguage(lang); got != want {
			t.Errorf("IsLanguage(%q) = %v, want %v", lang, got, want)
		}
	}
}

// The validation digest lets a file that cycles use change in what a
// person reads and in nothing else.
func TestValidationDigest(t *testing.T) {
	orig := readFile(t, "testdata/second/training-survey-v2.json")
	base := second(t)
	edit := func(t *testing.T, old, new string) *questionnaire.Questionnaire {
		t.Helper()
		if !bytes.Contains(orig, []byte(old)) {
			t.Fatalf("the fixture has no %q", old)
		}
		q, err := questionnaire.Compile("training-survey-v2", bytes.Replace(orig, []byte(old), []byte(new), 1), knownWorkingGroups(t))
		if err != nil {
			t.Fatalf("Compile(edited) = %v", err)
		}
		if q.SHA256 == base.SHA256 {
			t.Fatal("the edit left the file's SHA-256 unchanged")
		}
		return q
	}
	for _, tt := range []struct {
		name, old, new string
		same           bool
	}{
		{"a changed translation keeps it", `"fr": "Nom du programme"`, `"fr": "Intitulé du programme"`, true},
		{"a new language keeps it", `"x-labels": {"fr": "Quelle est l'urgence de ces besoins ?"}`,
			`"x-labels": {"fr": "Quelle est l'urgence de ces besoins ?", "ar": "ما مدى إلحاح هذه الاحتياجات؟"}`, true},
		{"a changed English title keeps it", `"title": "Other comments"`, `"title": "Any other comments"`, true},
		{"a changed description keeps it", `"description": "A profession the programme trains."`, `"description": "A profession trained."`, true},
		{"new option labels keep it", `"enum": ["low", "medium", "high"]`,
			`"enum": ["low", "medium", "high"], "x-choice-labels": {"low": {"en": "Low", "fr": "Faible"}}`, true},
		{"a changed bound changes it", `"maxLength": 2000`, `"maxLength": 1000`, false},
		{"a new option changes it", `"enum": ["low", "medium", "high"]`, `"enum": ["low", "medium", "high", "critical"]`, false},
		{"reordered options change it", `"enum": ["low", "medium", "high"]`, `"enum": ["high", "medium", "low"]`, false},
		{"a changed pattern changes it", `"^MOU-[0-9]{4}-[0-9]{3}$"`, `"^MOU-[0-9]{4}-[0-9]{4}$"`, false},
		{"a changed working group changes it", `"x-working-groups": ["asset-recovery"]`, `"x-working-groups": ["prevention"]`, false},
		{"a renamed property changes it", `"comments": {`, `"remarks": {`, false},
		{"a new required property changes it", `"required": ["priority_areas", "urgency"]`, `"required": ["priority_areas", "urgency", "comments"]`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := edit(t, tt.old, tt.new)
			if same := q.ValidationSHA256 == base.ValidationSHA256; same != tt.same {
				t.Errorf("validation digest unchanged = %v, want %v", same, tt.same)
			}
		})
	}
	t.Run("a property named like an annotation is not one", func(t *testing.T) {
		a, errA := inline(t, `{"title": {"type": "string", "title": "Title"}}`, "")
		b, errB := inline(t, `{"description": {"type": "string", "title": "Title"}}`, "")
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a.ValidationSHA256 == b.ValidationSHA256 {
			t.Error("properties named title and description have the same validation digest")
		}
	})
}

// TestEveryWorkingGroupIsNamedInTheSixLanguages: the catalogue's working
// groups carry their names in the other five languages (x-labels).
func TestEveryWorkingGroupIsNamedInTheSixLanguages(t *testing.T) {
	for _, wg := range shippedRegistry(t).WorkingGroups() {
		for _, lang := range []string{"ar", "zh", "fr", "ru", "es"} {
			if n := wg.NameIn(lang); n == "" || n == wg.Name {
				t.Errorf("%s in %s: %q, want a translation", wg.ID, lang, n)
			}
		}
	}
}
