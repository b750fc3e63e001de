package questionnaire_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

func TestShippedRegistry(t *testing.T) {
	r := shippedRegistry(t)
	q := shipped(t)
	file, err := fs.ReadFile(questionnaires.Files(), shippedID+".json")
	if err != nil {
		t.Fatalf("reading the embedded %s.json: %v", shippedID, err)
	}

	t.Run("questionnaires are listed by id and found by id", func(t *testing.T) {
		var ids []string
		for _, q := range r.Questionnaires() {
			ids = append(ids, q.ID)
		}
		if !slices.IsSorted(ids) {
			t.Errorf("Questionnaires() ids = %v, want them sorted", ids)
		}
		if !slices.Contains(ids, shippedID) {
			t.Errorf("Questionnaires() ids = %v, want %s among them", ids, shippedID)
		}
		for _, id := range ids {
			if got, ok := r.Get(id); !ok || got.ID != id {
				t.Errorf("Get(%q) = %v, %v, want the questionnaire with that id", id, got, ok)
			}
		}
		if got, ok := r.Get("implementation-v0"); ok {
			t.Errorf("Get(implementation-v0) = %v, true, want nothing", got.ID)
		}
	})

	t.Run("working groups come in catalogue order and are found by id", func(t *testing.T) {
		var cat struct {
			WorkingGroups []questionnaire.WorkingGroup `json:"workingGroups"`
		}
		data, err := fs.ReadFile(questionnaires.Catalogue(), questionnaire.WorkingGroupsFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatal(err)
		}
		if got := r.WorkingGroups(); !reflect.DeepEqual(got, cat.WorkingGroups) {
			t.Errorf("WorkingGroups() = %+v, want %+v", got, cat.WorkingGroups)
		}
		for _, want := range cat.WorkingGroups {
			if got, ok := r.WorkingGroup(want.ID); !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("WorkingGroup(%q) = %+v, %v, want %+v, true", want.ID, got, ok, want)
			}
		}
		if _, ok := r.WorkingGroup("cyber-defence"); ok {
			t.Errorf("WorkingGroup(cyber-defence) found, want nothing")
		}
	})

	t.Run("the shipped working groups are named and described in the six languages (issue 13)", func(t *testing.T) {
		for _, wg := range r.WorkingGroups() {
			for _, lang := range []string{"ar", "zh", "fr", "ru", "es"} {
				if d := wg.DescriptionIn(lang); d == "" || d == wg.Description {
					t.Errorf("%s: description in %s is %q, the English", wg.ID, lang, d)
				}
				if n := wg.NameIn(lang); n == "" || n == wg.Name {
					t.Errorf("%s: name in %s is %q, the English", wg.ID, lang, n)
				}
			}
			if wg.DescriptionIn("en") != wg.Description || wg.DescriptionIn("de") != wg.Description {
				t.Errorf("%s: English and unknown languages do not read the English description", wg.ID)
			}
		}
	})

	t.Run("implementation-v1 has between 80 and 150 questions", func(t *testing.T) {
		if n := len(q.Questions); n < 80 || n > 150 {
			t.Errorf("len(Questions) = %d, want 80..150", n)
		}
	})

	t.Run("implementation-v1 has its six sections in file order", func(t *testing.T) {
		want := []string{"general_provisions", "prevention", "criminalization",
			"international_cooperation", "technical_assistance", "implementation"}
		var got []string
		for _, s := range q.Sections {
			got = append(got, s.ID)
			if s.Title == "" {
				t.Errorf("section %s has no title, want one", s.ID)
			}
			if !q.HasNode("/" + s.ID) {
				t.Errorf("HasNode(/%s) = false, want true for a section", s.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("sections = %v, want %v", got, want)
		}
	})

	t.Run("questions are listed section by section and found by path", func(t *testing.T) {
		var flat []*questionnaire.Question
		for _, s := range q.Sections {
			for _, qq := range s.Questions {
				if qq.Section != s.ID {
					t.Errorf("question %s has Section %q, want %q", qq.Path, qq.Section, s.ID)
				}
				if !strings.HasPrefix(qq.Path, "/"+s.ID+"/") {
					t.Errorf("question %s is listed in section %s, want its path under /%s/", qq.Path, s.ID, s.ID)
				}
			}
			flat = append(flat, s.Questions...)
		}
		if !slices.Equal(flat, q.Questions) {
			t.Errorf("the sections' questions, concatenated, differ from Questions")
		}
		seen := map[string]bool{}
		for _, qq := range q.Questions {
			if seen[qq.Path] {
				t.Errorf("question %s is listed twice", qq.Path)
			}
			seen[qq.Path] = true
			if !questionnaire.ValidPointer(qq.Path) {
				t.Errorf("question path %q is not a JSON Pointer", qq.Path)
			}
			if got, ok := q.Question(qq.Path); !ok || got != qq {
				t.Errorf("Question(%q) = %v, %v, want the question", qq.Path, got, ok)
			}
			if !q.HasNode(qq.Path) || !q.Locates(qq.Path) {
				t.Errorf("HasNode/Locates(%q) = %v/%v, want true/true", qq.Path, q.HasNode(qq.Path), q.Locates(qq.Path))
			}
			if qq.Title == "" {
				t.Errorf("question %s has no label", qq.Path)
			}
		}
	})

	t.Run("every question kind is present", func(t *testing.T) {
		count := map[questionnaire.Kind]int{}
		for _, qq := range q.Questions {
			count[qq.Kind]++
		}
		for _, k := range []questionnaire.Kind{questionnaire.SingleChoice, questionnaire.MultiChoice,
			questionnaire.Boolean, questionnaire.Number, questionnaire.Integer, questionnaire.Text, questionnaire.List} {
			if count[k] == 0 {
				t.Errorf("no %s question, want at least one (kinds: %v)", k, count)
			}
		}
		if len(count) != 7 {
			t.Errorf("kinds = %v, want exactly the seven kinds", count)
		}
	})

	t.Run("choice questions have options and the others none", func(t *testing.T) {
		for _, qq := range q.Questions {
			choice := qq.Kind == questionnaire.SingleChoice || qq.Kind == questionnaire.MultiChoice
			if choice && len(qq.Options) == 0 {
				t.Errorf("%s question %s has no options, want its enum", qq.Kind, qq.Path)
			}
			if !choice && len(qq.Options) != 0 {
				t.Errorf("%s question %s has options %v, want none", qq.Kind, qq.Path, qq.Options)
			}
			if qq.Options == nil {
				t.Errorf("question %s has nil Options, want an empty list", qq.Path)
			}
		}
	})

	t.Run("every question's working groups are known, sorted and include its section's", func(t *testing.T) {
		root, _ := q.Schema().(map[string]any)
		props, _ := root["properties"].(map[string]any)
		for _, qq := range q.Questions {
			if !slices.IsSorted(qq.WorkingGroups) {
				t.Errorf("question %s working groups %v, want them sorted", qq.Path, qq.WorkingGroups)
			}
			for _, id := range qq.WorkingGroups {
				if _, ok := r.WorkingGroup(id); !ok {
					t.Errorf("question %s has unknown working group %q", qq.Path, id)
				}
			}
			section, _ := props[qq.Section].(map[string]any)
			own, _ := section["x-working-groups"].([]any)
			for _, id := range own {
				if !slices.Contains(qq.WorkingGroups, id.(string)) {
					t.Errorf("question %s working groups %v, want its section's %q among them", qq.Path, qq.WorkingGroups, id)
				}
			}
		}
	})

	t.Run("labels are the file's French, and English for unknown languages", func(t *testing.T) {
		var withFr, withoutFr int
		for _, qq := range q.Questions {
			node := propertyNode(q.Schema(), qq.Path)
			if node == nil {
				continue // a question declared in a conditional branch
			}
			title, _ := node["title"].(string)
			if title == "" {
				continue // a title taken from a $ref'd definition
			}
			labels, _ := node["x-labels"].(map[string]any)
			fr, hasFr := labels["fr"].(string)
			want := title
			if hasFr {
				want = fr
				withFr++
			} else {
				withoutFr++
			}
			if got := qq.Label("fr"); got != want {
				t.Errorf("%s: Label(fr) = %q, want %q", qq.Path, got, want)
			}
			if got := qq.Label("FR"); got != want {
				t.Errorf("%s: Label(FR) = %q, want %q (languages are case-insensitive)", qq.Path, got, want)
			}
			for _, lang := range []string{"en", "", "tlh", "xx-YY"} {
				if got := qq.Label(lang); got != title {
					t.Errorf("%s: Label(%q) = %q, want the English %q", qq.Path, lang, got, title)
				}
			}
		}
		// Every question is labelled in French since issue 13; the fallback
		// to English is checked on the second questionnaire, which keeps
		// unlabelled nodes on purpose.
		if withFr == 0 || withoutFr != 0 {
			t.Errorf("checked %d questions with a French label and %d without, want all of them labelled", withFr, withoutFr)
		}
		if root, _ := q.Schema().(map[string]any); root != nil {
			labels, _ := root["x-labels"].(map[string]any)
			if got, want := q.Label("fr"), labels["fr"]; got != want {
				t.Errorf("questionnaire Label(fr) = %q, want %q", got, want)
			}
			if got, want := q.Label("de"), root["title"]; got != want {
				t.Errorf("questionnaire Label(de) = %q, want the English %q", got, want)
			}
		}
	})

	t.Run("sha256 is the hex SHA-256 of the file's bytes", func(t *testing.T) {
		sum := sha256.Sum256(file)
		if want := hex.EncodeToString(sum[:]); q.SHA256 != want {
			t.Errorf("SHA256 = %s, want %s", q.SHA256, want)
		}
		if string(q.Raw) != string(file) {
			t.Errorf("Raw differs from the file's bytes (%d vs %d bytes)", len(q.Raw), len(file))
		}
	})

	t.Run("Schema() is the file as a generic JSON value", func(t *testing.T) {
		var want any
		if err := json.Unmarshal(file, &want); err != nil {
			t.Fatal(err)
		}
		got := q.Schema()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Schema() differs from the decoded file")
		}
		// Every call gives its own copy: changing one leaves the next intact.
		got.(map[string]any)["title"] = "changed"
		if again := q.Schema().(map[string]any)["title"]; again == "changed" {
			t.Errorf("Schema() returned shared state: a change to one result shows in the next")
		}
	})
}

// propertyNode walks a generic schema along a question path through
// "properties" only (no $ref, no conditional branches).
func propertyNode(schema any, path string) map[string]any {
	node, _ := schema.(map[string]any)
	for _, tok := range strings.Split(path[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		props, _ := node["properties"].(map[string]any)
		node, _ = props[tok].(map[string]any)
		if node == nil {
			return nil
		}
	}
	return node
}

// A minimal conforming questionnaire for the Load tests.
const tinyQuestionnaire = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Tiny",
  "type": "object",
  "properties": {
    "general": {
      "type": "object",
      "title": "General",
      "x-working-groups": ["prevention"],
      "properties": {"answer": {"type": "boolean", "title": "Answer"}}
    }
  }
}`

const tinyCatalogue = `{"workingGroups": [{"id": "prevention", "name": "Prevention", "description": ""}]}`

func TestLoad(t *testing.T) {
	catalogue := fstest.MapFS{"working-groups.json": {Data: []byte(tinyCatalogue)}}
	files := fstest.MapFS{
		"b-two.json":      {Data: []byte(tinyQuestionnaire)},
		"a-one.json":      {Data: []byte(tinyQuestionnaire)},
		"notes.md":        {Data: []byte("not a questionnaire")},
		"sub/nested.json": {Data: []byte("not even JSON")},
	}

	t.Run("every top-level json file is a questionnaire named after the file", func(t *testing.T) {
		r, err := questionnaire.Load(files, catalogue)
		if err != nil {
			t.Fatalf("Load = %v, want no error", err)
		}
		var ids []string
		for _, q := range r.Questionnaires() {
			ids = append(ids, q.ID)
		}
		if want := []string{"a-one", "b-two"}; !slices.Equal(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
		q, _ := r.Get("a-one")
		if got := q.Questions[0].WorkingGroups; !slices.Equal(got, []string{"prevention"}) {
			t.Errorf("working groups = %v, want [prevention]", got)
		}
	})

	tests := []struct {
		name             string
		files, catalogue fs.FS
		wantInError      []string
	}{
		{"an empty questionnaire folder is refused", fstest.MapFS{}, catalogue, []string{"no *.json"}},
		{"a missing working-group catalogue is refused", files, fstest.MapFS{}, []string{"working groups"}},
		{"a working-group catalogue with an unknown field is refused", files,
			fstest.MapFS{"working-groups.json": {Data: []byte(`{"workingGroups": [], "extra": 1}`)}},
			[]string{"working-groups.json", "extra"}},
		{"a working group without a name is refused", files,
			fstest.MapFS{"working-groups.json": {Data: []byte(`{"workingGroups": [{"id": "x"}]}`)}},
			[]string{"working-groups.json", "name"}},
		{"a working-group catalogue declaring a language lacking a group's description is refused", files,
			fstest.MapFS{"working-groups.json": {Data: []byte(`{"languages": ["en", "fr"], "workingGroups": [{"id": "prevention", "name": "Prevention",
				"x-labels": {"fr": "Prévention"}, "description": "Policies.", "x-descriptions": {"es": "Políticas."}}]}`)}},
			[]string{"working-groups.json", "fr: description of prevention"}},
		{"a working-group catalogue declaring a language lacking a group's name is refused", files,
			fstest.MapFS{"working-groups.json": {Data: []byte(`{"languages": ["fr"], "workingGroups": [{"id": "prevention", "name": "Prevention",
				"description": "Policies.", "x-descriptions": {"fr": "Politiques."}}]}`)}},
			[]string{"working-groups.json", "fr: name of prevention"}},
		{"a duplicate working group is refused", files,
			fstest.MapFS{"working-groups.json": {Data: []byte(`{"workingGroups": [{"id": "x", "name": "X"}, {"id": "x", "name": "Y"}]}`)}},
			[]string{"working-groups.json", `"x"`}},
		{"a questionnaire naming a working group missing from the catalogue is refused",
			fstest.MapFS{"tiny.json": {Data: []byte(tinyQuestionnaire)}},
			fstest.MapFS{"working-groups.json": {Data: []byte(`{"workingGroups": [{"id": "other", "name": "Other"}]}`)}},
			[]string{"tiny.json", `"prevention"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := questionnaire.Load(tt.files, tt.catalogue)
			if err == nil {
				t.Fatalf("Load = %v, nil, want an error", r)
			}
			for _, want := range tt.wantInError {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Load error = %q, want it to mention %q", err, want)
				}
			}
		})
	}
}
