package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Every interface text the templates and handlers pass to tr has a French
// translation, so a French page never mixes in English words of its own.
func TestEveryInterfaceTextIsTranslated(t *testing.T) {
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\btr [$.A-Za-z]+ "([^"]+)"`),    // templates
		regexp.MustCompile(`\btr\([A-Za-z.]+, "([^"]+)"\)`), // Go
	}
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range append(files, gofiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen++
				if _, ok := fr[m[1]]; !ok {
					t.Errorf("%s: %q has no French translation", f, m[1])
				}
			}
		}
	}
	for _, s := range []string{"Not started", "Draft", "Submitted", "Returned", "Accepted", "Reported", "Estimated",
		"Not available", "Confidential", "Focal point", "Working-group member", "Secretariat", "African States",
		"You may not open this page", "Something went wrong", "Statistics", "Review", "Home"} {
		if _, ok := fr[s]; !ok {
			t.Errorf("%q has no French translation", s)
		}
	}
	if seen < 100 {
		t.Fatalf("found only %d interface texts: the patterns no longer match the templates", seen)
	}
}
