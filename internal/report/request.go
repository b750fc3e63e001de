package report

// Kind is one of the three kinds of review report.
type Kind string

const (
	CycleSynthesis      Kind = "CYCLE_SYNTHESIS"
	CountryProfile      Kind = "COUNTRY_PROFILE"
	TechnicalAssistance Kind = "TECHNICAL_ASSISTANCE"
)

// Request names the report to render.
type Request struct {
	Kind         Kind
	CycleID      string
	WorkingGroup string
	State        string
}

// Document is a rendered report.
type Document struct {
	PDF         []byte
	Pages       int
	Fingerprint string
	FileName    string
}
