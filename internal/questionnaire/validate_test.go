package questionnaire_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

func TestValidationCases(t *testing.T) {
	for _, set := range []struct {
		name string
		q    func(testing.TB) *questionnaire.Questionnaire
		file string
	}{
		{"training-survey-v2", second, filepath.Join("testdata", "second", "cases.json")},
		{"implementation-v1", shipped, filepath.Join("testdata", "implementation-v1.invalid.json")},
	} {
		t.Run(set.name, func(t *testing.T) {
			q := set.q(t)
			for _, c := range loadCases(t, set.file) {
				t.Run(c.Name, func(t *testing.T) {
					mode := modeOf(t, c.Mode)
					errs := q.Validate(c.Answers, mode)
					want := slices.Clone(c.Errors)
					sortPairs(want)
					if got := pairs(errs); !slices.Equal(got, want) {
						t.Errorf("Validate(%s):\n\tgot  %s\n\twant %s\n\tmessages: %s",
							modeName(mode), formatPairs(got), formatPairs(want), formatErrors(errs))
					}
					checkErrors(t, errs)
					if mode == questionnaire.Complete && len(c.Errors) == 0 {
						if errs := q.Validate(c.Answers, questionnaire.Draft); len(errs) != 0 {
							t.Errorf("Validate(Draft) of a complete document = %s, want none", formatErrors(errs))
						}
					}
				})
			}
		})
	}
}

// checkErrors checks what every FieldError promises: a JSON Pointer, a
// keyword, one sentence, sorted by path, no duplicates, no more than
// MaxErrors.
func checkErrors(t *testing.T, errs []questionnaire.FieldError) {
	t.Helper()
	if len(errs) > questionnaire.MaxErrors {
		t.Errorf("%d errors, want at most %d", len(errs), questionnaire.MaxErrors)
	}
	seen := map[[3]string]bool{}
	for i, e := range errs {
		if !questionnaire.ValidPointer(e.Path) {
			t.Errorf("error path %q is not a JSON Pointer", e.Path)
		}
		if e.Keyword == "" {
			t.Errorf("error at %q has no keyword", e.Path)
		}
		if p := sentenceProblem(e.Message); p != "" {
			t.Errorf("message %q at %q is not one sentence: %s", e.Message, e.Path, p)
		}
		k := [3]string{e.Path, e.Keyword, e.Message}
		if seen[k] {
			t.Errorf("error %+v reported twice", e)
		}
		seen[k] = true
		if i > 0 && errs[i-1].Path > e.Path {
			t.Errorf("errors not sorted by path: %q before %q", errs[i-1].Path, e.Path)
		}
	}
}

func TestCompleteSampleIsValid(t *testing.T) {
	q := shipped(t)
	doc := sample(t)
	for _, mode := range []questionnaire.Mode{questionnaire.Draft, questionnaire.Complete} {
		t.Run(fmt.Sprintf("the complete sample is valid in %s mode", modeName(mode)), func(t *testing.T) {
			if errs := q.Validate(doc, mode); len(errs) != 0 {
				t.Errorf("Validate = %s, want none", formatErrors(errs))
			}
		})
	}
	t.Run("the complete sample answers most questions", func(t *testing.T) {
		v, err := questionnaire.DecodeAnswers(doc)
		if err != nil {
			t.Fatal(err)
		}
		if n, all := len(q.Answers(v)), len(q.Questions); n*2 < all {
			t.Errorf("the sample answers %d of %d questions, want at least half", n, all)
		}
	})
	t.Run("removing an answered section makes the sample incomplete but still a valid draft", func(t *testing.T) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "prevention")
		b, _ := json.Marshal(m)
		if errs := q.Validate(b, questionnaire.Draft); len(errs) != 0 {
			t.Errorf("Validate(Draft) = %s, want none", formatErrors(errs))
		}
		got := pairs(q.Validate(b, questionnaire.Complete))
		if want := []pathKeyword{{"/prevention", "required"}}; !slices.Equal(got, want) {
			t.Errorf("Validate(Complete):\n\tgot  %s\n\twant %s", formatPairs(got), formatPairs(want))
		}
	})
}

func TestBadQuestionnairesAreRefused(t *testing.T) {
	catalogue := fstest.MapFS{"working-groups.json": {Data: []byte(`{"workingGroups": [
		{"id": "international-cooperation", "name": "IC"}, {"id": "technical-assistance", "name": "TA"},
		{"id": "prevention", "name": "P"}, {"id": "asset-recovery", "name": "AR"}]}`)}}
	// What the error must say beyond the file's name.
	reasons := map[string][]string{
		"remote-ref.json":            {"https://example.org/x.json", "$ref"},
		"other-file-ref.json":        {"other.json#/$defs/x", "$ref"},
		"urn-ref.json":               {"urn:example:irm:answer", "$ref"},
		"unused-remote-ref.json":     {"https://example.org/x.json", "/$defs/unused"},
		"dangling-ref.json":          {"#/$defs/missing"},
		"missing-schema.json":        {`"$schema"`},
		"draft-07.json":              {`"$schema"`, "draft-07"},
		"root-not-object.json":       {"root", `"type": "object"`},
		"root-without-title.json":    {"root", `"title"`},
		"section-not-object.json":    {`"remarks"`, `"type": "object"`},
		"not-json.json":              {"not valid JSON"},
		"unknown-working-group.json": {"cyber-defence"},
	}
	names, err := filepath.Glob(filepath.Join("testdata", "bad", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no files in testdata/bad (%v)", err)
	}
	for _, name := range names {
		base := filepath.Base(name)
		want, ok := reasons[base]
		if !ok {
			t.Errorf("testdata/bad/%s has no expected reason in this test; add one", base)
			continue
		}
		delete(reasons, base)
		t.Run(base+" is refused with its name and the reason", func(t *testing.T) {
			r, err := questionnaire.Load(fstest.MapFS{base: {Data: readFile(t, name)}}, catalogue)
			if err == nil {
				t.Fatalf("Load = %v, nil, want an error", r.Questionnaires())
			}
			for _, w := range append([]string{base}, want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load error = %q, want it to mention %q", err, w)
				}
			}
		})
	}
	for base := range reasons {
		t.Errorf("expected testdata/bad/%s, which is missing", base)
	}
}

func TestRefsNeverLeaveTheFile(t *testing.T) {
	// Each ref points at something that exists on this machine or is a
	// well-formed remote URL; reading it would make Compile succeed or
	// hang. A sentinel file checks that a file: ref is never read.
	dir := t.TempDir()
	sentinel := filepath.Join(dir, "answer.json")
	if err := os.WriteFile(sentinel, []byte(`{"type": "boolean"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, keyword, ref string }{
		{"a file: URL to a system file", "$ref", "file:///etc/passwd"},
		{"a file: URL to a readable schema", "$ref", "file://" + filepath.ToSlash(sentinel)},
		{"a relative path to a readable schema", "$ref", filepath.ToSlash(sentinel)},
		{"an http URL", "$ref", "http://127.0.0.1:1/schema.json"},
		{"an https URL with a fragment", "$ref", "https://json-schema.org/draft/2020-12/schema#/$defs/x"},
		{"a URN", "$ref", "urn:irm:x"},
		{"a remote $dynamicRef", "$dynamicRef", "file:///etc/passwd#meta"},
	} {
		t.Run(tt.name+" is refused naming the ref", func(t *testing.T) {
			ref, _ := json.Marshal(tt.ref)
			schema := `{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "T", "type": "object",
				"properties": {"s": {"type": "object", "title": "S", "properties": {
				"v": {"` + tt.keyword + `": ` + string(ref) + `, "title": "V"}}}}}`
			q, err := questionnaire.Compile("refs", []byte(schema), nil)
			if err == nil {
				t.Fatalf("Compile = %v, nil, want an error", q.Questions)
			}
			if !strings.Contains(err.Error(), tt.ref) {
				t.Errorf("Compile error = %q, want it to name %q", err, tt.ref)
			}
		})
	}
}

func TestValidateEdges(t *testing.T) {
	q := second(t)

	for _, tt := range []struct {
		name    string
		answers string
		want    []pathKeyword
	}{
		{"malformed JSON gives one error at the root", `{"programme": `, []pathKeyword{{"", "type"}}},
		{"trailing data after the document gives one error at the root", `{} {}`, []pathKeyword{{"", "type"}}},
		{"empty bytes give one error at the root", ``, []pathKeyword{{"", "type"}}},
		{"an array instead of an object is a type error at the root", `[]`, []pathKeyword{{"", "type"}}},
		{"a string instead of an object is a type error at the root", `"answers"`, []pathKeyword{{"", "type"}}},
		{"null instead of an object is a type error at the root", `null`, []pathKeyword{{"", "type"}}},
		{"a number instead of an object is a type error at the root", `42`, []pathKeyword{{"", "type"}}},
	} {
		for _, mode := range []questionnaire.Mode{questionnaire.Draft, questionnaire.Complete} {
			t.Run(fmt.Sprintf("%s (%s)", tt.name, modeName(mode)), func(t *testing.T) {
				errs := q.Validate([]byte(tt.answers), mode)
				if got := pairs(errs); !slices.Equal(got, tt.want) {
					t.Errorf("Validate(%q):\n\tgot  %s\n\twant %s", tt.answers, formatPairs(got), formatPairs(tt.want))
				}
				checkErrors(t, errs)
			})
		}
	}

	t.Run("more than MaxErrors violations are capped at the first MaxErrors by path", func(t *testing.T) {
		props := map[string]int{}
		for i := range questionnaire.MaxErrors + 50 {
			props[fmt.Sprintf("extra_%03d", i)] = i
		}
		b, _ := json.Marshal(map[string]any{"programme": props})
		for _, tt := range []struct {
			mode questionnaire.Mode
			head []pathKeyword // the errors before the unexpected properties
		}{
			{questionnaire.Draft, nil},
			{questionnaire.Complete, []pathKeyword{{"/delivery", "required"}, {"/needs", "required"}}},
		} {
			want := slices.Clone(tt.head)
			for i := 0; len(want) < questionnaire.MaxErrors; i++ {
				want = append(want, pathKeyword{fmt.Sprintf("/programme/extra_%03d", i), "additionalProperties"})
			}
			errs := q.Validate(b, tt.mode)
			if got := pairs(errs); !slices.Equal(got, want) {
				t.Errorf("%s: %d errors %s\n\twant %d: %s", modeName(tt.mode), len(got), formatPairs(got), len(want), formatPairs(want))
			}
			checkErrors(t, errs)
		}
	})

	t.Run("ValidateValue of a decoded document agrees with Validate", func(t *testing.T) {
		raw := []byte(`{"needs": {"urgency": "now", "cost~estimate": -1}}`)
		v, err := questionnaire.DecodeAnswers(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []questionnaire.Mode{questionnaire.Draft, questionnaire.Complete} {
			a, b := q.Validate(raw, mode), q.ValidateValue(v, mode)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s: Validate = %s, ValidateValue = %s, want the same", modeName(mode), formatErrors(a), formatErrors(b))
			}
		}
	})

	t.Run("large integers keep their precision", func(t *testing.T) {
		// 2^53+1 is not representable as a float64; as a json.Number it
		// is an integer and above the maximum of 50.
		errs := q.Validate([]byte(`{"needs": {"requested_experts": 9007199254740993}}`), questionnaire.Draft)
		if got, want := pairs(errs), []pathKeyword{{"/needs/requested_experts", "maximum"}}; !slices.Equal(got, want) {
			t.Errorf("got %s, want %s", formatPairs(got), formatPairs(want))
		}
	})

	t.Run("messages name the question by its label", func(t *testing.T) {
		errs := q.Validate([]byte(`{"programme": {"funding_source": "donor"}, "delivery": {}, "needs": {}}`), questionnaire.Complete)
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Message)
		}
		for _, want := range []string{
			`"Annual budget (USD)" is required when "Main source of funding" is answered.`,
			`"How urgent are these needs?" is required.`,
		} {
			if !slices.Contains(msgs, want) {
				t.Errorf("messages = %q, want %q among them", msgs, want)
			}
		}
	})
}

// Property names with spaces, non-ASCII letters, "%", "~" and "/" must
// come out of the library's percent-encoded locations as plain RFC 6901
// pointers.
func TestPathsWithUnusualPropertyNames(t *testing.T) {
	const schema = `{
	  "$schema": "https://json-schema.org/draft/2020-12/schema",
	  "title": "Names", "type": "object", "additionalProperties": false,
	  "properties": {
	    "sec tion": {
	      "type": "object", "title": "Section with a space", "additionalProperties": false,
	      "properties": {
	        "année civile": {"type": "integer", "minimum": 2000},
	        "50% share": {"type": "number", "maximum": 100},
	        "a/b~c": {"type": "string", "enum": ["x"]},
	        "中文": {"type": "boolean"},
	        "group é": {"type": "object", "title": "Group", "properties": {"q é": {"type": "string", "maxLength": 2}}, "required": ["q é"]}
	      },
	      "required": ["ça va"],
	      "dependentRequired": {"année civile": ["50% share"]}
	    }
	  }
	}`
	q, err := questionnaire.Compile("names", []byte(schema), nil)
	if err != nil {
		t.Fatalf("Compile = %v", err)
	}
	t.Run("question paths escape only ~ and /", func(t *testing.T) {
		var got []string
		for _, qq := range q.Questions {
			got = append(got, qq.Path)
		}
		want := []string{"/sec tion/année civile", "/sec tion/50% share", "/sec tion/a~1b~0c", "/sec tion/中文", "/sec tion/group é/q é"}
		if !slices.Equal(got, want) {
			t.Errorf("paths = %q, want %q", got, want)
		}
	})
	for _, tt := range []struct {
		name    string
		mode    questionnaire.Mode
		answers string
		want    []pathKeyword
	}{
		{"value errors carry the raw property names", questionnaire.Draft,
			`{"sec tion": {"année civile": 1999, "50% share": 101, "a/b~c": "y", "中文": "oui", "group é": {"q é": "long"}}}`,
			[]pathKeyword{
				{"/sec tion/50% share", "maximum"},
				{"/sec tion/a~1b~0c", "enum"},
				{"/sec tion/année civile", "minimum"},
				{"/sec tion/group é/q é", "maxLength"},
				{"/sec tion/中文", "type"},
			}},
		{"required and dependentRequired name the raw missing property", questionnaire.Complete,
			`{"sec tion": {"année civile": 2001, "group é": {}}}`,
			[]pathKeyword{
				{"/sec tion/50% share", "dependentRequired"},
				{"/sec tion/group é/q é", "required"},
				{"/sec tion/ça va", "required"},
			}},
		{"unexpected properties are named raw", questionnaire.Draft,
			`{"sec tion": {"ça va": 1, "%41": 2, "x/y": 3}, "über": {}}`,
			[]pathKeyword{
				{"/sec tion/%41", "additionalProperties"},
				{"/sec tion/x~1y", "additionalProperties"},
				{"/sec tion/ça va", "additionalProperties"},
				{"/über", "additionalProperties"},
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errs := q.Validate([]byte(tt.answers), tt.mode)
			want := slices.Clone(tt.want)
			sortPairs(want)
			if got := pairs(errs); !slices.Equal(got, want) {
				t.Errorf("got %s\n\twant %s\n\tmessages: %s", formatPairs(got), formatPairs(want), formatErrors(errs))
			}
			checkErrors(t, errs)
		})
	}
}

// required inside if, not and anyOf decides which branch applies, what
// is forbidden or which alternative holds, so a draft keeps it, also when
// the condition is a $ref (and when the file has an $id of its own).
func TestDraftKeepsRequiredInConditions(t *testing.T) {
	const schema = `{
	  "$schema": "https://json-schema.org/draft/2020-12/schema",%s
	  "title": "Conditions", "type": "object",
	  "$defs": {
	    "switchedOn": {"properties": {"on": {"const": true}}, "required": ["on"]},
	    "hasSecret": {"required": ["secret"]},
	    "byEmail": {"required": ["email"]},
	    "byPhone": {"required": ["phone"]},
	    "person": {"type": "object", "title": "Person", "properties": {"name": {"type": "string"}}, "required": ["name"]}
	  },
	  "properties": {
	    "inline": {
	      "type": "object", "title": "Inline condition",
	      "properties": {"on": {"type": "boolean"}, "detail": {"type": "string"}, "secret": {"type": "string"},
	        "contact": {"type": "object", "title": "Contact", "properties": {"email": {"type": "string"}, "phone": {"type": "string"}},
	          "anyOf": [{"required": ["email"]}, {"required": ["phone"]}]}},
	      "if": {"properties": {"on": {"const": true}}, "required": ["on"]},
	      "then": {"properties": {"detail": {"minLength": 3}}},
	      "else": {"properties": {"detail": {"maxLength": 0}}},
	      "not": {"required": ["secret"]}
	    },
	    "referenced": {
	      "type": "object", "title": "Referenced condition",
	      "properties": {"on": {"type": "boolean"}, "detail": {"type": "string"}, "secret": {"type": "string"},
	        "contact": {"type": "object", "title": "Contact", "properties": {"email": {"type": "string"}, "phone": {"type": "string"}},
	          "anyOf": [{"$ref": "#/$defs/byEmail"}, {"$ref": "#/$defs/byPhone"}]},
	        "who": {"$ref": "#/$defs/person"}},
	      "if": {"$ref": "#/$defs/switchedOn"},
	      "then": {"properties": {"detail": {"minLength": 3}}},
	      "else": {"properties": {"detail": {"maxLength": 0}}},
	      "not": {"$ref": "#/$defs/hasSecret"}
	    }
	  }
	}`
	for _, id := range []string{"", `"$id": "https://example.org/conditions.json",`} {
		q, err := questionnaire.Compile("conditions", []byte(fmt.Sprintf(schema, id)), nil)
		if err != nil {
			t.Fatalf("Compile = %v", err)
		}
		label := "without $id"
		if id != "" {
			label = "with $id"
		}
		for _, sec := range []string{"inline", "referenced"} {
			for _, tt := range []struct {
				name    string
				answers string
				want    []pathKeyword // in both modes
			}{
				{"an absent condition subject selects else", `{"detail": ""}`, nil},
				{"the else-branch's keywords apply", `{"detail": "abc"}`, []pathKeyword{{"/" + sec + "/detail", "maxLength"}}},
				{"a met condition selects then", `{"on": true, "detail": "ab"}`, []pathKeyword{{"/" + sec + "/detail", "minLength"}}},
				{"a forbidden property is refused", `{"secret": "s"}`, []pathKeyword{{"/" + sec, "not"}}},
				{"one of two alternatives is enough", `{"contact": {"phone": "1"}}`, nil},
				{"missing both alternatives names each missing property", `{"contact": {}}`,
					[]pathKeyword{{"/" + sec + "/contact/email", "required"}, {"/" + sec + "/contact/phone", "required"}}},
			} {
				t.Run(fmt.Sprintf("%s, %s: %s in both modes", label, sec, tt.name), func(t *testing.T) {
					answers := `{"` + sec + `": ` + tt.answers + `}`
					for _, mode := range []questionnaire.Mode{questionnaire.Draft, questionnaire.Complete} {
						errs := q.Validate([]byte(answers), mode)
						if got := pairs(errs); !slices.Equal(got, tt.want) {
							t.Errorf("Validate(%s, %s):\n\tgot  %s\n\twant %s", answers, modeName(mode), formatErrors(errs), formatPairs(tt.want))
						}
						checkErrors(t, errs)
					}
				})
			}
		}
		t.Run(label+": required in a $ref'd group is still skipped by a draft", func(t *testing.T) {
			answers := []byte(`{"referenced": {"who": {}}}`)
			if errs := q.Validate(answers, questionnaire.Draft); len(errs) != 0 {
				t.Errorf("Validate(Draft) = %s, want none", formatErrors(errs))
			}
			got := pairs(q.Validate(answers, questionnaire.Complete))
			if want := []pathKeyword{{"/referenced/who/name", "required"}}; !slices.Equal(got, want) {
				t.Errorf("Validate(Complete):\n\tgot  %s\n\twant %s", formatPairs(got), formatPairs(want))
			}
		})
	}
}

// A false subschema (a property forbidden in a branch, a $ref to false)
// is reported as keyword "false" at the value; unevaluatedProperties
// names each unexpected property itself.
func TestFalseSchemasAndUnevaluatedProperties(t *testing.T) {
	const schema = `{
	  "$schema": "https://json-schema.org/draft/2020-12/schema",
	  "title": "False", "type": "object",
	  "$defs": {"never": false},
	  "properties": {
	    "s": {
	      "type": "object", "title": "S",
	      "properties": {
	        "on": {"type": "boolean"}, "enum": {"type": "string"},
	        "rows": {"type": "array", "items": {"type": "object", "properties": {"fax": false, "telex": {"$ref": "#/$defs/never"}}}}
	      },
	      "if": {"properties": {"on": {"const": false}}, "required": ["on"]},
	      "then": {"properties": {"enum": false}}
	    },
	    "closed": {
	      "type": "object", "title": "Closed",
	      "properties": {"z": {"type": "string"}},
	      "allOf": [{"properties": {"a": {"type": "string"}}}],
	      "unevaluatedProperties": false
	    }
	  }
	}`
	q, err := questionnaire.Compile("false", []byte(schema), nil)
	if err != nil {
		t.Fatalf("Compile = %v", err)
	}
	for _, tt := range []struct {
		name, answers string
		want          []pathKeyword
	}{
		{"a property forbidden in a then-branch is false", `{"s": {"on": false, "enum": "x"}}`, []pathKeyword{{"/s/enum", "false"}}},
		{"the same property is fine when the branch does not apply", `{"s": {"on": true, "enum": "x"}}`, nil},
		{"a $ref to a false definition is false", `{"s": {"rows": [{"telex": 1}]}}`, []pathKeyword{{"/s/rows/0/telex", "false"}}},
		{"a false property of a list item is false", `{"s": {"rows": [{}, {"fax": "1"}]}}`, []pathKeyword{{"/s/rows/1/fax", "false"}}},
		{"each unevaluated property is named at itself", `{"closed": {"a": "x", "b": 1, "c d": {"e": 1}}}`,
			[]pathKeyword{{"/closed/b", "unevaluatedProperties"}, {"/closed/c d", "unevaluatedProperties"}}},
	} {
		for _, mode := range []questionnaire.Mode{questionnaire.Draft, questionnaire.Complete} {
			t.Run(fmt.Sprintf("%s (%s)", tt.name, modeName(mode)), func(t *testing.T) {
				errs := q.Validate([]byte(tt.answers), mode)
				if got := pairs(errs); !slices.Equal(got, tt.want) {
					t.Errorf("Validate(%s):\n\tgot  %s\n\twant %s", tt.answers, formatErrors(errs), formatPairs(tt.want))
				}
				checkErrors(t, errs)
				for _, e := range errs {
					if e.Keyword == "false" && e.Message != "This value is not allowed here." {
						t.Errorf("message for false at %q = %q, want %q", e.Path, e.Message, "This value is not allowed here.")
					}
				}
			})
		}
	}
}

func TestDecodeAnswersRefusesDuplicateKeys(t *testing.T) {
	for _, c := range []struct {
		name, doc, path string
	}{
		{"a key twice in a section", `{"prevention": {"agency_name": "FIRST", "agency_name": "SECOND"}}`, "/prevention/agency_name"},
		{"a key twice at the top", `{"a": 1, "a": 2}`, "/a"},
		{"a key twice in an object in a list", `{"l": [1, {"k": 1, "k": 2}]}`, "/l/1/k"},
		{"a key with a slash, escaped", `{"a/b": 1, "a/b": 2}`, "/a~1b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := questionnaire.DecodeAnswers([]byte(c.doc))
			fe, ok := questionnaire.AsFieldError(err)
			if !ok || fe.Path != c.path || fe.Keyword != "duplicateKey" {
				t.Fatalf("got %v (%+v), want a duplicateKey field error at %q", err, fe, c.path)
			}
		})
	}
	if v, err := questionnaire.DecodeAnswers([]byte(`{"a": {"b": 1}, "b": {"b": 2}, "n": 1.50}`)); err != nil {
		t.Fatalf("the same key in two objects is not a duplicate: %v", err)
	} else if n := v.(map[string]any)["n"]; n != json.Number("1.50") {
		t.Fatalf("numbers keep their text: got %v", n)
	}
}
