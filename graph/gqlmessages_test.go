package graph

import (
	"cmp"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	gqlast "github.com/vektah/gqlparser/v2/ast"

	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/questionnaires"
)

// getIn sends a GET request with an Accept-Language header (none when
// empty), through the handler's language middleware.
func getIn(t *testing.T, h http.Handler, acceptLanguage string, params url.Values) answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	rec := httptest.NewRecorder()
	withLanguage(h).ServeHTTP(rec, req)
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("not JSON (%d): %.300s", rec.Code, rec.Body.String())
	}
	a.status = rec.Code
	return a
}

// TestGraphQLOwnMessagesInTheReadersLanguage (issue 13): an operation
// that gqlparser cannot parse or validate, or whose variables it cannot
// coerce, is refused in the language of Accept-Language, over POST and
// GET: the catalogue's sentence with the names, types and values as the
// client sent them, BAD_USER_INPUT as in English, the English message in
// extensions.englishMessage. Without Accept-Language the message is
// gqlparser's English, as it always was.
func TestGraphQLOwnMessagesInTheReadersLanguage(t *testing.T) {
	h, _ := testServer(t, nil)
	for _, c := range []struct {
		name      string
		query     string
		variables string
		english   string // gqlparser's message
		key       string // the catalogue's
		args      []any
	}{
		{"unknown field", `{ viewr { name } }`, "",
			`Cannot query field "viewr" on type "Query".`,
			`Cannot query field "{field}" on type "{type}".`, []any{"field", "viewr", "type", "Query"}},
		{"missing argument", `{ cycle { id } }`, "",
			`Field "cycle" argument "id" of type "ID!" is required, but it was not provided.`,
			`Field "{field}" argument "{argument}" of type "{type}" is required, but it was not provided.`,
			[]any{"field", "cycle", "argument", "id", "type", "ID!"}},
		{"parse error", `{ viewer { name }`, "",
			`Expected Name, found <EOF>`,
			`Expected {expected}, found {found}`, []any{"expected", "Name", "found", "<EOF>"}},
		{"enum value (suggestion dropped)", `{ states(regionalGroup: AFRICA) { code } }`, "",
			`Value "AFRICA" does not exist in "RegionalGroup" enum.`,
			`Value "{value}" does not exist in "{type}" enum.`, []any{"value", "AFRICA", "type", "RegionalGroup"}},
		{"wrong literal type", `{ submissions(cycle: "2027", first: "ten") { totalCount } }`, "",
			`Int cannot represent non-integer value: "ten"`,
			`Int cannot represent non-integer value: {value}`, []any{"value", `"ten"`}},
		{"field conflict", `{ a: viewer { name } a: cycles { id } }`, "",
			`Fields "a" conflict because "viewer" and "cycles" are different fields. Use different aliases on the fields to fetch both if this was intentional.`,
			`Fields "{field}" conflict because {reason}. Use different aliases on the fields to fetch both if this was intentional.`,
			[]any{"field", "a", "reason", "·"}},
		{"fragment cycle", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, "",
			`Cannot spread fragment "A" within itself via "B".`,
			`Cannot spread fragment "{fragment}" within itself via {fragments}.`, []any{"fragment", "A", "fragments", `"B"`}},
		{"introspection", `{ __schema { queryType { name } } }`, "",
			`introspection disabled`, `introspection disabled`, nil},
		{"variable not given", `query Q($c: ID!) { cycle(id: $c) { id } }`, `{}`,
			`must be defined`, `{variable}: must be defined`, []any{"variable", "$c"}},
	} {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			send := func(lang string) answer {
				if method == http.MethodGet {
					p := url.Values{"query": {c.query}}
					if c.variables != "" {
						p.Set("variables", c.variables)
					}
					return getIn(t, h, lang, p)
				}
				body := map[string]any{"query": c.query}
				if c.variables != "" {
					body["variables"] = json.RawMessage(c.variables)
				}
				return postJSONIn(t, h, lang, body)
			}
			en := send("")
			if len(en.Errors) != 1 || en.Errors[0].Message != c.english || en.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Fatalf("%s %s, English: got HTTP %d %+v, want %q", method, c.name, en.status, en.Errors, c.english)
			}
			if _, ok := en.Errors[0].Extensions[EnglishMessageExtension]; ok {
				t.Errorf("%s %s, English: an English copy of an English message: %+v", method, c.name, en.Errors[0])
			}
			for _, lang := range []string{"fr", "ar", "zh"} {
				args := slices.Clone(c.args)
				if c.name == "field conflict" {
					args[3] = i18n.T(lang, `"{first}" and "{second}" are different fields`, "first", "viewer", "second", "cycles")
				}
				want := i18n.T(lang, c.key, args...)
				if want == i18n.T("en", c.key, args...) || strings.Contains(want, "{") && !strings.Contains(c.key, `\{`) {
					t.Fatalf("%s: the catalogue's %s sentence for %q is %q", c.name, lang, c.key, want)
				}
				a := send(lang)
				if len(a.Errors) != 1 || a.status != en.status {
					t.Fatalf("%s %s in %s: HTTP %d %+v, want HTTP %d and one error", method, c.name, lang, a.status, a.Errors, en.status)
				}
				e := a.Errors[0]
				if e.Message != want || e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions[EnglishMessageExtension] != c.english {
					t.Errorf("%s %s in %s: got %q %v, want %q with code BAD_USER_INPUT and the English %q",
						method, c.name, lang, e.Message, e.Extensions, want, c.english)
				}
			}
		}
	}
}

// TestDevModeKeepsSuggestionsInEnglish: in dev mode (the explorer) the
// English message keeps gqlparser's suggestion, in extensions when the
// message is translated; the translated sentence has none.
func TestDevModeKeepsSuggestionsInEnglish(t *testing.T) {
	reg, err := questionnaire.Load(questionnaires.Files(), questionnaires.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(&Resolver{Log: slog.New(slog.DiscardHandler), Registry: reg}, Options{Dev: true}, nil)
	h := withStatus(srv)
	body := map[string]any{"query": `{ states(regionalGroup: AFRICA) { code } }`}
	english := `Value "AFRICA" does not exist in "RegionalGroup" enum. Did you mean the enum value "AFRICAN"?`
	if en := postJSONIn(t, h, "", body); len(en.Errors) != 1 || en.Errors[0].Message != english {
		t.Fatalf("English: %+v, want %q", en.Errors, english)
	}
	fr := postJSONIn(t, h, "fr", body)
	want := i18n.T("fr", `Value "{value}" does not exist in "{type}" enum.`, "value", "AFRICA", "type", "RegionalGroup")
	if len(fr.Errors) != 1 || fr.Errors[0].Message != want || fr.Errors[0].Extensions[EnglishMessageExtension] != english {
		t.Fatalf("French: %+v, want %q and the English %q", fr.Errors, want, english)
	}
}

// postJSONIn posts body with an Accept-Language header (none when empty).
func postJSONIn(t *testing.T, h http.Handler, acceptLanguage string, body any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	rec := httptest.NewRecorder()
	withLanguage(h).ServeHTTP(rec, req)
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("not JSON (%d): %.300s", rec.Code, rec.Body.String())
	}
	a.status = rec.Code
	return a
}

// TestTransportRefusalsInTheReadersLanguage (issue 13): the refusals the
// transports write themselves (a body that is not JSON, variables or
// extensions that are not an object, a mutation over GET, a request no
// transport takes) read in the
// reader's language too, with their code and status as in English.
func TestTransportRefusalsInTheReadersLanguage(t *testing.T) {
	h, _ := testServer(t, nil)
	post := func(lang, body string) answer {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		rec := httptest.NewRecorder()
		withLanguage(h).ServeHTTP(rec, req)
		var a answer
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatalf("not JSON (%d): %.300s", rec.Code, rec.Body.String())
		}
		a.status = rec.Code
		return a
	}
	for _, c := range []struct {
		name    string
		send    func(lang string) answer
		english string // the English message, or its start
		want    func(lang string) string
	}{
		{"body not JSON", func(l string) answer { return post(l, `{"query": `) }, "json request body could not be decoded: ",
			func(l string) string { return i18n.T(l, "json request body could not be decoded") }},
		{"variables an array", func(l string) answer {
			return getIn(t, h, l, url.Values{"query": {"{ __typename }"}, "variables": {"[]"}})
		}, "variables must be a JSON object",
			func(l string) string { return i18n.T(l, "{parameter} must be a JSON object", "parameter", "variables") }},
		{"extensions an array", func(l string) answer {
			return getIn(t, h, l, url.Values{"query": {"{ __typename }"}, "extensions": {"[]"}})
		}, "extensions must be a JSON object",
			func(l string) string {
				return i18n.T(l, "{parameter} must be a JSON object", "parameter", "extensions")
			}},
		{"query string unreadable", func(l string) answer {
			req := httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D&x=%zz", nil)
			if l != "" {
				req.Header.Set("Accept-Language", l)
			}
			rec := httptest.NewRecorder()
			withLanguage(h).ServeHTTP(rec, req)
			var a answer
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
				t.Fatalf("not JSON (%d): %.300s", rec.Code, rec.Body.String())
			}
			a.status = rec.Code
			return a
		}, "the URL's query string cannot be read",
			func(l string) string { return i18n.T(l, "the URL's query string cannot be read") }},
		{"no transport", func(l string) answer {
			req := httptest.NewRequest(http.MethodPut, "/graphql", strings.NewReader(`{"query": "{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			if l != "" {
				req.Header.Set("Accept-Language", l)
			}
			rec := httptest.NewRecorder()
			withLanguage(h).ServeHTTP(rec, req)
			var a answer
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || rec.Code != http.StatusBadRequest {
				t.Fatalf("HTTP %d, not JSON (%v): %.300s", rec.Code, err, rec.Body.String())
			}
			a.status = rec.Code
			return a
		}, "transport not supported",
			func(l string) string { return i18n.T(l, "transport not supported") }},
		{"mutation over GET", func(l string) answer {
			return getIn(t, h, l, url.Values{"query": {`mutation { setStateParty(state: "KEN", party: true) { party } }`}})
		}, "GET runs queries only: send the mutation with POST",
			func(l string) string {
				return i18n.T(l, "GET runs queries only: send the {operation} with POST", "operation", "mutation")
			}},
	} {
		en := c.send("")
		if len(en.Errors) != 1 || !strings.HasPrefix(en.Errors[0].Message, c.english) || en.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Fatalf("%s, English: HTTP %d %+v, want %q", c.name, en.status, en.Errors, c.english)
		}
		for _, lang := range []string{"fr", "ar", "zh"} {
			a := c.send(lang)
			want := c.want(lang)
			if want == c.english || len(a.Errors) != 1 || a.status != en.status || a.Errors[0].Message != want ||
				a.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || a.Errors[0].Extensions[EnglishMessageExtension] != en.Errors[0].Message {
				t.Errorf("%s in %s: HTTP %d %+v, want HTTP %d %q (English %q)", c.name, lang, a.status, a.Errors, en.status, want, en.Errors[0].Message)
			}
		}
	}
}

// TestUnknownGraphQLMessageFallsBack: a message the table does not know
// is the catalogue's general sentence, the English kept in extensions,
// and a limit's refusal (in the reader's language already) is not
// touched.
func TestUnknownGraphQLMessageFallsBack(t *testing.T) {
	for _, lang := range []string{"fr", "ar", "zh"} {
		got := inReadersLanguage(lang, "A rule gqlparser adds tomorrow.", nil)
		if want := i18n.T(lang, unknownGQLMessage); got != want || got == unknownGQLMessage {
			t.Errorf("%s: got %q, want %q", lang, got, want)
		}
	}
	// Reasons of a field conflict nest: each is translated.
	msg := `Fields "a" conflict because subfields "b" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.`
	got, ok := translateGQLMessage("fr", msg, nil)
	want := i18n.T("fr", `Fields "{field}" conflict because {reason}. Use different aliases on the fields to fetch both if this was intentional.`,
		"field", "a", "reason", i18n.T("fr", `subfields "{field}" conflict because {reason}`, "field", "b", "reason", i18n.T("fr", "they have differing arguments")))
	if !ok || got != want {
		t.Errorf("nested conflict: got %q, want %q", got, want)
	}
	// Two reasons at one level are not one of the table's: the general
	// sentence, never a sentence with a garbled name.
	msg = `Fields "a" conflict because subfields "b" conflict because "x" and "y" are different fields and subfields "c" conflict because "u" and "v" are different fields. Use different aliases on the fields to fetch both if this was intentional.`
	if got, ok := translateGQLMessage("fr", msg, nil); ok {
		t.Errorf("two reasons: got %q", got)
	}
}

// TestGraphQLMessagesAreInTheCatalogue: every key of the table is in the
// errors catalogue (and so, by internal/i18n's tests, in all six
// languages with its placeholders), its sentence not the English one in
// another language; every pattern finds its own entry, not a shorter one
// that would take its message; and each key has the format's verbs where
// it has placeholders.
func TestGraphQLMessagesAreInTheCatalogue(t *testing.T) {
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	for _, m := range append(slices.Clone(gqlMessages), gqlMessage{key: unknownGQLMessage}) {
		if !i18n.Has(m.key) {
			t.Errorf("%q is not in the catalogue", m.key)
			continue
		}
		for _, lang := range []string{"fr", "ar", "zh", "ru", "es"} {
			if i18n.T(lang, m.key) == i18n.T("en", m.key) {
				t.Errorf("%s: %q is the English sentence", lang, m.key)
			}
		}
		if m.format == "" {
			continue
		}
		p := cmp.Or(m.pattern, m.key)
		example := p
		for i, name := range i18n.Placeholders(p) {
			example = strings.ReplaceAll(example, "{"+name+"}", "X"+strconv.Itoa(i))
		}
		got, _, ok := matchGQLMessage(example, gqlast.Path{gqlast.PathName("variable"), gqlast.PathName("v")})
		if !ok || got.key != m.key {
			t.Errorf("%q: the message %q is taken by %q", m.key, example, got.key)
		}
		skeleton := func(s string, re *regexp.Regexp) string { return re.ReplaceAllString(s, "·") }
		if !strings.Contains(m.format, "within itself%s") && !strings.Contains(m.format, " body:%s") &&
			skeleton(m.format, verb) != skeleton(p, keyPlaceholder) {
			t.Errorf("%q does not follow the format %q", m.key, m.format)
		}
	}
}

// notShown are format strings of the sources read below that never reach
// a client as a message of their own.
var notShown = map[string]string{
	"%s":                               "passes on a message made above",
	`"%s"`:                             "a fragment's name in the fragment-cycle message",
	" via %s":                          "part of the fragment-cycle message (its own pattern)",
	"%v":                               "formats a number for strconv",
	"unhandled %T":                     "a panic: gqlparser's own mistake",
	"missing def for %s":               "a panic: gqlparser's own mistake",
	"unsupported type %s":              "a panic: gqlparser's own mistake",
	"cannot validate as Schema is nil": "the server's mistake, not the client's",
	"cannot validate as QueryDocument is nil": "the server's mistake, not the client's",
	`got unknown operation type "%s"`:         "a panic: gqlparser's own mistake",
	"ComplexityLimit func can not be nil":     "the server's configuration",
	"unable to get Request Body %w":           "only the transports this server does not use (http_graphql, form, SSE)",
	"Unexpected Type":                         "validator.ErrUnexpectedType: returned by no function",
}

// TestEveryGraphQLMessageHasASentence reads the sources of the gqlparser
// and gqlgen versions in go.mod (the module cache) for the format strings
// of their messages, and fails on one that gqlMessages does not have, or
// on an entry whose format they no longer write: upgrading either shows
// what is new.
func TestEveryGraphQLMessageHasASentence(t *testing.T) {
	dir := func(module string) string {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
		d := strings.TrimSpace(string(out))
		if err != nil || d == "" {
			t.Skipf("%s is not in the module cache: %v", module, err)
		}
		return d
	}
	gqlparser, gqlgen := dir("github.com/vektah/gqlparser/v2"), dir("github.com/99designs/gqlgen")
	var files []string
	for _, pattern := range []string{
		filepath.Join(gqlparser, "validator", "rules", "*.go"),
		filepath.Join(gqlparser, "validator", "vars.go"),
		filepath.Join(gqlparser, "validator", "validator.go"),
		filepath.Join(gqlparser, "parser", "*.go"),
		filepath.Join(gqlparser, "lexer", "*.go"),
		filepath.Join(gqlgen, "graphql", "executor", "executor.go"),
		filepath.Join(gqlgen, "graphql", "handler", "transport", "http_post.go"),
		filepath.Join(gqlgen, "graphql", "handler", "extension", "complexity.go"),
		filepath.Join(gqlgen, "graphql", "execution_context_state.go"),
	} {
		m, _ := filepath.Glob(pattern)
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	if len(files) < 30 {
		t.Fatalf("found %d source files, want gqlparser's rules, parser and lexer", len(files))
	}
	formats := map[string]string{} // format → where
	for _, f := range files {
		for format, at := range messageFormats(t, f) {
			formats[format] = at
		}
	}
	known := map[string]bool{}
	for _, m := range gqlMessages {
		known[m.format] = true
	}
	for format, at := range formats {
		if !known[format] && notShown[format] == "" {
			t.Errorf("%s: %q has no sentence in gqlMessages", at, format)
		}
	}
	for _, m := range gqlMessages {
		if _, ok := formats[m.format]; m.format != "" && !ok {
			t.Errorf("gqlMessages: %q is not a format of this gqlparser or gqlgen", m.format)
		}
	}
	for format := range notShown {
		if _, ok := formats[format]; !ok {
			t.Errorf("notShown: %q is not a format of this gqlparser or gqlgen", format)
		}
	}
	if len(formats) < 70 {
		t.Fatalf("found %d formats, want all of the validator's", len(formats))
	}
}

// formatArg is, for each function that makes a message, the position of
// its format string.
var formatArg = map[string]int{
	"Message": 0, "Sprintf": 0, "Errorf": 0, "ErrorPathf": 1, "ErrorLocf": 3,
	"error": 1, "makeError": 0, "New": 0,
}

// messageFormats lists the format strings of one source file: those
// given to the functions of formatArg, and the literals of a Message
// field (a field conflict's reason).
func messageFormats(t *testing.T, path string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	add := func(e ast.Expr) {
		if s, ok := stringConstant(e); ok {
			out[s] = fset.Position(e.Pos()).String()
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			var name string
			switch fn := n.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			if at, ok := formatArg[name]; ok && at < len(n.Args) {
				add(n.Args[at])
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Message" {
				add(n.Value)
			}
		}
		return true
	})
	return out
}

// stringConstant is the value of a string literal or of a sum of them.
func stringConstant(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringConstant(e.X)
		b, ok2 := stringConstant(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return stringConstant(e.X)
	}
	return "", false
}

// TestVariableErrorsNameTheVariable: gqlparser's messages about a
// variable's value ("unknown field") name it only in the error's path;
// the translated sentence names it, as the path does.
func TestVariableErrorsNameTheVariable(t *testing.T) {
	path := gqlast.Path{gqlast.PathName("variable"), gqlast.PathName("input"), gqlast.PathName("names"), gqlast.PathIndex(2), gqlast.PathName("x")}
	got, ok := translateGQLMessage("fr", "unknown field", path)
	if want := i18n.T("fr", "{variable}: unknown field", "variable", "$input.names[2].x"); !ok || got != want || !strings.Contains(got, "$input.names[2].x") {
		t.Errorf("got %q, want %q", got, want)
	}
	// Without a variable in the path the sentence would name none: the
	// general one.
	if got, ok := translateGQLMessage("fr", "unknown field", gqlast.Path{gqlast.PathName("cycle")}); ok {
		t.Errorf("no variable: got %q", got)
	}
}
