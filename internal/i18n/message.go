package i18n

import "fmt"

// Message is a sentence of the catalogue kept as data, to be read later
// in whichever language its reader has: its key and its named parameters,
// as strings. A report run stores what it met as Messages (issue 13); the
// pages and the API give them in the reader's language with In.
type Message struct {
	Key    string            `json:"key"`
	Params map[string]string `json:"params,omitempty"`
}

// M returns the message key with args, pairs of name and value, as T
// takes them; each value is kept as T would write it in English (a whole number as
// plain digits). The key must be a
// string literal in the catalogue (internal/apperr's test reads the code
// for them).
func M(key string, args ...any) Message {
	m := Message{Key: key}
	for i := 0; i+1 < len(args); i += 2 {
		if m.Params == nil {
			m.Params = map[string]string{}
		}
		switch v := args[i+1].(type) {
		case int, int64:
			// Kept as plain digits, so that In reads a count back as a
			// number and writes it in the reader's digits.
			m.Params[fmt.Sprint(args[i])] = fmt.Sprint(v)
		default:
			m.Params[fmt.Sprint(args[i])] = format(Default, v)
		}
	}
	return m
}

// In is the message in lang, its placeholders filled; an integer
// "count" chooses the plural form.
func (m Message) In(lang string) string { return Params(lang, m.Key, m.Params) }
