package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/statistics"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
)

const (
	shippedID = "implementation-v1"
	secondID  = "training-survey-v2"
	cycleID   = "2027"
	cycleName = "Review Ω"
)

var secretariat = auth.Principal{Name: "Secretariat", Role: auth.Secretariat}

func focalPoint(code string) auth.Principal {
	return auth.Principal{Name: "Focal point " + code, Role: auth.FocalPoint, State: code}
}

// registry loads the shipped questionnaire and the second schema the
// questionnaire tests use, with the shipped catalogue.
func registry(tb testing.TB) (*questionnaire.Registry, *statistics.Catalogue) {
	tb.Helper()
	shipped, err := fs.ReadFile(questionnaires.Files(), shippedID+".json")
	if err != nil {
		tb.Fatal(err)
	}
	second, err := os.ReadFile("../questionnaire/testdata/second/" + secondID + ".json")
	if err != nil {
		tb.Fatal(err)
	}
	files := fstest.MapFS{shippedID + ".json": {Data: shipped}, secondID + ".json": {Data: second}}
	reg, err := questionnaire.Load(files, questionnaires.Catalogue())
	if err != nil {
		tb.Fatalf("load questionnaires: %v", err)
	}
	known := func(id string) bool { _, ok := reg.WorkingGroup(id); return ok }
	cat, err := statistics.LoadCatalogue(questionnaires.Catalogue(), known, state.Codes())
	if err != nil {
		tb.Fatalf("load catalogue: %v", err)
	}
	return reg, cat
}

// completeAnswers is a document that passes every check of the
// questionnaire: the demo's sample for the shipped one, the first submit
// case of the second schema's tests for the other.
func completeAnswers(tb testing.TB, id string) []byte {
	tb.Helper()
	if id == shippedID { // the demo's sample, read as a file: internal/demo imports this package
		data, err := os.ReadFile("../demo/data/implementation-v1.json")
		if err != nil {
			tb.Fatal(err)
		}
		return data
	}
	data, err := os.ReadFile("../questionnaire/testdata/second/cases.json")
	if err != nil {
		tb.Fatal(err)
	}
	var cases []struct {
		Mode    string
		Answers json.RawMessage
		Errors  []json.RawMessage
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		tb.Fatal(err)
	}
	for _, c := range cases {
		if c.Mode == "submit" && len(c.Errors) == 0 {
			return c.Answers
		}
	}
	tb.Fatal("cases.json has no complete answers")
	return nil
}

// variant returns a complete document for the i-th State: base with its
// choice and yes/no questions answered differently from State to State,
// wherever that keeps the document valid. Generic over questionnaires.
func variant(tb testing.TB, q *questionnaire.Questionnaire, base []byte, i int) []byte {
	tb.Helper()
	k := fmt.Sprint(q.ID, "/", i)
	if v, ok := variants.Load(k); ok {
		return v.([]byte)
	}
	v := makeVariant(tb, q, base, i)
	variants.Store(k, v)
	return v
}

var variants sync.Map // questionnaire/i → document

func makeVariant(tb testing.TB, q *questionnaire.Questionnaire, base []byte, i int) []byte {
	doc := decodeJSON(tb, base)
	for k, qq := range q.Questions {
		var v any
		switch qq.Kind {
		case questionnaire.SingleChoice:
			v = qq.Options[(i+k)%len(qq.Options)]
		case questionnaire.Boolean:
			v = (i+k)%3 != 0
		case questionnaire.Integer, questionnaire.Number:
			v = float64((i*7+k)%50 + 1)
		default:
			continue
		}
		old, ok := getPointer(doc, qq.Path)
		if !ok {
			continue
		}
		setPointer(doc, qq.Path, v)
		data, _ := json.Marshal(doc)
		if errs := q.Validate(data, questionnaire.Complete); len(errs) > 0 {
			setPointer(doc, qq.Path, old)
		}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	if errs := q.Validate(data, questionnaire.Complete); len(errs) > 0 {
		tb.Fatalf("variant %d is not valid: %v", i, errs)
	}
	return data
}

func decodeJSON(tb testing.TB, data []byte) map[string]any {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc
}

func pointerParts(p string) []string {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts
}

func getPointer(doc map[string]any, p string) (any, bool) {
	var cur any = doc
	for _, k := range pointerParts(p) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func setPointer(doc map[string]any, p string, v any) {
	parts := pointerParts(p)
	cur := doc
	for _, k := range parts[:len(parts)-1] {
		cur = cur[k].(map[string]any)
	}
	cur[parts[len(parts)-1]] = v
}

// fixture is the real services over a fresh database, with a cycle open
// on one questionnaire.
type fixture struct {
	pool  *pgxpool.Pool
	reg   *questionnaire.Registry
	cat   *statistics.Catalogue
	subs  *submission.Service
	stats *statistics.Service
	agg   *aggregate.Service
	r     *Renderer
	q     *questionnaire.Questionnaire
	cycle submission.Cycle
}

func newFixture(tb testing.TB, questionnaireID string) *fixture {
	tb.Helper()
	ctx := context.Background()
	// The data is written as the owner; the renderer reads as the
	// service's login, under row-level security, as in production.
	pool, app := pgtest.NewApp(tb)
	reg, cat := registry(tb)
	f := &fixture{pool: pool, reg: reg, cat: cat}
	f.subs = submission.NewService(pool, reg, aggregate.Projection{})
	f.stats = statistics.NewService(pool, cat)
	f.agg = aggregate.NewService(pool, reg, f.stats, f.subs)
	appStats := statistics.NewService(app, cat)
	f.r = NewRenderer(app, reg, cat, aggregate.NewService(app, reg, appStats, submission.NewService(app, reg, aggregate.Projection{})), appStats, Uncompressed())
	f.q, _ = reg.Get(questionnaireID)
	c, err := f.subs.OpenCycle(ctx, secretariat, submission.Cycle{ID: cycleID, Name: cycleName, QuestionnaireID: questionnaireID,
		OpensOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ClosesOn: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		tb.Fatalf("open cycle: %v", err)
	}
	f.cycle = c
	return f
}

// parties makes the States Parties.
func (f *fixture) parties(tb testing.TB, codes ...string) {
	tb.Helper()
	st := state.NewStore(f.pool)
	for _, c := range codes {
		if _, err := st.SetParty(context.Background(), secretariat, c, true); err != nil {
			tb.Fatalf("set party %s: %v", c, err)
		}
	}
}

// submit saves the i-th variant for code and submits it.
func (f *fixture) submit(tb testing.TB, code string, i int) *submission.Submission {
	tb.Helper()
	ctx := context.Background()
	res, err := f.subs.SaveDraft(ctx, focalPoint(code), cycleID, code, variant(tb, f.q, completeAnswers(tb, f.q.ID), i), nil)
	if err != nil || len(res.Errors) > 0 {
		tb.Fatalf("save %s: %v %v", code, err, res.Errors)
	}
	res, err = f.subs.Submit(ctx, focalPoint(code), cycleID, code, res.Submission.Version)
	if err != nil || len(res.Errors) > 0 {
		tb.Fatalf("submit %s: %v %v", code, err, res.Errors)
	}
	return res.Submission
}

// draft saves the i-th variant for code without submitting it.
func (f *fixture) draft(tb testing.TB, code string, i int) {
	tb.Helper()
	res, err := f.subs.SaveDraft(context.Background(), focalPoint(code), cycleID, code, variant(tb, f.q, completeAnswers(tb, f.q.ID), i), nil)
	if err != nil || len(res.Errors) > 0 {
		tb.Fatalf("save %s: %v %v", code, err, res.Errors)
	}
}

// report stores yearly totals for code: value = base + year offset, for
// every indicator of the catalogue that takes plain totals.
func (f *fixture) report(tb testing.TB, code string, base float64, years ...int) {
	tb.Helper()
	var rows []statistics.Row
	for k, ind := range f.cat.Indicators {
		for _, y := range years {
			v := base + float64(k*3+(y-years[0])*2)
			if ind.Minimum != nil && v < *ind.Minimum {
				v = *ind.Minimum
			}
			rows = append(rows, statistics.Row{Indicator: ind.Code, Year: y, Value: &v})
		}
	}
	res, err := f.stats.ReportRows(context.Background(), focalPoint(code), code, rows, nil)
	if err != nil || len(res.Errors) > 0 {
		tb.Fatalf("report %s: %v %v", code, err, res.Errors)
	}
}

func (f *fixture) render(tb testing.TB, req Request) (Document, string) {
	tb.Helper()
	start := time.Now()
	doc, err := f.r.Render(context.Background(), req, fixedNow)
	if err != nil {
		tb.Fatalf("Render(%+v) = %v", req, err)
	}
	tb.Logf("TIMING render %s: %v, %d pages, %d bytes", doc.FileName, time.Since(start), doc.Pages, len(doc.PDF))
	if os.Getenv("IRM_REPORT_DIR") != "" {
		_ = os.WriteFile(fmt.Sprintf("%s/%s-%s", os.Getenv("IRM_REPORT_DIR"), f.q.ID, doc.FileName), doc.PDF, 0o644)
	}
	qpdfCheck(tb, doc.PDF)
	return doc, pdfText(tb, doc.PDF)
}
