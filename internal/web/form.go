package web

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// This file turns posted form values into an answers document and back,
// by the questionnaire's controls (questionnaire.Control: the one model of
// what to ask). It decides nothing about validity: every check is the
// questionnaire's own validation, run by the submission service; the
// bounds only become HTML attributes.
//
// A form field is named by the JSON Pointer of its answer, so posted
// values map onto the document without a table of names. A repeat group
// (LIST) posts "rows:POINTER" with its row count and its items' fields as
// POINTER/INDEX/....

// splitPointer splits a JSON Pointer into unescaped tokens.
func splitPointer(ptr string) []string {
	if ptr == "" {
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
func decode(s *questionnaire.Control, ptr string, form values) (any, bool) {
	switch s.Kind {
	case questionnaire.Text:
		v := strings.TrimSpace(form.get(ptr))
		return v, v != ""
	case questionnaire.SingleChoice:
		v := form.get(ptr)
		if v == "" {
			return nil, false
		}
		return enumValue(s.Values, v), true
	case questionnaire.Boolean:
		switch form.get(ptr) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	case questionnaire.Integer, questionnaire.Number:
		v := strings.TrimSpace(form.get(ptr))
		if v == "" {
			return nil, false
		}
		if n, ok := parseNumber(v); ok {
			return n, true
		}
		return v, true
	case questionnaire.MultiChoice:
		chosen := map[string]bool{}
		for _, v := range form[ptr] {
			chosen[v] = true
		}
		var out []any
		for _, e := range s.Values {
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
	case questionnaire.List:
		n, _ := strconv.Atoi(form.get("rows:" + ptr))
		n = max(0, min(n, maxRows))
		var out []any
		for i := 0; i < n; i++ {
			if v, ok := decode(s.Item, ptr+"/"+strconv.Itoa(i), form); ok {
				out = append(out, v)
			}
		}
		return out, len(out) > 0
	case questionnaire.Object:
		obj := map[string]any{}
		for _, p := range s.Fields {
			if v, ok := decode(p, ptr+"/"+questionnaire.EscapeToken(p.Name), form); ok {
				obj[p.Name] = v
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
func encode(s *questionnaire.Control, ptr string, v any, form values) {
	if v == nil {
		return
	}
	switch s.Kind {
	case questionnaire.MultiChoice:
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				form[ptr] = append(form[ptr], optionString(e))
			}
			return
		}
	case questionnaire.List:
		if arr, ok := v.([]any); ok {
			form["rows:"+ptr] = []string{strconv.Itoa(len(arr))}
			for i, e := range arr {
				encode(s.Item, ptr+"/"+strconv.Itoa(i), e, form)
			}
			return
		}
	case questionnaire.Object:
		if m, ok := v.(map[string]any); ok {
			for _, p := range s.Fields {
				encode(p, ptr+"/"+questionnaire.EscapeToken(p.Name), m[p.Name], form)
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
