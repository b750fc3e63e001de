// Package report assembles the review reports — a cycle's synthesis, a
// State's country profile, the technical-assistance report — from the
// aggregates, statistics and submissions, and renders them as PDF with
// go-pdf/fpdf: A4, a title page, contents, numbered sections, tables that
// break across pages, vector charts (internal/chart), embedded fonts for
// every script a State may type, and on every page a footer with the
// cycle, the render time and a fingerprint of the data read. A report is
// written in one of the six official languages of the United Nations:
// its words come from catalogue/<lang>.json, its numbers follow CLDR, and
// an Arabic report is laid out right to left.
//
// Everything a report prints is read in one read-only REPEATABLE READ
// transaction, so a report is consistent with itself while States keep
// saving, and it prints the figures the API gives for the same data: the
// aggregates come from internal/aggregate's Reader and the trends from
// statistics, through that transaction. Storing runs and scheduling them
// is internal/schedule's.
package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/i18n"
	"github.com/cosp-ict/irm/internal/postgres"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
)

// Kind is the kind of a report.
type Kind string

const (
	CycleSynthesis      Kind = "CYCLE_SYNTHESIS"
	CountryProfile      Kind = "COUNTRY_PROFILE"
	TechnicalAssistance Kind = "TECHNICAL_ASSISTANCE"
)

// TechnicalAssistanceGroup is the working group whose questions and
// indicators make the technical-assistance report.
const TechnicalAssistanceGroup = "technical-assistance"

// Request says which report to render.
type Request struct {
	Kind         Kind
	CycleID      string
	WorkingGroup string // CYCLE_SYNTHESIS: a working group, or "" for the whole Conference
	State        string // COUNTRY_PROFILE: the State's ISO 3166-1 alpha-3 code
	Language     string // one of Languages; "" is DefaultLanguage
}

// Languages are the six official languages of the United Nations, in
// which reports are written: Arabic, Chinese, English, French, Russian,
// Spanish.
var Languages = []string{"ar", "zh", "en", "fr", "ru", "es"}

// DefaultLanguage is the language of a request that names none.
const DefaultLanguage = "en"

// ValidLanguage reports whether reports are written in lang.
func ValidLanguage(lang string) bool { return slices.Contains(Languages, lang) }

func (req Request) language() string {
	if req.Language == "" {
		return DefaultLanguage
	}
	return req.Language
}

// Document is a rendered report.
type Document struct {
	PDF         []byte
	Pages       int
	Fingerprint string // hex SHA-256 of the data read; printed in every footer
	FileName    string // e.g. "cycle-synthesis-2027-international-cooperation.pdf"
	// Warnings are what the reader should know about the PDF but did not
	// fail it: characters no embedded font has, printed as a placeholder;
	// messages of the catalogue, read in the reader's language.
	Warnings []i18n.Message
}

// Trends gives indicators' yearly series by group, read through db; the
// statistics service is one.
type Trends interface {
	Trends(ctx context.Context, db postgres.DB, tq statistics.TrendQuery) (map[string][]statistics.TrendSeries, error)
}

// Renderer assembles and renders reports.
type Renderer struct {
	pool   *pgxpool.Pool
	reg    *questionnaire.Registry
	cat    *statistics.Catalogue
	agg    *aggregate.Service
	trends Trends
	opt    renderOptions
}

// Option changes how a Renderer writes PDFs.
type Option func(*Renderer)

// Uncompressed writes page contents uncompressed, for tests that read
// the PDF's bytes.
func Uncompressed() Option { return func(r *Renderer) { r.opt.compress = false } }

// NewRenderer returns a renderer over pool. trends is the statistics
// service.
func NewRenderer(pool *pgxpool.Pool, reg *questionnaire.Registry, cat *statistics.Catalogue, agg *aggregate.Service, trends Trends, opts ...Option) *Renderer {
	r := &Renderer{pool: pool, reg: reg, cat: cat, agg: agg, trends: trends, opt: renderOptions{compress: true}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Check validates a request before anything is queued: a COUNTRY_PROFILE
// without a State or a scope that does not fit the kind is BAD_USER_INPUT;
// an unknown cycle, working group or State is NOT_FOUND.
func (r *Renderer) Check(ctx context.Context, req Request) error {
	return postgres.ReadTx(asSystem(ctx), r.pool, func(tx pgx.Tx) error {
		_, err := r.check(ctx, tx, req)
		return err
	})
}

// asSystem is ctx acting as the service itself: a report reads every
// State's rows whoever asked for it (the caller checks who may).
func asSystem(ctx context.Context) context.Context {
	return postgres.WithPrincipal(ctx, postgres.System)
}

// Validate checks the shape of a request, as the service reads it after
// trimming (Normalize): a kind it knows, a cycle, a State exactly for a
// COUNTRY_PROFILE, a working group only for a CYCLE_SYNTHESIS, one of the
// six languages. Every error is BAD_USER_INPUT; whether the cycle, group
// or State exists is Check's.
func (req Request) Validate() error {
	switch req.Kind {
	case CycleSynthesis, CountryProfile, TechnicalAssistance:
	default:
		return apperr.BadInputT("unknown report kind \"{kind}\"", "kind", req.Kind)
	}
	switch {
	case req.CycleID == "":
		return apperr.BadInputT("a report needs a cycle")
	case req.Kind == CountryProfile && req.State == "":
		return apperr.BadInputT("a COUNTRY_PROFILE needs a state")
	case req.Kind != CountryProfile && req.State != "":
		return apperr.BadInputT("only a COUNTRY_PROFILE takes a state; a {kind} covers every State", "kind", req.Kind)
	case req.Kind != CycleSynthesis && req.WorkingGroup != "":
		return apperr.BadInputT("only a CYCLE_SYNTHESIS takes a workingGroup")
	case !ValidLanguage(req.language()):
		return apperr.BadInputT("unknown report language \"{language}\": give one of {languages}", "language", req.Language, "languages", strings.Join(Languages, " "))
	}
	return nil
}

// Normalize returns req as the service reads it: trimmed, the State in
// upper case, the default language where none is given.
func (req Request) Normalize() Request {
	req.CycleID = strings.TrimSpace(req.CycleID)
	req.WorkingGroup = strings.TrimSpace(req.WorkingGroup)
	req.State = strings.ToUpper(strings.TrimSpace(req.State))
	req.Language = strings.TrimSpace(req.Language)
	if req.Language == "" {
		req.Language = DefaultLanguage
	}
	return req
}

// check validates req through db and returns its cycle: its shape
// (Validate), then that its cycle, working group and State exist.
func (r *Renderer) check(ctx context.Context, db postgres.DB, req Request) (submission.Cycle, error) {
	if err := req.Validate(); err != nil {
		return submission.Cycle{}, err
	}
	switch req.Kind {
	case CycleSynthesis:
		if req.WorkingGroup != "" {
			if _, ok := r.reg.WorkingGroup(req.WorkingGroup); !ok {
				return submission.Cycle{}, apperr.NotFoundT("no working group with id \"{workingGroup}\"", "workingGroup", req.WorkingGroup)
			}
		}
	case CountryProfile:
		if !state.ValidCode(req.State) { // as the state package: no State has it
			return submission.Cycle{}, apperr.NotFoundT("no State with code \"{code}\"", "code", req.State)
		}
	case TechnicalAssistance:
		if _, ok := r.reg.WorkingGroup(TechnicalAssistanceGroup); !ok {
			return submission.Cycle{}, apperr.NotFoundT("no working group with id \"{workingGroup}\"", "workingGroup", TechnicalAssistanceGroup)
		}
	}
	c, err := submission.CycleIn(ctx, db, req.CycleID)
	if err != nil {
		return submission.Cycle{}, err
	}
	if _, ok := r.reg.Get(c.QuestionnaireID); !ok {
		return submission.Cycle{}, fmt.Errorf("cycle %s: questionnaire %s is not loaded", c.ID, c.QuestionnaireID)
	}
	if req.Kind == CountryProfile && !state.Known(strings.ToUpper(req.State)) {
		return submission.Cycle{}, apperr.NotFoundT("no State with code \"{code}\"", "code", strings.ToUpper(req.State))
	}
	return c, nil
}

// Render reads everything the report needs in one read-only REPEATABLE
// READ transaction and renders it; now is printed in the footer (UTC) and
// is the PDF's creation date, so equal data and equal now give equal
// bytes.
func (r *Renderer) Render(ctx context.Context, req Request, now time.Time) (Document, error) {
	req.State = strings.ToUpper(req.State)
	var doc *document
	fp := newFingerprint(req)
	err := postgres.Snapshot(asSystem(ctx), r.pool, func(tx pgx.Tx) error {
		c, err := r.check(ctx, tx, req)
		if err != nil {
			return err
		}
		q, _ := r.reg.Get(c.QuestionnaireID)
		fp.add("questionnaire", q.ID, q.SHA256)
		l, err := localeFor(req.language())
		if err != nil {
			return err
		}
		in := &reading{r: r, db: tx, agg: r.agg.Disclosed(tx), cycle: c, q: q, fp: fp, l: l}
		switch req.Kind {
		case CycleSynthesis:
			doc, err = in.synthesis(ctx, req.WorkingGroup)
		case CountryProfile:
			doc, err = in.profile(ctx, req.State)
		case TechnicalAssistance:
			doc, err = in.technicalAssistance(ctx)
		}
		if doc != nil {
			doc.Language = l.lang
		}
		return err
	})
	if err != nil {
		return Document{}, err
	}
	sum := fp.sum()
	var warnings []i18n.Message
	opt := r.opt
	opt.warnings = &warnings
	pdf, pages, err := writePDF(ctx, doc, now, sum, opt)
	if err != nil {
		return Document{}, fmt.Errorf("render %s: %w", strings.ToLower(string(req.Kind)), err)
	}
	return Document{PDF: pdf, Pages: pages, Fingerprint: sum, FileName: FileName(req), Warnings: warnings}, nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9._-]+`)

// FileName is the name a person would want for the report's file, with
// its language: "cycle-synthesis-2027-international-cooperation-ar.pdf",
// "country-profile-2027-gha-en.pdf".
func FileName(req Request) string {
	parts := []string{strings.ReplaceAll(strings.ToLower(string(req.Kind)), "_", "-"), req.CycleID}
	switch req.Kind {
	case CycleSynthesis:
		if req.WorkingGroup != "" {
			parts = append(parts, req.WorkingGroup)
		}
	case CountryProfile:
		parts = append(parts, req.State)
	}
	parts = append(parts, req.language())
	name := unsafeName.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-")
	return strings.Trim(name, "-.") + ".pdf"
}

// fingerprint hashes what a report read: its request, its questionnaire,
// the submission versions and the observation revisions it used.
type fingerprint struct{ lines []string }

func newFingerprint(req Request) *fingerprint {
	return &fingerprint{lines: []string{"irm-report-1", string(req.Kind), req.CycleID, req.WorkingGroup, req.State}}
}

func (f *fingerprint) add(parts ...string) { f.lines = append(f.lines, strings.Join(parts, "|")) }

func (f *fingerprint) sum() string {
	h := sha256.New()
	for _, l := range f.lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// reading is one report's reads, all through one transaction.
type reading struct {
	r     *Renderer
	db    postgres.DB
	agg   *aggregate.Reader
	cycle submission.Cycle
	q     *questionnaire.Questionnaire
	fp    *fingerprint
	l     *locale // the report's language
}
