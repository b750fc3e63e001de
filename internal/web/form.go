package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// This file turns a questionnaire's schema into form fields and posted
// form values back into an answers document. It decides nothing about
// validity: every check is the questionnaire's own validation, run by the
// submission service; the bounds read here only become HTML attributes.
//
// A form field is named by the JSON Pointer of its answer, so posted
// values map onto the document without a table of names. A repeat group
// (LIST) posts "rows:POINTER" with its row count and its items' fields as
// POINTER/INDEX/....

// spec is what the form needs to know about one schema node.
type spec struct {
	typ       string // string, enum, multi, boolean, integer, number, list, object
	enum      []any
	choices   map[string]questionnaire.Labels // an option's labels (x-choice-labels), by value
	labels    questionnaire.Labels
	help      string
	min, max  *float64
	exclusive [2]bool // minimum, maximum exclusive
	step      *float64
	maxLength int
	format    string
	pattern   string
	item      *spec   // list items
	props     []*prop // object properties, in document order
}

type prop struct {
	name string
	spec *spec
}

// schemaDoc resolves $refs and finds properties in a decoded schema.
type schemaDoc struct{ root map[string]any }

func newSchemaDoc(raw []byte) (*schemaDoc, error) {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, err
	}
	return &schemaDoc{root: root}, nil
}

// resolve follows local $refs; keywords beside a $ref win over the
// target's, as the questionnaire package reads them.
func (d *schemaDoc) resolve(n map[string]any) map[string]any {
	for i := 0; i < 32; i++ {
		ref, ok := n["$ref"].(string)
		if !ok {
			return n
		}
		target, ok := d.pointer(strings.TrimPrefix(ref, "#"))
		if !ok {
			return n
		}
		merged := make(map[string]any, len(target)+len(n))
		for k, v := range target {
			merged[k] = v
		}
		for k, v := range n {
			if k != "$ref" {
				merged[k] = v
			}
		}
		n = merged
	}
	return n
}

func (d *schemaDoc) pointer(ptr string) (map[string]any, bool) {
	var cur any = d.root
	for _, tok := range splitPointer(ptr) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur = m[tok]
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

// child finds property name of an object node: its own properties first,
// then those of allOf, then/else and dependentSchemas, as questions are
// derived.
func (d *schemaDoc) child(n map[string]any, name string, depth int) (map[string]any, bool) {
	if depth > 16 {
		return nil, false
	}
	if props, ok := n["properties"].(map[string]any); ok {
		if c, ok := props[name].(map[string]any); ok {
			return d.resolve(c), true
		}
	}
	var subs []any
	if all, ok := n["allOf"].([]any); ok {
		subs = append(subs, all...)
	}
	for _, k := range []string{"then", "else"} {
		if s, ok := n[k]; ok {
			subs = append(subs, s)
		}
	}
	if ds, ok := n["dependentSchemas"].(map[string]any); ok {
		keys := make([]string, 0, len(ds))
		for k := range ds {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			subs = append(subs, ds[k])
		}
	}
	for _, s := range subs {
		if sm, ok := s.(map[string]any); ok {
			if c, ok := d.child(d.resolve(sm), name, depth+1); ok {
				return c, true
			}
		}
	}
	return nil, false
}

// at returns the resolved schema of the node at a question's pointer.
func (d *schemaDoc) at(ptr string) (map[string]any, bool) {
	n := d.resolve(d.root)
	for _, tok := range splitPointer(ptr) {
		c, ok := d.child(n, tok, 0)
		if !ok {
			return nil, false
		}
		n = c
	}
	return n, true
}

// propNames lists an object node's property names in document order; the
// order of a decoded map is lost, so it is read from the raw file once.
type orderFn func(n map[string]any) []string

func num(v any) *float64 {
	if f, ok := v.(float64); ok {
		return &f
	}
	return nil
}

func typeOf(n map[string]any) string {
	switch t := n["type"].(type) {
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

func enumOf(n map[string]any) ([]any, bool) {
	if e, ok := n["enum"].([]any); ok {
		return e, true
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		bs, ok := n[k].([]any)
		if !ok || len(bs) == 0 {
			continue
		}
		var out []any
		for _, b := range bs {
			bm, ok := b.(map[string]any)
			if !ok {
				return nil, false
			}
			c, ok := bm["const"]
			if !ok {
				return nil, false
			}
			out = append(out, c)
		}
		return out, true
	}
	return nil, false
}

func labelsOf(n map[string]any, fallback string) questionnaire.Labels {
	l := questionnaire.Labels{Title: fallback}
	if t, ok := n["title"].(string); ok && t != "" {
		l.Title = t
	}
	if xl, ok := n["x-labels"].(map[string]any); ok {
		l.Translations = map[string]string{}
		for k, v := range xl {
			if s, ok := v.(string); ok {
				l.Translations[strings.ToLower(k)] = s
			}
		}
	}
	return l
}

// specOf reads a resolved schema node.
func (d *schemaDoc) specOf(n map[string]any, name string, order orderFn, depth int) *spec {
	s := &spec{labels: labelsOf(n, name)}
	s.help, _ = n["description"].(string)
	s.format, _ = n["format"].(string)
	s.pattern, _ = n["pattern"].(string)
	if ml, ok := n["maxLength"].(float64); ok {
		s.maxLength = int(ml)
	}
	s.min, s.max = num(n["minimum"]), num(n["maximum"])
	if v := num(n["exclusiveMinimum"]); v != nil {
		s.min, s.exclusive[0] = v, true
	}
	if v := num(n["exclusiveMaximum"]); v != nil {
		s.max, s.exclusive[1] = v, true
	}
	s.step = num(n["multipleOf"])
	switch typeOf(n) {
	case "string", "":
		if e, ok := enumOf(n); ok {
			s.typ, s.enum, s.choices = "enum", e, choiceLabelsOf(n)
		} else {
			s.typ = "string"
		}
	case "boolean":
		s.typ = "boolean"
	case "integer":
		s.typ = "integer"
	case "number":
		s.typ = "number"
	case "array":
		s.typ = "list"
		if raw, ok := n["items"].(map[string]any); ok {
			items := d.resolve(raw)
			if e, ok := enumOf(items); ok {
				s.typ, s.enum, s.choices = "multi", e, choiceLabelsOf(items)
				for v, l := range choiceLabelsOf(n) { // the array's labels win, as in internal/questionnaire
					s.choices[v] = l
				}
			} else if depth < 8 {
				s.item = d.specOf(items, "", order, depth+1)
			}
		}
		if s.item == nil && s.typ == "list" {
			s.item = &spec{typ: "string"}
		}
	case "object":
		s.typ = "object"
		if depth < 8 {
			for _, pn := range order(n) {
				c, _ := d.child(n, pn, 0)
				s.props = append(s.props, &prop{name: pn, spec: d.specOf(c, pn, order, depth+1)})
			}
		}
	default:
		s.typ = "string"
	}
	return s
}

// rawOrder returns an orderFn that lists properties in the order the raw
// file writes them (JSON objects decoded into maps forget it).
func rawOrder(raw []byte) orderFn {
	// Key order of every "properties" object, by the set of its keys.
	orders := map[string][]string{}
	var walk func(dec *json.Decoder) error
	walk = func(dec *json.Decoder) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				if kt == "properties" {
					if err := readProps(dec, orders, walk); err != nil {
						return err
					}
					continue
				}
				if err := walk(dec); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(dec); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	walk(json.NewDecoder(bytes.NewReader(raw))) //nolint:errcheck // the file compiled at load
	return func(n map[string]any) []string {
		props, _ := n["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if o, ok := orders[strings.Join(keys, "\x00")]; ok {
			return o
		}
		return keys
	}
}

func readProps(dec *json.Decoder, orders map[string][]string, walk func(*json.Decoder) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return nil
	}
	var names []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		names = append(names, fmt.Sprint(kt))
		if err := walk(dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	orders[strings.Join(sorted, "\x00")] = names
	return nil
}

// splitPointer splits a JSON Pointer into unescaped tokens.
func splitPointer(ptr string) []string {
	if ptr == "" || ptr == "/" && false {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts
}

// values are a form's values by field name (JSON Pointer, or rows:POINTER).
type values map[string][]string

func (v values) get(name string) string {
	if s := v[name]; len(s) > 0 {
		return s[0]
	}
	return ""
}

// maxRows bounds the rows a posted repeat group may claim.
const maxRows = 500

// decode builds the value at ptr from posted values; ok is false when
// nothing was entered. A number that does not parse is kept as the text
// typed, so that validation reports it beside its field and the page shows
// it again.
func decode(s *spec, ptr string, form values) (any, bool) {
	switch s.typ {
	case "string":
		v := strings.TrimSpace(form.get(ptr))
		return v, v != ""
	case "enum":
		v := form.get(ptr)
		if v == "" {
			return nil, false
		}
		return enumValue(s.enum, v), true
	case "boolean":
		switch form.get(ptr) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case "integer", "number":
		v := strings.TrimSpace(form.get(ptr))
		if v == "" {
			return nil, false
		}
		if n, ok := parseNumber(v); ok {
			return n, true
		}
		return v, true
	case "multi":
		chosen := map[string]bool{}
		for _, v := range form[ptr] {
			chosen[v] = true
		}
		var out []any
		for _, e := range s.enum {
			if chosen[optionString(e)] {
				out = append(out, e)
				delete(chosen, optionString(e))
			}
		}
		for _, v := range form[ptr] { // not an option: kept for validation to refuse
			if chosen[v] && v != "" {
				out = append(out, v)
				delete(chosen, v)
			}
		}
		return out, len(out) > 0
	case "list":
		n, _ := strconv.Atoi(form.get("rows:" + ptr))
		n = max(0, min(n, maxRows))
		var out []any
		for i := 0; i < n; i++ {
			if v, ok := decode(s.item, ptr+"/"+strconv.Itoa(i), form); ok {
				out = append(out, v)
			}
		}
		return out, len(out) > 0
	case "object":
		obj := map[string]any{}
		for _, p := range s.props {
			if v, ok := decode(p.spec, ptr+"/"+questionnaire.EscapeToken(p.name), form); ok {
				obj[p.name] = v
			}
		}
		return obj, len(obj) > 0
	}
	return nil, false
}

// parseNumber accepts a decimal number, with a comma as the decimal mark
// too (as French and many other languages write it).
func parseNumber(v string) (json.Number, bool) {
	if strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
		v = strings.Replace(v, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
}

func enumValue(enum []any, v string) any {
	for _, e := range enum {
		if optionString(e) == v {
			return e
		}
	}
	return v
}

func optionString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// encode flattens the value at ptr into form values, the inverse of decode.
func encode(s *spec, ptr string, v any, form values) {
	if v == nil {
		return
	}
	switch s.typ {
	case "multi":
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				form[ptr] = append(form[ptr], optionString(e))
			}
			return
		}
	case "list":
		if arr, ok := v.([]any); ok {
			form["rows:"+ptr] = []string{strconv.Itoa(len(arr))}
			for i, e := range arr {
				encode(s.item, ptr+"/"+strconv.Itoa(i), e, form)
			}
			return
		}
	case "object":
		if m, ok := v.(map[string]any); ok {
			for _, p := range s.props {
				encode(p.spec, ptr+"/"+questionnaire.EscapeToken(p.name), m[p.name], form)
			}
			return
		}
	}
	switch x := v.(type) {
	case bool:
		form[ptr] = []string{strconv.FormatBool(x)}
	case string:
		form[ptr] = []string{x}
	case json.Number:
		form[ptr] = []string{x.String()}
	case float64:
		form[ptr] = []string{strconv.FormatFloat(x, 'f', -1, 64)}
	default:
		b, _ := json.Marshal(x)
		form[ptr] = []string{string(b)}
	}
}

// lookup returns the value at ptr in a decoded document.
func lookup(doc any, ptr string) (any, bool) { return questionnaire.Lookup(doc, ptr) }

// place sets (or, when ok is false, deletes) the value at ptr, creating
// the objects on the way and dropping the ones it leaves empty.
func place(doc map[string]any, ptr string, v any, ok bool) {
	toks := splitPointer(ptr)
	var rec func(m map[string]any, toks []string)
	rec = func(m map[string]any, toks []string) {
		if len(toks) == 1 {
			if ok {
				m[toks[0]] = v
			} else {
				delete(m, toks[0])
			}
			return
		}
		child, isMap := m[toks[0]].(map[string]any)
		if !isMap {
			if !ok {
				return
			}
			child = map[string]any{}
			m[toks[0]] = child
		}
		rec(child, toks[1:])
		if len(child) == 0 {
			delete(m, toks[0])
		}
	}
	rec(doc, toks)
}

// scaffold returns a copy of doc in which every group on the way to a
// question exists, so that full validation names the required questions
// inside groups not yet started rather than only the missing group.
func scaffold(doc map[string]any, questions []*questionnaire.Question) map[string]any {
	out := deepCopy(doc).(map[string]any)
	for _, q := range questions {
		toks := splitPointer(q.Path)
		m := out
		for _, t := range toks[:len(toks)-1] {
			child, ok := m[t].(map[string]any)
			if !ok {
				if _, taken := m[t]; taken {
					break
				}
				child = map[string]any{}
				m[t] = child
			}
			m = child
		}
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// choiceLabelsOf reads a schema node's x-choice-labels ({"value": {"en":
// "...", "fr": "..."}}); internal/questionnaire has checked them at load.
func choiceLabelsOf(n map[string]any) map[string]questionnaire.Labels {
	out := map[string]questionnaire.Labels{}
	m, _ := n["x-choice-labels"].(map[string]any)
	for value, raw := range m {
		byLang, _ := raw.(map[string]any)
		l := questionnaire.Labels{Translations: map[string]string{}}
		for lang, text := range byLang {
			t, _ := text.(string)
			if lang = strings.ToLower(lang); lang == "en" {
				l.Title = t
			} else {
				l.Translations[lang] = t
			}
		}
		out[value] = l
	}
	return out
}

// optionLabel is what a person reads for option v of s in lang: its label,
// else its code made readable.
func (s *spec) optionLabel(v, lang string) string {
	if l, ok := s.choices[v]; ok && (l.Title != "" || len(l.Translations) > 0) {
		if label := l.Label(lang); label != "" {
			return label
		}
	}
	return questionnaire.Humanize(v)
}
