package questionnaire_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// expectedDerivation is the shape of testdata/second/expected.json.
type expectedDerivation struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Sections []struct {
		ID        string   `json:"id"`
		Title     string   `json:"title"`
		TitleFr   *string  `json:"titleFr"` // null: no French label
		Questions []string `json:"questions"`
	} `json:"sections"`
	Questions []struct {
		Path          string   `json:"path"`
		Kind          string   `json:"kind"`
		Options       []string `json:"options"`
		WorkingGroups []string `json:"workingGroups"`
		Label         string   `json:"label"`
		LabelFr       string   `json:"labelFr"`
	} `json:"questions"`
}

func TestSecondQuestionnaireDerivation(t *testing.T) {
	q := second(t)
	var want expectedDerivation
	if err := json.Unmarshal(readFile(t, filepath.Join("testdata", "second", "expected.json")), &want); err != nil {
		t.Fatal(err)
	}

	t.Run("the questionnaire keeps its id and title", func(t *testing.T) {
		if q.ID != want.ID || q.Title != want.Title {
			t.Errorf("id, title = %q, %q, want %q, %q", q.ID, q.Title, want.ID, want.Title)
		}
	})

	t.Run("the sections come in file order with their titles", func(t *testing.T) {
		if len(q.Sections) != len(want.Sections) {
			t.Fatalf("%d sections, want %d", len(q.Sections), len(want.Sections))
		}
		for i, ws := range want.Sections {
			s := q.Sections[i]
			if s.ID != ws.ID || s.Title != ws.Title {
				t.Errorf("section %d = %q %q, want %q %q", i, s.ID, s.Title, ws.ID, ws.Title)
			}
			wantFr := ws.Title
			if ws.TitleFr != nil {
				wantFr = *ws.TitleFr
			}
			if got := s.Label("fr"); got != wantFr {
				t.Errorf("section %s Label(fr) = %q, want %q", s.ID, got, wantFr)
			}
			if _, has := s.Translations["fr"]; has != (ws.TitleFr != nil) {
				t.Errorf("section %s has a French translation: %v, want %v", s.ID, has, ws.TitleFr != nil)
			}
		}
	})

	t.Run("each section lists exactly its questions in document order", func(t *testing.T) {
		for i, ws := range want.Sections {
			if i >= len(q.Sections) {
				break
			}
			var got []string
			for _, qq := range q.Sections[i].Questions {
				got = append(got, qq.Path)
			}
			if !slices.Equal(got, ws.Questions) {
				t.Errorf("section %s questions:\n\tgot  %v\n\twant %v", ws.ID, got, ws.Questions)
			}
		}
	})

	t.Run("the questions are derived exactly as expected.json says", func(t *testing.T) {
		var gotPaths, wantPaths []string
		for _, qq := range q.Questions {
			gotPaths = append(gotPaths, qq.Path)
		}
		for _, wq := range want.Questions {
			wantPaths = append(wantPaths, wq.Path)
		}
		if !slices.Equal(gotPaths, wantPaths) {
			t.Errorf("question paths:\n\tgot  %v\n\twant %v", gotPaths, wantPaths)
		}
		for _, wq := range want.Questions {
			qq, ok := q.Question(wq.Path)
			if !ok {
				t.Errorf("Question(%q) not found", wq.Path)
				continue
			}
			if string(qq.Kind) != wq.Kind {
				t.Errorf("%s kind = %s, want %s", wq.Path, qq.Kind, wq.Kind)
			}
			if !slices.Equal(qq.Options, wq.Options) {
				t.Errorf("%s options = %q, want %q", wq.Path, qq.Options, wq.Options)
			}
			if !slices.Equal(qq.WorkingGroups, wq.WorkingGroups) {
				t.Errorf("%s working groups = %q, want %q", wq.Path, qq.WorkingGroups, wq.WorkingGroups)
			}
			if qq.Title != wq.Label || qq.Label("en") != wq.Label {
				t.Errorf("%s label = %q, want %q", wq.Path, qq.Title, wq.Label)
			}
			if got := qq.Label("fr"); got != wq.LabelFr {
				t.Errorf("%s Label(fr) = %q, want %q", wq.Path, got, wq.LabelFr)
			}
			if got := qq.Label("ar"); got != wq.Label {
				t.Errorf("%s Label(ar) = %q, want the English %q (no question has Arabic)", wq.Path, got, wq.Label)
			}
		}
	})

	t.Run("groups, sections and questions are nodes but list item fields are not", func(t *testing.T) {
		for _, tt := range []struct {
			path      string
			node, loc bool
		}{
			{"/programme", true, true},
			{"/delivery/coordinator", true, true},
			{"/delivery/partners/foreign/regional_bodies", true, true},
			{"/programme/annual_budget~1usd", true, true},
			{"/needs/cost~0estimate", true, true},
			{"/delivery/sessions", true, true},
			{"/delivery/sessions/0/topic", false, true},
			{"/delivery/sessions/topic", false, true},
			{"/programme/annual_budget/usd", false, true},
			{"", false, false},
			{"/", false, false},
			{"/annex", false, false},
			{"programme", false, false},
			{"/programme/bad~2escape", false, false},
		} {
			if got := q.HasNode(tt.path); got != tt.node {
				t.Errorf("HasNode(%q) = %v, want %v", tt.path, got, tt.node)
			}
			if got := q.Locates(tt.path); got != tt.loc {
				t.Errorf("Locates(%q) = %v, want %v", tt.path, got, tt.loc)
			}
		}
	})

	t.Run("answers are read at the questions' paths in question order", func(t *testing.T) {
		doc, err := questionnaire.DecodeAnswers([]byte(`{
			"needs": {"cost~estimate": 5, "urgency": null, "comments": "c"},
			"programme": {"annual_budget/usd": 1.5, "target_audiences": ["police"], "unknown": 1},
			"delivery": {"sessions": [{"topic": "t"}], "coordinator": {"name": "N"}}
		}`))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range q.Answers(doc) {
			b, _ := json.Marshal(a.Value)
			got = append(got, a.Path+"="+string(b))
		}
		want := []string{
			`/programme/target_audiences=["police"]`,
			`/programme/annual_budget~1usd=1.5`,
			`/delivery/sessions=[{"topic":"t"}]`,
			`/delivery/coordinator/name="N"`,
			`/needs/cost~0estimate=5`,
			`/needs/comments="c"`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("Answers:\n\tgot  %s\n\twant %s", strings.Join(got, " "), strings.Join(want, " "))
		}
	})
}

// Derivation rules of QUESTIONNAIRES.md on small inline schemas.
func TestDerivationRules(t *testing.T) {
	wgs := map[string]questionnaire.WorkingGroup{"a": {ID: "a", Name: "A"}, "b": {ID: "b", Name: "B"}}
	const head = `"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "T", "type": "object",`
	compile := func(t *testing.T, body string) *questionnaire.Questionnaire {
		t.Helper()
		q, err := questionnaire.Compile("inline", []byte("{"+head+body+"}"), wgs)
		if err != nil {
			t.Fatalf("Compile = %v, want no error", err)
		}
		return q
	}

	t.Run("a question only declared in a then-branch or allOf is derived after the plain ones", func(t *testing.T) {
		q := compile(t, `"properties": {"s": {"type": "object", "title": "S",
			"properties": {"has": {"type": "boolean"}},
			"allOf": [{"properties": {"extra": {"type": "number", "title": "Extra"}}}],
			"if": {"properties": {"has": {"const": true}}, "required": ["has"]},
			"then": {"properties": {"detail": {"type": "string", "title": "Detail"}}, "required": ["detail"]}}}`)
		var got []string
		for _, qq := range q.Questions {
			got = append(got, qq.Path+":"+string(qq.Kind))
		}
		want := []string{"/s/has:BOOLEAN", "/s/extra:NUMBER", "/s/detail:TEXT"}
		if !slices.Equal(got, want) {
			t.Errorf("questions = %v, want %v", got, want)
		}
	})

	t.Run("a nullable type and a const-only oneOf still give a kind", func(t *testing.T) {
		q := compile(t, `"properties": {"s": {"type": "object", "title": "S", "properties": {
			"n": {"type": ["integer", "null"]},
			"c": {"oneOf": [{"const": "x"}, {"const": "y"}]}}}}`)
		if qq, _ := q.Question("/s/n"); qq == nil || qq.Kind != questionnaire.Integer {
			t.Errorf("/s/n = %+v, want an INTEGER question", qq)
		}
		if qq, _ := q.Question("/s/c"); qq == nil || qq.Kind != questionnaire.SingleChoice || !slices.Equal(qq.Options, []string{"x", "y"}) {
			t.Errorf("/s/c = %+v, want a SINGLE_CHOICE question with options x, y", qq)
		}
	})

	t.Run("working groups are the union of the question's and its ancestors'", func(t *testing.T) {
		q := compile(t, `"x-working-groups": ["b"], "properties": {"s": {"type": "object", "title": "S",
			"x-working-groups": ["a"], "properties": {"g": {"type": "object", "title": "G",
			"x-working-groups": ["b", "a"], "properties": {"v": {"type": "string", "x-working-groups": ["a"]}}}}}}`)
		if qq, _ := q.Question("/s/g/v"); qq == nil || !slices.Equal(qq.WorkingGroups, []string{"a", "b"}) {
			t.Errorf("/s/g/v = %+v, want working groups [a b]", qq)
		}
	})

	refused := []struct {
		name, body, want string
	}{
		{"a question without a type is refused",
			`"properties": {"s": {"type": "object", "title": "S", "properties": {"v": {"title": "V"}}}}`, "/s/v"},
		{"an object without properties is not a question kind",
			`"properties": {"s": {"type": "object", "title": "S", "properties": {"v": {"type": "object"}}}}`, "/s/v"},
		{"a section without a title is refused",
			`"properties": {"s": {"type": "object", "properties": {"v": {"type": "string"}}}}`, `"s"`},
		{"a root without properties is refused", `"properties": {}`, "section"},
		{"x-working-groups that are not a list of ids are refused",
			`"properties": {"s": {"type": "object", "title": "S", "x-working-groups": "a", "properties": {"v": {"type": "string"}}}}`, "x-working-groups"},
		{"a circular $ref is refused",
			`"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
			"properties": {"s": {"type": "object", "title": "S", "properties": {"v": {"$ref": "#/$defs/a"}}}}`, "$ref"},
		{"a duplicate key is refused",
			`"properties": {"s": {"type": "object", "title": "S", "properties": {"v": {"type": "string"}, "v": {"type": "number"}}}}`, `duplicate key "v"`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			q, err := questionnaire.Compile("inline", []byte("{"+head+tt.body+"}"), wgs)
			if err == nil {
				t.Fatalf("Compile = %v, nil, want an error", q.Questions)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile error = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}
