package web

import "testing"

// A date's help loses its format in letters, which would contradict the
// picker beside it; the rest of the help stays (issue 17).
func TestDateHelpDropsTheFormatHint(t *testing.T) {
	for in, want := range map[string]string{
		"Format YYYY-MM-DD.": "",
		"Date of the latest amendment. Format YYYY-MM-DD.":  "Date of the latest amendment.",
		"Use YYYY-MM-DD. The day the law entered in force.": "The day the law entered in force.",
		"Format AAAA-MM-JJ.":                "",
		"The day the law entered in force.": "The day the law entered in force.",
	} {
		if got := dateHelp(in); got != want {
			t.Errorf("dateHelp(%q) = %q, want %q", in, got, want)
		}
	}
}
