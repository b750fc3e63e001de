package statistics

import (
	"strings"
	"testing"
)

// A workbook uploaded instead of a CSV file is recognised by its first
// bytes and told what to do, once, instead of a CSV parse error (issue 17).
func TestAWorkbookIsToldToSaveAsCSV(t *testing.T) {
	for name, head := range map[string]string{
		".xlsx/.ods (zip)": "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\x00\x00\x90\x04",
		".xls (OLE)":       "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\"quoted",
	} {
		t.Run(name, func(t *testing.T) {
			src := NewCSVSource(strings.NewReader(head+strings.Repeat("\x00\x01,\"x", 200)), shipped(t))
			if src.Problem() != Workbook {
				t.Fatalf("Problem() = %q, want %q", src.Problem(), Workbook)
			}
			_, line, errs, ok, err := src.Next()
			if err != nil || !ok || line != 1 || len(errs) != 1 {
				t.Fatalf("got line %d, %d errors (%v), ok %v, err %v: want one error on line 1", line, len(errs), rowErrs(errs), ok, err)
			}
			if m := errs[0].Message; !strings.Contains(m, "workbook") || !strings.Contains(m, "CSV UTF-8") || strings.Contains(m, "malformed") {
				t.Fatalf("message %q does not say it is a workbook to save as CSV UTF-8", m)
			}
			if _, _, _, ok, _ := src.Next(); ok {
				t.Fatal("a workbook's bytes were read on as rows")
			}
		})
	}
}

// A text file is not taken for a workbook, a BOM included.
func TestACSVFileIsNoWorkbook(t *testing.T) {
	src := NewCSVSource(strings.NewReader("\ufeffindicator,year,value\nOFFENCES_RECORDED,2020,1\n"), shipped(t))
	if src.Problem() != "" {
		t.Fatalf("Problem() = %q for a CSV file", src.Problem())
	}
	row, _, errs, ok, err := src.Next()
	if err != nil || !ok || len(errs) != 0 || row.Indicator != "OFFENCES_RECORDED" {
		t.Fatalf("got %+v %v %v %v", row, rowErrs(errs), ok, err)
	}
}

// A semicolon-separated file gets one message, not that one plus "no
// year column", "no value column" ... (issue 17).
func TestASemicolonFileGetsOneMessage(t *testing.T) {
	src := NewCSVSource(strings.NewReader("indicator;year;value;status\nOFFENCES_RECORDED;2025;12;REPORTED\n"), shipped(t))
	if src.Problem() != Semicolons {
		t.Fatalf("Problem() = %q, want %q", src.Problem(), Semicolons)
	}
	_, _, errs, _, _ := src.Next()
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want one:%s", len(errs), rowErrs(errs))
	}
}

// An unknown breakdown value is told the values there are (issue 17).
func TestAnUnknownBreakdownValueListsTheValidOnes(t *testing.T) {
	cat := shipped(t)
	_, errs := cat.check(Row{Indicator: "PERSONS_TRAINED", Year: 2020, Value: num(3), Breakdown: map[string]string{"profession": "judge"}}, 2, testNow)
	if len(errs) != 1 {
		t.Fatalf("got %s, want one error", rowErrs(errs))
	}
	for _, v := range dimension(t, cat, "profession").Values {
		if !strings.Contains(errs[0].Message, v) {
			t.Fatalf("message %q does not list %q", errs[0].Message, v)
		}
	}
	_, errs = cat.check(Row{Indicator: "MLA_REQUESTS_SENT", Year: 2020, Value: num(3), Breakdown: map[string]string{"partner": "Kenya"}}, 2, testNow)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "ISO 3166-1 alpha-3") || strings.Contains(errs[0].Message, "ZWE") {
		t.Fatalf("got %s, want the form of a State code, not 193 codes", rowErrs(errs))
	}
}
