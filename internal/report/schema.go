package report

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// node is a JSON Schema object that keeps its keys' order, so a list's
// columns print in the order the questionnaire gives its fields.
type node struct {
	keys []string
	vals map[string]any // nil, bool, json.Number, string, []any or *node
}

func (n *node) obj(k string) *node {
	if n == nil {
		return nil
	}
	v, _ := n.vals[k].(*node)
	return v
}

func (n *node) str(k string) string {
	if n == nil {
		return ""
	}
	s, _ := n.vals[k].(string)
	return s
}

func decodeNode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		n := &node{vals: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			if _, dup := n.vals[k]; !dup {
				n.keys = append(n.keys, k)
			}
			n.vals[k] = v
		}
		_, err := dec.Token()
		return n, err
	case json.Delim('['):
		var out []any
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		_, err := dec.Token()
		return out, err
	}
	return t, nil
}

// listField is a field of a list question's items.
type listField struct {
	Key   string
	Title string
	Enum  bool // printed by its options' labels, else with humanize
	// titles are the field's title in other languages (x-labels), and
	// choices its options' labels (x-choice-labels): value → lang → label.
	titles  map[string]string
	choices map[string]map[string]string
}

// TitleIn is the field's title in lang, else its English title.
func (f listField) TitleIn(lang string) string {
	if t := f.titles[lang]; t != "" {
		return t
	}
	return f.Title
}

// optionIn is option v's label in lang, else in English, else v in
// words.
func (f listField) optionIn(v, lang string) string {
	if l := f.choices[v][lang]; l != "" {
		return l
	}
	if l := f.choices[v]["en"]; l != "" {
		return l
	}
	return questionnaire.Humanize(v)
}

// stringsOf reads an object of strings ({"fr": "..."}), keys lower-cased.
func stringsOf(n *node) map[string]string {
	if n == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range n.vals {
		if s, ok := v.(string); ok {
			out[strings.ToLower(k)] = s
		}
	}
	return out
}

// choiceLabels reads x-choice-labels ({"value": {"en": "...", "fr": "..."}}).
func choiceLabels(n *node) map[string]map[string]string {
	cl := n.obj("x-choice-labels")
	if cl == nil {
		return nil
	}
	out := map[string]map[string]string{}
	for _, v := range cl.keys {
		out[v] = stringsOf(cl.obj(v))
	}
	return out
}

// schema is a questionnaire's schema decoded with its keys in order,
// for what the questionnaire package does not derive: the titles of
// groups and the fields of a list's items.
type schema struct{ root *node }

func newSchema(q *questionnaire.Questionnaire) *schema {
	v, _ := decodeNode(q.Raw) // Raw compiled at load
	root, _ := v.(*node)
	return &schema{root: root}
}

func unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

// resolve follows $refs into the same document.
func (s *schema) resolve(n *node) *node {
	for i := 0; n != nil && i < 16; i++ {
		ref := n.str("$ref")
		if !strings.HasPrefix(ref, "#/") {
			return n
		}
		cur := s.root
		for _, part := range strings.Split(ref[2:], "/") {
			cur = cur.obj(unescape(part))
		}
		n = cur
	}
	return n
}

// at returns the schema of the answer at a JSON Pointer.
func (s *schema) at(path string) *node {
	cur := s.resolve(s.root)
	if path == "" {
		return cur
	}
	for _, part := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		cur = s.resolve(cur.obj("properties").obj(unescape(part)))
	}
	return cur
}

// title is the title of the node at path in lang (its x-labels), else
// its English title, "" if it has none.
func (s *schema) title(path, lang string) string {
	n := s.at(path)
	if t := stringsOf(n.obj("x-labels"))[lang]; t != "" && n.str("title") != "" {
		return t
	}
	return n.str("title")
}

// listFields returns the fields of the items of the LIST question at
// path, in schema order.
func (s *schema) listFields(path string) []listField {
	props := s.resolve(s.at(path).obj("items")).obj("properties")
	if props == nil {
		return nil
	}
	var out []listField
	for _, k := range props.keys {
		p := s.resolve(props.obj(k))
		if p == nil {
			continue
		}
		title := p.str("title")
		if title == "" {
			title = questionnaire.Humanize(k)
		}
		_, enum := p.vals["enum"]
		choices := choiceLabels(p)
		if it := s.resolve(p.obj("items")); it != nil {
			if !enum {
				_, enum = it.vals["enum"]
			}
			if choices == nil {
				choices = choiceLabels(it)
			}
		}
		titles := stringsOf(p.obj("x-labels"))
		if local := props.obj(k); local != p && local.str("title") != "" {
			// a $ref with a title of its own: the field's title is that one
			title, titles = local.str("title"), stringsOf(local.obj("x-labels"))
		}
		out = append(out, listField{Key: k, Title: title, Enum: enum, titles: titles, choices: choices})
	}
	return out
}
