package questionnaire

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// derive walks the root's properties: each is a section; inside, an object
// with properties is a group and anything else a question.
func (q *Questionnaire) derive(root *object, known map[string]WorkingGroup) error {
	d := deriver{root: root, known: known, q: q}
	q.Labels = d.labels(root, "", "")
	if q.Title == "" {
		return errors.New(`the root needs a "title"`)
	}
	q.labelled = append(q.labelled, labelledNode{"", q.Labels})
	q.Description = d.describe(root, "")
	if t := root.str("type"); t != "object" {
		return errors.New(`the root must be "type": "object"`)
	}
	props := root.obj("properties")
	if props == nil || len(props.keys) == 0 {
		return errors.New("the root has no properties: every questionnaire needs at least one section")
	}
	rootWGs, err := d.workingGroups(root, "", nil)
	if err != nil {
		return err
	}
	for _, name := range props.keys {
		ptr := "/" + EscapeToken(name)
		node, err := d.resolve(props.vals[name], ptr)
		if err != nil {
			return err
		}
		if node.str("type") != "object" || node.obj("properties") == nil {
			return fmt.Errorf(`section %q must be "type": "object" with "properties"`, name)
		}
		sec := &Section{ID: name, Labels: d.labels(node, ptr, ""), Description: d.describe(node, ptr)}
		if sec.Title == "" {
			return fmt.Errorf(`section %q needs a "title"`, name)
		}
		wgs, err := d.workingGroups(node, ptr, rootWGs)
		if err != nil {
			return err
		}
		q.Sections = append(q.Sections, sec)
		q.nodes[ptr] = sec.Labels
		q.labelled = append(q.labelled, labelledNode{ptr, sec.Labels})
		if err := d.group(sec, node, ptr, wgs); err != nil {
			return err
		}
	}
	if len(q.Questions) == 0 {
		return errors.New("the questionnaire has no questions")
	}
	return nil
}

type deriver struct {
	root  *object
	known map[string]WorkingGroup
	q     *Questionnaire
}

// group derives the questions under an object node, in document order:
// its own properties, then those that only appear in allOf, if/then/else
// branches or dependentSchemas (conditional questions).
func (d *deriver) group(sec *Section, node *object, ptr string, wgs []string) error {
	names, schemas, err := d.properties(node, ptr)
	if err != nil {
		return err
	}
	for i, name := range names {
		child := ptr + "/" + EscapeToken(name)
		if d.q.HasNode(child) {
			continue
		}
		n, err := d.resolve(schemas[i], child)
		if err != nil {
			return err
		}
		childWGs, err := d.workingGroups(n, child, wgs)
		if err != nil {
			return err
		}
		if err := d.q.customMessages(n, child); err != nil {
			return err
		}
		if n.obj("properties") != nil && (n.str("type") == "object" || n.vals["type"] == nil) {
			l := d.labels(n, child, "")
			d.q.nodes[child] = l
			d.q.labelled = append(d.q.labelled, labelledNode{child, l})
			d.q.groups[child] = l
			d.q.groupDescriptions[child] = d.describe(n, child)
			if err := d.group(sec, n, child, childWGs); err != nil {
				return err
			}
			continue
		}
		qq, err := d.question(n, child)
		if err != nil {
			return err
		}
		d.q.nodes[child] = qq.Labels
		qq.Section, qq.WorkingGroups = sec.ID, childWGs
		if ptr != "/"+EscapeToken(sec.ID) {
			qq.Group = ptr
		}
		d.q.labelled = append(d.q.labelled, labelledNode{child, qq.Labels})
		sec.Questions = append(sec.Questions, qq)
		d.q.Questions = append(d.q.Questions, qq)
		d.q.byPath[child] = qq
	}
	return nil
}

// properties lists an object node's properties with their schemas.
func (d *deriver) properties(node *object, ptr string) ([]string, []any, error) {
	var names []string
	var schemas []any
	seen := map[string]bool{}
	var visit func(n *object, depth int) error
	visit = func(n *object, depth int) error {
		if depth > 16 {
			return fmt.Errorf("%s: subschemas nest too deeply", ptr)
		}
		if props := n.obj("properties"); props != nil {
			for _, k := range props.keys {
				if !seen[k] {
					seen[k] = true
					names = append(names, k)
					schemas = append(schemas, props.vals[k])
				}
			}
		}
		var subs []any
		if all, ok := n.vals["allOf"].([]any); ok {
			subs = append(subs, all...)
		}
		for _, k := range []string{"then", "else"} {
			if s, ok := n.vals[k]; ok {
				subs = append(subs, s)
			}
		}
		if ds := n.obj("dependentSchemas"); ds != nil {
			for _, k := range ds.keys {
				subs = append(subs, ds.vals[k])
			}
		}
		for _, s := range subs {
			sub, err := d.resolve(s, ptr)
			if err != nil {
				return err
			}
			if err := visit(sub, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return names, schemas, visit(node, 0)
}

// resolve follows local $refs; keywords beside a $ref (title, x-labels,
// x-working-groups ...) take precedence over the target's.
func (d *deriver) resolve(v any, at string) (*object, error) {
	n, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("%s: the schema must be an object", at)
	}
	for depth := 0; ; depth++ {
		ref, ok := n.vals["$ref"].(string)
		if !ok {
			return n, nil
		}
		if depth > 32 {
			return nil, fmt.Errorf("%s: $ref chain too long or circular", at)
		}
		target, ok := resolvePointer(d.root, strings.TrimPrefix(ref, "#"))
		t, isObj := target.(*object)
		if !ok || !isObj {
			return nil, fmt.Errorf("%s: $ref %q does not point to a schema object in the file", at, ref)
		}
		// The target's keywords (its own $ref too, to follow a chain),
		// overlaid with this node's other keywords.
		merged := &object{vals: map[string]any{}}
		for _, k := range t.keys {
			merged.keys = append(merged.keys, k)
			merged.vals[k] = t.vals[k]
		}
		for _, k := range n.keys {
			if k == "$ref" {
				continue
			}
			if _, exists := merged.vals[k]; !exists {
				merged.keys = append(merged.keys, k)
			}
			merged.vals[k] = n.vals[k]
		}
		// A description beside the $ref replaces the target's with its
		// translations: the target's x-descriptions translate the target's.
		if _, own := n.vals["description"]; own {
			if _, ownX := n.vals["x-descriptions"]; !ownX {
				delete(merged.vals, "x-descriptions")
				merged.keys = slices.DeleteFunc(merged.keys, func(k string) bool { return k == "x-descriptions" })
			}
		}
		n = merged
	}
}

// workingGroups is the union of a node's x-working-groups and its parent's.
func (d *deriver) workingGroups(n *object, at string, inherited []string) ([]string, error) {
	out := slices.Clone(inherited)
	raw, ok := n.vals["x-working-groups"]
	if !ok {
		return out, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: x-working-groups must be a list of working-group ids", at)
	}
	for _, v := range list {
		id, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: x-working-groups must be a list of working-group ids", at)
		}
		if _, known := d.known[id]; !known {
			return nil, fmt.Errorf("%s: x-working-groups names unknown working group %q", at, id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// describe reads the help text of the node at ptr and keeps it for
// LabelsSHA256.
func (d *deriver) describe(n *object, ptr string) Description {
	desc := d.description(n, ptr)
	if desc.Text != "" {
		d.q.described = append(d.q.described, desc)
	}
	return desc
}

// description reads the help text of the node at ptr with the uploaded
// translations laid over its x-descriptions, and records it as a unit.
func (d *deriver) description(n *object, ptr string) Description {
	desc := descriptionOf(n)
	if desc.Text == "" {
		return desc
	}
	id := ptr + DescriptionUnit
	desc.Translations = d.overlay(id, desc.Translations)
	d.unit(id, desc.Text, desc.Translations)
	return desc
}

// labels reads the labels of the node at ptr (Title fallback where the
// schema has none) with the uploaded translations laid over its
// x-labels, and records them as a unit.
func (d *deriver) labels(n *object, ptr, fallback string) Labels {
	l := labelsOf(n)
	if l.Title == "" {
		l.Title = fallback
	}
	id := ptr + TitleUnit
	l.Translations = d.overlay(id, l.Translations)
	if l.Title != "" {
		d.unit(id, l.Title, l.Translations)
	}
	return l
}

// choices lays the uploaded translations over the options' labels of the
// choice question (or field) at ptr and records them as units.
func (d *deriver) choices(cs []Choice, ptr string) []Choice {
	for i := range cs {
		id := ptr + OptionUnit + cs[i].Value
		cs[i].Translations = d.overlay(id, cs[i].Translations)
		d.unit(id, cs[i].Title, cs[i].Translations)
	}
	return cs
}

// descriptionOf reads a node's description and x-descriptions (checked
// at load by checkDescriptions).
func descriptionOf(n *object) Description {
	desc := Description{Text: n.str("description")}
	if xd := n.obj("x-descriptions"); xd != nil {
		desc.Translations = map[string]string{}
		for _, k := range xd.keys {
			if s, ok := xd.vals[k].(string); ok {
				desc.Translations[strings.ToLower(k)] = s
			}
		}
	}
	return desc
}

func labelsOf(n *object) Labels {
	l := Labels{Title: n.str("title")}
	if xl := n.obj("x-labels"); xl != nil {
		l.Translations = map[string]string{}
		for _, k := range xl.keys {
			if s, ok := xl.vals[k].(string); ok {
				l.Translations[strings.ToLower(k)] = s
			}
		}
	}
	return l
}

// question derives a question from its schema: its kind, options and
// the rest of its control.
func (d *deriver) question(n *object, ptr string) (*Question, error) {
	name := unescapeToken(ptr[strings.LastIndex(ptr, "/")+1:])
	q := &Question{Path: ptr, Labels: d.labels(n, ptr, name), Description: d.description(n, ptr), Options: []string{}, Choices: []Choice{}}
	switch t := typeOf(n); t {
	case "string", "boolean", "integer", "number", "array":
	case "":
		if _, ok := choiceValues(n); !ok {
			return nil, fmt.Errorf(`question %s has no "type": give it one of string, boolean, integer, number, array`, ptr)
		}
	default:
		return nil, fmt.Errorf("question %s: type %q is not a question kind (an object needs properties to be a group)", ptr, t)
	}
	c, err := d.control(n, name, ptr, 0)
	if err != nil {
		return nil, err
	}
	q.Control, q.Kind = c, c.Kind
	if c.Kind == SingleChoice || c.Kind == MultiChoice {
		q.Options, q.Choices = optionStrings(c.Values), c.Choices
	}
	if c.Kind == Integer || c.Kind == Number {
		if q.Measure, err = measureOf(n, ptr); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// measureOf reads a number question's x-measure.
func measureOf(n *object, ptr string) (Measure, error) {
	raw, ok := n.vals["x-measure"]
	if !ok {
		return "", nil
	}
	if s, ok := raw.(string); ok && slices.Contains(Measures, Measure(s)) {
		return Measure(s), nil
	}
	return "", fmt.Errorf("question %s: x-measure %v is not one of %v", ptr, raw, Measures)
}

// typeOf returns a node's type, ignoring "null" in a list of types.
func typeOf(n *object) string {
	switch t := n.vals["type"].(type) {
	case string:
		return t
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok && s != "null" {
				return s
			}
		}
	}
	return ""
}

// choiceValues returns the allowed values of an enum, or of a oneOf/anyOf
// whose branches are all consts, as the schema writes them.
func choiceValues(n *object) ([]any, bool) {
	if enum, ok := n.vals["enum"].([]any); ok {
		return enum, true
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		branches, ok := n.vals[k].([]any)
		if !ok || len(branches) == 0 {
			continue
		}
		var consts []any
		for _, b := range branches {
			bo, ok := b.(*object)
			if !ok {
				return nil, false
			}
			c, ok := bo.vals["const"]
			if !ok {
				return nil, false
			}
			consts = append(consts, c)
		}
		return consts, true
	}
	return nil, false
}

func optionStrings(vals []any) []string {
	out := []string{}
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
		case string:
			out = append(out, x)
		default:
			b, _ := json.Marshal(x)
			out = append(out, string(b))
		}
	}
	return out
}

// customMessages reads a node's x-messages: the questionnaire's own
// message per keyword and language, shown instead of the catalogue's
// sentence ({"pattern": {"en": "Use the international format…", "fr": …}}).
func (q *Questionnaire) customMessages(n *object, ptr string) error {
	xm, ok := n.vals["x-messages"]
	if !ok {
		return nil
	}
	byKeyword, ok := xm.(*object)
	if !ok {
		return fmt.Errorf("x-messages at %q: want an object of keyword → language → message", ptr)
	}
	out := map[string]map[string]string{}
	for _, kw := range byKeyword.keys {
		langs, ok := byKeyword.vals[kw].(*object)
		if !ok {
			return fmt.Errorf("x-messages at %q: %q: want an object of language → message", ptr, kw)
		}
		out[kw] = map[string]string{}
		for _, l := range langs.keys {
			s, ok := langs.vals[l].(string)
			if !ok || strings.TrimSpace(s) == "" {
				return fmt.Errorf("x-messages at %q: %q.%q: want a non-empty message", ptr, kw, l)
			}
			out[kw][strings.ToLower(l)] = s
		}
	}
	q.messages[ptr] = out
	return nil
}
