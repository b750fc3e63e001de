package web

import "testing"

// A date's help loses its format in letters, which would contradict the
// picker beside it; the rest of the help stays (issue 17).
func TestDateHelpDropsTheFormatHint(t *testing.T) {
	for in, want := range map[string]string{
		"Format YYYY-MM-DD.": "",
		"Date of the latest amendment. Format YYYY-MM-DD.":  "Date of the latest amendment.",
		"Use YYYY-MM-DD. The day the law entered in force.": "The day the law entered in force.",
		"Format AAAA-MM-JJ.":                            "",
		"Формат ГГГГ-ММ-ДД.":                            "",
		"格式为YYYY-MM-DD（年-月-日）。":                         "",
		"بالصيغة YYYY-MM-DD (السنة-الشهر-اليوم).":       "",
		"Дата последнего изменения. Формат ГГГГ-ММ-ДД.": "Дата последнего изменения.",
		"ISO 3166-1 alpha-3 code of the State.":         "ISO 3166-1 alpha-3 code of the State.",
		"The day the law entered in force.":             "The day the law entered in force.",
	} {
		if got := dateHelp(in); got != want {
			t.Errorf("dateHelp(%q) = %q, want %q", in, got, want)
		}
	}
}
