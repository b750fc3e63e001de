package questionnaire

import (
	"errors"
	"fmt"
	"maps"
	"strings"
)

// The suffixes of a unit's id after the JSON Pointer of its node: a
// node's label, the label of one of its options, its help text.
const (
	TitleUnit       = "#title"
	OptionUnit      = "#option:"
	DescriptionUnit = "#description"
)

// Unit is one string of a questionnaire that a person reads and a
// translator translates: a label (root, section, group, question, a field
// of a list's items), an option's label or a help text. Its ID is stable
// as long as the schema's structure is: the JSON Pointer of its node and
// what it is ("/legal/adopted#title", "/legal/status#option:signed",
// "/legal#description").
type Unit struct {
	ID      string
	Source  string // the English
	Context string // where it is read, in English: "Section › Group › Question"
	// translations are the unit's other languages as the questionnaire
	// reads them now (the file's, or an uploaded translation's).
	translations map[string]string
}

// Target is the unit's text in lang, "" where it has none.
func (u Unit) Target(lang string) string { return u.translations[strings.ToLower(lang)] }

// Units lists every string of the questionnaire a person reads, in
// document order, each once.
func (q *Questionnaire) Units() []Unit {
	out := make([]Unit, len(q.units))
	for i, u := range q.units {
		u.Context = q.context(u.ID)
		out[i] = u
	}
	return out
}

// Unit returns the unit with id.
func (q *Questionnaire) Unit(id string) (Unit, bool) {
	i, ok := q.unitIndex[id]
	if !ok {
		return Unit{}, false
	}
	u := q.units[i]
	u.Context = q.context(u.ID)
	return u, true
}

// context names where the unit with id is read: the English labels of
// the sections, groups and questions on its pointer.
func (q *Questionnaire) context(id string) string {
	ptr := id[:strings.LastIndex(id, "#")]
	if ptr == "" {
		return q.ID
	}
	var parts []string
	{
		toks := strings.Split(ptr[1:], "/")
		for i := range toks {
			at := "/" + strings.Join(toks[:i+1], "/")
			if l, ok := q.nodes[at]; ok && l.Title != "" {
				parts = append(parts, l.Title)
			} else if ok || (i > 0 && toks[i-1] == "items") {
				parts = append(parts, unescapeToken(toks[i]))
			}
		}
	}
	return strings.Join(parts, " › ")
}

// Uploaded returns the translation uploaded for lang that the
// questionnaire reads (unit id → text), and whether there is one.
func (q *Questionnaire) Uploaded(lang string) (map[string]string, bool) {
	m, ok := q.overlays[lang]
	return m, ok
}

// WithTranslation returns a copy of the questionnaire whose labels,
// option labels and help text in lang are those of units (unit id →
// text) instead of the file's x-labels, x-choice-labels and
// x-descriptions in lang: a unit without a text there reads the English.
// Nil units drop an earlier translation: the file's own are read again.
// Nothing that validates answers changes (ValidationSHA256 and SHA256
// are the file's); LabelsSHA256(lang) does, so an earlier review of lang
// no longer counts. q itself is not changed.
func (q *Questionnaire) WithTranslation(lang string, units map[string]string) (*Questionnaire, error) {
	lang = strings.ToLower(lang)
	if lang == "en" || !IsLanguage(lang) {
		return nil, fmt.Errorf("questionnaire %s: cannot lay a translation over language %q", q.ID, lang)
	}
	for id := range units {
		if _, ok := q.unitIndex[id]; !ok {
			return nil, fmt.Errorf("questionnaire %s: no unit %q", q.ID, id)
		}
	}
	overlays := maps.Clone(q.overlays)
	if overlays == nil {
		overlays = map[string]map[string]string{}
	}
	if units == nil {
		delete(overlays, lang)
	} else {
		overlays[lang] = maps.Clone(units)
	}
	out, err := compileWith(q.ID, q.Raw, q.workingGroupIDs, overlays)
	if err != nil {
		return nil, fmt.Errorf("questionnaire %s: %w", q.ID, err)
	}
	if out.ValidationSHA256 != q.ValidationSHA256 {
		return nil, errors.New("a translation changed the validation digest") // cannot happen: annotations only
	}
	return out, nil
}

// overlay returns a node's translations with the uploaded ones laid
// over them for the unit id: each uploaded language replaces the file's
// text with its own, or with none. The file's map is never changed.
func (d *deriver) overlay(id string, tr map[string]string) map[string]string {
	if len(d.q.overlays) == 0 {
		return tr
	}
	out := maps.Clone(tr)
	if out == nil {
		out = map[string]string{}
	}
	for lang, units := range d.q.overlays {
		if s := units[id]; s != "" {
			out[lang] = s
		} else {
			delete(out, lang)
		}
	}
	return out
}

// unit records a unit the first time its id is seen (a question's label
// is read for the question and for its control).
func (d *deriver) unit(id, source string, tr map[string]string) {
	if _, seen := d.q.unitIndex[id]; seen {
		return
	}
	d.q.unitIndex[id] = len(d.q.units)
	d.q.units = append(d.q.units, Unit{ID: id, Source: source, translations: tr})
}
