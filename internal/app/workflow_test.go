package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cosp-ict/irm/internal/auth"
)

// TestSubmissionWorkflow walks one State's submission through its whole
// life, as its focal point and the secretariat, checking after each step
// what the API answers and what the database holds.
func TestSubmissionWorkflow(t *testing.T) {
	w := newWorld(t)
	const fpName = "Kenya Focal Point"
	fp := w.token(t, fpName, auth.FocalPoint, "KEN")
	w.setParty(t, "KEN", true)
	start := w.counts(t)
	if start.Cycles != 1 || start.Audit != 2 { // cycle.open, state.set_party
		t.Fatalf("after openCycle and setStateParty: %+v", start)
	}

	// An invalid first draft stores nothing and has no submission.
	for name, bad := range map[string]map[string]any{
		"enum":                 {"prevention": map[string]any{"national_strategy": "maybe"}},
		"type":                 {"prevention": map[string]any{"agency_designated": "yes"}},
		"additionalProperties": {"prevention": map[string]any{"bogus": 1}},
		"root additional":      {"bogus": true},
	} {
		p := payloadOf(t, w.saveDraft(t, fp, "KEN", bad, -1), "saveDraft")
		if p.Submission != nil || len(p.Errors) == 0 {
			t.Fatalf("%s: invalid first draft gave submission %v, errors %+v", name, p.Submission, p.Errors)
		}
	}
	p := payloadOf(t, w.saveDraft(t, fp, "KEN", map[string]any{"prevention": map[string]any{
		"national_strategy": "maybe", "agency_designated": "yes", "bogus": 1}}, -1), "saveDraft")
	for _, want := range []fieldError{
		{Path: "/prevention/national_strategy", Keyword: "enum"},
		{Path: "/prevention/agency_designated", Keyword: "type"},
		{Path: "/prevention/bogus", Keyword: "additionalProperties"},
	} {
		if !hasPath(p.Errors, want.Path, want.Keyword) {
			t.Errorf("want a %s error at %s, got %+v", want.Keyword, want.Path, p.Errors)
		}
	}
	for _, e := range p.Errors {
		if e.Message == "" {
			t.Errorf("error without a message: %+v", e)
		}
	}
	if got := w.counts(t); got != start {
		t.Fatalf("invalid drafts changed the database: %+v -> %+v", start, got)
	}
	if got := w.get(t, fp, "KEN"); got != nil {
		t.Fatalf("submission after invalid drafts: %+v", got)
	}

	// A partial draft is created at version 1.
	partial := map[string]any{"prevention": map[string]any{"national_strategy": "adopted", "agency_designated": false}}
	sub := w.mustSave(t, fp, "KEN", partial, -1)
	if sub.Status != "DRAFT" || sub.Version != 1 || sub.State.Code != "KEN" || sub.Cycle.ID != w.cycle ||
		sub.SubmittedAt != nil || sub.Late || sub.ID == "" {
		t.Fatalf("created draft: %+v", sub)
	}
	if len(sub.Versions) != 1 || sub.Versions[0].Version != 1 || sub.Versions[0].SavedBy != fpName || sub.Versions[0].Status != "DRAFT" {
		t.Fatalf("versions of a new draft: %+v", sub.Versions)
	}
	if len(sub.Problems) == 0 || !hasPath(sub.Problems, "/prevention/strategy_title", "required") {
		t.Fatalf("problems of a partial draft: %+v", sub.Problems)
	}
	afterCreate := w.counts(t)
	if d := diff(start, afterCreate); d != (counts{Submissions: 1, Versions: 1, Answers: 0, Audit: 1}) {
		t.Fatalf("create wrote %+v (a draft projects nothing)", d)
	}
	w.checkProjection(t, sub.ID, nil)
	w.checkAudit(t, sub.ID, "submission.create")

	// saveDraft without expectedVersion when one exists: CONFLICT.
	before := w.snapshot(t)
	wantCode(t, w.saveDraft(t, fp, "KEN", partial, -1), "CONFLICT")
	// A stale or future expectedVersion: CONFLICT, nothing changed.
	wantCode(t, w.saveDraft(t, fp, "KEN", sample(t), 0), "CONFLICT")
	wantCode(t, w.saveDraft(t, fp, "KEN", sample(t), 2), "CONFLICT")
	// An invalid draft over an existing one: errors, the stored version unchanged.
	p = payloadOf(t, w.saveDraft(t, fp, "KEN", map[string]any{"prevention": map[string]any{"national_strategy": 7}}, 1), "saveDraft")
	if p.Submission == nil || p.Submission.Version != 1 || !hasPath(p.Errors, "/prevention/national_strategy", "type") {
		t.Fatalf("invalid draft over version 1: %+v", p)
	}
	if !jsonEqual(p.Submission.Answers, mustJSON(t, partial)) {
		t.Fatalf("refused draft returned answers %s, want the stored ones", p.Submission.Answers)
	}
	// Identical answers make no new version.
	same := w.mustSave(t, fp, "KEN", partial, 1)
	if same.Version != 1 || len(same.Versions) != 1 {
		t.Fatalf("saving identical answers: version %d, %d versions", same.Version, len(same.Versions))
	}
	if after := w.snapshot(t); after != before {
		t.Fatalf("refused or no-op calls changed the database:\n%s\n%s", before, after)
	}

	// Submitting an incomplete draft: every missing required property
	// named by its own path, status still DRAFT, nothing changed.
	p = payloadOf(t, w.submit(t, fp, "KEN", 1), "submit")
	if p.Submission == nil || p.Submission.Status != "DRAFT" || p.Submission.Version != 1 {
		t.Fatalf("incomplete submit: %+v", p.Submission)
	}
	for _, path := range []string{"/general_provisions", "/criminalization", "/international_cooperation",
		"/technical_assistance", "/implementation", "/prevention/strategy_title",
		"/prevention/critical_information_infrastructure", "/prevention/provider_responsibilities",
		"/prevention/public_private_cooperation"} {
		if !hasPath(p.Errors, path, "required") {
			t.Errorf("submit errors lack required %s: %+v", path, p.Errors)
		}
	}
	for _, e := range p.Errors {
		if e.Keyword == "required" && (e.Path == "" || e.Path == "/prevention") {
			t.Errorf("a required error at the parent, not the missing property: %+v", e)
		}
	}
	if after := w.snapshot(t); after != before {
		t.Fatal("an incomplete submit changed the database")
	}

	// Complete the draft: version 2, problems empty.
	full := sample(t)
	sub = w.mustSave(t, fp, "KEN", full, 1)
	if sub.Version != 2 || sub.Status != "DRAFT" || len(sub.Problems) != 0 {
		t.Fatalf("complete draft: version %d status %s problems %+v", sub.Version, sub.Status, sub.Problems)
	}
	if !jsonEqual(sub.Answers, mustJSON(t, full)) {
		t.Fatal("stored answers differ from the saved ones")
	}
	w.checkProjection(t, sub.ID, nil)
	if d := diff(afterCreate, w.counts(t)); d.Versions != 1 || d.Audit != 1 || d.Submissions != 0 {
		t.Fatalf("second save wrote %+v", d)
	}

	// Submit: SUBMITTED, submittedAt set, not late.
	t0 := time.Now().Add(-time.Minute)
	sub = w.mustSubmit(t, fp, "KEN", 2)
	if sub.Status != "SUBMITTED" || sub.Version != 3 || sub.SubmittedAt == nil || sub.SubmittedAt.Before(t0) || sub.Late {
		t.Fatalf("submitted: %+v", sub)
	}
	if !sub.UpdatedAt.Equal(*sub.SubmittedAt) && sub.UpdatedAt.Before(*sub.SubmittedAt) {
		t.Fatalf("updatedAt %v before submittedAt %v", sub.UpdatedAt, *sub.SubmittedAt)
	}
	w.checkProjection(t, sub.ID, full)
	firstSubmittedAt := *sub.SubmittedAt

	// A SUBMITTED submission cannot be edited or submitted again.
	before = w.snapshot(t)
	wantCode(t, w.saveDraft(t, fp, "KEN", partial, 3), "CONFLICT")
	wantCode(t, w.submit(t, fp, "KEN", 3), "CONFLICT")
	// A focal point cannot review its own submission.
	wantCode(t, w.env.Do(t, fp, acceptMutation, map[string]any{"id": sub.ID, "v": 3}), "FORBIDDEN")
	// Return with no comments: BAD_USER_INPUT; stale version: CONFLICT.
	wantCode(t, w.env.Do(t, w.sec, returnMutation, map[string]any{"id": sub.ID, "v": 3, "cs": []any{}}), "BAD_USER_INPUT")
	wantCode(t, w.env.Do(t, w.sec, returnMutation, map[string]any{"id": sub.ID, "v": 2,
		"cs": []any{map[string]any{"body": "x"}}}), "CONFLICT")
	wantCode(t, w.env.Do(t, w.sec, acceptMutation, map[string]any{"id": sub.ID, "v": 2}), "CONFLICT")
	if after := w.snapshot(t); after != before {
		t.Fatal("refused calls on a SUBMITTED submission changed the database")
	}

	// The secretariat returns it with comments.
	beforeReturn := w.counts(t)
	p = payloadOf(t, w.env.Do(t, w.sec, returnMutation, map[string]any{"id": sub.ID, "v": 3, "cs": []any{
		map[string]any{"path": "/prevention/agency_designated", "body": "Please name the agency."},
		map[string]any{"body": "Check the statistics section."},
		map[string]any{"path": "/implementation", "body": "Third."},
		map[string]any{"path": "/criminalization/offences", "body": "Fourth."},
		map[string]any{"body": "Fifth."},
	}}), "returnSubmission")
	if len(p.Errors) > 0 || p.Submission == nil || p.Submission.Status != "RETURNED" || p.Submission.Version != 4 {
		t.Fatalf("return: %+v", p)
	}
	cs := p.Submission.Comments
	// In the order given (they are written in one transaction).
	var bodies []string
	for _, c := range cs {
		bodies = append(bodies, c.Body)
	}
	if want := []string{"Please name the agency.", "Check the statistics section.", "Third.", "Fourth.", "Fifth."}; !reflect.DeepEqual(bodies, want) {
		t.Fatalf("comments read back as %q, want %q", bodies, want)
	}
	if len(cs) != 5 || cs[0].Author != secName || cs[1].Author != secName ||
		cs[0].Path == nil || *cs[0].Path != "/prevention/agency_designated" || cs[0].Body != "Please name the agency." ||
		cs[1].Path != nil || cs[1].Body != "Check the statistics section." || cs[0].ID == "" || cs[0].CreatedAt.IsZero() {
		t.Fatalf("comments after return: %+v", cs)
	}
	if d := diff(beforeReturn, w.counts(t)); d != (counts{Versions: 1, Comments: 5, Audit: 1}) {
		t.Fatalf("return wrote %+v", d)
	}
	// The focal point sees the comments.
	if got := w.get(t, fp, "KEN"); got.Status != "RETURNED" || len(got.Comments) != 5 {
		t.Fatalf("focal point reads a returned submission: %+v", got)
	}
	// A RETURNED submission cannot be submitted, accepted or returned.
	before = w.snapshot(t)
	wantCode(t, w.submit(t, fp, "KEN", 4), "CONFLICT")
	wantCode(t, w.env.Do(t, w.sec, acceptMutation, map[string]any{"id": sub.ID, "v": 4}), "CONFLICT")
	wantCode(t, w.env.Do(t, w.sec, returnMutation, map[string]any{"id": sub.ID, "v": 4,
		"cs": []any{map[string]any{"body": "again"}}}), "CONFLICT")
	if after := w.snapshot(t); after != before {
		t.Fatal("refused calls on a RETURNED submission changed the database")
	}

	// The focal point answers a comment, then saves: DRAFT, version 5,
	// even with unchanged answers (the status changes).
	var cm struct {
		Comment comment `json:"comment"`
	}
	w.env.Do(t, fp, commentMutation, map[string]any{"id": sub.ID, "p": "/prevention/agency_designated", "b": "Done."}).Decode(t, &cm)
	if cm.Comment.Author != fpName || cm.Comment.Path == nil || *cm.Comment.Path != "/prevention/agency_designated" {
		t.Fatalf("comment: %+v", cm.Comment)
	}
	firstSubmitted := mustClone(t, full)
	section(full, "prevention")["agency_name"] = "National Cyber Agency"
	sub = w.mustSave(t, fp, "KEN", full, 4)
	if sub.Status != "DRAFT" || sub.Version != 5 || len(sub.Comments) != 6 {
		t.Fatalf("save after return: %+v", sub)
	}
	// The projection still holds the version submitted first; it does not
	// count while the submission is a draft, and the next submit replaces it.
	w.checkProjection(t, sub.ID, firstSubmitted)
	sub = w.mustSubmit(t, fp, "KEN", 5)
	if sub.Status != "SUBMITTED" || sub.Version != 6 || sub.Late || sub.SubmittedAt == nil || !sub.SubmittedAt.After(firstSubmittedAt) {
		t.Fatalf("second submit: %+v", sub)
	}

	// Accept: ACCEPTED, and then no step applies any more.
	p = payloadOf(t, w.env.Do(t, w.sec, acceptMutation, map[string]any{"id": sub.ID, "v": 6}), "acceptSubmission")
	if len(p.Errors) > 0 || p.Submission == nil || p.Submission.Status != "ACCEPTED" || p.Submission.Version != 7 {
		t.Fatalf("accept: %+v", p)
	}
	before = w.snapshot(t)
	wantCode(t, w.env.Do(t, w.sec, acceptMutation, map[string]any{"id": sub.ID, "v": 7}), "CONFLICT")
	wantCode(t, w.env.Do(t, w.sec, returnMutation, map[string]any{"id": sub.ID, "v": 7,
		"cs": []any{map[string]any{"body": "late remark"}}}), "CONFLICT")
	wantCode(t, w.saveDraft(t, fp, "KEN", full, 7), "CONFLICT")
	wantCode(t, w.submit(t, fp, "KEN", 7), "CONFLICT")
	if after := w.snapshot(t); after != before {
		t.Fatal("refused calls on an ACCEPTED submission changed the database")
	}

	// Versions: oldest first, each with its status and author.
	sub = w.get(t, w.sec, "KEN")
	type vs struct {
		v      int
		status string
		by     string
	}
	var got []vs
	for _, v := range sub.Versions {
		got = append(got, vs{v.Version, v.Status, v.SavedBy})
	}
	want := []vs{{1, "DRAFT", fpName}, {2, "DRAFT", fpName}, {3, "SUBMITTED", fpName}, {4, "RETURNED", secName},
		{5, "DRAFT", fpName}, {6, "SUBMITTED", fpName}, {7, "ACCEPTED", secName}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("versions:\n got %+v\nwant %+v", got, want)
	}
	for i := 1; i < len(sub.Versions); i++ {
		if sub.Versions[i].SavedAt.Before(sub.Versions[i-1].SavedAt) {
			t.Fatalf("versions not oldest first by savedAt: %+v", sub.Versions)
		}
	}
	if !jsonEqual(sub.Versions[0].Answers, mustJSON(t, partial)) || !jsonEqual(sub.Versions[6].Answers, mustJSON(t, full)) {
		t.Fatal("versions do not keep the answers saved in them")
	}
	if len(sub.Problems) != 0 {
		t.Fatalf("problems of an accepted complete submission: %+v", sub.Problems)
	}

	// The database: one submission, seven versions, one audit event per change.
	end := w.counts(t)
	if d := diff(start, end); d != (counts{Submissions: 1, Versions: 7, Answers: d.Answers, Audit: 8, Comments: 6}) {
		t.Fatalf("the whole workflow wrote %+v", d)
	}
	w.checkProjection(t, sub.ID, full)
	w.checkAudit(t, sub.ID, "submission.create", "submission.save_draft", "submission.submit", "submission.return",
		"submission.comment", "submission.save_draft", "submission.submit", "submission.accept")
}

// TestLateSubmissions: late is true only when first submitted after the
// cycle's closesOn (inclusive deadline), and stays as first decided.
func TestLateSubmissions(t *testing.T) {
	w := newWorld(t)
	today := time.Now().UTC().Format(time.DateOnly)
	w.openCycle(t, "past", "2020-01-01", "2020-12-31")
	w.openCycle(t, "today", "2020-01-01", today)

	for _, tc := range []struct {
		cycle string
		late  bool
	}{{"past", true}, {"today", false}, {"2027", false}} {
		w.cycle = tc.cycle
		sub := w.mustSave(t, w.sec, "FRA", sample(t), -1)
		if sub.Late {
			t.Fatalf("%s: a draft that was never submitted is late", tc.cycle)
		}
		sub = w.mustSubmit(t, w.sec, "FRA", 1)
		if sub.Late != tc.late {
			t.Fatalf("%s: late = %v, want %v", tc.cycle, sub.Late, tc.late)
		}
		if got := w.get(t, w.sec, "FRA"); got.Late != tc.late {
			t.Fatalf("%s: read back late = %v", tc.cycle, got.Late)
		}
	}
}

// TestProblemsAndAnswersRoundTrip: numbers keep their precision and
// problems report the full validation of the current answers.
func TestProblemsAndAnswersRoundTrip(t *testing.T) {
	w := newWorld(t)
	doc := sample(t)
	rawDoc, _ := json.Marshal(doc)
	sub := w.mustSave(t, w.sec, "BRA", json.RawMessage(rawDoc), -1)
	if len(sub.Problems) != 0 {
		t.Fatalf("the sample has problems: %+v", sub.Problems)
	}
	delete(section(doc, "implementation"), "completed_on")
	sub = w.mustSave(t, w.sec, "bra", doc, 1) // the State code in any case
	if sub.State.Code != "BRA" || sub.Version != 2 {
		t.Fatalf("lower-case state: %+v", sub)
	}
	if len(sub.Problems) != 1 || sub.Problems[0].Path != "/implementation/completed_on" || sub.Problems[0].Keyword != "required" {
		t.Fatalf("problems: %+v", sub.Problems)
	}
	p := payloadOf(t, w.submit(t, w.sec, "BRA", 2), "submit")
	if !reflect.DeepEqual(p.Errors, sub.Problems) || p.Submission.Status != "DRAFT" {
		t.Fatalf("submit errors %+v, want the problems %+v", p.Errors, sub.Problems)
	}
}

// checkProjection compares answer_facts with the answered questions of
// doc (nil: no facts), typed here from the questionnaire's question kinds.
func (w *world) checkProjection(t *testing.T, id string, doc map[string]any) {
	t.Helper()
	q, ok := w.env.Registry.Get("implementation-v1")
	if !ok {
		t.Fatal("implementation-v1 is not loaded")
	}
	want := map[string]string{}
	for _, qq := range q.Questions {
		v, ok := pointer(doc, qq.Path)
		if !ok || v == nil {
			continue
		}
		var opts []string
		num := "-"
		switch qq.Kind {
		case "SINGLE_CHOICE":
			opts = []string{v.(string)}
		case "BOOLEAN":
			opts = []string{fmt.Sprint(v)}
		case "MULTI_CHOICE":
			opts = []string{}
			for _, o := range v.([]any) {
				if !slices.Contains(opts, o.(string)) {
					opts = append(opts, o.(string))
				}
			}
		case "NUMBER", "INTEGER":
			num = fmt.Sprint(v)
		case "LIST":
			num = fmt.Sprint(len(v.([]any)))
		}
		slices.Sort(opts)
		want[qq.Path] = fmt.Sprintf("%v %s", opts, num)
	}
	if doc != nil && len(want) == 0 {
		t.Fatal("no question answered")
	}
	rows, err := w.env.Pool.Query(context.Background(), `SELECT path, options, num FROM answer_facts WHERE submission_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	var path string
	var opts []string
	var num *float64
	if _, err := pgx.ForEachRow(rows, []any{&path, &opts, &num}, func() error {
		n := "-"
		if num != nil {
			n = fmt.Sprint(*num)
		}
		o := slices.Clone(opts)
		slices.Sort(o)
		got[path] = fmt.Sprintf("%v %s", o, n)
		opts = nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("answer facts:\n got %v\nwant %v", got, want)
	}
}

func mustClone(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAudit compares the audit trail of a submission with actions.
func (w *world) checkAudit(t *testing.T, id string, actions ...string) {
	t.Helper()
	rows, err := w.env.Pool.Query(context.Background(), `SELECT action FROM audit_events WHERE subject = $1 ORDER BY id`, "submission/"+id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if !reflect.DeepEqual(got, actions) {
		t.Fatalf("audit trail:\n got %v\nwant %v", got, actions)
	}
}

// pointer resolves a JSON Pointer in a decoded document.
func pointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func diff(a, b counts) counts {
	return counts{Submissions: b.Submissions - a.Submissions, Versions: b.Versions - a.Versions, Answers: b.Answers - a.Answers,
		Audit: b.Audit - a.Audit, Comments: b.Comments - a.Comments, Cycles: b.Cycles - a.Cycles}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
