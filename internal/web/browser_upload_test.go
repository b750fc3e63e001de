package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/state"
)

// The statistics upload as a focal point meets it (issue 17): template
// links named after what they hold; a workbook told to be saved as CSV; a
// semicolon file told so once; a count of rows with the right plural; an
// unknown breakdown value told the valid ones. Each page at 1,280 and 360 px.
func TestBrowserStatisticsUploadSaysWhatIsWrong(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "fr": true}
	b.signIn(s.token(t, auth.FocalPoint, "GHA"))
	dir := t.TempDir()
	upload := func(name string, body []byte) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		b.open("/states/GHA/statistics")
		b.do(chromedp.SetUploadFiles("#file", []string{path}))
		b.submit(`form[enctype="multipart/form-data"] button[type=submit]`)
	}
	rowErrors := func() int {
		return eval[int](b, `document.querySelectorAll("#row-errors + .table-wrap tbody tr").length`)
	}

	b.open("/states/GHA/statistics")
	links := eval[string](b, `document.querySelector(".steps").textContent`)
	for _, want := range []string{"Working Group on International Cooperation", "Persons trained"} {
		if !strings.Contains(links, want) {
			t.Errorf("template links do not name %q:\n%s", want, links)
		}
	}
	for _, id := range []string{"international-cooperation", "PERSONS_TRAINED"} {
		if strings.Contains(links, id) {
			t.Errorf("template links are labelled with the id %q:\n%s", id, links)
		}
	}
	if n := eval[int](b, `document.querySelectorAll('.steps a[href*="indicators="]').length`); n < 10 {
		t.Errorf("%d templates of one indicator, want one per indicator", n)
	}
	b.page("upload-01-statistics")

	// A workbook: one message, saying what to do; no row errors.
	xlsx := append([]byte("PK\x03\x04\x14\x00\x06\x00"), []byte(strings.Repeat("\x00xl/worksheets/sheet1.xml,\"", 50))...)
	upload("data.xlsx", xlsx)
	if got, want := b.text("#file-error"), i18n.T("en", "This file is a spreadsheet workbook (.xlsx, .xls or .ods), not a CSV file. In the spreadsheet, save it as “CSV UTF-8 (comma delimited)” and upload that file."); !strings.Contains(got, want) {
		t.Errorf("a workbook: field error %q, want %q", got, want)
	}
	if rowErrors() != 0 || strings.Contains(b.text("main"), "malformed") {
		t.Errorf("a workbook gets row errors:\n%s", b.text("main"))
	}
	b.page("upload-02-workbook")
	upload("old.xls", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 512)...))
	if !strings.Contains(b.text("#file-error"), "workbook") {
		t.Errorf("an .xls workbook: %q", b.text("main"))
	}

	// A semicolon file: one message, in the reader's language.
	b.chooseLanguage("fr")
	upload("semi.csv", []byte("indicator;year;value;status\nOFFENCES_RECORDED;2025;12;REPORTED\n"))
	if got := eval[int](b, `document.querySelectorAll(".error-summary li").length`); got != 1 || rowErrors() != 0 {
		t.Errorf("a semicolon file: %d messages and %d row errors, want one message:\n%s", got, rowErrors(), b.text("main"))
	}
	if got, want := b.text("#file-error"), i18n.T("fr", "The columns of this file are separated by semicolons. Save it with commas as separators (“CSV UTF-8 (comma delimited)”), as the template is, and upload it again."); !strings.Contains(got, want) {
		t.Errorf("a semicolon file: field error %q, want %q", got, want)
	}
	b.page("upload-03-semicolons")
	b.chooseLanguage("en")

	// One bad row with two errors is one row; an unknown profession is told
	// the professions there are.
	upload("one.csv", []byte("indicator,year,value,profession\nPERSONS_TRAINED,1800,2.5,judge\nPERSONS_TRAINED,2024,3,\n"))
	if got, want := b.text(".error-summary p"), i18n.T("en", "{count} rows have a problem; nothing was stored.", "count", 1); !strings.HasPrefix(got, want) {
		t.Errorf("summary %q, want %q", got, want)
	}
	if !strings.Contains(b.text("#row-errors + .table-wrap"), "police, prosecutors, judges") {
		t.Errorf("the unknown profession is not told the valid ones:\n%s", b.text("#row-errors + .table-wrap"))
	}
	b.page("upload-04-one-bad-row")
}

// The partner State of a treaty is chosen among the States by name in
// the reader's language, and stored as its code (issue 17).
func TestBrowserPartnerStateIsAChoiceOfStates(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t, s.URL)
	b.narrow = map[string]bool{"en": true, "es": true}
	b.data = questionnaireTexts(s.Registry)
	b.signIn(s.token(t, auth.FocalPoint, "GHA"))
	list := "/international_cooperation/bilateral_treaties"
	b.open("/cycles/" + implCycle + "/states/GHA?section=international_cooperation")
	b.chooseLanguage("es")
	b.submit(`button[value="add:` + list + `"]`)
	sel := `select[name="` + list + `/0/partner_state"]`
	if !b.exists(sel) {
		t.Fatalf("the partner State is not a select:\n%s", b.text("main"))
	}
	if n := eval[int](b, `document.querySelectorAll('`+sel+` option[value]:not([value=""])').length`); n != len(state.Codes()) {
		t.Errorf("%d States to choose from, want %d", n, len(state.Codes()))
	}
	croatia, _ := state.NameIn("HRV", "es")
	if got := eval[string](b, `document.querySelector('`+sel+` option[value="HRV"]').textContent`); got != croatia {
		t.Errorf("HRV is shown as %q, want %q", got, croatia)
	}
	// In the reader's alphabetical order: Alemania before Argentina before Croacia.
	order := eval[string](b, `Array.from(document.querySelectorAll('`+sel+` option')).map(function (o) { return o.value; }).join(",")`)
	if !(strings.Index(order, "DEU") < strings.Index(order, "ARG") && strings.Index(order, "ARG") < strings.Index(order, "HRV")) {
		t.Errorf("not in Spanish alphabetical order: %s", order[:80])
	}
	b.do(chromedp.SetValue(sel, "HRV"))
	b.page("partner-state-choice")
	b.submit(`.actions button[value="save"]`)
	got, _ := s.storedAnswers(t, implCycle, "GHA")
	treaties, _ := got["international_cooperation"].(map[string]any)["bilateral_treaties"].([]any)
	if len(treaties) != 1 || treaties[0].(map[string]any)["partner_state"] != "HRV" {
		t.Fatalf("stored %v, want one treaty with partner_state HRV", got["international_cooperation"])
	}
	if v := eval[string](b, `document.querySelector('`+sel+`').value`); v != "HRV" {
		t.Errorf("after saving, the choice shows %q, want HRV", v)
	}
}
