package questionnaire

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLastKeyword(t *testing.T) {
	for _, tt := range []struct {
		name, loc, want string
		tokens          []string
	}{
		{"a keyword on a property is that keyword", "/properties/a/enum", "enum", []string{"properties", "a", "enum"}},
		{"a property NAMED enum is a name, not the keyword", "/properties/enum/type", "type", []string{"properties", "enum", "type"}},
		{"the keyword enum on a property named enum is enum", "/properties/enum/enum", "enum", []string{"properties", "enum", "enum"}},
		{"a false schema for a property named enum is false", "/properties/enum", "false", []string{"properties", "enum"}},
		{"a false schema for a property named required is false", "/properties/required", "false", []string{"properties", "required"}},
		{"properties named like keywords all the way down are names", "/properties/properties/properties/required/required", "required",
			[]string{"properties", "properties", "properties", "required", "required"}},
		{"a property named $ref is a name", "/properties/$ref/minimum", "minimum", []string{"properties", "$ref", "minimum"}},
		{"dependentRequired keeps its property and index", "/dependentRequired/x/0", "dependentRequired", []string{"dependentRequired", "x", "0"}},
		{"dependentRequired on a property named required", "/properties/s/dependentRequired/required/1", "dependentRequired",
			[]string{"properties", "s", "dependentRequired", "required", "1"}},
		{"escaped tokens come back unescaped", "/properties/a~1b~0c/dependentRequired/d~1e/0", "dependentRequired",
			[]string{"properties", "a/b~c", "dependentRequired", "d/e", "0"}},
		{"a $ref chain ends at the innermost keyword", "/properties/a/$ref/properties/b/$ref/$ref/maximum", "maximum",
			[]string{"properties", "a", "$ref", "properties", "b", "$ref", "$ref", "maximum"}},
		{"a $ref to a false schema is false", "/properties/a/$ref", "false", []string{"properties", "a", "$ref"}},
		{"a keyword inside allOf and then", "/allOf/1/then/required", "required", []string{"allOf", "1", "then", "required"}},
		{"a false schema in allOf is false", "/allOf/0", "false", []string{"allOf", "0"}},
		{"a false schema in prefixItems is false", "/prefixItems/2", "false", []string{"prefixItems", "2"}},
		{"a keyword in a list's items", "/properties/l/items/properties/x/format", "format",
			[]string{"properties", "l", "items", "properties", "x", "format"}},
		{"additionalProperties false is additionalProperties", "/properties/s/additionalProperties", "additionalProperties",
			[]string{"properties", "s", "additionalProperties"}},
		{"unevaluatedProperties false is unevaluatedProperties", "/unevaluatedProperties", "unevaluatedProperties", []string{"unevaluatedProperties"}},
		{"a pattern property's name may hold a slash", "/patternProperties/^a~1b$/pattern", "pattern", []string{"patternProperties", "^a/b$", "pattern"}},
		{"a false schema under a pattern property is false", "/patternProperties/^x", "false", []string{"patternProperties", "^x"}},
		{"a dependent schema's keyword", "/dependentSchemas/a/minProperties", "minProperties", []string{"dependentSchemas", "a", "minProperties"}},
		{"the root false schema is false", "", "false", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, tokens := lastKeyword(tt.loc)
			if got != tt.want {
				t.Errorf("lastKeyword(%q) = %q, want %q", tt.loc, got, tt.want)
			}
			if !slices.Equal(tokens, tt.tokens) {
				t.Errorf("lastKeyword(%q) tokens = %q, want %q", tt.loc, tokens, tt.tokens)
			}
		})
	}
}

func TestUnpercent(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"/properties/plain/enum", "/properties/plain/enum"},
		{"/properties/sec%20tion/required", "/properties/sec tion/required"},
		{"/ann%C3%A9e%20civile", "/année civile"},
		{"/50%25%20share", "/50% share"},
		{"/%2541", "/%41"},
		{"/a~1b%20c/0", "/a~1b c/0"},
		{"/bad%zz/ok%20x", "/bad%zz/ok x"},
	} {
		t.Run(fmt.Sprintf("%q reads as %q", tt.in, tt.want), func(t *testing.T) {
			if got := unpercent(tt.in); got != tt.want {
				t.Errorf("unpercent(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPointers(t *testing.T) {
	t.Run("ValidPointer accepts RFC 6901 pointers and nothing else", func(t *testing.T) {
		for _, tt := range []struct {
			s    string
			want bool
		}{
			{"", true}, {"/", true}, {"/a/b", true}, {"/a~0b~1c", true}, {"//", true}, {"/ é/中", true},
			{"a", false}, {"/a~", false}, {"/a~2", false}, {"/~/x", false}, {"#/a", false},
		} {
			if got := ValidPointer(tt.s); got != tt.want {
				t.Errorf("ValidPointer(%q) = %v, want %v", tt.s, got, tt.want)
			}
		}
	})
	t.Run("EscapeToken and unescapeToken round-trip every name", func(t *testing.T) {
		for _, s := range []string{"", "a", "a/b", "a~b", "~1", "~01", "/~/", "a~0b"} {
			e := EscapeToken(s)
			if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(e, "~0", ""), "~1", ""), "/") {
				t.Errorf("EscapeToken(%q) = %q still holds a slash", s, e)
			}
			if !ValidPointer("/" + e) {
				t.Errorf("/EscapeToken(%q) = /%q is not a valid pointer", s, e)
			}
			if got := unescapeToken(e); got != s {
				t.Errorf("unescapeToken(EscapeToken(%q)) = %q, want %q", s, got, s)
			}
		}
	})
	t.Run("resolvePointer follows objects, maps and arrays", func(t *testing.T) {
		ordered, err := decodeOrdered([]byte(`{"a": {"b/c": [10, {"d~e": true}]}, "": 1}`))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := DecodeAnswers([]byte(`{"a": {"b/c": [10, {"d~e": true}]}, "": 1}`))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			ptr  string
			want string // the value as JSON, "" = not found
		}{
			{"", `{"a":{"b/c":[10,{"d~e":true}]},"":1}`}, {"/a/b~1c/0", "10"}, {"/a/b~1c/1/d~0e", "true"}, {"/", "1"},
			{"/a/b~1c/2", ""}, {"/a/b~1c/-1", ""}, {"/a/b~1c/x", ""}, {"/a/x", ""}, {"a", ""}, {"/a/b~1c/0/z", ""},
		} {
			for name, doc := range map[string]any{"ordered": ordered, "plain": plain} {
				got := ""
				if v, ok := resolvePointer(doc, tt.ptr); ok {
					b, err := json.Marshal(v)
					if err != nil {
						t.Fatal(err)
					}
					got = string(b)
				}
				if name == "plain" && tt.ptr == "" {
					continue // a map's keys come out sorted
				}
				if got != tt.want {
					t.Errorf("resolvePointer(%s, %q) = %s, want %s", name, tt.ptr, got, tt.want)
				}
			}
		}
	})
}

func TestStripRequired(t *testing.T) {
	doc, err := decodeOrdered([]byte(`{
	  "required": ["a"], "dependentRequired": {"a": ["b"]},
	  "properties": {"required": {"required": ["x"]}, "p": {"items": {"required": ["y"]}, "enum": [{"required": 1}]}},
	  "allOf": [{"required": ["c"]}], "then": {"required": ["d"]}, "else": {"dependentRequired": {}},
	  "$defs": {"d": {"required": ["e"]}},
	  "if": {"required": ["f"], "$ref": "#/$defs/d"},
	  "not": {"anyOf": [{"$ref": "#/$defs/d"}], "const": {"$ref": "#/keep"}, "enum": [{"$ref": "#/keep"}],
	    "properties": {"$ref": {"$ref": "#/$defs/d"}, "enum": {"$ref": "#/$defs/d"}}},
	  "oneOf": [{"$ref": "#"}], "anyOf": [{"$ref": "#/$defs/d"}], "contains": {"required": ["g"]}, "propertyNames": {"required": ["h"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := stripRequired(doc, "mem:///full.json").(*object).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	// Outside conditions required and dependentRequired go; inside if,
	// not, anyOf, oneOf, contains and propertyNames they stay and local
	// $refs point at the full schema; const and enum are data.
	want := `{"properties":{"required":{},"p":{"items":{},"enum":[{"required":1}]}},` +
		`"allOf":[{}],"then":{},"else":{},"$defs":{"d":{}},` +
		`"if":{"required":["f"],"$ref":"mem:///full.json#/$defs/d"},` +
		`"not":{"anyOf":[{"$ref":"mem:///full.json#/$defs/d"}],"const":{"$ref":"#/keep"},"enum":[{"$ref":"#/keep"}],` +
		`"properties":{"$ref":{"$ref":"mem:///full.json#/$defs/d"},"enum":{"$ref":"mem:///full.json#/$defs/d"}}},` +
		`"oneOf":[{"$ref":"mem:///full.json#"}],"anyOf":[{"$ref":"mem:///full.json#/$defs/d"}],` +
		`"contains":{"required":["g"]},"propertyNames":{"required":["h"]}}`
	if string(got) != want {
		t.Errorf("stripRequired:\n\tgot  %s\n\twant %s", got, want)
	}
}

// The compiler's LoadURL is replaced: even a $ref that got past
// refuseRemoteRefs, or a nested $schema, never reads a file.
func TestCompileNeverLoadsURLs(t *testing.T) {
	dir := t.TempDir()
	readable := filepath.Join(dir, "schema.json")
	if err := os.WriteFile(readable, []byte(`{"type": "string"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.ToSlash(readable)
	for _, tt := range []struct{ name, schema, url string }{
		{"a file $ref to /etc/passwd", `{"properties": {"a": {"$ref": "file:///etc/passwd"}}}`, "file:///etc/passwd"},
		{"a file $ref to a readable schema", `{"properties": {"a": {"$ref": "` + url + `"}}}`, url},
		{"an http $ref", `{"properties": {"a": {"$ref": "http://127.0.0.1:1/x.json"}}}`, "http://127.0.0.1:1/x.json"},
	} {
		t.Run(tt.name+" is refused without loading it", func(t *testing.T) {
			doc, err := decodeOrdered([]byte(tt.schema))
			if err != nil {
				t.Fatal(err)
			}
			c, err := compile("loads", doc, nil)
			if err == nil {
				t.Fatalf("compile = %v, nil, want an error", c.schema)
			}
			if !strings.Contains(err.Error(), "refusing to load") || !strings.Contains(err.Error(), tt.url) {
				t.Errorf("compile error = %q, want it to refuse loading %s", err, tt.url)
			}
		})
	}
	t.Run("a nested $schema is ignored, never loaded", func(t *testing.T) {
		// The library reads $schema only at a resource it loads itself;
		// had it asked for this one, errNoLoading would fail the compile.
		schema := `{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "T", "type": "object",
		  "$defs": {"x": {"$id": "x.json", "$schema": "file:///etc/passwd", "type": "string"}},
		  "properties": {"s": {"type": "object", "title": "S", "properties": {"a": {"$ref": "#/$defs/x"}}}}}`
		q, err := Compile("nested", []byte(schema), nil)
		if err != nil {
			t.Fatalf("Compile = %v, want no error (and no loading)", err)
		}
		if errs := q.Validate([]byte(`{"s": {"a": 1}}`), Complete); len(errs) != 1 || errs[0].Keyword != "type" {
			t.Errorf("Validate = %v, want one type error", errs)
		}
	})
}
