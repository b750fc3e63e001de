package questionnaire

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Languages are the six official languages of the United Nations, in the
// order the contract lists them. A questionnaire offers all six: English
// from its titles, the others from x-labels and x-choice-labels.
var Languages = []string{"ar", "zh", "en", "fr", "ru", "es"}

// IsLanguage reports whether lang is one of Languages.
func IsLanguage(lang string) bool { return slices.Contains(Languages, lang) }

// Choice is an allowed value of a choice question and what a person reads
// for it: its English label is Title, the others are Translations.
type Choice struct {
	Value string
	Labels
}

// Humanize turns a code into English words, the label of an option that
// has none: "signature_only" → "Signature only", "case-by-case" → "Case
// by case"; a short acronym ("EU", "ASEAN") keeps its case.
func Humanize(code string) string {
	s := strings.Join(strings.FieldsFunc(code, func(r rune) bool { return r == '_' || r == '-' }), " ")
	if s == "" {
		return code
	}
	if strings.ToUpper(s) == s && strings.ToLower(s) != s && !strings.Contains(s, " ") && len(s) <= 5 {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Missing counts the labels a person reads that have no text in lang:
// of the root, sections, groups and questions, of the fields of a list's
// items and of the options (every unit but help text). English is
// complete by definition: every node has a title or falls back to its
// name or code.
func (q *Questionnaire) Missing(lang string) int {
	lang = strings.ToLower(lang)
	if lang == "en" {
		return 0
	}
	n := 0
	for _, u := range q.units {
		if !strings.HasSuffix(u.ID, DescriptionUnit) && u.translations[lang] == "" {
			n++
		}
	}
	return n
}

// choiceLabels reads x-choice-labels: {"value": {"en": "...", "fr": "..."}}.
// Every value must be one of options, so that a mistyped code is an error
// at load instead of a label that silently never shows.
func choiceLabels(n *object, at string, options []string) (map[string]Labels, error) {
	raw, ok := n.vals["x-choice-labels"]
	if !ok {
		return nil, nil
	}
	m, ok := raw.(*object)
	if !ok {
		return nil, fmt.Errorf(`%s: x-choice-labels must be an object {"value": {"en": "...", "fr": "..."}}`, at)
	}
	out := map[string]Labels{}
	for _, value := range m.keys {
		if !slices.Contains(options, value) {
			return nil, fmt.Errorf("%s: x-choice-labels names %q, which is not one of the options %q", at, value, options)
		}
		byLang, ok := m.vals[value].(*object)
		if !ok {
			return nil, fmt.Errorf(`%s: x-choice-labels of %q must be an object {"en": "...", "fr": "..."}`, at, value)
		}
		l := Labels{Translations: map[string]string{}}
		for _, lang := range byLang.keys {
			s, ok := byLang.vals[lang].(string)
			if !ok {
				return nil, fmt.Errorf("%s: x-choice-labels of %q in %q must be a string", at, value, lang)
			}
			if strings.ToLower(lang) == "en" {
				l.Title = s
			} else {
				l.Translations[strings.ToLower(lang)] = s
			}
		}
		out[value] = l
	}
	return out, nil
}

// constLabels reads the labels of a oneOf/anyOf of consts, the standard
// JSON Schema idiom: [{"const": "adopted", "title": "Adopted", "x-labels": {...}}].
func constLabels(n *object) map[string]Labels {
	out := map[string]Labels{}
	for _, k := range []string{"oneOf", "anyOf"} {
		branches, _ := n.vals[k].([]any)
		for _, b := range branches {
			bo, ok := b.(*object)
			if !ok {
				continue
			}
			v, ok := bo.vals["const"]
			if !ok {
				continue
			}
			opts := optionStrings([]any{v})
			if len(opts) == 1 {
				out[opts[0]] = labelsOf(bo)
			}
		}
	}
	return out
}

// choicesOf builds a choice question's choices from the nodes that may
// label them, later ones overriding earlier ones (for a MULTI_CHOICE: its
// items, then the array property). An option without a label is its code
// humanized in English.
func choicesOf(options []string, at string, nodes ...*object) ([]Choice, error) {
	merged := map[string]Labels{}
	for _, n := range nodes {
		for v, l := range constLabels(n) {
			merged[v] = l
		}
		cl, err := choiceLabels(n, at, options)
		if err != nil {
			return nil, err
		}
		for v, l := range cl {
			prev := merged[v]
			if l.Title == "" {
				l.Title = prev.Title
			}
			for lang, s := range prev.Translations {
				if _, ok := l.Translations[lang]; !ok {
					l.Translations[lang] = s
				}
			}
			merged[v] = l
		}
	}
	out := make([]Choice, 0, len(options))
	for _, v := range options {
		l := merged[v]
		if l.Title == "" {
			l.Title = Humanize(v)
		}
		out = append(out, Choice{Value: v, Labels: l})
	}
	return out, nil
}

// annotations are the keywords that only say what a person reads: removing
// or changing them changes no validation, derivation or aggregate figure
// (x-measure only decides whether a sum of the figures is shown). A
// translation, of a label or of help text, can so be corrected while
// cycles use the file.
var annotations = map[string]bool{
	"title": true, "description": true, "$comment": true, "examples": true,
	"x-labels": true, "x-descriptions": true, "x-choice-labels": true, "x-measure": true,
	"x-languages": true,
}

// schemaValued are the keywords whose value is a schema, a list of schemas
// or a map of names to schemas; every other keyword's value is data and is
// kept as it is (a property named "title" is not an annotation).
var schemaValued = map[string]string{
	"properties": "map", "patternProperties": "map", "$defs": "map", "definitions": "map", "dependentSchemas": "map",
	"allOf": "list", "anyOf": "list", "oneOf": "list", "prefixItems": "list",
	"items": "one", "additionalProperties": "one", "unevaluatedProperties": "one", "unevaluatedItems": "one",
	"contains": "one", "propertyNames": "one", "not": "one", "if": "one", "then": "one", "else": "one",
}

// withoutAnnotations returns a copy of a schema without its annotations.
func withoutAnnotations(v any) any {
	n, ok := v.(*object)
	if !ok {
		return v
	}
	out := &object{vals: map[string]any{}}
	for _, k := range n.keys {
		if annotations[k] {
			continue
		}
		child := n.vals[k]
		switch schemaValued[k] {
		case "one":
			child = withoutAnnotations(child)
		case "list":
			if a, ok := child.([]any); ok {
				ca := make([]any, len(a))
				for i, s := range a {
					ca[i] = withoutAnnotations(s)
				}
				child = ca
			}
		case "map":
			if m, ok := child.(*object); ok {
				cm := &object{keys: m.keys, vals: make(map[string]any, len(m.keys))}
				for _, name := range m.keys {
					cm.vals[name] = withoutAnnotations(m.vals[name])
				}
				child = cm
			}
		}
		out.keys = append(out.keys, k)
		out.vals[k] = child
	}
	return out
}

// validationDigest is the SHA-256 of a schema without its annotations, in
// document order (the order of properties is the order of questions, of an
// enum the order of options). Two files with the same validation digest
// accept and refuse the same answers and derive the same questions, kinds,
// options and working groups: they differ only in what a person reads.
func validationDigest(doc any) (string, error) {
	b, err := json.Marshal(withoutAnnotations(doc))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// LabelsSHA256 is the digest of everything a person reads in lang: every
// unit (labels, the fields of a list's items, options, help text) with
// its text in lang or its absence, in document order. A review of a
// translation holds for this digest: when any of them changes, the
// translation is a draft again.
func (q *Questionnaire) LabelsSHA256(lang string) string {
	lang = strings.ToLower(lang)
	if d, ok := q.labelDigests[lang]; ok {
		return d
	}
	return q.labelsSHA256(lang)
}

// labelsSHA256 computes LabelsSHA256, which Compile keeps for the six
// languages: a page asks for it on every request.
func (q *Questionnaire) labelsSHA256(lang string) string {
	h := sha256.New()
	for _, u := range q.units {
		s := u.Source
		if lang != "en" {
			s = u.translations[lang]
		}
		b, _ := json.Marshal([2]string{u.ID, s}) // quoted, so that no two sequences hash alike
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkChoiceLabels checks every x-choice-labels in a schema, wherever it
// sits (a question, or a field of a list's items, which is not a question
// of its own): beside options, naming only them. Where the options are
// behind a $ref, deriving the question checks them.
func checkChoiceLabels(v any, at string) error {
	n, ok := v.(*object)
	if !ok {
		return nil
	}
	if _, has := n.vals["x-choice-labels"]; has {
		vals, ok := choiceValues(n)
		_, viaRef := n.vals["$ref"]
		if items, isObj := n.vals["items"].(*object); !ok && isObj {
			vals, ok = choiceValues(items)
			_, viaRef = items.vals["$ref"]
		}
		opts := optionStrings(vals)
		switch {
		case ok:
			if _, err := choiceLabels(n, at, opts); err != nil {
				return err
			}
		case !viaRef:
			return fmt.Errorf("%s: x-choice-labels needs options beside it (an enum, or a oneOf of consts)", at)
		}
	}
	for _, k := range n.keys {
		child := n.vals[k]
		switch schemaValued[k] {
		case "one":
			if err := checkChoiceLabels(child, at+"/"+EscapeToken(k)); err != nil {
				return err
			}
		case "list":
			a, _ := child.([]any)
			for i, s := range a {
				if err := checkChoiceLabels(s, fmt.Sprintf("%s/%s/%d", at, EscapeToken(k), i)); err != nil {
					return err
				}
			}
		case "map":
			if m, ok := child.(*object); ok {
				for _, name := range m.keys {
					if err := checkChoiceLabels(m.vals[name], at+"/"+EscapeToken(k)+"/"+EscapeToken(name)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// checkDescriptions checks every x-descriptions in a schema, wherever it
// sits: an object of the five languages other than English, each a
// non-empty text, beside the description it translates. English is the
// description itself. A node may translate its help text into some
// languages or none: the others read the English.
func checkDescriptions(v any, at string) error {
	n, ok := v.(*object)
	if !ok {
		return nil
	}
	if raw, has := n.vals["x-descriptions"]; has {
		where := at
		if where == "" {
			where = "the root"
		}
		byLang, ok := raw.(*object)
		if !ok {
			return fmt.Errorf(`%s: x-descriptions must be an object {"fr": "...", "es": "...", "ar": "...", "zh": "...", "ru": "..."}`, where)
		}
		if _, ok := n.vals["description"].(string); !ok {
			return fmt.Errorf("%s: x-descriptions translates a description: put the English description beside it", where)
		}
		for _, lang := range byLang.keys {
			if l := strings.ToLower(lang); l == "en" || !IsLanguage(l) {
				return fmt.Errorf("%s: x-descriptions names %q, which is not one of %s (the English is the description)", where, lang, strings.Join(others, ", "))
			}
			s, ok := byLang.vals[lang].(string)
			if !ok || strings.TrimSpace(s) == "" {
				return fmt.Errorf("%s: x-descriptions in %q must be a non-empty string", where, lang)
			}
		}
	}
	for _, k := range n.keys {
		child := n.vals[k]
		switch schemaValued[k] {
		case "one":
			if err := checkDescriptions(child, at+"/"+EscapeToken(k)); err != nil {
				return err
			}
		case "list":
			a, _ := child.([]any)
			for i, s := range a {
				if err := checkDescriptions(s, fmt.Sprintf("%s/%s/%d", at, EscapeToken(k), i)); err != nil {
					return err
				}
			}
		case "map":
			if m, ok := child.(*object); ok {
				for _, name := range m.keys {
					if err := checkDescriptions(m.vals[name], at+"/"+EscapeToken(k)+"/"+EscapeToken(name)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// others are the languages a questionnaire translates its English into.
var others = slices.DeleteFunc(slices.Clone(Languages), func(l string) bool { return l == "en" })

// declaredLanguages reads the root's x-languages: the languages in which
// the file labels every node and option. Absent, the file declares none
// (nil) and a missing label falls back to English. English is the titles
// and may be named or not.
func declaredLanguages(root *object) ([]string, error) {
	raw, ok := root.vals["x-languages"]
	if !ok {
		return nil, nil
	}
	const want = `x-languages must be a list of language codes among %s, such as ["en", "fr", "es"]`
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf(want, strings.Join(Languages, " "))
	}
	out := []string{}
	for _, v := range list {
		lang, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf(want, strings.Join(Languages, " "))
		}
		if !IsLanguage(lang) {
			return nil, fmt.Errorf("x-languages names %q, which is not one of %s (lower-case codes)", lang, strings.Join(Languages, " "))
		}
		if slices.Contains(out, lang) {
			return nil, fmt.Errorf("x-languages names %q twice", lang)
		}
		out = append(out, lang)
	}
	return out, nil
}

// maxListed is how many missing labels a load error lists per language;
// it counts the others.
const maxListed = 50

// checkDeclared fails when a declared language lacks a label: of the root,
// a section, group or question, a list's items (where titled) or one of
// their fields, or an option of a choice. The error lists, language by
// language, the pointers of what lacks one, in document order, so that
// an author can complete the file in one pass.
func (q *Questionnaire) checkDeclared() error {
	var parts []string
	total := 0
	for _, lang := range q.Declared {
		missing := q.missingLabels(lang)
		if len(missing) == 0 {
			continue
		}
		total += len(missing)
		listed := missing[:min(len(missing), maxListed)]
		part := fmt.Sprintf("%s lacks %d: %s", lang, len(missing), strings.Join(listed, ", "))
		if n := len(missing) - len(listed); n > 0 {
			part += fmt.Sprintf(" and %d more", n)
		}
		parts = append(parts, part)
	}
	if total == 0 {
		return nil
	}
	return fmt.Errorf("x-languages declares %s, but %d labels are missing (add them with x-labels, or x-choice-labels for an option): %s",
		strings.Join(q.Declared, " "), total, strings.Join(parts, "; "))
}

// missingLabels lists what has no label in lang, by pointer: a node as
// its pointer ("the root" for the root), a list's items and fields below
// the list's pointer and "items" (/s/list/items/name), an option as its
// question's or field's pointer and value (/s/q option "adopted").
// English lacks nothing: a node without a title reads as its name, an
// option without a label as its code made readable.
func (q *Questionnaire) missingLabels(lang string) []string {
	if lang == "en" {
		return nil
	}
	var out []string
	lacks := func(l Labels) bool { return l.Translations[lang] == "" }
	options := func(ptr string, choices []Choice) {
		for _, c := range choices {
			if lacks(c.Labels) {
				out = append(out, fmt.Sprintf("%s option %q", ptr, c.Value))
			}
		}
	}
	var control func(c *Control, ptr string)
	control = func(c *Control, ptr string) {
		if c == nil {
			return
		}
		options(ptr, c.Choices)
		if it := c.Item; it != nil {
			at := ptr + "/items"
			if it.Title != "" && lacks(it.Labels) { // an untitled item has no label to translate
				out = append(out, at)
			}
			control(it, at)
		}
		for _, f := range c.Fields {
			at := ptr + "/" + EscapeToken(f.Name)
			if lacks(f.Labels) {
				out = append(out, at)
			}
			control(f, at)
		}
	}
	for _, n := range q.labelled {
		if lacks(n.Labels) {
			if n.ptr == "" {
				out = append(out, "the root")
			} else {
				out = append(out, n.ptr)
			}
		}
		if qq, ok := q.byPath[n.ptr]; ok {
			if qq.Control != nil {
				control(qq.Control, qq.Path)
			} else {
				options(qq.Path, qq.Choices)
			}
		}
	}
	return out
}
