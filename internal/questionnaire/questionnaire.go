// Package questionnaire loads questionnaire files (JSON Schema 2020-12, in
// the format of api/QUESTIONNAIRES.md), derives their sections and
// questions, and validates answer documents against them. Nothing here
// knows any particular questionnaire.
package questionnaire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Kind is the kind of a question, derived from its schema.
type Kind string

const (
	SingleChoice Kind = "SINGLE_CHOICE"
	MultiChoice  Kind = "MULTI_CHOICE"
	Boolean      Kind = "BOOLEAN"
	Number       Kind = "NUMBER"
	Integer      Kind = "INTEGER"
	Text         Kind = "TEXT"
	List         Kind = "LIST"
)

// Labels holds a node's English title and its translations.
type Labels struct {
	Title        string
	Translations map[string]string // x-labels: language → label
}

// Label returns the label in lang, falling back to English.
func (l Labels) Label(lang string) string {
	if t, ok := l.Translations[strings.ToLower(lang)]; ok && t != "" {
		return t
	}
	return l.Title
}

// Description is a node's help text: its English description and the
// translations x-descriptions gives beside it. A questionnaire need not
// translate its help text: a language without one reads the English.
type Description struct {
	Text         string            // description: the English
	Translations map[string]string // x-descriptions: language → text
}

// In returns the help text in lang, falling back to English.
func (d Description) In(lang string) string {
	if t := d.Translations[strings.ToLower(lang)]; t != "" {
		return t
	}
	return d.Text
}

// Translated reports whether the help text reads in lang as written for
// it: English always, another language where x-descriptions has it. Where
// it does not, In gives the English, which a page marks as English.
func (d Description) Translated(lang string) bool {
	lang = strings.ToLower(lang)
	return lang == "en" || d.Translations[lang] != ""
}

// Question is one answerable property.
type Question struct {
	Path string // JSON Pointer of the answer
	Labels
	Description   Description
	Kind          Kind
	Options       []string // allowed values of a choice question
	Choices       []Choice // the same values with their labels (x-choice-labels, or a oneOf's const titles)
	WorkingGroups []string // own and ancestors' x-working-groups, sorted
	Section       string
	Measure       Measure  // a number question's x-measure; "" when not annotated
	Group         string   // the pointer of the group it stands in; "" directly in its section
	Control       *Control // what to ask: kind, choices, bounds, item shape
}

// Measure is what the answer to a number question measures (x-measure):
// whether answers of several States add up to something meaningful.
type Measure string

const (
	Count    Measure = "count"    // how many of something: adds up
	Amount   Measure = "amount"   // a quantity of money or goods: adds up
	Rate     Measure = "rate"     // a ratio or percentage
	Duration Measure = "duration" // days, months ... of one thing, e.g. an average time
	Score    Measure = "score"    // a point on a scale
	Year     Measure = "year"     // a calendar year
)

// Measures are the values x-measure takes.
var Measures = []Measure{Count, Amount, Rate, Duration, Score, Year}

// Additive reports whether the answers of several States add up: a sum
// is shown only for these. Counts and amounts add up; rates, durations,
// scores and years do not. Unannotated, a whole number (INTEGER) is taken
// for a count, as it always was, and a decimal number (NUMBER) is not
// summed; a list's figure is its number of items, a count.
func (q *Question) Additive() bool {
	switch q.Measure {
	case Count, Amount:
		return true
	case "":
		return q.Kind == Integer || q.Kind == List
	}
	return false
}

// Section is a property of the root.
type Section struct {
	ID string
	Labels
	Description Description
	Questions   []*Question
}

// Questionnaire is one compiled questionnaire file.
type Questionnaire struct {
	ID string
	Labels
	Description Description
	SHA256      string
	// ValidationSHA256 is the digest of the schema without its annotations
	// (titles, descriptions, x-labels, x-descriptions, x-choice-labels,
	// x-measure, x-languages): equal for two
	// files that differ only in what a person reads.
	ValidationSHA256 string
	Raw              []byte // the file's bytes
	// Declared are the languages of the root's x-languages: the file
	// labels every node and option in each (Compile checks it). nil when
	// it declares none: a missing label then falls back to English.
	Declared  []string
	Sections  []*Section
	Questions []*Question

	byPath            map[string]*Question
	nodes             map[string]Labels                       // every section, group and question pointer → its labels
	groups            map[string]Labels                       // every group pointer → its labels as written
	groupDescriptions map[string]Description                  // every group pointer → its help text
	messages          map[string]map[string]map[string]string // x-messages: pointer → keyword → language → message
	labelled          []labelledNode                          // the root, sections, groups and questions, in document order
	described         []Description                           // every description read (root, sections, groups, questions, list fields), in document order
	labelDigests      map[string]string                       // language → LabelsSHA256, computed once at load
	full              *compiled
	draft             *compiled

	units           []Unit                       // every string a person reads, in document order
	unitIndex       map[string]int               // unit id → index in units
	overlays        map[string]map[string]string // uploaded translations: language → unit id → text
	workingGroupIDs map[string]WorkingGroup      // the working groups it was compiled with
}

// labelledNode is a labelled node (the root, a section, group or
// question) and its pointer ("" for the root).
type labelledNode struct {
	ptr string
	Labels
}

type compiled struct {
	doc    any // the decoded schema this was compiled from
	schema *jsonschema.Schema
}

// Question returns the question at path.
func (q *Questionnaire) Question(path string) (*Question, bool) {
	qq, ok := q.byPath[path]
	return qq, ok
}

// GroupLabels returns the labels of the group at ptr, as the schema
// writes them (Title "" where it has none), and whether ptr is a group.
func (q *Questionnaire) GroupLabels(ptr string) (Labels, bool) {
	l, ok := q.groups[ptr]
	return l, ok
}

// GroupDescription returns the help text of the group at ptr (an empty
// Description where it has none).
func (q *Questionnaire) GroupDescription(ptr string) Description { return q.groupDescriptions[ptr] }

// HasNode reports whether path names a section, group or question.
func (q *Questionnaire) HasNode(path string) bool { _, ok := q.nodes[path]; return ok }

// Schema returns the JSON Schema as a generic JSON value.
func (q *Questionnaire) Schema() any {
	var v any
	_ = json.Unmarshal(q.Raw, &v) // Raw was parsed at load
	return v
}

// WorkingGroup is a working group of the Conference.
type WorkingGroup struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Names        map[string]string `json:"x-labels"` // the name in the other five languages
	Description  string            `json:"description"`
	Descriptions map[string]string `json:"x-descriptions"` // the description in the other five languages
}

// DescriptionIn returns the group's description in lang, English where
// the catalogue has no translation.
func (wg WorkingGroup) DescriptionIn(lang string) string {
	if d := wg.Descriptions[strings.ToLower(lang)]; d != "" {
		return d
	}
	return wg.Description
}

// NameIn returns the group's name in lang, English where the catalogue
// has no translation.
func (wg WorkingGroup) NameIn(lang string) string {
	if n := wg.Names[strings.ToLower(lang)]; n != "" {
		return n
	}
	return wg.Name
}

// Registry holds the questionnaires and working groups loaded at start.
// It is safe for concurrent use. Its questionnaires change only by
// Replace (an uploaded translation laid over a file's), which swaps the
// whole set at once: a reader holds a consistent set without a lock.
type Registry struct {
	current       atomic.Pointer[questionnaireSet]
	replacing     sync.Mutex // one Replace at a time
	workingGroups []WorkingGroup
	wgByID        map[string]WorkingGroup
}

// questionnaireSet is one version of the registry's questionnaires; it is
// never changed once published.
type questionnaireSet struct {
	list []*Questionnaire // ordered by id
	byID map[string]*Questionnaire
}

// Questionnaires returns every questionnaire, ordered by id.
func (r *Registry) Questionnaires() []*Questionnaire { return r.current.Load().list }

// Get returns the questionnaire with id.
func (r *Registry) Get(id string) (*Questionnaire, bool) {
	q, ok := r.current.Load().byID[id]
	return q, ok
}

// Replace puts q in the place of the questionnaire with its id (a copy of
// it with other translations: Questionnaire.WithTranslation). It refuses
// a questionnaire the registry does not hold, or one that would validate
// answers differently.
func (r *Registry) Replace(q *Questionnaire) error {
	r.replacing.Lock()
	defer r.replacing.Unlock()
	cur := r.current.Load()
	old, ok := cur.byID[q.ID]
	if !ok {
		return fmt.Errorf("questionnaire %s: not in the registry", q.ID)
	}
	if old.ValidationSHA256 != q.ValidationSHA256 || old.SHA256 != q.SHA256 {
		return fmt.Errorf("questionnaire %s: a replacement must be the same file with other translations", q.ID)
	}
	next := &questionnaireSet{list: slices.Clone(cur.list), byID: maps.Clone(cur.byID)}
	next.byID[q.ID] = q
	for i, x := range next.list {
		if x.ID == q.ID {
			next.list[i] = q
		}
	}
	r.current.Store(next)
	return nil
}

// WorkingGroups returns the working groups in catalogue order.
func (r *Registry) WorkingGroups() []WorkingGroup { return r.workingGroups }

// WorkingGroup returns the working group with id.
func (r *Registry) WorkingGroup(id string) (WorkingGroup, bool) {
	wg, ok := r.wgByID[id]
	return wg, ok
}

// WorkingGroupsFile is where the working-group catalogue lives, relative to
// the catalogue file system.
const WorkingGroupsFile = "working-groups.json"

// Load reads the working groups from catalogue and every *.json file at
// the top of questionnaires. Any file that does not compile or breaks the
// format stops the load with the file's name and the reason.
func Load(questionnaires, catalogue fs.FS) (*Registry, error) {
	r := &Registry{wgByID: map[string]WorkingGroup{}}
	set := &questionnaireSet{byID: map[string]*Questionnaire{}}
	if err := r.loadWorkingGroups(catalogue); err != nil {
		return nil, err
	}
	names, err := fs.Glob(questionnaires, "*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("questionnaires: no *.json file found")
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(questionnaires, name)
		if err != nil {
			return nil, fmt.Errorf("questionnaire %s: %w", name, err)
		}
		q, err := Compile(strings.TrimSuffix(path.Base(name), ".json"), data, r.wgByID)
		if err != nil {
			return nil, fmt.Errorf("questionnaire %s: %w", name, err)
		}
		set.list = append(set.list, q)
		set.byID[q.ID] = q
	}
	r.current.Store(set)
	return r, nil
}

func (r *Registry) loadWorkingGroups(catalogue fs.FS) error {
	data, err := fs.ReadFile(catalogue, WorkingGroupsFile)
	if err != nil {
		return fmt.Errorf("working groups: %w", err)
	}
	var file struct {
		// Languages are those the catalogue declares: each group has its
		// name and description in each (as the indicator catalogue's).
		Languages     []string       `json:"languages"`
		WorkingGroups []WorkingGroup `json:"workingGroups"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return fmt.Errorf("working groups %s: %w", WorkingGroupsFile, err)
	}
	var missing []string
	for _, lang := range file.Languages {
		for _, wg := range file.WorkingGroups {
			name, desc := wg.Names[lang], wg.Descriptions[lang]
			if lang == "en" {
				name, desc = wg.Name, wg.Description
			}
			if name == "" {
				missing = append(missing, lang+": name of "+wg.ID)
			}
			if desc == "" {
				missing = append(missing, lang+": description of "+wg.ID)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("working groups %s declares the languages %s but lacks %d texts: %s", WorkingGroupsFile,
			strings.Join(file.Languages, " "), len(missing), strings.Join(missing, "; "))
	}
	for _, wg := range file.WorkingGroups {
		if wg.ID == "" || wg.Name == "" {
			return fmt.Errorf("working groups %s: every group needs an id and a name", WorkingGroupsFile)
		}
		if _, dup := r.wgByID[wg.ID]; dup {
			return fmt.Errorf("working groups %s: duplicate id %q", WorkingGroupsFile, wg.ID)
		}
		r.wgByID[wg.ID] = wg
		r.workingGroups = append(r.workingGroups, wg)
	}
	return nil
}

const draft2020 = "https://json-schema.org/draft/2020-12/schema"

// Compile checks one questionnaire file against the format, derives its
// sections and questions, and compiles its validators. workingGroups holds
// the known working-group ids.
func Compile(id string, data []byte, workingGroups map[string]WorkingGroup) (*Questionnaire, error) {
	return compileWith(id, data, workingGroups, nil)
}

// compileWith is Compile with uploaded translations (language → unit id
// → text) laid over the file's (see WithTranslation).
func compileWith(id string, data []byte, workingGroups map[string]WorkingGroup, overlays map[string]map[string]string) (*Questionnaire, error) {
	doc, err := decodeOrdered(data)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	root, ok := doc.(*object)
	if !ok {
		return nil, errors.New("the root must be a JSON object")
	}
	if s := strings.TrimSuffix(root.str("$schema"), "#"); s != draft2020 {
		return nil, fmt.Errorf(`"$schema" must be %q, got %q`, draft2020, root.str("$schema"))
	}
	if err := refuseRemoteRefs(doc, ""); err != nil {
		return nil, err
	}
	if err := checkChoiceLabels(doc, ""); err != nil {
		return nil, err
	}
	if err := checkDescriptions(doc, ""); err != nil {
		return nil, err
	}
	declared, err := declaredLanguages(root)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	q := &Questionnaire{
		ID: id, SHA256: hex.EncodeToString(sum[:]), Raw: data, Declared: declared,
		byPath: map[string]*Question{}, nodes: map[string]Labels{}, groups: map[string]Labels{}, groupDescriptions: map[string]Description{}, messages: map[string]map[string]map[string]string{},
		unitIndex: map[string]int{}, overlays: overlays, workingGroupIDs: workingGroups,
	}
	if q.ValidationSHA256, err = validationDigest(doc); err != nil {
		return nil, err
	}
	bounded := boundNumbers(doc)
	if q.full, err = compile(id, bounded, nil); err != nil {
		return nil, err
	}
	// The draft schema's conditions refer to the unstripped schema, added
	// to the draft's compiler as a resource of its own.
	fullURL := schemaURL(id)
	if q.draft, err = compile(id+".draft", stripRequired(bounded, fullURL), map[string]any{fullURL: bounded}); err != nil {
		return nil, err
	}
	if err := q.derive(root, workingGroups); err != nil {
		return nil, err
	}
	if err := q.checkDeclared(); err != nil {
		return nil, err
	}
	q.labelDigests = make(map[string]string, len(Languages))
	for _, lang := range Languages {
		q.labelDigests[lang] = q.labelsSHA256(lang)
	}
	return q, nil
}

// refuseRemoteRefs rejects every $ref that leaves the file: the service
// never reads another file or the network on a schema's behalf.
func refuseRemoteRefs(v any, at string) error {
	switch n := v.(type) {
	case *object:
		for _, k := range n.keys {
			child := n.vals[k]
			if k == "$ref" || k == "$dynamicRef" {
				if ref, ok := child.(string); ok && !strings.HasPrefix(ref, "#") {
					return fmt.Errorf("%s at %q: only references inside the file (\"#/$defs/...\") are allowed, got %q", k, at, ref)
				}
			}
			if err := refuseRemoteRefs(child, at+"/"+EscapeToken(k)); err != nil {
				return err
			}
		}
	case []any:
		for i, child := range n {
			if err := refuseRemoteRefs(child, fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// errNoLoading replaces the library's URL loaders: jsonschema/v5 registers
// a global file loader, and a schema must never reach outside itself.
func errNoLoading(url string) (io.ReadCloser, error) {
	return nil, fmt.Errorf("refusing to load %s: only references inside the file are allowed", url)
}

// schemaURL is the URL under which the compiler knows a schema.
func schemaURL(id string) string { return "mem:///questionnaires/" + id + ".json" }

// compile compiles doc; also holds other schemas the compiler may need,
// by URL (the unstripped schema that a draft's conditions refer to).
func compile(id string, doc any, also map[string]any) (*compiled, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = errNoLoading
	for url, other := range also {
		otherData, err := json.Marshal(other)
		if err != nil {
			return nil, err
		}
		if err := c.AddResource(url, bytes.NewReader(otherData)); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
	}
	url := schemaURL(id)
	if err := c.AddResource(url, bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("does not compile: %w", err)
	}
	return &compiled{doc: doc, schema: s}, nil
}

// stripRequired returns a copy of a schema without required and
// dependentRequired, for checking drafts. They stay where removing them
// would change which branch applies: inside if, not, anyOf, oneOf,
// contains and propertyNames. The local $refs there are pointed at full,
// the URL of the unstripped schema, so that a condition reached through
// a $ref keeps its required too.
func stripRequired(v any, full string) any {
	switch n := v.(type) {
	case *object:
		out := &object{vals: make(map[string]any, len(n.keys))}
		for _, k := range n.keys {
			if k == "required" || k == "dependentRequired" {
				continue
			}
			child := n.vals[k]
			switch k {
			case "if", "not", "anyOf", "oneOf", "contains", "propertyNames":
				child = pinRefs(child, full)
			case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
				if m, ok := child.(*object); ok {
					cm := &object{vals: make(map[string]any, len(m.keys))}
					for _, name := range m.keys {
						cm.keys = append(cm.keys, name)
						cm.vals[name] = stripRequired(m.vals[name], full)
					}
					child = cm
				}
			case "allOf", "prefixItems":
				if a, ok := child.([]any); ok {
					ca := make([]any, len(a))
					for i, s := range a {
						ca[i] = stripRequired(s, full)
					}
					child = ca
				}
			case "items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "then", "else":
				child = stripRequired(child, full)
			}
			out.keys = append(out.keys, k)
			out.vals[k] = child
		}
		return out
	}
	return v
}

// pinRefs returns a copy of a schema whose local $refs ("#...") point
// into the schema at url instead. Values of const and enum are data, not
// schemas, and are kept as they are.
func pinRefs(v any, url string) any {
	switch n := v.(type) {
	case *object:
		out := &object{keys: n.keys, vals: make(map[string]any, len(n.keys))}
		for _, k := range n.keys {
			child := n.vals[k]
			switch k {
			case "const", "enum":
			case "$ref":
				if ref, ok := child.(string); ok && strings.HasPrefix(ref, "#") {
					child = url + ref
				}
			case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
				// names, each with a schema (a property may be named "$ref")
				if m, ok := child.(*object); ok {
					cm := &object{keys: m.keys, vals: make(map[string]any, len(m.keys))}
					for _, name := range m.keys {
						cm.vals[name] = pinRefs(m.vals[name], url)
					}
					child = cm
				}
			default:
				child = pinRefs(child, url)
			}
			out.vals[k] = child
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, child := range n {
			out[i] = pinRefs(child, url)
		}
		return out
	}
	return v
}

// Answer is the value of one answered question.
type Answer struct {
	Path  string
	Value any
}

// Answers returns the answered questions of a decoded document, in
// document order; a LIST's value is the whole list.
func (q *Questionnaire) Answers(doc any) []Answer {
	var out []Answer
	for _, qq := range q.Questions {
		if v, ok := resolvePointer(doc, qq.Path); ok && v != nil {
			out = append(out, Answer{Path: qq.Path, Value: v})
		}
	}
	return out
}

// Locates reports whether path is a JSON Pointer into one of the
// questionnaire's sections (a section, group, question or a list item).
func (q *Questionnaire) Locates(path string) bool {
	if path == "" || !ValidPointer(path) {
		return false
	}
	first := strings.SplitN(path[1:], "/", 2)[0]
	return q.HasNode("/" + first)
}
