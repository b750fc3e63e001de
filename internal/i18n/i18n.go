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
	"math"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	xmessage "golang.org/x/text/message"
	"golang.org/x/text/number"
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

// Unoffered lists the languages an Accept-Language header asks for
// ("de-CH, de;q=0.9, it;q=0.5" → de, it), in its order, when none of
// them is one of the six: a page then falls back to English and says
// so. It is nil for an empty or unreadable header, a "*", or a header
// that asks for any of the six (English included).
func Unoffered(acceptLanguage string) []string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return nil
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return nil
	}
	var out []string
	for _, t := range prefs {
		base, _ := t.Base()
		if t == language.Und || base.String() == "mul" || base.String() == "und" {
			return nil // "*": any language will do
		}
		if Known(base.String()) {
			return nil
		}
		if b := base.String(); !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
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
				return format(lang, args[i+1])
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
		if k == "limit" && numeral.MatchString(v) {
			v = Numeral(lang, v)
		}
		args = append(args, k, v)
	}
	return T(lang, key, args...)
}

var numeral = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Numeral is s, a number written in ASCII as a schema gives it ("50",
// "-0.5", "9223372036854775807"), in lang's digits and decimal sign,
// every digit kept: ٥٠, -0,5. A bound is not rounded or grouped, so that
// it reads exactly as the questionnaire sets it.
func Numeral(lang, s string) string {
	if !numeral.MatchString(s) {
		return s
	}
	digits := Digits(lang)
	// The decimal sign is what lang writes between 0 and 5 in ½.
	dec := strings.Trim(printer(lang).Sprint(number.Decimal(0.5, number.MaxFractionDigits(1))), digits)
	var b strings.Builder
	d := []rune(digits)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(d[r-'0'])
		case r == '.':
			b.WriteString(dec)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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

// format writes a placeholder's value. A number is written as lang
// writes it, with the digits and separators of CLDR's default numbering
// for the language (golang.org/x/text, the formats the reports use): a
// count in an Arabic sentence reads ٣, not 3. Whole numbers below 10,000
// are not grouped, so that a year or a limit reads 2027 or ٤٠٠٠; larger
// ones and decimals (at most two) are grouped as the language groups
// thousands. Strings are the caller's and are left as they are.
func format(lang string, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return whole(lang, int64(x))
	case int64:
		return whole(lang, x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return whole(lang, int64(x))
		}
		return printer(lang).Sprint(number.Decimal(x, number.MaxFractionDigits(2)))
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Number is n as lang writes a whole number in a sentence (see format):
// for the pages' own scripts and templates, which write counts outside a
// catalogue message.
func Number(lang string, n int) string { return whole(lang, int64(n)) }

// Digits are the ten digits lang writes, 0 to 9 ("٠١٢٣٤٥٦٧٨٩" in
// Arabic): for a page's script that counts as the user types.
func Digits(lang string) string {
	var b strings.Builder
	for d := range 10 {
		b.WriteString(whole(lang, int64(d)))
	}
	return b.String()
}

func whole(lang string, n int64) string {
	if lang == Default || !Known(lang) {
		if n > -10000 && n < 10000 {
			return strconv.FormatInt(n, 10)
		}
		return printer(Default).Sprint(number.Decimal(n))
	}
	if n > -10000 && n < 10000 {
		return printer(lang).Sprint(number.Decimal(n, number.NoSeparator()))
	}
	return printer(lang).Sprint(number.Decimal(n))
}

// printers are the six languages' number printers, made once.
var printers = func() map[string]*xmessage.Printer {
	m := map[string]*xmessage.Printer{}
	for _, l := range Languages {
		m[l.Code] = xmessage.NewPrinter(language.Make(l.Code))
	}
	return m
}()

func printer(lang string) *xmessage.Printer {
	if p, ok := printers[lang]; ok {
		return p
	}
	return printers[Default]
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
