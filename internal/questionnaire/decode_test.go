package questionnaire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/questionnaire"
)

// referenceDecodeAnswers is DecodeAnswers as it was before it was made
// fast (a walk with encoding/json's Decoder.Token), kept unchanged as the
// judge of what the fast one must return for every input.
func referenceDecodeAnswers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := referenceDecodeAnswer(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON document")
	}
	return v, nil
}

func referenceDecodeAnswer(dec *json.Decoder, path string) (any, error) {
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
			at := path + "/" + questionnaire.EscapeToken(k)
			if _, dup := m[k]; dup {
				return nil, &questionnaire.DuplicateKeyError{Path: at, Key: k}
			}
			v, err := referenceDecodeAnswer(dec, at)
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
			v, err := referenceDecodeAnswer(dec, path+"/"+strconv.Itoa(i))
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

// checkSameAsReference fails unless DecodeAnswers gives exactly what the
// reference gives: the same value (same Go types) or the same error (same
// type, text and fields), and unless FindDuplicateKey, on valid JSON,
// finds the reference's duplicate.
func checkSameAsReference(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := referenceDecodeAnswers(data)
	got, gotErr := questionnaire.DecodeAnswers(data)
	if !reflect.DeepEqual(gotErr, wantErr) {
		t.Fatalf("DecodeAnswers(%q): error %#v (%v), want %#v (%v)", data, gotErr, gotErr, wantErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeAnswers(%q) = %#v, want %#v", data, got, want)
	}
	dup := questionnaire.FindDuplicateKey(data) // never panics, whatever data is
	if json.Valid(data) {
		var wantDup *questionnaire.DuplicateKeyError
		errors.As(wantErr, &wantDup)
		if !reflect.DeepEqual(dup, wantDup) {
			t.Fatalf("FindDuplicateKey(%q) = %+v, want %+v", data, dup, wantDup)
		}
	}
}

// trickyDocuments are inputs where a fast decoder could part from the
// token walk.
func trickyDocuments() []string {
	many := func(n int, last string) string { // an object of n keys, then last
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, "%q: %d, ", "k"+strconv.Itoa(i), i)
		}
		b.WriteString(last + "}")
		return b.String()
	}
	deep := func(n int, inner string) string {
		return strings.Repeat(`{"a":[`, n) + inner + strings.Repeat(`]}`, n)
	}
	return []string{
		// valid, no duplicate
		`{}`, `[]`, `{"":{}}`, `[{}]`, `[[],[[]],{}]`, `{"a":{"b":1},"b":{"b":2},"n":1.50}`,
		`null`, `true`, `false`, `0`, `-0`, `"x"`, ` {"a" : [ 1 , 2 ] } `, "\t\r\n{}\n",
		`{"a/b":1,"a~b":2,"~1":3,"~0":4,"/":5,"~":6}`,
		`{"n":[1e10,1E+2,-1.5e-300,0.0,1e400,-1e400,123456789012345678901234567890,1.0000000000000000000001]}`,
		`{"s":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00\ud800\udfff\u0000","t":"\\","u":"\\\"","v":"\"\\"}`,
		`{"a\"b":1,"a\\b":2,"a\/b":3}`, "{\"\xff\":1}", "{\"é ü\":\"\xe9\"}", `{"\ud800":1}`,
		`{"k":[{"a":1},{"a":2},{"b":{"a":3}}]}`, many(100, `"x": 1`), many(32, `"k": 1`),
		deep(50, `{"x":1}`), deep(10000, `1`),
		// duplicates
		`{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"\u0061":1,"a":2}`, `{"a/b":1,"a\/b":2}`,
		`{"~":1,"~":2}`, `{"a~/b":{"x":1,"x":2}}`, `{"":1,"":2}`, `{"a":{},"a":{}}`,
		`{"l":[1,{"k":1,"k":2}]}`, `{"l":[{"x":1},[{"y":[{},{"z":1,"z":2}]}]]}`,
		`{"a":{"b":1,"c":{"b":1}},"b":{"b":1,"b":2},"a":3}`, `[{"a":1},{"a":1,"a":1}]`,
		"{\"\xff\":1,\"\xfe\":2}", "{\"\xff\":1,\"\\ufffd\":2}", `{"\ud800":1,"\udbff":2}`,
		`{"😀":1,"\ud83d\ude00":2}`, `{"\u0000":1,"\u0000":2}`, `{"a\"":1,"a\u0022":2}`,
		many(100, `"k99": 1`), many(32, `"k0": 1`), many(31, `"k30": 1`), many(33, `"k32": 1`),
		deep(50, `{"x":1,"x":2}`), deep(10000, `{"x":1,"x":2}`), deep(10001, `{"x":1,"y":2}`),
		`{"a":1,"a":2} trailing`, `{"a":1,"a":2`, `{"a":1,"a"`, `{"a":1,"a" x`, `{"a":1,"a":}`,
		`{"a":x,"a":2}`, `{"a":1 "a":2}`, `[{"a":1,"a":2},]`,
		// not JSON, or not one document
		``, ` `, `{`, `}`, `[`, `]`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,}`, `[1,]`, `[,1]`,
		`[1 2]`, `{"a" 1}`, `{1:2}`, `{"a":1]`, `[1}`, `{} trailing`, `{}{}`, `{} {}`, `1 2`, `123abc`,
		`{"a":tru}`, `{"a":nul}`, `{"a":truex}`, `{"a":01}`, `{"a":.5}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`,
		`{"a":+1}`, `{"a":NaN}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", "\xef\xbb\xbf{}",
		`{"a":"unterminated}`, `"`, `"\`, `{"\`, `{'a':1}`, "\xff\xfe", `[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`,
	}
}

func TestDecodeAnswersMatchesReference(t *testing.T) {
	for _, doc := range trickyDocuments() {
		name := doc
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) { checkSameAsReference(t, []byte(doc)) })
	}
	t.Run("the complete sample", func(t *testing.T) { checkSameAsReference(t, sample(t)) })
	t.Run("the validation cases", func(t *testing.T) {
		for _, c := range loadCases(t, "testdata/implementation-v1.invalid.json") {
			checkSameAsReference(t, c.Answers)
		}
	})
}

func TestFindDuplicateKey(t *testing.T) {
	for _, c := range []struct{ doc, path, key string }{
		{`{"a":1,"b":2}`, "", ""},
		{`{"a":1,"a":2}`, "/a", "a"},
		{`{"a":1,"\u0061":2}`, "/a", "a"},
		{`{"x":{"a/b~c":1,"a\/b~c":2}}`, "/x/a~1b~0c", "a/b~c"},
		{`{"l":[0,{"k":1},{"k":2,"k":3}]}`, "/l/2/k", "k"},
		{`[[],[{"a~":[{},{"b":1,"b":2}]}]]`, "/1/0/a~0/1/b", "b"},
		{`{"a":{"b":1},"b":{"b":2},"a":3}`, "/a", "a"},
		{"{\"\xff\":1,\"\\ufffd\":2}", "/\ufffd", "\ufffd"},
		{`{"s":"\"a\":1,\"a\":2","t":"\\"}`, "", ""},
	} {
		d := questionnaire.FindDuplicateKey([]byte(c.doc))
		switch {
		case c.path == "" && d != nil:
			t.Errorf("FindDuplicateKey(%s) = %+v, want none", c.doc, d)
		case c.path != "" && (d == nil || d.Path != c.path || d.Key != c.key):
			t.Errorf("FindDuplicateKey(%s) = %+v, want %q at %q", c.doc, d, c.key, c.path)
		}
	}
}

// FuzzDecodeAnswers checks DecodeAnswers against the token walk it
// replaced, on any bytes: the same value or the same error.
func FuzzDecodeAnswers(f *testing.F) {
	for _, doc := range trickyDocuments() {
		if len(doc) < 1000 {
			f.Add([]byte(doc))
		}
	}
	f.Add(sample(f))
	f.Fuzz(func(t *testing.T, data []byte) { checkSameAsReference(t, data) })
}
