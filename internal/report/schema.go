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
	Enum  bool // printed with humanize
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

// title is the title of the node at path, "" if it has none.
func (s *schema) title(path string) string { return s.at(path).str("title") }

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
		if !enum {
			if it := s.resolve(p.obj("items")); it != nil {
				_, enum = it.vals["enum"]
			}
		}
		out = append(out, listField{Key: k, Title: title, Enum: enum})
	}
	return out
}
