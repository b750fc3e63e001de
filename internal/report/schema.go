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

// listFields returns the fields of the items of the LIST question at
// path, in schema order, following $refs into #/$defs.
func listFields(q *questionnaire.Questionnaire, path string) []listField {
	v, err := decodeNode(q.Raw)
	if err != nil {
		return nil
	}
	root, _ := v.(*node)
	resolve := func(n *node) *node {
		for i := 0; n != nil && i < 16; i++ {
			ref := n.str("$ref")
			if !strings.HasPrefix(ref, "#/") {
				return n
			}
			cur := root
			for _, part := range strings.Split(ref[2:], "/") {
				cur = cur.obj(strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~"))
			}
			n = cur
		}
		return n
	}
	cur := resolve(root)
	for _, part := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		cur = resolve(resolve(cur).obj("properties").obj(strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")))
	}
	items := resolve(cur.obj("items"))
	props := items.obj("properties")
	if props == nil {
		return nil
	}
	var out []listField
	for _, k := range props.keys {
		p := resolve(props.obj(k))
		if p == nil {
			continue
		}
		title := p.str("title")
		if title == "" {
			title = humanize(k)
		}
		_, enum := p.vals["enum"]
		if !enum {
			if it := resolve(p.obj("items")); it != nil {
				_, enum = it.vals["enum"]
			}
		}
		out = append(out, listField{Key: k, Title: title, Enum: enum})
	}
	return out
}
