package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/cosp-ict/irm/internal/chart"
)

// The pages write numbers with the reports' own formats (CLDR through
// golang.org/x/text), so that a figure reads the same on a page and in a
// report of the same language: 1,234.5; 1 234,5; ١٬٢٣٤٫٥. A language
// without a catalogue writes English.

// pageLocale is lang's locale, nil when no catalogue can be read.
func pageLocale(lang string) *locale {
	l, err := localeFor(lang)
	if err != nil {
		l, _ = localeFor(DefaultLanguage)
	}
	return l
}

// Number is v as lang writes a figure: at most two decimals, thousands
// grouped; unit, if any, follows it ("%" as lang writes percentages).
func Number(lang string, v float64, unit string) string {
	if l := pageLocale(lang); l != nil {
		return l.withUnit(v, unit)
	}
	return chart.Format(v, unit)
}

// Percent is share (0.412) as lang writes a percentage: 41.2%, 41,2 %.
func Percent(lang string, share float64) string {
	if l := pageLocale(lang); l != nil {
		return l.pct(share)
	}
	return chart.Format(math.Round(share*1000)/10, "%")
}

// Whole is n, a year, a version or a day, without grouping, in lang's
// digits: 2027, ٢٠٢٧.
func Whole(lang string, n int) string {
	if l := pageLocale(lang); l != nil {
		return l.int(n)
	}
	return strconv.Itoa(n)
}

// Answer is a number a State answered, as a report prints it (whole
// numbers below 10,000 without a separator: a year reads 2026), but with
// every decimal the State gave, so that a reviewer sees 97.501 change to
// 97.5.
func Answer(lang string, v float64) string {
	l := pageLocale(lang)
	if l == nil {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if v == math.Trunc(v) && math.Abs(v) < 10000 {
		return l.int(int(v))
	}
	_, frac, _ := strings.Cut(strconv.FormatFloat(v, 'f', -1, 64), ".")
	return l.decimal(v, max(len(frac), 2))
}
