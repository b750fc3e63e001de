package statistics

import (
	"strings"
	"testing"
)

// A file saved with semicolons (as spreadsheets do in many locales) gets
// a hint to use commas, on its header line, instead of "unknown column".
func TestASemicolonSeparatedFileIsToldToUseCommas(t *testing.T) {
	cat := &Catalogue{}
	src := NewCSVSource(strings.NewReader("indicator;year;value\nOFFENCES_RECORDED;2025;12\n"), cat)
	if len(src.header) == 0 {
		t.Fatal("no header error for a semicolon-separated file")
	}
	got := src.header[0]
	if got.Row != 1 || !strings.Contains(got.Message, "semicolons") || !strings.Contains(got.Message, "commas") {
		t.Fatalf("got %+v, want line 1 telling to use commas instead of semicolons", got)
	}
}
