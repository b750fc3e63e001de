// Package i18n owns the six official languages: which they are, how a
// request's language is chosen among them, and the message catalogues
// (locales/*.json, one file per language, embedded) from which every
// sentence the pages and the API show is taken.
//
// A catalogue maps a key to a message. The key is the English sentence as
// written in the code, placeholders included ("{count} of {total} States
// listed are Parties."); en.json gives it its English text, every other
// file its translation. A message is a whole sentence with named
// placeholders in braces, never assembled from fragments. A message that
// depends on a number is an object of CLDR plural forms (zero, one, two,
// few, many, other), chosen by the placeholder {count} with the rules of
// golang.org/x/text/feature/plural; "other" is required and the fallback.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Language is one of the six official languages.
type Language struct {
	Code string // BCP 47, as in <html lang>
	Name string // the language's name in itself
	Dir  string // "ltr" or "rtl"
}

// Languages are the six, in the order of the language switcher (the
// alphabetical order of their English names, as the UN lists them).
var Languages = []Language{
	{"ar", "العربية", "rtl"},
	{"zh", "中文", "ltr"},
	{"en", "English", "ltr"},
	{"fr", "Français", "ltr"},
	{"ru", "Русский", "ltr"},
	{"es", "Español", "ltr"},
}

// Default is the language of a request that asks for none of the six.
const Default = "en"

// Known reports whether code is one of the six.
func Known(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Dir is the writing direction of a language: "rtl" for Arabic.
func Dir(code string) string {
	for _, l := range Languages {
		if l.Code == code {
			return l.Dir
		}
	}
	return "ltr"
}

var matcher = func() language.Matcher {
	tags := []language.Tag{language.English} // the first is the default
	for _, l := range Languages {
		if l.Code != Default {
			tags = append(tags, language.Make(l.Code))
		}
	}
	return language.NewMatcher(tags)
}()

// Match picks the best of the six for an Accept-Language header
// ("fr-CA,fr;q=0.9" → fr, "zh-Hant" → zh), English when none fits.
func Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return Default
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Default
	}
	_, _, conf := matcher.Match(prefs...)
	if conf == language.No {
		return Default
	}
	tag, _, _ := matcher.Match(prefs...)
	base, _ := tag.Base()
	if Known(base.String()) {
		return base.String()
	}
	return Default
}

// message is one catalogue entry: its plural forms, "other" always.
type message map[string]string

func (m *message) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = message{"other": s}
		return nil
	}
	var forms map[string]string
	if err := json.Unmarshal(b, &forms); err != nil {
		return fmt.Errorf("a message is a string or an object of plural forms: %w", err)
	}
	if _, ok := forms["other"]; !ok {
		return fmt.Errorf("plural forms without \"other\"")
	}
	for f := range forms {
		if _, ok := formOf[f]; !ok {
			return fmt.Errorf("unknown plural form %q (zero, one, two, few, many, other)", f)
		}
	}
	*m = forms
	return nil
}

var formOf = map[string]plural.Form{"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other}

// The domain's error messages (internal/apperr's keys, the CSV upload's
// row reasons) live in a file of their own per language,
// locales/errors/{lang}.json, merged into the language's catalogue: a key
// may be in only one of the two.
//
//go:embed locales/*.json locales/errors/*.json
var localeFS embed.FS

// catalogues are the embedded files, read once: language → key → message.
var catalogues = func() map[string]map[string]message {
	c, err := load(localeFS)
	if err != nil {
		panic(err)
	}
	return c
}()

func load(fsys fs.FS) (map[string]map[string]message, error) {
	out := map[string]map[string]message{}
	for _, l := range Languages {
		b, err := fs.ReadFile(fsys, path.Join("locales", l.Code+".json"))
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", l.Code, err)
		}
		var m map[string]message
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalogue %s.json: %w", l.Code, err)
		}
		b, err = fs.ReadFile(fsys, path.Join("locales", "errors", l.Code+".json"))
		if err != nil {
			return nil, fmt.Errorf("catalogue errors/%s: %w", l.Code, err)
		}
		var errs map[string]message
		if err := json.Unmarshal(b, &errs); err != nil {
			return nil, fmt.Errorf("catalogue errors/%s.json: %w", l.Code, err)
		}
		for k, v := range errs {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("catalogue errors/%s.json: %q is in %s.json too", l.Code, k, l.Code)
			}
			m[k] = v
		}
		out[l.Code] = m
	}
	return out, nil
}

// Has reports whether key is in the English catalogue, which holds every
// key.
func Has(key string) bool {
	_, ok := catalogues[Default][key]
	return ok
}

// Keys lists the English catalogue's keys, sorted.
func Keys() []string {
	out := make([]string, 0, len(catalogues[Default]))
	for k := range catalogues[Default] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// T returns the message key in lang with its placeholders filled from
// args, pairs of name and value ("count", 3, "total", 8). An integer
// "count" chooses the plural form. A key missing in lang falls back to
// English, then to the key itself.
func T(lang, key string, args ...any) string {
	m, ok := catalogues[lang][key]
	if !ok {
		lang = Default
		if m, ok = catalogues[Default][key]; !ok {
			m = message{"other": key}
		}
	}
	text := m["other"]
	if len(m) > 1 {
		if n, ok := count(args); ok {
			if s, ok := m[formName(lang, n)]; ok {
				text = s
			}
		}
	}
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	return placeholder.ReplaceAllStringFunc(text, func(ph string) string {
		name := ph[1 : len(ph)-1]
		for i := 0; i+1 < len(args); i += 2 {
			if fmt.Sprint(args[i]) == name {
				return format(args[i+1])
			}
		}
		return ph
	})
}

// Params fills a message from a map of named parameters, as T does.
func Params(lang, key string, params map[string]string) string {
	args := make([]any, 0, 2*len(params))
	for k, v := range params {
		if k == "count" {
			if n, err := strconv.Atoi(v); err == nil {
				args = append(args, k, n)
				continue
			}
		}
		args = append(args, k, v)
	}
	return T(lang, key, args...)
}

var placeholder = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*\}`)

// Placeholders lists a text's placeholder names, sorted and unique.
func Placeholders(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, ph := range placeholder.FindAllString(text, -1) {
		if n := ph[1 : len(ph)-1]; !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func count(args []any) (int, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if fmt.Sprint(args[i]) != "count" {
			continue
		}
		switch n := args[i+1].(type) {
		case int:
			return n, true
		case int64:
			return int(n), true
		}
	}
	return 0, false
}

func formName(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	f := plural.Cardinal.MatchPlural(language.Make(lang), n, 0, 0, 0, 0)
	for name, form := range formOf {
		if form == f {
			return name
		}
	}
	return "other"
}

func format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// KeyPlaceholders lists the placeholders of a key's English message, all
// plural forms together, sorted.
func KeyPlaceholders(key string) []string {
	var all []string
	for _, text := range catalogues[Default][key] {
		all = append(all, Placeholders(text)...)
	}
	sort.Strings(all)
	return slices.Compact(all)
}
