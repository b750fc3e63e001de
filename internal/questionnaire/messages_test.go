package questionnaire_test

import (
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
)

func TestEveryFieldErrorMessageIsInTheCatalogue(t *testing.T) {
	for _, key := range questionnaire.MessageKeys() {
		if !i18n.Has(key) {
			t.Errorf("%q is not in the catalogue (internal/i18n/locales/en.json)", key)
		}
	}
}

// messagesSchema has a question of each kind of bound, a required one
// labelled in French, and one with its own message for pattern.
const messagesSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Messages", "type": "object", "additionalProperties": false,
  "properties": {
    "contact": {
      "type": "object", "title": "Contact", "additionalProperties": false,
      "required": ["name"],
      "properties": {
        "name": {"type": "string", "title": "Name of the focal point", "x-labels": {"fr": "Nom du point focal"}, "maxLength": 3},
        "phone": {"type": "string", "title": "Telephone", "pattern": "^\\+[0-9 ]+$",
          "x-messages": {"pattern": {"en": "Use the international format, e.g. +233 30 266 4501.", "fr": "Utilisez le format international, par exemple +233 30 266 4501."}}},
        "fax": {"type": "string", "title": "Fax", "pattern": "^\\+[0-9 ]+$"},
        "staff": {"type": "integer", "title": "Staff", "minimum": 1, "maximum": 50},
        "kind": {"type": "string", "title": "Kind", "enum": ["national", "regional"]},
        "web": {"type": "string", "title": "Web site", "format": "uri"}
      }
    }
  }
}`

func TestFieldErrorsSpeakEachLanguage(t *testing.T) {
	q, err := questionnaire.Compile("messages", []byte(messagesSchema), nil)
	if err != nil {
		t.Fatalf("Compile = %v", err)
	}
	errs := q.Validate([]byte(`{"contact": {"phone": "0302664501", "fax": "0302", "staff": 99, "kind": "local", "web": "not a uri", "extra": 1}}`), questionnaire.Complete)
	byPath := map[string]questionnaire.FieldError{}
	for _, e := range errs {
		byPath[e.Path] = e
	}
	for _, tc := range []struct {
		path, lang, want string
	}{
		{"/contact/name", "en", `"Name of the focal point" is required.`},
		{"/contact/name", "fr", "« Nom du point focal » est obligatoire."},
		{"/contact/name", "es", "«Name of the focal point» es obligatorio."}, // no Spanish label: the English one
		{"/contact/phone", "en", "Use the international format, e.g. +233 30 266 4501."},
		{"/contact/phone", "fr", "Utilisez le format international, par exemple +233 30 266 4501."},
		{"/contact/phone", "ru", "Ответ дан не в требуемом формате."}, // no Russian x-message: the catalogue's
		{"/contact/fax", "en", "This answer is not in the format asked for."},
		{"/contact/staff", "en", "The largest value allowed here is 50."},
		{"/contact/staff", "ar", "أكبر قيمة مسموح بها هنا هي ٥٠."},
		{"/contact/staff", "zh", "此处允许的最大值为 50。"},
		{"/contact/extra", "fr", "« extra » n'est pas une question de ce questionnaire."},
		{"/contact/web", "es", "Indique una dirección web, por ejemplo, https://example.org."},
	} {
		e, ok := byPath[tc.path]
		if !ok {
			t.Errorf("no error at %s among %s", tc.path, formatErrors(errs))
			continue
		}
		if got := e.In(tc.lang); got != tc.want {
			t.Errorf("%s in %s: got %q, want %q", tc.path, tc.lang, got, tc.want)
		}
	}
	if e := byPath["/contact/staff"]; e.Params["limit"] != "50" {
		t.Errorf("params of maximum = %v, want limit 50", e.Params)
	}
	if e := byPath["/contact/kind"]; !strings.Contains(e.Params["options"], "national") {
		t.Errorf("params of enum = %v, want the options", e.Params)
	}
	// No message in any language shows a regular expression or the
	// validator's own English.
	for _, e := range errs {
		for _, l := range i18n.Languages {
			m := e.In(l.Code)
			for _, bad := range []string{"[0-9", "^\\+", "does not match", "but got", "must be <=", "length must", "expected "} {
				if strings.Contains(m, bad) {
					t.Errorf("%s in %s: %q shows %q", e.Path, l.Code, m, bad)
				}
			}
		}
	}
}

func TestNumberBoundsSpeakEachLanguage(t *testing.T) {
	q, err := questionnaire.Compile("messages", []byte(messagesSchema), nil)
	if err != nil {
		t.Fatalf("Compile = %v", err)
	}
	errs := q.Validate([]byte(`{"contact": {"staff": 1e999}}`), questionnaire.Draft)
	if len(errs) != 1 {
		t.Fatalf("errors %s, want one", formatErrors(errs))
	}
	if got, want := errs[0].In("fr"), "Ce nombre est trop grand pour être enregistré : le plus grand admis est 9223372036854775807."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := errs[0].Message, "This number is too large to be stored: the largest is 9223372036854775807."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestXMessagesMustBeKeywordLanguageMessage(t *testing.T) {
	bad := strings.Replace(messagesSchema, `{"pattern": {"en": "Use`, `{"pattern": {"en": "", "x": "Use`, 1)
	if _, err := questionnaire.Compile("messages", []byte(bad), nil); err == nil || !strings.Contains(err.Error(), "x-messages") {
		t.Errorf("Compile = %v, want an x-messages error", err)
	}
}
