package questionnaire

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Object is the kind of a control that is an object of fields: a list's
// item with named parts. A question is never an Object (an object with
// properties is a group).
const Object Kind = "OBJECT"

// Control is the one model of what to ask for an answer, derived with the
// questions: what the pages draw, the reports print and the API lists
// (Question.Kind and Choices are its Kind and Choices). A question has
// one; a LIST's items have one; an item object has one per field.
type Control struct {
	Kind Kind
	Name string // the property's name; "" for a list's items
	// Labels are as the schema writes them: Title is "" where it has
	// none (a Question's own Labels fall back to its name).
	Labels
	Description Description
	// Required: the enclosing object's "required" names it (its
	// conditional requirements are the validation's to tell).
	Required bool
	// Values are a choice's allowed values as the schema writes them
	// (numbers as json.Number, null kept); Choices the same values as
	// strings with their labels (a null has none).
	Values  []any
	Choices []Choice
	// Bounds: Min and Max are exclusive where ExclusiveMin/Max say so.
	Min, Max                   *float64
	ExclusiveMin, ExclusiveMax bool
	Step                       *float64 // multipleOf
	MaxLength                  int      // 0: none
	Format, Pattern            string
	Item                       *Control   // a LIST's items (a TEXT where the schema does not say)
	Fields                     []*Control // an OBJECT's properties, in document order
}

// OptionLabel is what a person reads for option v in lang: its label,
// else its code made readable.
func (c *Control) OptionLabel(v, lang string) string {
	for _, ch := range c.Choices {
		if ch.Value == v {
			if l := ch.Label(lang); l != "" {
				return l
			}
		}
	}
	return Humanize(v)
}

// control derives the control of a resolved schema node, named name, at
// pointer at. Nesting deeper than 8 stops at a LIST of text, as a form
// can draw no deeper.
func (d *deriver) control(n *object, name, at string, depth int) (*Control, error) {
	c := &Control{Name: name, Labels: d.labels(n, at, ""), Description: d.describe(n, at), Format: n.str("format"), Pattern: n.str("pattern")}
	if ml := numberOf(n.vals["maxLength"]); ml != nil {
		c.MaxLength = int(*ml)
	}
	c.Min, c.Max = numberOf(n.vals["minimum"]), numberOf(n.vals["maximum"])
	if v := numberOf(n.vals["exclusiveMinimum"]); v != nil {
		c.Min, c.ExclusiveMin = v, true
	}
	if v := numberOf(n.vals["exclusiveMaximum"]); v != nil {
		c.Max, c.ExclusiveMax = v, true
	}
	c.Step = numberOf(n.vals["multipleOf"])
	var err error
	switch typeOf(n) {
	case "string", "":
		c.Kind = Text
		if vals, ok := choiceValues(n); ok {
			c.Kind, c.Values = SingleChoice, vals
			if c.Choices, err = choicesOf(optionStrings(vals), at, n); err == nil {
				c.Choices = d.choices(c.Choices, at)
			}
		}
	case "boolean":
		c.Kind = Boolean
	case "integer":
		c.Kind = Integer
	case "number":
		c.Kind = Number
	case "array":
		c.Kind = List
		if raw, ok := n.vals["items"]; ok {
			items, rerr := d.resolve(raw, at+"/items")
			if rerr != nil {
				return nil, rerr
			}
			if vals, ok := choiceValues(items); ok {
				c.Kind, c.Values = MultiChoice, vals
				if c.Choices, err = choicesOf(optionStrings(vals), at, items, n); err == nil {
					c.Choices = d.choices(c.Choices, at)
				}
			} else if depth < 8 {
				c.Item, err = d.control(items, "", at+"/items", depth+1)
			}
		}
		if c.Kind == List && c.Item == nil && err == nil {
			c.Item = &Control{Kind: Text}
		}
	case "object":
		c.Kind = Object
		if depth < 8 {
			err = d.fields(c, n, at, depth)
		}
	default:
		c.Kind = Text
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// fields derives an object control's fields: its properties, then those
// of its allOf, if/then/else branches and dependentSchemas, as questions
// are derived. A property whose schema is false has none.
func (d *deriver) fields(c *Control, n *object, at string, depth int) error {
	names, schemas, err := d.properties(n, at)
	if err != nil {
		return err
	}
	required, _ := n.vals["required"].([]any)
	for i, name := range names {
		ptr := at + "/" + EscapeToken(name)
		switch d.boolSchema(schemas[i]) {
		case false: // never to be answered: no control
			continue
		case true: // anything: asked as text
			schemas[i] = &object{vals: map[string]any{}}
		}
		pn, err := d.resolve(schemas[i], ptr)
		if err != nil {
			return err
		}
		fc, err := d.control(pn, name, ptr, depth+1)
		if err != nil {
			return err
		}
		fc.Required = slices.Contains(required, any(name))
		c.Fields = append(c.Fields, fc)
	}
	return nil
}

// boolSchema returns the boolean schema v is, directly or by a $ref;
// nil for a schema object.
func (d *deriver) boolSchema(v any) any {
	for range 32 {
		n, ok := v.(*object)
		if !ok {
			b, _ := v.(bool)
			return b
		}
		ref, ok := n.vals["$ref"].(string)
		if !ok {
			return nil
		}
		if v, ok = resolvePointer(d.root, strings.TrimPrefix(ref, "#")); !ok {
			return nil
		}
	}
	return nil
}

// numberOf reads a numeric keyword's value.
func numberOf(v any) *float64 {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil
	}
	return &f
}
