package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/chart"
	"github.com/cosp-ict/irm/internal/i18n"
)

var fixedNow = time.Date(2027, 4, 1, 9, 30, 0, 0, time.UTC)

// sampleDocument is a hand-built document with every kind of block.
func sampleDocument() *document {
	var rows [][]string
	for i := range 120 {
		rows = append(rows, []string{"State number " + strings.Repeat("long ", i%7) + "name", "AFRICAN", "SUBMITTED", "3"})
	}
	rows = append(rows, []string{"Côte d'Ivoire", "AFRICAN", "ACCEPTED", "2"}, []string{"Türkiye", "WESTERN_EUROPEAN_OTHER", "DRAFT", "1"})
	return &document{
		Kind: "Cycle synthesis", Title: "Review Ω: international cooperation", Subtitle: "Working group on international cooperation",
		Facts:  [][2]string{{"Cycle", "Review Ω (2027)"}, {"Questionnaire", "Implementation questionnaire"}},
		Notes:  []string{"Figures count the latest submitted version of every submitted or accepted submission."},
		Footer: "Cycle Review Ω (2027)",
		Sections: []section{
			{Title: "Completeness by regional group", Blocks: []block{
				para{Text: "How far the States Parties are."},
				table{Columns: []column{{"Group", 3, false}, {"States", 1, true}, {"Rate", 1, true}}, Rows: [][]string{{"African States", "54", "41.2%"}, {"All", "193", "50%"}}, Bold: map[int]bool{1: true}},
				barChart{&chart.Bar{Title: "Response rate", Categories: []string{"African States", "All"}, Series: []chart.Series{{Name: "Rate", Values: []float64{41.2, 50}}}, Unit: "%"}},
			}},
			{Title: "Indicators", Blocks: []block{
				heading{"Mutual legal assistance requests received"},
				lineChart{Chart: &chart.Line{Title: "Requests", Years: []int{2016, 2017, 2018}, Series: []chart.Series{{Name: "ALL", Values: []float64{10, 20, 15}}, {Name: "AFRICAN", Values: []float64{1, chart.Missing, 3}}}}},
				chartGrid{Charts: []*chart.Line{{Title: "A", Years: []int{2020, 2021}, Series: []chart.Series{{Name: "x", Values: []float64{1, 2}}}}, {Title: "B", Years: []int{2020, 2021}, Series: []chart.Series{{Name: "x", Values: []float64{3, 2}}}}}},
			}},
			{Title: "States Parties", Annex: true, Blocks: []block{
				table{Columns: []column{{"State", 3, false}, {"Regional group", 2, false}, {"Status", 1.5, false}, {"Version", 1, true}}, Rows: rows},
			}},
		},
	}
}

func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (install poppler-utils)", err)
	}
	return string(out)
}

func qpdfCheck(t testing.TB, pdf []byte) {
	t.Helper()
	in := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", in).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

func TestWritePDFPrintsEveryBlock(t *testing.T) {
	pdf, pages, err := writePDF(context.Background(), sampleDocument(), fixedNow, "abc123", renderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("IRM_REPORT_OUT") != "" {
		os.WriteFile(os.Getenv("IRM_REPORT_OUT"), pdf, 0o644)
	}
	qpdfCheck(t, pdf)
	text := pdfText(t, pdf)
	for _, want := range []string{"Review Ω: international cooperation", "Côte d'Ivoire", "Türkiye", "Contents", "Completeness by regional group", "41.2%",
		"Rendered 2027-04-01 09:30:00 UTC · data fingerprint abc123", "Page 1 of " + itoa(pages), "Annex A", "2.1", "Mutual legal assistance requests received"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q", want)
		}
	}
	// The annex table spans pages: its header repeats.
	if n := strings.Count(text, "Regional group"); n < 2 {
		t.Errorf("the annex header is printed %d times, want it repeated on every page of the table", n)
	}
}

func TestWritePDFIsDeterministic(t *testing.T) {
	a, _, err := writePDF(context.Background(), sampleDocument(), fixedNow, "f", renderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := writePDF(context.Background(), sampleDocument(), fixedNow, "f", renderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("two renders of the same document at the same time differ")
	}
}

// multilingual is what a State may type: Chinese, Arabic with digits and
// a Latin name inside, Russian, Greek, accented Latin and an emoji.
var multilingual = []string{
	"中华人民共和国的答复：网络犯罪",
	"أجابت مصر عن 12 سؤالاً في عام 2027 (IRM) مع Interpol.",
	"Российская Федерация",
	"Ελληνική Δημοκρατία",
	"Côte d'Ivoire, São Tomé, Ñandú",
	"party 🎉",
}

func TestWritePDFPrintsEveryScript(t *testing.T) {
	doc := sampleDocument()
	for _, s := range multilingual {
		doc.Sections[2].Blocks = append(doc.Sections[2].Blocks, para{Text: "Name: " + s})
	}
	var warnings []i18n.Message
	pdf, _, err := writePDF(context.Background(), doc, fixedNow, "f", renderOptions{warnings: &warnings})
	if err != nil {
		t.Fatalf("got %v, want the document printed", err)
	}
	qpdfCheck(t, pdf)
	text := pdfText(t, pdf)
	for _, s := range []string{"中华人民共和国的答复", "Российская Федерация", "Ελληνική Δημοκρατία", "Côte d'Ivoire, São Tomé, Ñandú", "party □"} {
		if !strings.Contains(text, s) {
			t.Errorf("pdftotext finds no %q", s)
		}
	}
	if len(warnings) != 1 || warnings[0].Params["codepoint"] != "U+1F389" {
		t.Errorf("warnings = %v, want one naming the emoji U+1F389", warnings)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestNoTextLeavesThePage(t *testing.T) {
	doc := sampleDocument()
	long := strings.Repeat("Supercalifragilisticexpialidocious-and-more ", 12)
	doc.Sections[0].Blocks = append(doc.Sections[0].Blocks,
		para{Text: long},
		table{Columns: []column{{"A very long column title that must wrap", 1, false}, {"N", 0.3, true}}, Rows: [][]string{{long, "12345678901234567890"}}},
		barChart{&chart.Bar{Title: long, Categories: []string{long, "short"}, Series: []chart.Series{{Name: long, Values: []float64{1e9, 2}}, {Name: "b", Values: []float64{3, 4}}}}})
	drawn := 0
	opt := renderOptions{trace: func(page int, x, y, width float64, s string) {
		drawn++
		if x < marginX-0.01 || x+width > pageW-marginX+0.01 {
			t.Errorf("page %d: %q spans [%.1f, %.1f], beyond the margins [%.0f, %.0f]", page, s, x, x+width, marginX, pageW-marginX)
		}
		if y > pageH-20 || y < 10 {
			t.Errorf("page %d: %q at y=%.1f is off the page", page, s, y)
		}
	}}
	if _, _, err := writePDF(context.Background(), doc, fixedNow, "f", opt); err != nil {
		t.Fatal(err)
	}
	if drawn < 100 {
		t.Fatalf("traced %d texts, want the whole document", drawn)
	}
}
