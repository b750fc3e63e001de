package questionnaire_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// declaredFixture is testdata/declared/french-incomplete.json: it declares
// English and French, and French lacks exactly two labels, the question
// /contact/available's and its option "on_request".
func declaredFixture(t *testing.T) []byte {
	t.Helper()
	return readFile(t, filepath.Join("testdata", "declared", "french-incomplete.json"))
}

const declaration = `"x-languages": ["en", "fr"],`

// edited replaces old with new in data, failing when data has no old.
func edited(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("the fixture has no %q", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// TestDeclaredLanguagesMustBeComplete: issue 13. A questionnaire that
// declares a language (x-languages) must label every node and option in
// it, or loading fails listing what lacks a label.
func TestDeclaredLanguagesMustBeComplete(t *testing.T) {
	data := declaredFixture(t)
	t.Run("a missing question label and option label stop the load, both named", func(t *testing.T) {
		_, err := questionnaire.Compile("declared", data, nil)
		if err == nil {
			t.Fatal("Compile = nil, want an error listing the French labels missing")
		}
		msg := err.Error()
		for _, want := range []string{"fr lacks 2", `/contact/available,`, `/contact/available option "on_request"`, "x-languages"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q lacks %q", msg, want)
			}
		}
		if strings.Contains(msg, "/contact/agency") || strings.Contains(msg, `"always"`) {
			t.Errorf("error %q names a label that is there", msg)
		}
	})
	t.Run("without the declaration the same file loads, falling back to English", func(t *testing.T) {
		q, err := questionnaire.Compile("declared", edited(t, data, declaration, ""), nil)
		if err != nil {
			t.Fatalf("Compile = %v, want no error", err)
		}
		if q.Declared != nil {
			t.Errorf("Declared = %v, want nil", q.Declared)
		}
		if got := q.Missing("fr"); got != 2 {
			t.Errorf("Missing(fr) = %d, want 2", got)
		}
		if got := choiceLabel(t, q, "/contact/available", "on_request", "fr"); got != "On request" {
			t.Errorf("the option in French = %q, want the English", got)
		}
	})
	complete := edited(t, edited(t, data, `"type": "string", "title": "Availability",`,
		`"type": "string", "title": "Availability", "x-labels": {"fr": "Disponibilité"},`),
		`"on_request": {"en": "On request"}`, `"on_request": {"en": "On request", "fr": "Sur demande"}`)
	t.Run("once both labels are given it loads", func(t *testing.T) {
		q, err := questionnaire.Compile("declared", complete, nil)
		if err != nil {
			t.Fatalf("Compile = %v, want no error", err)
		}
		if !slices.Equal(q.Declared, []string{"en", "fr"}) {
			t.Errorf("Declared = %v, want [en fr]", q.Declared)
		}
	})
	// A list's items, their fields and the fields' options are labelled
	// too (Missing does not count them, the declaration does).
	for _, tt := range []struct{ name, old, new, want string }{
		{"a list's field", `"title": "Name", "x-labels": {"fr": "Nom"}`, `"title": "Name"`, "/contact/deputies/items/name"},
		{"a list's titled items", `"title": "Deputy", "x-labels": {"fr": "Suppléant"}`, `"title": "Deputy"`, "/contact/deputies/items,"},
		{"an option of a list's field", `"technical": {"en": "Technical", "fr": "Technique"}`, `"technical": {"en": "Technical"}`,
			`/contact/deputies/items/role option "technical"`},
		{"an option of a multiple choice", `"zh": {"en": "Chinese", "fr": "Chinois"}`, `"zh": {"en": "Chinese"}`,
			`/contact/languages_spoken option "zh"`},
		{"the root", `"x-labels": {"fr": "Enquête sur les points de contact nationaux"},`, ``, "the root"},
		{"a section", `"title": "Contact point",
      "x-labels": {"fr": "Point de contact"},`, `"title": "Contact point",`, "/contact,"},
	} {
		t.Run(tt.name+" without a French label stops the load", func(t *testing.T) {
			_, err := questionnaire.Compile("declared", edited(t, complete, tt.old, tt.new), nil)
			if err == nil || !strings.Contains(err.Error()+",", tt.want) || !strings.Contains(err.Error(), "fr lacks 1:") {
				t.Errorf("Compile = %v, want an error naming %s alone", err, tt.want)
			}
		})
	}
	t.Run("declaring only English asks for nothing more", func(t *testing.T) {
		if _, err := questionnaire.Compile("declared", edited(t, data, declaration, `"x-languages": ["en"],`), nil); err != nil {
			t.Errorf("Compile = %v, want no error", err)
		}
	})
	t.Run("every language is checked and each lists its own", func(t *testing.T) {
		_, err := questionnaire.Compile("declared", edited(t, complete, declaration, `"x-languages": ["fr", "es"],`), nil)
		if err == nil || strings.Contains(err.Error(), "fr lacks") || !strings.Contains(err.Error(), "es lacks") {
			t.Errorf("Compile = %v, want an error listing Spanish labels only", err)
		}
	})
}

// TestDeclaredLanguagesListsAFewAndCountsTheRest: a file far from
// complete gets the first 50 of each language and the count of the rest.
func TestDeclaredLanguagesListsAFewAndCountsTheRest(t *testing.T) {
	data := readFile(t, filepath.Join("testdata", "second", "training-survey-v2.json"))
	data = edited(t, data, `"$schema": "https://json-schema.org/draft/2020-12/schema",`,
		`"$schema": "https://json-schema.org/draft/2020-12/schema", "x-languages": ["ar"],`)
	_, err := questionnaire.Compile("training-survey-v2", data, knownWorkingGroups(t))
	if err == nil {
		t.Fatal("Compile = nil, want an error: Arabic lacks every label")
	}
	m := regexp.MustCompile(`ar lacks (\d+): (.*) and (\d+) more`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("error %q does not list a few and count the rest", err)
	}
	if listed := strings.Count(m[2], ", ") + 1; listed != 50 {
		t.Errorf("%d pointers listed, want 50", listed)
	}
	if !strings.Contains(m[2], "the root") {
		t.Errorf("the list %q does not start with the root", m[2])
	}
}

func TestDeclaredLanguagesMustBeKnown(t *testing.T) {
	data := declaredFixture(t)
	for _, tt := range []struct{ name, decl, want string }{
		{"an unknown code", `"x-languages": ["en", "de"],`, `"de"`},
		{"an upper-case code", `"x-languages": ["FR"],`, `"FR"`},
		{"a language named twice", `"x-languages": ["fr", "fr"],`, "twice"},
		{"not a list", `"x-languages": "fr",`, "list of language codes"},
		{"a code that is not a string", `"x-languages": [1],`, "list of language codes"},
	} {
		t.Run(tt.name+" stops the load", func(t *testing.T) {
			_, err := questionnaire.Compile("declared", edited(t, data, declaration, tt.decl), nil)
			if err == nil || !strings.Contains(err.Error(), "x-languages") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile = %v, want an error about x-languages naming %s", err, tt.want)
			}
		})
	}
}

// TestDeclaringLanguagesKeepsTheValidationDigest: x-languages says what a
// person reads, and adding it to a file that cycles use is accepted.
func TestDeclaringLanguagesKeepsTheValidationDigest(t *testing.T) {
	orig := readFile(t, filepath.Join("testdata", "second", "training-survey-v2.json"))
	with := edited(t, orig, `"$schema": "https://json-schema.org/draft/2020-12/schema",`,
		`"$schema": "https://json-schema.org/draft/2020-12/schema", "x-languages": ["en"],`)
	a, errA := questionnaire.Compile("training-survey-v2", orig, knownWorkingGroups(t))
	b, errB := questionnaire.Compile("training-survey-v2", with, knownWorkingGroups(t))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.SHA256 == b.SHA256 {
		t.Fatal("the edit left the file's digest unchanged")
	}
	if a.ValidationSHA256 != b.ValidationSHA256 {
		t.Errorf("validation digest changed by x-languages: %s, want %s", b.ValidationSHA256, a.ValidationSHA256)
	}
}

// TestShippedQuestionnaireDeclaresTheSixLanguages: implementation-v1
// declares all six, so a label dropped from it stops the service.
func TestShippedQuestionnaireDeclaresTheSixLanguages(t *testing.T) {
	q := shipped(t)
	if !slices.Equal(q.Declared, questionnaire.Languages) {
		t.Errorf("Declared = %v, want %v", q.Declared, questionnaire.Languages)
	}
	dropped := edited(t, q.Raw, `"fr": "Dispositions générales"`, `"fr_": "Dispositions générales"`)
	if _, err := questionnaire.Compile(q.ID, dropped, knownWorkingGroups(t)); err == nil || !strings.Contains(err.Error(), "fr lacks 1: /general_provisions") {
		t.Errorf("Compile(without the French label of a section) = %v, want an error naming /general_provisions", err)
	}
}
