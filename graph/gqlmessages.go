package graph

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cosp-ict/irm/internal/i18n"
)

// gqlMessage is one of the messages gqlparser and gqlgen write themselves
// (parse and validation errors, the coercion of variables, gqlgen's own
// refusals) and its sentence in the errors catalogue
// (internal/i18n/locales/errors), so that an operation refused before it
// runs is told so in the reader's language. The names, types and values
// quoted in a message (GraphQL identifiers, or what the client sent) stay
// as they are: they fill the key's placeholders.
type gqlMessage struct {
	// format is the message's format string as gqlparser's or gqlgen's
	// source writes it; TestEveryGraphQLMessageHasASentence reads their
	// sources for the format strings and fails on one this table lacks.
	// Empty for a part of another message (a reason of a field conflict).
	format string
	// key is the catalogue's key: the English message with a named
	// placeholder where format has a verb.
	key string
	// pattern, when set, is what the English message looks like where
	// the key leaves a part out (the JSON decoder's English reason) or
	// where one format makes two sentences (a fragment cycle, direct or
	// through other fragments).
	pattern string
	// variable: the key's {variable} is the variable the error's path
	// names ("$input.name"), not part of the English message.
	variable bool
}

// gqlMessages: the version of gqlparser and gqlgen in go.mod.
var gqlMessages = []gqlMessage{
	// The parser and the lexer (gqlparser's parser/, lexer/).
	{format: `exceeded maximum nesting depth of %d`, key: `exceeded maximum nesting depth of {max}`},
	{format: `exceeded token limit of %d`, key: `exceeded token limit of {max}`},
	{format: `Expected %s, found %s`, key: `Expected {expected}, found {found}`},
	{format: `Unexpected %s`, key: `Unexpected {token}`},
	{format: `expected at least one definition, found %s`, key: `expected at least one definition, found {found}`},
	{format: `Cannot contain the invalid character "\u%04x"`, key: `Cannot contain the invalid character "\u{code}"`},
	{format: `Unexpected single quote character ('), did you mean to use a double quote (")?`, key: `Unexpected single quote character ('), did you mean to use a double quote (")?`},
	{format: `Cannot parse the unexpected character "%s".`, key: `Cannot parse the unexpected character "{character}".`},
	{format: `Invalid number, unexpected digit after 0: %s.`, key: `Invalid number, unexpected digit after 0: {character}.`},
	{format: `Invalid number, expected digit but got: %s.`, key: `Invalid number, expected digit but got: {character}.`},
	{format: `Invalid character within String: "\u%04x".`, key: `Invalid character within String: "\u{code}".`},
	{format: `Invalid character escape sequence.`, key: `Invalid character escape sequence.`},
	{format: `Invalid character escape sequence: \%s.`, key: `Invalid character escape sequence: \{sequence}.`},
	{format: `Unterminated string.`, key: `Unterminated string.`},

	// Validation (gqlparser's validator/rules/).
	{format: `Cannot query field "%s" on type "%s".`, key: `Cannot query field "{field}" on type "{type}".`},
	{format: `Fragment cannot condition on non composite type "%s".`, key: `Fragment cannot condition on non composite type "{type}".`},
	{format: `Fragment "%s" cannot condition on non composite type "%s".`, key: `Fragment "{fragment}" cannot condition on non composite type "{type}".`},
	{format: `Unknown argument "%s" on field "%s.%s".`, key: `Unknown argument "{argument}" on field "{type}.{field}".`},
	{format: `Unknown argument "%s" on directive "@%s".`, key: `Unknown argument "{argument}" on directive "@{directive}".`},
	{format: `Unknown directive "@%s".`, key: `Unknown directive "@{directive}".`},
	{format: `Directive "@%s" may not be used on %s.`, key: `Directive "@{directive}" may not be used on {location}.`},
	{format: `Unknown fragment "%s".`, key: `Unknown fragment "{fragment}".`},
	{format: `Schema does not support operation type "%s"`, key: `Schema does not support operation type "{operation}"`},
	{format: `Unknown type "%s".`, key: `Unknown type "{type}".`},
	{format: `This anonymous operation must be the only defined operation.`, key: `This anonymous operation must be the only defined operation.`},
	{format: `Maximum introspection depth exceeded`, key: `Maximum introspection depth exceeded`},
	{format: `Cannot spread fragment "%s" within itself%s.`, key: `Cannot spread fragment "{fragment}" within itself.`},
	{format: `Cannot spread fragment "%s" within itself%s.`, key: `Cannot spread fragment "{fragment}" within itself via {fragments}.`},
	{format: `Variable "%s" is not defined by operation "%s".`, key: `Variable "{variable}" is not defined by operation "{operation}".`},
	{format: `Variable "%s" is not defined.`, key: `Variable "{variable}" is not defined.`},
	{format: `Fragment "%s" is never used.`, key: `Fragment "{fragment}" is never used.`},
	{format: `Variable "$%s" is never used in operation "%s".`, key: `Variable "${variable}" is never used in operation "{operation}".`},
	{format: `Variable "$%s" is never used.`, key: `Variable "${variable}" is never used.`},
	{format: `Fields "%s" conflict because %s. Use different aliases on the fields to fetch both if this was intentional.`,
		key: `Fields "{field}" conflict because {reason}. Use different aliases on the fields to fetch both if this was intentional.`},
	{format: `Fragment cannot be spread here as objects of type "%s" can never be of type "%s".`,
		key: `Fragment cannot be spread here as objects of type "{type}" can never be of type "{condition}".`},
	{format: `Fragment "%s" cannot be spread here as objects of type "%s" can never be of type "%s".`,
		key: `Fragment "{fragment}" cannot be spread here as objects of type "{type}" can never be of type "{condition}".`},
	{format: `Field "%s" argument "%s" of type "%s" is required, but it was not provided.`,
		key: `Field "{field}" argument "{argument}" of type "{type}" is required, but it was not provided.`},
	{format: `Directive "@%s" argument "%s" of type "%s" is required, but it was not provided.`,
		key: `Directive "@{directive}" argument "{argument}" of type "{type}" is required, but it was not provided.`},
	{format: `Field "%s" must not have a selection since type "%s" has no subfields.`, key: `Field "{field}" must not have a selection since type "{type}" has no subfields.`},
	{format: `Field "%s" of type "%s" must have a selection of subfields.`, key: `Field "{field}" of type "{type}" must have a selection of subfields.`},
	{format: `%s must select only one top level field.`, key: `{operation} must select only one top level field.`},
	{format: `%s must not select an introspection top level field.`, key: `{operation} must not select an introspection top level field.`},
	{format: `There can be only one argument named "%s".`, key: `There can be only one argument named "{argument}".`},
	{format: `The directive "@%s" can only be used once at this location.`, key: `The directive "@{directive}" can only be used once at this location.`},
	{format: `There can be only one fragment named "%s".`, key: `There can be only one fragment named "{fragment}".`},
	{format: `There can be only one input field named "%s".`, key: `There can be only one input field named "{field}".`},
	{format: `There can be only one operation named "%s".`, key: `There can be only one operation named "{operation}".`},
	{format: `There can be only one variable named "$%s".`, key: `There can be only one variable named "${variable}".`},
	{format: `Expected value of type "%s", found %s.`, key: `Expected value of type "{type}", found {value}.`},
	{format: `Enum "%s" cannot represent non-enum value: %s.`, key: `Enum "{type}" cannot represent non-enum value: {value}.`},
	{format: `Value "%s" does not exist in "%s" enum.`, key: `Value "{value}" does not exist in "{type}" enum.`},
	{format: `Field "%s.%s" of required type "%s" was not provided.`, key: `Field "{type}.{field}" of required type "{fieldType}" was not provided.`},
	{format: `OneOf Input Object "%s" must specify exactly one key.`, key: `OneOf Input Object "{type}" must specify exactly one key.`},
	{format: `Field "%s.%s" must be non-null.`, key: `Field "{type}.{field}" must be non-null.`},
	{format: `Field "%s" is not defined by type "%s".`, key: `Field "{field}" is not defined by type "{type}".`},
	{format: `Int cannot represent non 32-bit signed integer value: %s`, key: `Int cannot represent non 32-bit signed integer value: {value}`},
	{format: `Int cannot represent non-integer value: %s`, key: `Int cannot represent non-integer value: {value}`},
	{format: `String cannot represent a non string value: %s`, key: `String cannot represent a non string value: {value}`},
	{format: `Boolean cannot represent a non boolean value: %s`, key: `Boolean cannot represent a non boolean value: {value}`},
	{format: `Float cannot represent non numeric value: %s`, key: `Float cannot represent non numeric value: {value}`},
	{format: `ID cannot represent a non-string and non-integer value: %s`, key: `ID cannot represent a non-string and non-integer value: {value}`},
	{format: `Variable "$%s" cannot be non-input type "%s".`, key: `Variable "${variable}" cannot be non-input type "{type}".`},
	{format: `Variable "%s" of type "%s" used in position expecting type "%s".`,
		key: `Variable "{variable}" of type "{type}" used in position expecting type "{expected}".`},
	{format: `Variable "%s" is of type "%s" but must be non-nullable to be used for OneOf Input Object "%s".`,
		key: `Variable "{variable}" is of type "{type}" but must be non-nullable to be used for OneOf Input Object "{object}".`},

	// The reasons of a field conflict (overlapping_fields_can_be_merged.go),
	// {reason} above; "subfields" nests another reason.
	{format: `"%s" and "%s" are different fields`, key: `"{first}" and "{second}" are different fields`},
	{format: `they have differing arguments`, key: `they have differing arguments`},
	{format: `they return conflicting types "%s" and "%s"`, key: `they return conflicting types "{first}" and "{second}"`},
	{key: `subfields "{field}" conflict because {reason}`},

	// The coercion of variables (gqlparser's validator/vars.go): the
	// error's path names the variable, which the key names too.
	{format: `must an input type`, key: `{variable}: must an input type`, pattern: `must an input type`, variable: true},
	{format: `must be defined`, key: `{variable}: must be defined`, pattern: `must be defined`, variable: true},
	{format: `cannot be null`, key: `{variable}: cannot be null`, pattern: `cannot be null`, variable: true},
	{format: `cannot use value %d as %s`, key: `{variable}: cannot use value {value} as {type}`, pattern: `cannot use value {value} as {type}`, variable: true},
	{format: `cannot use value %f as %s`, key: `{variable}: cannot use value {value} as {type}`, pattern: `cannot use value {value} as {type}`, variable: true},
	{format: `enums must be ints or strings`, key: `{variable}: enums must be ints or strings`, pattern: `enums must be ints or strings`, variable: true},
	{format: `%s is not a valid %s`, key: `{variable}: {value} is not a valid {type}`, pattern: `{value} is not a valid {type}`, variable: true},
	{format: `cannot use %s as %s`, key: `{variable}: cannot use {kind} as {type}`, pattern: `cannot use {kind} as {type}`, variable: true},
	{format: `must be a %s, not a %s`, key: `{variable}: must be a {type}, not a {kind}`, pattern: `must be a {type}, not a {kind}`, variable: true},
	{format: `unknown field`, key: `{variable}: unknown field`, pattern: `unknown field`, variable: true},
	{format: `cannot use %s as ID`, key: `{variable}: cannot use {kind} as ID`, pattern: `cannot use {kind} as ID`, variable: true},
	{format: `cannot use %g as ID: integers beyond 2^53-1 may have been rounded; decode variables with json.Decoder.UseNumber`,
		key:     `{variable}: cannot use {value} as ID: integers beyond 2^53-1 may have been rounded; decode variables with json.Decoder.UseNumber`,
		pattern: `cannot use {value} as ID: integers beyond 2^53-1 may have been rounded; decode variables with json.Decoder.UseNumber`, variable: true},

	// gqlgen's own (graphql/executor, handler/transport/http_post.go,
	// handler/extension/complexity.go, execution_context_state.go). The
	// JSON decoder's reason is English: the key leaves it out.
	{format: `operation %s not found`, key: `operation {operation} not found`},
	{format: `no operation provided`, key: `no operation provided`},
	{format: `json request body could not be decoded: %+v body:%s`, key: `json request body could not be decoded`,
		pattern: `json request body could not be decoded: {detail}`},
	{format: `could not read request body: %+v`, key: `could not read request body`, pattern: `could not read request body: {detail}`},
	{format: `operation has complexity %d, which exceeds the limit of %d`, key: `operation has complexity {complexity}, which exceeds the limit of {max}`},
	{format: `introspection disabled`, key: `introspection disabled`},
}

// unknownGQLMessage is the sentence for a message of gqlparser or gqlgen
// that gqlMessages does not know: the English one is in the error's
// extensions.
const unknownGQLMessage = "The operation cannot run as sent."

// conflictReason is the placeholder of a field conflict's reason (in a
// key with " conflict because "), itself one of gqlMessages' sentences.
const conflictReason = "reason"

// gqlMatcher is one entry of gqlMessages made into a regular expression.
type gqlMatcher struct {
	gqlMessage
	re    *regexp.Regexp
	names []string
}

// gqlMatchers are gqlMessages' patterns, the most specific first (the
// longest text outside placeholders), so that "Unexpected {token}" does not
// take the message about a single quote.
var gqlMatchers = func() []gqlMatcher {
	out := make([]gqlMatcher, 0, len(gqlMessages))
	for _, m := range gqlMessages {
		p := cmp.Or(m.pattern, m.key)
		re, names := patternRegexp(p)
		out = append(out, gqlMatcher{gqlMessage: m, re: re, names: names})
	}
	slices.SortStableFunc(out, func(a, b gqlMatcher) int {
		return cmp.Compare(literalLen(cmp.Or(b.pattern, b.key)), literalLen(cmp.Or(a.pattern, a.key)))
	})
	return out
}()

var keyPlaceholder = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*\}`)

// patternRegexp makes an English message with named placeholders into a
// regular expression of the whole message: a placeholder between double
// quotes is a name or a type (no quote in it), any other one any text.
func patternRegexp(p string) (*regexp.Regexp, []string) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	var names []string
	at := 0
	quotes := 0
	for _, loc := range keyPlaceholder.FindAllStringIndex(p, -1) {
		lit := p[at:loc[0]]
		quotes += strings.Count(lit, `"`)
		b.WriteString(regexp.QuoteMeta(lit))
		if quotes%2 == 1 {
			b.WriteString(`([^"]*?)`)
		} else {
			b.WriteString(`(.+?)`)
		}
		names = append(names, p[loc[0]+1:loc[1]-1])
		at = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(p[at:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String()), names
}

func literalLen(p string) int { return len(keyPlaceholder.ReplaceAllString(p, "")) }

// matchGQLMessage finds the entry of gqlMessages that made message, and
// the values of its placeholders; path is the error's.
func matchGQLMessage(message string, path ast.Path) (gqlMatcher, []string, bool) {
	for _, m := range gqlMatchers {
		if m.variable && variableOf(path) == "" {
			continue
		}
		if sub := m.re.FindStringSubmatch(message); sub != nil {
			return m, sub[1:], true
		}
	}
	return gqlMatcher{}, nil, false
}

// variableOf is the variable, or the part of one, that an error's path
// names: ["variable", "input", "names", 0] is "$input.names[0]"; "" for
// a path that does not start with a variable.
func variableOf(path ast.Path) string {
	if len(path) < 2 || path[0] != ast.PathName("variable") {
		return ""
	}
	name, ok := path[1].(ast.PathName)
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString("$" + string(name))
	for _, e := range path[2:] {
		switch e := e.(type) {
		case ast.PathName:
			b.WriteString("." + string(e))
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(e)) + "]")
		}
	}
	return b.String()
}

// translateGQLMessage gives one of gqlparser's or gqlgen's English
// messages (of an error with path) in lang, its names, types and values
// as they were; ok is false for a message gqlMessages does not know.
func translateGQLMessage(lang, message string, path ast.Path) (string, bool) {
	m, values, ok := matchGQLMessage(message, path)
	if !ok {
		return "", false
	}
	args := make([]any, 0, 2*len(values)+2)
	if m.variable {
		args = append(args, "variable", variableOf(path))
	}
	for i, v := range values {
		if m.names[i] == conflictReason && strings.Contains(m.key, " conflict because ") {
			// A field conflict's reason is a sentence of its own.
			r, ok := translateGQLMessage(lang, v, nil)
			if !ok {
				return "", false
			}
			v = r
		}
		if n, err := strconv.Atoi(v); err == nil && limitPlaceholders[m.names[i]] {
			// A limit of ours is a number, written in the reader's digits.
			args = append(args, m.names[i], n)
			continue
		}
		args = append(args, m.names[i], v)
	}
	return i18n.T(lang, m.key, args...), true
}

// limitPlaceholders are the placeholders that hold the service's own
// numbers (a limit, an operation's complexity), not a client's text.
var limitPlaceholders = map[string]bool{"max": true, "complexity": true}

// inReadersLanguage is a message of gqlparser or gqlgen in lang: the
// catalogue's sentence, or, for a message gqlMessages does not know, the
// catalogue's general one.
func inReadersLanguage(lang, message string, path ast.Path) string {
	if t, ok := translateGQLMessage(lang, message, path); ok {
		return t
	}
	return i18n.T(lang, unknownGQLMessage)
}
