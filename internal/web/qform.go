package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
)

// qform is a questionnaire's form: a control per question (the
// questionnaire's own model of what to ask) and the groups' headings.
type qform struct {
	q      *questionnaire.Questionnaire
	specs  map[string]*questionnaire.Control
	groups map[string]questionnaire.Labels // group pointer → its labels
}

func newQForm(q *questionnaire.Questionnaire) (*qform, error) {
	f := &qform{q: q, specs: map[string]*questionnaire.Control{}, groups: map[string]questionnaire.Labels{}}
	for _, qq := range q.Questions {
		if qq.Control == nil {
			return nil, fmt.Errorf("no control derived for question %s", qq.Path)
		}
		f.specs[qq.Path] = qq.Control
		toks := splitPointer(qq.Path)
		for i := 2; i < len(toks); i++ { // groups between the section and the question
			g := "/" + strings.Join(escapeAll(toks[:i]), "/")
			if _, seen := f.groups[g]; !seen {
				l, _ := q.GroupLabels(g)
				f.groups[g] = named(l, toks[i-1])
			}
		}
	}
	return f, nil
}

// named is labels with a name for English where the schema gives no title.
func named(l questionnaire.Labels, name string) questionnaire.Labels {
	if l.Title == "" {
		l.Title = name
	}
	return l
}

func escapeAll(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = questionnaire.EscapeToken(t)
	}
	return out
}

func (f *qform) section(id string) (*questionnaire.Section, int) {
	for i, s := range f.q.Sections {
		if s.ID == id {
			return s, i
		}
	}
	return nil, -1
}

// decodeSection puts the posted answers of one section into doc.
func (f *qform) decodeSection(doc map[string]any, sec *questionnaire.Section, form values) {
	for _, qq := range sec.Questions {
		v, ok := decode(f.specs[qq.Path], qq.Path, form)
		place(doc, qq.Path, v, ok)
	}
}

// encodeSection flattens the answers of one section into form values.
func (f *qform) encodeSection(doc map[string]any, sec *questionnaire.Section) values {
	out := values{}
	for _, qq := range sec.Questions {
		if v, ok := lookup(doc, qq.Path); ok {
			encode(f.specs[qq.Path], qq.Path, v, out)
		}
	}
	return out
}

// progress is one section's state: questions answered, and what the full
// validation still requires (conditions included, as they hold now).
type progress struct {
	Answered, Questions, Missing int
	Required                     map[string]bool
}

// progressOf runs the full validation over one section at a time, with
// its groups scaffolded, and collects the required errors: a question is
// required exactly when the questionnaire's own rules say so for the
// answers as they are.
func (f *qform) progressOf(doc map[string]any, sec *questionnaire.Section) progress {
	p := progress{Questions: len(sec.Questions), Required: map[string]bool{}}
	part := map[string]any{}
	if v, ok := doc[sec.ID]; ok {
		part[sec.ID] = v
	}
	scaffolded := scaffold(part, sec.Questions)
	prefix := "/" + questionnaire.EscapeToken(sec.ID) + "/"
	for _, e := range f.q.ValidateValue(scaffolded, questionnaire.Complete) {
		if (e.Keyword == "required" || e.Keyword == "dependentRequired") && strings.HasPrefix(e.Path, prefix) {
			p.Required[e.Path] = true
		}
	}
	p.Missing = len(p.Required)
	for _, qq := range sec.Questions {
		if v, ok := lookup(doc, qq.Path); ok && v != nil {
			p.Answered++
		}
	}
	return p
}

// Field is one form control (or a repeat group) as the templates draw it.
type Field struct {
	Path, ID  string
	Label     string
	Help      string
	HelpLang  string // "en" where the help is the English, the questionnaire having none in the page's language
	HelpDir   string // "ltr" where that English stands on a right-to-left page
	Heading   string // a group's title, shown before its first field
	Input     string // text, textarea, email, date, number, radios, select, checkboxes, list
	Options   []Option
	Value     string
	Min, Max  string
	Step      string
	MaxLength int
	Limit     string // the text's limit, said beside it ("At most 4000 characters.")
	TooLong   string // what the page's counter says over the limit
	DateHint  string // a date's format, for browsers without a date picker
	Required  bool
	Errors    []string
	Comments  []viewComment
	Rows      []Row
	ReadOnly  bool
	W         *words // the interface's words around a field, translated once per page
}

// words are the interface's words the field template needs, translated
// once per page rather than once per field.
type words struct {
	Lang                                            string
	Required, Error, Remove, AddRow, NoRows, Choose string
	Editable                                        bool // the page's form saves (replies to threads go with it)
}

func wordsIn(lang string) *words {
	return &words{Required: tr(lang, "required"), Error: tr(lang, "Error:"), Remove: tr(lang, "Remove"),
		AddRow: tr(lang, "Add a row"), NoRows: tr(lang, "No rows yet."), Choose: tr(lang, "– choose –"), Lang: lang}
}

// Option is one choice of a radio group, select or checkbox group.
type Option struct {
	Value, Label string
	Checked      bool
	ID           string
}

// Row is one item of a repeat group.
type Row struct {
	Legend    string
	Fields    []*Field
	RemoveArg string
}

// DescribedBy lists the ids of the help text and errors of a field.
func (f *Field) DescribedBy() string {
	var ids []string
	if f.Help != "" {
		ids = append(ids, f.ID+"-help")
	}
	if f.Limit != "" {
		ids = append(ids, f.ID+"-limit")
	}
	if len(f.Errors) > 0 {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// fieldID turns a JSON Pointer into an HTML id usable in a fragment.
func fieldID(ptr string) string {
	var b strings.Builder
	b.WriteString("q")
	for i := 0; i < len(ptr); i++ {
		c := ptr[i]
		switch {
		case c == '/':
			b.WriteByte('.')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, ":%02x", c)
		}
	}
	return b.String()
}

// builder draws fields and keeps an index of them by pointer, so that
// errors, requirements and comments can be put beside them.
type builder struct {
	lang     string
	words    *words
	vals     values
	index    map[string]*Field
	order    []string
	readOnly bool
}

// helpIn is a questionnaire's help text in lang, with the language and
// direction to mark it with where it is the English fallback (so that a
// screen reader reads it as English): "", "" where it is lang's own.
func helpIn(d questionnaire.Description, lang string) (text, hlang, dir string) {
	text = d.In(lang)
	if text == "" || d.Translated(lang) {
		return text, "", ""
	}
	if i18n.Dir(lang) == "rtl" {
		dir = "ltr"
	}
	return text, "en", dir
}

func (b *builder) field(s *questionnaire.Control, ptr string, labels questionnaire.Labels, desc questionnaire.Description) *Field {
	if b.words == nil {
		b.words = wordsIn(b.lang)
		b.words.Editable = !b.readOnly
	}
	help, helpLang, helpDir := helpIn(desc, b.lang)
	fl := &Field{Path: ptr, ID: fieldID(ptr), Label: labels.Label(b.lang), Help: help, HelpLang: helpLang, HelpDir: helpDir, MaxLength: s.MaxLength, ReadOnly: b.readOnly, W: b.words}
	b.index[ptr] = fl
	b.order = append(b.order, ptr)
	switch s.Kind {
	case questionnaire.Text:
		fl.Value = b.vals.get(ptr)
		switch {
		case s.Format == "date":
			fl.Input = "date"
			// The picker shows dates as the browser's settings say: a
			// format in letters beside it would contradict it. Browsers
			// without one show the hint (app.js).
			fl.Help = dateHelp(help)
			fl.DateHint = tr(b.lang, "Type the date as year-month-day, for example 2027-02-26.")
		case s.Format == "email":
			fl.Input = "email"
		case s.Pattern == iso3Pattern:
			// A State: chosen by its name in the reader's language, not
			// typed as a code (the code is what is stored).
			fl.Input, fl.Help = "select", ""
			fl.Options = stateOptions(b.lang, fl.Value)
		case s.MaxLength > 500 || s.MaxLength == 0 && s.Pattern == "":
			fl.Input = "textarea"
		default:
			fl.Input = "text"
		}
		if s.MaxLength > 0 && (fl.Input == "textarea" || fl.Input == "text") && !b.readOnly {
			// Said, counted (app.js) and refused by the validation when
			// over: never cut, not even by the browser (no maxlength).
			fl.Limit = tr(b.lang, "At most {count} characters.", "count", s.MaxLength)
			fl.TooLong = tr(b.lang, "This is longer than {count} characters: shorten it before saving.", "count", s.MaxLength)
		}
	case questionnaire.Integer, questionnaire.Number:
		fl.Input, fl.Value = "number", b.vals.get(ptr)
		if s.Min != nil && !s.ExclusiveMin {
			fl.Min = strconv.FormatFloat(*s.Min, 'f', -1, 64)
		}
		if s.Max != nil && !s.ExclusiveMax {
			fl.Max = strconv.FormatFloat(*s.Max, 'f', -1, 64)
		}
		switch {
		case s.Step != nil:
			fl.Step = strconv.FormatFloat(*s.Step, 'f', -1, 64)
		case s.Kind == questionnaire.Integer:
			fl.Step = "1"
		default:
			fl.Step = "any"
		}
	case questionnaire.Boolean:
		fl.Input = "radios"
		cur := b.vals.get(ptr)
		fl.Options = []Option{{Value: "true", Label: tr(b.lang, "Yes"), Checked: cur == "true"},
			{Value: "false", Label: tr(b.lang, "No"), Checked: cur == "false"}}
	case questionnaire.SingleChoice:
		fl.Input = "radios"
		if len(s.Values) > 6 {
			fl.Input = "select"
		}
		cur := b.vals.get(ptr)
		for _, e := range s.Values {
			v := optionString(e)
			fl.Options = append(fl.Options, Option{Value: v, Label: s.OptionLabel(v, b.lang), Checked: v == cur})
		}
	case questionnaire.MultiChoice:
		fl.Input = "checkboxes"
		chosen := map[string]bool{}
		for _, v := range b.vals[ptr] {
			chosen[v] = true
		}
		for _, e := range s.Values {
			v := optionString(e)
			fl.Options = append(fl.Options, Option{Value: v, Label: s.OptionLabel(v, b.lang), Checked: chosen[v]})
		}
	case questionnaire.List:
		fl.Input = "list"
		n, _ := strconv.Atoi(b.vals.get("rows:" + ptr))
		n = max(0, min(n, maxRows))
		for i := 0; i < n; i++ {
			rp := ptr + "/" + strconv.Itoa(i)
			name := tr(b.lang, "Row")
			if s.Item.Title != "" { // the items' own title, e.g. "Designated authority 2"
				name = s.Item.Label(b.lang)
			}
			row := Row{Legend: fmt.Sprintf("%s %d", name, i+1), RemoveArg: "remove:" + rp}
			if s.Item.Kind == questionnaire.Object {
				for _, p := range s.Item.Fields {
					row.Fields = append(row.Fields, b.field(p, rp+"/"+questionnaire.EscapeToken(p.Name), named(p.Labels, p.Name), p.Description))
				}
			} else {
				row.Fields = append(row.Fields, b.field(s.Item, rp, questionnaire.Labels{Title: tr(b.lang, "Value")}, questionnaire.Description{}))
			}
			fl.Rows = append(fl.Rows, row)
		}
	case questionnaire.Object: // an object inside a list item: its fields in turn
		fl.Input = "group"
		for _, p := range s.Fields {
			cf := b.field(p, ptr+"/"+questionnaire.EscapeToken(p.Name), named(p.Labels, p.Name), p.Description)
			fl.Rows = append(fl.Rows, Row{Fields: []*Field{cf}})
		}
	}
	for i := range fl.Options {
		fl.Options[i].ID = fmt.Sprintf("%s-%d", fl.ID, i)
	}
	return fl
}

// iso3Pattern is the pattern of the questionnaires' State code ($defs/iso3).
const iso3Pattern = "^[A-Z]{3}$"

// stateOptions are the 193 States by name in lang, in lang's alphabetical
// order, cur chosen; a cur that is no State's code (typed before the
// field was a choice) stays as an option of its own, so it is not lost.
func stateOptions(lang, cur string) []Option {
	codes := state.Codes()
	state.SortByName(codes, lang, func(c string) string { return c })
	out := make([]Option, 0, len(codes)+1)
	if cur != "" && !state.Known(cur) {
		out = append(out, Option{Value: cur, Label: cur, Checked: true})
	}
	for _, c := range codes {
		name, ok := state.NameIn(c, lang)
		if !ok || name == "" {
			name, _ = state.NameIn(c, "en")
		}
		out = append(out, Option{Value: c, Label: name, Checked: c == cur})
	}
	return out
}

// fields draws one section's questions with their group headings.
func (f *qform) fields(sec *questionnaire.Section, b *builder) []*Field {
	var out []*Field
	lastGroup := ""
	for _, qq := range sec.Questions {
		fl := b.field(f.specs[qq.Path], qq.Path, qq.Labels, qq.Description)
		if g := parentPointer(qq.Path); g != lastGroup {
			if l, ok := f.groups[g]; ok {
				fl.Heading = l.Label(b.lang)
			}
			lastGroup = g
		}
		out = append(out, fl)
	}
	return out
}

func parentPointer(ptr string) string {
	if i := strings.LastIndex(ptr, "/"); i > 0 {
		return ptr[:i]
	}
	return ""
}

// nearest finds the field an error or comment at ptr belongs beside: the
// field itself, else its nearest ancestor that is a field, else the first
// field inside it (a group).
func nearest(index map[string]*Field, order []string, ptr string) *Field {
	for p := ptr; p != ""; p = parentPointer(p) {
		if fl, ok := index[p]; ok {
			return fl
		}
	}
	for _, p := range order {
		if strings.HasPrefix(p, ptr+"/") {
			return index[p]
		}
	}
	return nil
}

// sectionOf returns the section a pointer is in.
func sectionOf(ptr string) string {
	toks := splitPointer(ptr)
	if len(toks) == 0 {
		return ""
	}
	return toks[0]
}

// removeRow drops row ptr (".../list/i") from posted values and renumbers
// the rows after it.
func removeRow(form values, ptr string) values {
	list, idx := parentPointer(ptr), ptr[strings.LastIndex(ptr, "/")+1:]
	i, err := strconv.Atoi(idx)
	n, _ := strconv.Atoi(form.get("rows:" + list))
	if err != nil || i < 0 || i >= n {
		return form
	}
	out := values{}
	for k, v := range form {
		name := strings.TrimPrefix(k, "rows:")
		prefix := k[:len(k)-len(name)]
		rest, under := strings.CutPrefix(name, list+"/")
		if !under {
			out[k] = v
			continue
		}
		tok, tail, _ := strings.Cut(rest, "/")
		j, err := strconv.Atoi(tok)
		switch {
		case err != nil || j < i:
			out[k] = v
		case j == i:
		default:
			nk := prefix + list + "/" + strconv.Itoa(j-1)
			if tail != "" || strings.Contains(rest, "/") {
				nk += "/" + tail
			}
			out[nk] = v
		}
	}
	out["rows:"+list] = []string{strconv.Itoa(n - 1)}
	return out
}

// decodeDoc decodes stored answers (or none) into an object. Stored
// answers that cannot be read fail the request: shown as an empty form,
// the next save would overwrite them.
func decodeDoc(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	v, err := questionnaire.DecodeAnswers(raw)
	if err != nil {
		return nil, fmt.Errorf("stored answers cannot be read: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("stored answers are a JSON %T, not an object", v)
	}
	return m, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
