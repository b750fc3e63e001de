package report

import "github.com/cosp-ict/irm/internal/chart"

// document is a report before layout: what the assembly of each kind
// produces and the PDF writer prints. Keeping the two apart lets tests
// render hand-built documents and keeps SQL out of the layout.
type document struct {
	Kind     string      // "Cycle synthesis", printed above the title
	Title    string      // the report's title
	Subtitle string      // its scope
	Facts    [][2]string // the title page's key facts
	Notes    []string    // the title page's notes on what the figures count
	Footer   string      // the left of every footer: the cycle
	Language string      // one of Languages; "" is English
	Sections []section
}

// section is a numbered top-level section (or, with Annex, a lettered
// annex), starting on a new page and listed in the contents.
type section struct {
	Title  string
	Annex  bool
	Blocks []block
}

// block is one of heading, para, table, barChart, lineChart, chartGrid.
type block interface{ isBlock() }

// heading is a numbered subsection (1.2), listed in the contents.
type heading struct{ Title string }

// para is a paragraph of wrapped text.
type para struct {
	Text  string
	Style paraStyle
}

type paraStyle int

const (
	plain      paraStyle = iota
	muted                // smaller, grey: notes and paths
	label                // bold: a question in a country profile
	answer               // indented: its answer
	groupTitle           // a group of questions
)

// column is a table column: Weight shares the width; numbers align right.
type column struct {
	Title  string
	Weight float64
	Right  bool
}

// table breaks across pages, repeating its header.
type table struct {
	Columns []column
	Rows    [][]string
	Bold    map[int]bool // rows printed bold (totals)
}

type barChart struct{ Chart *chart.Bar }

type lineChart struct {
	Chart  *chart.Line
	Height float64
}

// chartGrid is small line charts, two to a row.
type chartGrid struct{ Charts []*chart.Line }

// rule is a thin line across the page, ending a group.
type rule struct{}

func (heading) isBlock()   {}
func (rule) isBlock()      {}
func (para) isBlock()      {}
func (table) isBlock()     {}
func (barChart) isBlock()  {}
func (lineChart) isBlock() {}
func (chartGrid) isBlock() {}
