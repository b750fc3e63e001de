package questionnaire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Mode says how complete a document must be.
type Mode int

const (
	// Draft checks everything but required and dependentRequired.
	Draft Mode = iota
	// Complete checks everything.
	Complete
)

// MaxErrors bounds the field errors reported for one document.
const MaxErrors = 100

// FieldError is one failed check at the place a person would fix it.
type FieldError struct {
	Path    string // JSON Pointer into the answers
	Keyword string // the JSON Schema keyword that failed
	Message string // one human sentence
}

// Validate checks an answers document (JSON bytes) and returns its field
// errors, at most MaxErrors, sorted by path. A document that is not JSON
// gives one error at the root.
func (q *Questionnaire) Validate(answers []byte, mode Mode) []FieldError {
	doc, err := DecodeAnswers(answers)
	if fe, ok := AsFieldError(err); ok {
		return []FieldError{fe}
	}
	if err != nil {
		return []FieldError{{Path: "", Keyword: "type", Message: "The answers are not valid JSON."}}
	}
	return q.ValidateValue(doc, mode)
}

// DecodeAnswers parses an answers document, numbers as json.Number so
// that no precision is lost before validation. An object that holds a key
// twice is refused with a *DuplicateKeyError naming where (encoding/json
// would keep the last value silently, and the answer stored would not be
// the one the person read first).
//
// Every save decodes its document, so the common case is made cheap:
// encoding/json decodes it (as any, numbers as json.Number) and
// FindDuplicateKey, one pass over the bytes that builds nothing, looks for
// a key given twice. Anything encoding/json refuses, or data after the
// document, takes the walk token by token this function always did,
// slower but the judge of which error comes first: a duplicate key before
// a syntax error is reported as the duplicate, and the errors' texts stay
// as they were.
func DecodeAnswers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return decodeTokens(data)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return decodeTokens(data)
	}
	if d := FindDuplicateKey(data); d != nil {
		return nil, d
	}
	return v, nil
}

// decodeTokens is DecodeAnswers token by token, refusing a duplicate key
// as soon as it is read.
func decodeTokens(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeAnswer(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON document")
	}
	return v, nil
}

// DuplicateKeyError is an answers document with a key twice in one object.
type DuplicateKeyError struct {
	Path string // JSON Pointer of the repeated key
	Key  string
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("the key %q appears twice at %q", e.Key, e.Path)
}

// FieldError is the field error that reports the duplicate at its path.
func (e *DuplicateKeyError) FieldError() FieldError {
	return FieldError{Path: e.Path, Keyword: "duplicateKey",
		Message: fmt.Sprintf("%q is given twice: keep one answer.", e.Key)}
}

// AsFieldError returns the field error an error of DecodeAnswers stands
// for, if it is one (a duplicate key).
func AsFieldError(err error) (FieldError, bool) {
	var d *DuplicateKeyError
	if errors.As(err, &d) {
		return d.FieldError(), true
	}
	return FieldError{}, false
}

// decodeAnswer reads one value as encoding/json would into any (objects
// as map[string]any, numbers as json.Number), refusing duplicate keys.
func decodeAnswer(dec *json.Decoder, path string) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		m := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			at := path + "/" + EscapeToken(k)
			if _, dup := m[k]; dup {
				return nil, &DuplicateKeyError{Path: at, Key: k}
			}
			v, err := decodeAnswer(dec, at)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		_, err := dec.Token() // '}'
		return m, err
	case '[':
		a := []any{}
		for i := 0; dec.More(); i++ {
			v, err := decodeAnswer(dec, path+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token() // ']'
		return a, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

// ValidateValue checks a decoded document (numbers as json.Number).
func (q *Questionnaire) ValidateValue(doc any, mode Mode) []FieldError {
	if out := numberErrors(doc); len(out) > 0 {
		// The validator reads numbers as exact fractions: one written
		// 1e-10000000 must never reach it. The rest of the document is
		// checked once its numbers are.
		sortErrors(out)
		return out
	}
	c := q.full
	if mode == Draft {
		c = q.draft
	}
	err := c.schema.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []FieldError{{Path: "", Keyword: "", Message: "The answers could not be checked: " + err.Error()}}
	}
	var out []FieldError
	seen := map[FieldError]bool{}
	add := func(fe FieldError) {
		if !seen[fe] {
			seen[fe] = true
			out = append(out, fe)
		}
	}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			// A draft's schema is the full one without some keywords and
			// its conditions point into the full one: the full document
			// holds every node an error's schema location names.
			for _, fe := range q.leafErrors(q.full, doc, e) {
				add(fe)
			}
			return
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(ve)
	sortErrors(out)
	if len(out) > MaxErrors {
		out = out[:MaxErrors]
	}
	return out
}

// sortErrors orders field errors by path, then keyword.
func sortErrors(out []FieldError) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Keyword < out[j].Keyword
	})
}

// leafErrors turns one innermost library error into field errors. For
// required, dependentRequired and additionalProperties the path names the
// property itself, one error each.
func (q *Questionnaire) leafErrors(c *compiled, doc any, e *jsonschema.ValidationError) []FieldError {
	keyword, tokens := lastKeyword(unpercent(e.KeywordLocation))
	inst := unpercent(e.InstanceLocation)
	schemaPtr := ""
	if i := strings.Index(e.AbsoluteKeywordLocation, "#"); i >= 0 {
		schemaPtr = unpercent(e.AbsoluteKeywordLocation[i+1:])
	}
	switch keyword {
	case "required":
		parent, _ := resolvePointer(c.doc, strings.TrimSuffix(schemaPtr, "/required"))
		po, _ := parent.(*object)
		value, _ := resolvePointer(doc, inst)
		obj, _ := value.(map[string]any)
		if po == nil || obj == nil {
			break
		}
		req, _ := po.vals["required"].([]any)
		var out []FieldError
		for _, r := range req {
			name, _ := r.(string)
			if _, present := obj[name]; !present {
				p := inst + "/" + EscapeToken(name)
				out = append(out, FieldError{Path: p, Keyword: "required",
					Message: fmt.Sprintf("%s is required.", q.describe(p))})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "dependentRequired":
		// tokens end with dependentRequired, the property, the index.
		if len(tokens) >= 2 {
			dname := tokens[len(tokens)-2]
			i, _ := strconv.Atoi(tokens[len(tokens)-1])
			parent, _ := resolvePointer(c.doc, strings.TrimSuffix(schemaPtr, "/dependentRequired/"+EscapeToken(dname)+"/"+strconv.Itoa(i)))
			if po, ok := parent.(*object); ok {
				if dr := po.obj("dependentRequired"); dr != nil {
					if list, ok := dr.vals[dname].([]any); ok && i < len(list) {
						if name, ok := list[i].(string); ok {
							p := inst + "/" + EscapeToken(name)
							return []FieldError{{Path: p, Keyword: "dependentRequired",
								Message: fmt.Sprintf("%s is required when %s is answered.", q.describe(p), q.describe(inst+"/"+EscapeToken(dname)))}}
						}
					}
				}
			}
		}
	case "additionalProperties", "unevaluatedProperties":
		parent, _ := resolvePointer(c.doc, strings.TrimSuffix(schemaPtr, "/"+keyword))
		po, _ := parent.(*object)
		value, _ := resolvePointer(doc, inst)
		obj, _ := value.(map[string]any)
		if po == nil || obj == nil {
			break
		}
		var out []FieldError
		for _, name := range unexpected(po, obj, keyword, e.Message) {
			out = append(out, FieldError{Path: inst + "/" + EscapeToken(name), Keyword: keyword,
				Message: fmt.Sprintf("%q is not a question of this questionnaire.", name)})
		}
		if len(out) > 0 {
			return out
		}
	}
	return []FieldError{{Path: inst, Keyword: keyword, Message: sentence(keyword, e.Message)}}
}

// unpercent undoes the library's percent-encoding of pointer tokens,
// leaving plain RFC 6901 pointers.
func unpercent(ptr string) string {
	if !strings.Contains(ptr, "%") {
		return ptr
	}
	tokens := strings.Split(ptr, "/")
	for i, t := range tokens {
		if u, err := url.PathUnescape(t); err == nil {
			tokens[i] = u
		}
	}
	return strings.Join(tokens, "/")
}

// unexpected lists the properties of obj that schema node po does not
// allow, in sorted order.
func unexpected(po *object, obj map[string]any, keyword, message string) []string {
	var out []string
	if keyword == "unevaluatedProperties" {
		// Evaluation spans subschemas; take the names the library reports.
		for _, m := range quotedNames.FindAllStringSubmatch(message, -1) {
			out = append(out, strings.ReplaceAll(m[1], `\'`, `'`))
		}
		sort.Strings(out)
		return out
	}
	props := po.obj("properties")
	var patterns []*regexp.Regexp
	if pp := po.obj("patternProperties"); pp != nil {
		for _, k := range pp.keys {
			if re, err := regexp.Compile(k); err == nil {
				patterns = append(patterns, re)
			}
		}
	}
	for name := range obj {
		if props != nil {
			if _, ok := props.vals[name]; ok {
				continue
			}
		}
		matched := false
		for _, re := range patterns {
			if re.MatchString(name) {
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// boundMessage is the validator's message for maximum and minimum.
var boundMessage = regexp.MustCompile(`^must be [<>]=? (\S+) but found`)

// plainNumber writes a bound the validator printed as a float (1e+15)
// without an exponent; the 64-bit bounds, which a float64 rounds, exactly.
func plainNumber(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return s
	case f >= 1<<63:
		return strconv.FormatInt(MaxInteger, 10)
	case f <= -(1 << 63):
		return strconv.FormatInt(MinInteger, 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

var quotedNames = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)

// describe names the thing at path for a message: the question's label
// where there is one, else the property name.
func (q *Questionnaire) describe(path string) string {
	if qq, ok := q.byPath[path]; ok {
		return strconv.Quote(qq.Title)
	}
	if title := q.nodes[path]; title != "" {
		return strconv.Quote(title)
	}
	return strconv.Quote(unescapeToken(path[strings.LastIndex(path, "/")+1:]))
}

// schema keywords whose next token in a keyword location is a name or an
// index rather than another keyword.
var named = map[string]int{
	"properties": 1, "patternProperties": 1, "$defs": 1, "definitions": 1,
	"dependentSchemas": 1, "dependentRequired": 2, "dependencies": 2,
	"allOf": 1, "anyOf": 1, "oneOf": 1, "prefixItems": 1,
}

// lastKeyword returns the last keyword in a keyword location such as
// "/properties/a/$ref/properties/b/enum", and the location's tokens. A
// location that ends at a subschema rather than a keyword
// ("/properties/a", "/allOf/0", "/properties/a/$ref") is a false schema,
// reported as "false".
func lastKeyword(loc string) (string, []string) {
	var tokens []string
	if loc != "" {
		tokens = strings.Split(strings.TrimPrefix(loc, "/"), "/")
	}
	for i := range tokens {
		tokens[i] = unescapeToken(tokens[i])
	}
	keyword, atSubschema := "", false
	for i := 0; i < len(tokens); i++ {
		keyword = tokens[i]
		atSubschema = named[keyword] == 1 && i+1 == len(tokens)-1
		i += named[keyword]
	}
	if keyword == "" || keyword == "$ref" || atSubschema {
		keyword = "false"
	}
	return keyword, tokens
}

var messages = map[string]string{
	"false": "This value is not allowed here.",
	"not":   "This answer is not allowed here.",
}

// sentence turns the library's message into one human sentence.
func sentence(keyword, msg string) string {
	if m, ok := messages[keyword]; ok {
		return m
	}
	switch keyword {
	case "maximum", "minimum":
		if m := boundMessage.FindStringSubmatch(msg); m != nil {
			if keyword == "maximum" {
				return fmt.Sprintf("The largest value allowed here is %s.", plainNumber(m[1]))
			}
			return fmt.Sprintf("The smallest value allowed here is %s.", plainNumber(m[1]))
		}
	case "enum":
		msg = strings.Replace(msg, "value must be one of", "Choose one of:", 1)
	case "type":
		msg = strings.Replace(msg, "expected", "Expected", 1)
	case "const":
		msg = strings.Replace(msg, "value must be", "The value must be", 1)
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "This value is not valid."
	}
	r, size := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[size:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
