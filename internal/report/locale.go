package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
	"golang.org/x/text/unicode/bidi"

	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
)

// The words a report prints — headings, labels, table headers, notes,
// month names, the date pattern — live in catalogue/<lang>.json, one flat
// object per language that a translator edits without touching Go.
// Placeholders are written {name}; every language has every key English
// has, with the same placeholders (locale_test.go checks both). Numbers
// are formatted by CLDR's rules through golang.org/x/text.
//
//go:embed catalogue/*.json
var catalogueFS embed.FS

// locale is one language's catalogue and number formats.
type locale struct {
	lang    string
	msgs    map[string]string
	printer *message.Printer
	rtl     bool
}

var (
	localesOnce sync.Once
	locales     map[string]*locale
	localesErr  error
)

// localeFor returns the locale of lang ("" is English).
func localeFor(lang string) (*locale, error) {
	localesOnce.Do(func() {
		locales = map[string]*locale{}
		for _, l := range Languages {
			data, err := catalogueFS.ReadFile("catalogue/" + l + ".json")
			if err != nil {
				localesErr = fmt.Errorf("report catalogue %s: %w", l, err)
				return
			}
			var msgs map[string]string
			if err := json.Unmarshal(data, &msgs); err != nil {
				localesErr = fmt.Errorf("report catalogue %s: %w", l, err)
				return
			}
			locales[l] = &locale{lang: l, msgs: msgs, printer: message.NewPrinter(language.Make(l)), rtl: l == "ar"}
		}
	})
	if localesErr != nil {
		return nil, localesErr
	}
	if lang == "" {
		lang = DefaultLanguage
	}
	l, ok := locales[lang]
	if !ok {
		return nil, fmt.Errorf("no report catalogue for language %q", lang)
	}
	return l, nil
}

// t is the message key with its {placeholders} replaced by args, given
// as name, value pairs. A key the language lacks prints in English, and
// one English lacks prints as the key, so a gap in a catalogue never
// fails a render.
func (l *locale) t(key string, args ...string) string {
	s, ok := l.msgs[key]
	if !ok {
		if en, _ := localeFor("en"); en != nil && en != l {
			s, ok = en.msgs[key]
		}
		if !ok {
			s = key
		}
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		v := args[i+1]
		if l.rtl && strings.ContainsFunc(v, func(r rune) bool { return classOf(r) == bidi.L }) {
			// A Latin value in right-to-left text is isolated (FSI…PDI),
			// so that its own brackets and digits stay with it: "Review Ω
			// (2027)", not "(Review Ω (2027".
			v = "\u2068" + v + "\u2069"
		}
		pairs = append(pairs, "{"+args[i]+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// has reports whether the catalogue has key (in this language or English).
func (l *locale) has(key string) bool {
	if _, ok := l.msgs[key]; ok {
		return true
	}
	en, _ := localeFor("en")
	_, ok := en.msgs[key]
	return ok
}

// num is a figure with at most two decimals, grouped as the language
// groups thousands: 1,234.5; 1 234,5; 1.234,5; ١٬٢٣٤٫٥.
func (l *locale) num(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return l.decimal(v, 2)
}

// decimal is v with at most decimals decimals, grouped as num groups.
func (l *locale) decimal(v float64, decimals int) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return l.printer.Sprint(number.Decimal(v, number.MaxFractionDigits(decimals)))
}

// pct is a share (0.412) as a percentage with one decimal: 41.2%.
func (l *locale) pct(share float64) string {
	return l.printer.Sprint(number.Percent(math.Round(share*1000)/1000, number.MaxFractionDigits(1)))
}

// withUnit is a figure followed by its unit, "%" written as the language
// writes percentages.
func (l *locale) withUnit(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case unit == "%":
		return l.pct(v / 100)
	case unit == "":
		return l.num(v)
	}
	return l.num(v) + " " + unit
}

// int is a whole number without grouping: a year, a version, a day.
func (l *locale) int(n int) string {
	if l.lang == "en" {
		return strconv.Itoa(n)
	}
	return l.printer.Sprint(number.Decimal(n, number.NoSeparator()))
}

// date is a day written out: 2 January 2006, 2 janvier 2006, 2006年1月2日.
func (l *locale) date(t time.Time) string {
	day := l.int(t.Day())
	if t.Day() == 1 && l.has("date.first") {
		day = l.t("date.first", "day", day)
	}
	return l.t("date.long", "day", day, "month", l.t("month."+strconv.Itoa(int(t.Month()))), "year", l.int(t.Year()))
}

// shortDate is a day in a table, in figures, in the order and with the
// digits the language uses (CLDR's short dates, two-digit day and month):
// 2027-02-26, 26/02/2027, 26.02.2027, 2027/02/26, ٢٦/٠٢/٢٠٢٧.
func (l *locale) shortDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	d := t.UTC()
	two := func(n int) string {
		return l.printer.Sprint(number.Decimal(n, number.NoSeparator(), number.MinIntegerDigits(2)))
	}
	return l.t("date.short", "year", l.int(d.Year()), "month", two(int(d.Month())), "day", two(d.Day()))
}

func (l *locale) yesNo(b bool) string {
	if b {
		return l.t("yes")
	}
	return l.t("no")
}

// stateName is a State's UN short name in the report's language, from the
// States reference; name (the database's, in English) where it has none.
func (l *locale) stateName(code, name string) string {
	if l.lang == "en" {
		return name
	}
	if n, ok := state.NameIn(code, l.lang); ok {
		return n
	}
	return name
}

// byName is board with each State's name in the report's language, in
// that language's alphabetical order (CLDR collation).
func (l *locale) byName(board []submission.StateStatus) []submission.StateStatus {
	if l.lang == "en" {
		return board
	}
	out := slices.Clone(board)
	for i := range out {
		out[i].Name = l.stateName(out[i].Code, out[i].Name)
	}
	c := collate.New(language.Make(l.lang))
	slices.SortStableFunc(out, func(a, b submission.StateStatus) int { return c.CompareString(a.Name, b.Name) })
	return out
}
