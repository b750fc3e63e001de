package questionnaire_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// controlSchema asks, in one section, a bounded number, a text, a
// single choice by titled consts, and inside a group a list of objects
// whose fields come through a $ref (with a title beside it), an allOf,
// an enum with x-choice-labels and a field that may not be answered.
const controlSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Controls",
  "type": "object",
  "$defs": {
    "person": {"type": "string", "title": "Person (def)", "maxLength": 80}
  },
  "properties": {
    "s": {
      "title": "Section",
      "type": "object",
      "properties": {
        "share": {"type": "number", "title": "Share", "exclusiveMinimum": 0, "maximum": 100, "multipleOf": 0.5},
        "note": {"type": "string", "maxLength": 2000, "description": "Say more"},
        "status": {"title": "Status", "oneOf": [
          {"const": "adopted", "title": "Adopted", "x-labels": {"fr": "Adopté"}},
          {"const": "draft_law"}
        ]},
        "g": {
          "type": "object",
          "title": "A group",
          "x-labels": {"fr": "Un groupe"},
          "properties": {
            "rows": {
              "type": "array",
              "title": "Rows",
              "items": {
                "type": "object",
                "title": "Contact",
                "required": ["zeta"],
                "properties": {
                  "zeta": {"$ref": "#/$defs/person", "title": "Zeta person"},
                  "alpha": {"type": "integer", "minimum": 1},
                  "kind": {"type": "string", "enum": ["a", "b"], "x-choice-labels": {"a": {"en": "Letter A", "es": "Letra A"}}},
                  "never": false
                },
                "allOf": [{"properties": {"later": {"type": "boolean"}}}]
              }
            }
          }
        }
      }
    }
  }
}`

// TestQuestionsCarryTheirControl: the questionnaire derives the one model
// of what to ask (kind, bounds, choices with labels, the item shape with
// its fields in document order, required, the group) that the pages,
// reports and API read; web no longer walks the schema itself.
func TestQuestionsCarryTheirControl(t *testing.T) {
	q, err := questionnaire.Compile("controls", []byte(controlSchema), knownWorkingGroups(t))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *questionnaire.Control {
		t.Helper()
		qq, ok := q.Question(path)
		if !ok || qq.Control == nil {
			t.Fatalf("no question with a control at %s", path)
		}
		if qq.Control.Kind != qq.Kind {
			t.Errorf("%s: control kind %s, question kind %s", path, qq.Control.Kind, qq.Kind)
		}
		return qq.Control
	}

	share := get("/s/share")
	if share.Kind != questionnaire.Number || share.Min == nil || *share.Min != 0 || !share.ExclusiveMin ||
		share.Max == nil || *share.Max != 100 || share.ExclusiveMax || share.Step == nil || *share.Step != 0.5 {
		t.Errorf("share: bounds %+v", share)
	}
	if note := get("/s/note"); note.Kind != questionnaire.Text || note.MaxLength != 2000 || note.Description.Text != "Say more" {
		t.Errorf("note: %+v", note)
	}

	status := get("/s/status")
	if status.Kind != questionnaire.SingleChoice || len(status.Values) != 2 {
		t.Fatalf("status: %+v", status)
	}
	if got := status.OptionLabel("adopted", "fr"); got != "Adopté" {
		t.Errorf("status adopted in French = %q", got)
	}
	if got := status.OptionLabel("draft_law", "fr"); got != "Draft law" {
		t.Errorf("status draft_law in French = %q, want its code in words", got)
	}
	if qq, _ := q.Question("/s/status"); !slices.Equal(qq.Options, []string{"adopted", "draft_law"}) {
		t.Errorf("status options %q", qq.Options)
	}

	rows := get("/s/g/rows")
	if qq, _ := q.Question("/s/g/rows"); qq.Group != "/s/g" {
		t.Errorf("rows stands in group %q, want /s/g", qq.Group)
	}
	if l, ok := q.GroupLabels("/s/g"); !ok || l.Title != "A group" || l.Label("fr") != "Un groupe" {
		t.Errorf("group labels %+v, %v", l, ok)
	}
	if _, ok := q.GroupLabels("/s"); ok {
		t.Error("a section is not a group")
	}
	if qq, _ := q.Question("/s/share"); qq.Group != "" {
		t.Errorf("share stands directly in its section, not in %q", qq.Group)
	}
	item := rows.Item
	if rows.Kind != questionnaire.List || item == nil || item.Kind != questionnaire.Object || item.Title != "Contact" {
		t.Fatalf("rows: %+v item %+v", rows, item)
	}
	var names []string
	for _, f := range item.Fields {
		names = append(names, f.Name)
	}
	if want := []string{"zeta", "alpha", "kind", "later"}; !slices.Equal(names, want) {
		t.Fatalf("item fields %q, want %q (document order, allOf after, false schemas left out)", names, want)
	}
	zeta, alpha, kind, later := item.Fields[0], item.Fields[1], item.Fields[2], item.Fields[3]
	if zeta.Title != "Zeta person" || zeta.MaxLength != 80 || !zeta.Required || zeta.Kind != questionnaire.Text {
		t.Errorf("zeta (a $ref with its own title, required): %+v", zeta)
	}
	if alpha.Kind != questionnaire.Integer || alpha.Min == nil || *alpha.Min != 1 || alpha.Required || alpha.Title != "" {
		t.Errorf("alpha: %+v", alpha)
	}
	if kind.Kind != questionnaire.SingleChoice || kind.OptionLabel("a", "es") != "Letra A" || kind.OptionLabel("b", "es") != "B" {
		t.Errorf("kind: %+v", kind)
	}
	if later.Kind != questionnaire.Boolean {
		t.Errorf("later: %+v", later)
	}
	// A number in an enum keeps its JSON form, so that a posted value
	// maps back to the value the schema allows.
	n, err := questionnaire.Compile("numbers", []byte(`{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "N", "type": "object",
		"properties": {"s": {"title": "S", "type": "object", "properties": {"level": {"oneOf": [{"const": 1}, {"const": 2.50}]}}}}}`), knownWorkingGroups(t))
	if err != nil {
		t.Fatal(err)
	}
	level, _ := n.Question("/s/level")
	if want := []any{json.Number("1"), json.Number("2.50")}; level.Kind != questionnaire.SingleChoice || !slices.Equal(level.Control.Values, want) ||
		!slices.Equal(level.Options, []string{"1", "2.50"}) {
		t.Errorf("level: %+v, options %q", level.Control, level.Options)
	}
}
