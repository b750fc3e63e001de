package questionnaire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Duplicate keys are found by one pass over the bytes that builds no
// values: a stack of the open objects and arrays (for the path) and of
// the keys of the open objects (for the comparison). Keys are compared
// decoded, as encoding/json would put them in a map: a key with no
// backslash and valid UTF-8 is its own bytes, any other key is decoded by
// encoding/json itself ("\u0061" is "a", and invalid UTF-8 is U+FFFD).

// FindDuplicateKey returns the first key, in document order, that an
// object of data holds twice, as the *DuplicateKeyError DecodeAnswers
// gives (the JSON Pointer of the second one), or nil if there is none.
//
// It is exact for valid JSON only: callers check validity first (a
// decoder that accepted the document, json.Valid). On other input it
// never panics and always ends, but its answer means nothing.
func FindDuplicateKey(data []byte) *DuplicateKeyError {
	var frameBuf [32]scanFrame
	var keyBuf [128][]byte
	frames, keys := frameBuf[:0], keyBuf[:0]
	expectKey := false // at a key of the innermost open object
	for i := 0; i < len(data); {
		switch c := data[i]; c {
		case ' ', '\t', '\n', '\r', ':':
			i++
		case ',':
			if len(frames) == 0 {
				return nil
			}
			if top := &frames[len(frames)-1]; top.object {
				expectKey = true
			} else {
				top.index++
			}
			i++
		case '{', '[':
			if expectKey {
				return nil
			}
			frames = append(frames, scanFrame{object: c == '{', first: len(keys)})
			expectKey = c == '{'
			i++
		case '}', ']':
			if len(frames) == 0 || frames[len(frames)-1].object != (c == '}') {
				return nil
			}
			keys = keys[:frames[len(frames)-1].first]
			frames = frames[:len(frames)-1]
			expectKey = false
			i++
		case '"':
			end := stringEnd(data, i)
			if end < 0 {
				return nil
			}
			if expectKey {
				key := data[i+1 : end-1]
				if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
					var s string
					if json.Unmarshal(data[i:end], &s) != nil {
						return nil
					}
					key = []byte(s)
				}
				top := &frames[len(frames)-1]
				if top.has(keys, key) {
					return duplicateAt(frames, key)
				}
				if top.seen == nil {
					keys = append(keys, key)
				}
				top.key = key
				expectKey = false
			}
			i = end
		default:
			if expectKey {
				return nil
			}
			// A number or a literal: skip to what ends it.
			for i++; i < len(data) && !delimiter[data[i]]; i++ {
			}
		}
	}
	return nil
}

// scanFrame is an open object or array.
type scanFrame struct {
	object bool
	index  int    // array: the current element
	key    []byte // object: the current member's key, decoded
	first  int    // where the object's keys start on the stack of keys
	// seen holds the object's keys instead of the stack once it has more
	// than linearKeys: comparing with each would grow with their square.
	seen map[string]struct{}
}

const linearKeys = 32

// has reports whether the object already holds key, and else records it
// in seen once the object has many keys (the caller pushes it otherwise).
func (f *scanFrame) has(keys [][]byte, key []byte) bool {
	if f.seen != nil {
		if _, ok := f.seen[string(key)]; ok {
			return true
		}
		f.seen[string(key)] = struct{}{}
		return false
	}
	own := keys[f.first:]
	for _, k := range own {
		if bytes.Equal(k, key) {
			return true
		}
	}
	if len(own) == linearKeys {
		f.seen = make(map[string]struct{}, 2*linearKeys)
		for _, k := range own {
			f.seen[string(k)] = struct{}{}
		}
		f.seen[string(key)] = struct{}{}
	}
	return false
}

// duplicateAt is the error for key given twice in the innermost of frames.
func duplicateAt(frames []scanFrame, key []byte) *DuplicateKeyError {
	var b strings.Builder
	for _, f := range frames[:len(frames)-1] {
		b.WriteByte('/')
		if f.object {
			b.WriteString(EscapeToken(string(f.key)))
		} else {
			b.WriteString(strconv.Itoa(f.index))
		}
	}
	k := string(key)
	b.WriteByte('/')
	b.WriteString(EscapeToken(k))
	return &DuplicateKeyError{Path: b.String(), Key: k}
}

// stringEnd returns the index just past the string whose opening quote is
// data[i], or -1 if it does not end. A quote is escaped when an odd number
// of backslashes precedes it; counting them back from each quote reads
// every byte at most twice.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		n := 0
		for q-n-1 > i && data[q-n-1] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	return -1
}

// delimiter holds the bytes that end a number or a literal.
var delimiter = [256]bool{' ': true, '\t': true, '\n': true, '\r': true,
	',': true, ':': true, '{': true, '}': true, '[': true, ']': true, '"': true}
