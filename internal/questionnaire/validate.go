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

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/cosp-ict/irm/internal/i18n"
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
// Its Message is in English; In gives it in any of the six languages,
// from the catalogue of internal/i18n (or from the questionnaire's own
// x-messages) and Params.
type FieldError struct {
	Path    string // JSON Pointer into the answers
	Keyword string // the JSON Schema keyword that failed
	Message string // one human sentence, in English
	// Params are the values the message names: limit (a bound), count (a
	// length or a number of items), options (the allowed values), expected
	// (a JSON type), format, pattern (never shown), value (a const), name
	// (a property), field and when (the labels of the questions named).
	Params map[string]string

	key    string            // the message's catalogue key
	labels map[string]Labels // params that are labels, in every language
	custom map[string]string // the questionnaire's x-messages: language → message
}

// In is the error's message in lang: the questionnaire's own message for
// this question and keyword if it gives one in lang, else the catalogue's
// sentence with the parameters filled in (labels in lang).
func (fe FieldError) In(lang string) string {
	if m := fe.custom[lang]; m != "" {
		return m
	}
	if fe.key == "" {
		return fe.Message
	}
	params := fe.Params
	if len(fe.labels) > 0 {
		params = make(map[string]string, len(fe.Params))
		for k, v := range fe.Params {
			params[k] = v
		}
		for k, l := range fe.labels {
			params[k] = l.Label(lang)
		}
	}
	return i18n.Params(lang, fe.key, params)
}

// newError makes a field error whose message is the catalogue's key with
// params.
func newError(path, keyword, key string, params map[string]string) FieldError {
	fe := FieldError{Path: path, Keyword: keyword, Params: params, key: key}
	fe.Message = fe.In(i18n.Default)
	return fe
}

// MessageKeys are the catalogue keys of every message a field error can
// carry (a test holds them to the catalogue).
func MessageKeys() []string {
	keys := []string{msgNotJSON, msgDuplicate, msgRequired, msgDependentRequired, msgUnexpected,
		msgNotChecked, msgInvalid, msgTooLargeToStore, msgTooSmallToStore, msgExponent, msgPatternDefault, msgFormatDefault,
		msgTypeDefault, msgEnum, msgConst, msgMultipleOf}
	for _, m := range []map[string]string{messages, typeMessages, formatMessages, boundMessages, countMessages} {
		for _, k := range m {
			keys = append(keys, k)
		}
	}
	return keys
}

const (
	msgNotJSON           = "The answers are not valid JSON."
	msgDuplicate         = `"{name}" is given twice: keep one answer.`
	msgRequired          = `"{field}" is required.`
	msgDependentRequired = `"{field}" is required when "{when}" is answered.`
	msgUnexpected        = `"{name}" is not a question of this questionnaire.`
	msgNotChecked        = "The answers could not be checked."
	msgInvalid           = "This value is not valid."
	msgTooLargeToStore   = "This number is too large to be stored: the largest is {limit}."
	msgTooSmallToStore   = "This number is too small to be stored: the smallest is {limit}."
	msgExponent          = "This number is written with too small an exponent to be stored: write it without one, or as 0."
	msgPatternDefault    = "This answer is not in the format asked for."
	msgFormatDefault     = "This answer is not in the expected format."
	msgTypeDefault       = "This answer is not of the expected kind."
	msgEnum              = "Choose one of: {options}."
	msgConst             = "The value must be {value}."
	msgMultipleOf        = "The value must be a multiple of {limit}."
)

// Validate checks an answers document (JSON bytes) and returns its field
// errors, at most MaxErrors, sorted by path. A document that is not JSON
// gives one error at the root.
func (q *Questionnaire) Validate(answers []byte, mode Mode) []FieldError {
	doc, err := DecodeAnswers(answers)
	if fe, ok := AsFieldError(err); ok {
		return []FieldError{fe}
	}
	if err != nil {
		return []FieldError{newError("", "type", msgNotJSON, nil)}
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
	return newError(e.Path, "duplicateKey", msgDuplicate, map[string]string{"name": e.Key})
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
		return q.withCustomMessages(out)
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
		return []FieldError{newError("", "", msgNotChecked, map[string]string{"detail": err.Error()})}
	}
	var out []FieldError
	seen := map[[3]string]bool{}
	add := func(fe FieldError) {
		if k := [3]string{fe.Path, fe.Keyword, fe.Message}; !seen[k] {
			seen[k] = true
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
	return q.withCustomMessages(out)
}

// withCustomMessages gives each error the questionnaire's own messages
// for its question and keyword (x-messages), if there are any.
func (q *Questionnaire) withCustomMessages(out []FieldError) []FieldError {
	for i := range out {
		if m := q.messages[out[i].Path][out[i].Keyword]; m != nil {
			out[i].custom = m
			out[i].Message = out[i].In(i18n.Default)
		}
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
				out = append(out, q.withLabels(p, "required", msgRequired, map[string]string{"field": p}))
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
							return []FieldError{q.withLabels(p, "dependentRequired", msgDependentRequired,
								map[string]string{"field": p, "when": inst + "/" + EscapeToken(dname)})}
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
			out = append(out, newError(inst+"/"+EscapeToken(name), keyword, msgUnexpected, map[string]string{"name": name}))
		}
		if len(out) > 0 {
			return out
		}
	}
	key, params := problem(keyword, e.Message)
	return []FieldError{newError(inst, keyword, key, params)}
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

// withLabels makes an error whose params field and when are the JSON
// pointers of questions: they become the questions' labels, in every
// language where the questionnaire has one, else the property name.
func (q *Questionnaire) withLabels(path, keyword, key string, pointers map[string]string) FieldError {
	fe := FieldError{Path: path, Keyword: keyword, key: key, Params: map[string]string{}, labels: map[string]Labels{}}
	for name, p := range pointers {
		l := q.labelsAt(p)
		fe.Params[name], fe.labels[name] = l.Title, l
	}
	fe.Message = fe.In(i18n.Default)
	return fe
}

// labelsAt names the thing at path: the question's labels where there
// are some, else the property name.
func (q *Questionnaire) labelsAt(path string) Labels {
	if qq, ok := q.byPath[path]; ok {
		return qq.Labels
	}
	if l, ok := q.nodes[path]; ok && l.Title != "" {
		return l
	}
	return Labels{Title: unescapeToken(path[strings.LastIndex(path, "/")+1:])}
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

// messages are the catalogue keys of keywords that need no parameter.
var messages = map[string]string{
	"false":       "This value is not allowed here.",
	"not":         "This answer is not allowed here.",
	"uniqueItems": "Give each answer only once.",
}

// boundMessages name the bound a number passed.
var boundMessages = map[string]string{
	"maximum":          "The largest value allowed here is {limit}.",
	"minimum":          "The smallest value allowed here is {limit}.",
	"exclusiveMaximum": "The value must be less than {limit}.",
	"exclusiveMinimum": "The value must be greater than {limit}.",
}

// countMessages name a bound on a length or a number of answers.
var countMessages = map[string]string{
	"minLength": "Enter at least {count} characters.", "maxLength": "Enter at most {count} characters.",
	"minItems": "Give at least {count} answers.", "maxItems": "Give at most {count} answers.",
	"additionalItems": "Give at most {count} answers.",
	"minProperties":   "Give at least {count} answers here.", "maxProperties": "Give at most {count} answers here.",
}

// typeMessages say what to enter, by the type expected.
var typeMessages = map[string]string{
	"integer": "Enter a whole number.",
	"number":  "Enter a number.",
	"string":  "Enter text.",
	"boolean": "Answer yes or no.",
	"array":   "Give a list of answers.",
	"object":  "Give a group of answers.",
}

// formatMessages say what to enter, by format.
var formatMessages = map[string]string{
	"date":      "Enter a date, e.g. 2029-03-31.",
	"date-time": "Enter a date and time, e.g. 2029-03-31T12:00:00Z.",
	"email":     "Enter an email address, e.g. name@example.org.",
	"uri":       "Enter a web address, e.g. https://example.org.",
}

var (
	typeMessage   = regexp.MustCompile(`^expected (.+), but got (\S+)`)
	formatMessage = regexp.MustCompile(`is not valid '([^']*)'$`)
	lengthMessage = regexp.MustCompile(`^(?:length must be [<>]=|(?:minimum|maximum)|only) (\d+)`)
	multipleOf    = regexp.MustCompile(`not multipleOf (\S+)$`)
)

// problem turns the library's message into a catalogue key and its
// parameters. The library's English never reaches a reader: what a key
// cannot say is said by a more general key.
func problem(keyword, msg string) (string, map[string]string) {
	if m, ok := messages[keyword]; ok {
		return m, nil
	}
	switch keyword {
	case "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum":
		if m := boundMessage.FindStringSubmatch(msg); m != nil {
			return boundMessages[keyword], map[string]string{"limit": plainNumber(m[1])}
		}
	case "enum":
		return msgEnum, map[string]string{"options": strings.TrimSpace(strings.TrimPrefix(msg, "value must be one of"))}
	case "const":
		return msgConst, map[string]string{"value": strings.TrimSpace(strings.TrimPrefix(msg, "value must be"))}
	case "type":
		if m := typeMessage.FindStringSubmatch(msg); m != nil {
			params := map[string]string{"expected": m[1], "got": m[2]}
			if key, ok := typeMessages[m[1]]; ok {
				return key, params
			}
			return msgTypeDefault, params
		}
		return msgTypeDefault, nil
	case "pattern":
		return msgPatternDefault, map[string]string{"pattern": strings.Trim(strings.TrimPrefix(msg, "does not match pattern "), "'")}
	case "format":
		if m := formatMessage.FindStringSubmatch(msg); m != nil {
			if key, ok := formatMessages[m[1]]; ok {
				return key, map[string]string{"format": m[1]}
			}
			return msgFormatDefault, map[string]string{"format": m[1]}
		}
		return msgFormatDefault, nil
	case "minLength", "maxLength", "minItems", "maxItems", "additionalItems", "minProperties", "maxProperties":
		if m := lengthMessage.FindStringSubmatch(msg); m != nil {
			return countMessages[keyword], map[string]string{"count": m[1]}
		}
	case "multipleOf":
		if m := multipleOf.FindStringSubmatch(msg); m != nil {
			return msgMultipleOf, map[string]string{"limit": plainNumber(m[1])}
		}
	}
	return msgInvalid, nil
}
