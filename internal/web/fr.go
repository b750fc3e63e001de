package web

// dictionaries hold the interface's words in languages other than English.
var dictionaries = map[string]map[string]string{
	"fr": fr,
}

var fr = map[string]string{}
