package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
)

// The selection every test reads a submission with.
const submissionFields = `id status version answers late updatedAt submittedAt
	state { code } cycle { id }
	problems { path keyword message }
	versions { version status savedAt savedBy answers }
	comments { id path author body createdAt }`

const saveDraftMutation = `mutation($c: ID!, $s: ID!, $a: JSON!, $v: Int) {
	saveDraft(cycle: $c, state: $s, answers: $a, expectedVersion: $v) {
		submission { ` + submissionFields + ` } errors { path keyword message } } }`

const submitMutation = `mutation($c: ID!, $s: ID!, $v: Int!) {
	submit(cycle: $c, state: $s, expectedVersion: $v) {
		submission { ` + submissionFields + ` } errors { path keyword message } } }`

const returnMutation = `mutation($id: ID!, $v: Int!, $cs: [CommentInput!]!) {
	returnSubmission(id: $id, expectedVersion: $v, comments: $cs) {
		submission { ` + submissionFields + ` } errors { path keyword message } } }`

const acceptMutation = `mutation($id: ID!, $v: Int!) {
	acceptSubmission(id: $id, expectedVersion: $v) {
		submission { ` + submissionFields + ` } errors { path keyword message } } }`

const commentMutation = `mutation($id: ID!, $p: String, $b: String!) {
	comment(submission: $id, path: $p, body: $b) { id path author body createdAt } }`

const submissionQuery = `query($c: ID!, $s: ID!) { submission(cycle: $c, state: $s) { ` + submissionFields + ` } }`

const openCycleMutation = `mutation($in: OpenCycleInput!) {
	openCycle(input: $in) { id name opensOn closesOn questionnaire { id } } }`

const setPartyMutation = `mutation($s: ID!, $p: Boolean!) { setStateParty(state: $s, party: $p) { code party } }`

type fieldError struct {
	Path    string `json:"path"`
	Keyword string `json:"keyword"`
	Message string `json:"message"`
}

type version struct {
	Version int             `json:"version"`
	Status  string          `json:"status"`
	SavedAt time.Time       `json:"savedAt"`
	SavedBy string          `json:"savedBy"`
	Answers json.RawMessage `json:"answers"`
}

type comment struct {
	ID        string    `json:"id"`
	Path      *string   `json:"path"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"createdAt"`
}

type submission struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"`
	Version     int             `json:"version"`
	Answers     json.RawMessage `json:"answers"`
	Late        bool            `json:"late"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	SubmittedAt *time.Time      `json:"submittedAt"`
	State       struct {
		Code string `json:"code"`
	} `json:"state"`
	Cycle struct {
		ID string `json:"id"`
	} `json:"cycle"`
	Problems []fieldError `json:"problems"`
	Versions []version    `json:"versions"`
	Comments []comment    `json:"comments"`
}

type payload struct {
	Submission *submission  `json:"submission"`
	Errors     []fieldError `json:"errors"`
}

// world is one test's running API, its secretariat token and its cycle.
type world struct {
	env   *apptest.Env
	sec   string // the secretariat's token, named secName
	cycle string
}

const secName = "Secretariat Reviewer"

// newWorld starts the API on a fresh database and opens cycle "2027"
// (2026-01-01 to 2099-12-31: open now, and nothing is late) as the secretariat.
func newWorld(t *testing.T) *world {
	t.Helper()
	env := apptest.New(t)
	w := &world{env: env, cycle: "2027"}
	w.sec = w.token(t, secName, auth.Secretariat, "")
	w.openCycle(t, w.cycle, "2026-01-01", "2099-12-31")
	return w
}

// token creates a token with a chosen name (versions and comments show it).
func (w *world) token(t testing.TB, name string, role auth.Role, state string, groups ...string) string {
	t.Helper()
	secret, err := w.env.Tokens.Create(context.Background(), auth.NewToken{Name: name, Role: role, State: state, WorkingGroups: groups})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (w *world) openCycle(t testing.TB, id, opensOn, closesOn string) {
	t.Helper()
	res := w.env.Do(t, w.sec, openCycleMutation, map[string]any{"in": map[string]any{
		"id": id, "name": "Review cycle " + id, "questionnaire": "implementation-v1", "opensOn": opensOn, "closesOn": closesOn}})
	var out struct {
		OpenCycle struct {
			ID            string `json:"id"`
			OpensOn       string `json:"opensOn"`
			ClosesOn      string `json:"closesOn"`
			Questionnaire struct {
				ID string `json:"id"`
			} `json:"questionnaire"`
		} `json:"openCycle"`
	}
	res.Decode(t, &out)
	if c := out.OpenCycle; c.ID != id || c.OpensOn != opensOn || c.ClosesOn != closesOn || c.Questionnaire.ID != "implementation-v1" {
		t.Fatalf("openCycle returned %+v", c)
	}
}

func (w *world) setParty(t testing.TB, state string, party bool) {
	t.Helper()
	var out struct {
		SetStateParty struct {
			Code  string `json:"code"`
			Party bool   `json:"party"`
		} `json:"setStateParty"`
	}
	w.env.Do(t, w.sec, setPartyMutation, map[string]any{"s": state, "p": party}).Decode(t, &out)
	if out.SetStateParty.Party != party {
		t.Fatalf("setStateParty(%s, %v) = %+v", state, party, out.SetStateParty)
	}
}

// saveDraft sends saveDraft; expected < 0 leaves expectedVersion out.
func (w *world) saveDraft(t testing.TB, token, state string, answers any, expected int) apptest.Response {
	t.Helper()
	vars := map[string]any{"c": w.cycle, "s": state, "a": answers}
	if expected >= 0 {
		vars["v"] = expected
	}
	return w.env.Do(t, token, saveDraftMutation, vars)
}

func (w *world) submit(t testing.TB, token, state string, expected int) apptest.Response {
	t.Helper()
	return w.env.Do(t, token, submitMutation, map[string]any{"c": w.cycle, "s": state, "v": expected})
}

// payloadOf decodes the single mutation field of res into a payload.
func payloadOf(t testing.TB, res apptest.Response, field string) payload {
	t.Helper()
	var out map[string]payload
	res.Decode(t, &out)
	p, ok := out[field]
	if !ok {
		t.Fatalf("no %s in %s", field, res.Data)
	}
	return p
}

// mustSave saves answers and fails unless the payload is clean.
func (w *world) mustSave(t testing.TB, token, state string, answers any, expected int) *submission {
	t.Helper()
	p := payloadOf(t, w.saveDraft(t, token, state, answers, expected), "saveDraft")
	if len(p.Errors) > 0 || p.Submission == nil {
		t.Fatalf("saveDraft: errors %+v, submission %v", p.Errors, p.Submission)
	}
	return p.Submission
}

func (w *world) mustSubmit(t testing.TB, token, state string, expected int) *submission {
	t.Helper()
	p := payloadOf(t, w.submit(t, token, state, expected), "submit")
	if len(p.Errors) > 0 || p.Submission == nil {
		t.Fatalf("submit: errors %+v, submission %v", p.Errors, p.Submission)
	}
	return p.Submission
}

// get reads the submission of state as token (fails on GraphQL errors).
func (w *world) get(t testing.TB, token, state string) *submission {
	t.Helper()
	var out struct {
		Submission *submission `json:"submission"`
	}
	w.env.Do(t, token, submissionQuery, map[string]any{"c": w.cycle, "s": state}).Decode(t, &out)
	return out.Submission
}

// counts are the rows of the tables a workflow call writes.
type counts struct {
	Submissions, Versions, Answers, Audit, Comments, Cycles int
}

func (w *world) counts(t testing.TB) counts {
	t.Helper()
	var c counts
	err := w.env.Pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM submissions), (SELECT count(*) FROM submission_versions),
		(SELECT count(*) FROM answer_facts), (SELECT count(*) FROM audit_events WHERE action NOT LIKE 'token.%'),
		(SELECT count(*) FROM review_comments), (SELECT count(*) FROM cycles)`).
		Scan(&c.Submissions, &c.Versions, &c.Answers, &c.Audit, &c.Comments, &c.Cycles)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// snapshot is everything the database holds about submissions, for
// "nothing changed" checks.
func (w *world) snapshot(t testing.TB) string {
	t.Helper()
	var s string
	err := w.env.Pool.QueryRow(context.Background(), `SELECT concat_ws(' | ',
		(SELECT string_agg(concat_ws(',', id, cycle_id, state_code, status, version, answers::text, updated_at, submitted_at), ';' ORDER BY id) FROM submissions),
		(SELECT string_agg(concat_ws(',', submission_id, version, status), ';' ORDER BY submission_id, version) FROM submission_versions),
		(SELECT string_agg(concat_ws(',', submission_id, path, options::text, num), ';' ORDER BY submission_id, path) FROM answer_facts),
		(SELECT string_agg(id::text, ';' ORDER BY id) FROM audit_events WHERE action NOT LIKE 'token.%'), -- tests make tokens as they go
		(SELECT string_agg(id::text, ';' ORDER BY id) FROM review_comments),
		(SELECT string_agg(concat_ws(',', id, name, opens_on, closes_on), ';' ORDER BY id) FROM cycles),
		(SELECT string_agg(code, ',' ORDER BY code) FROM states WHERE party),
		(SELECT string_agg(concat_ws(',', questionnaire_id, lang, reviewed, labels_sha256), ';' ORDER BY questionnaire_id, lang) FROM translation_reviews),
		(SELECT string_agg(concat_ws(',', questionnaire_id, lang, file_sha256), ';' ORDER BY questionnaire_id, lang) FROM translation_uploads))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sample returns the complete sample answers as a fresh map.
func sample(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(demo.SampleAnswers(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// section returns doc[name] as a map, to edit in place.
func section(doc map[string]any, name string) map[string]any { return doc[name].(map[string]any) }

// wantCode fails unless res carries exactly one GraphQL error with code.
func wantCode(t testing.TB, res apptest.Response, code string) {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("want a %s error, got data %s", code, truncate(res.Data))
	}
	for _, e := range res.Errors {
		if e.Code() != code {
			t.Fatalf("want code %s, got errors %+v", code, res.Errors)
		}
		if e.Message == "" {
			t.Fatalf("error without a message: %+v", e)
		}
	}
}

// healthy fails unless GET /healthz answers 200.
func healthy(t testing.TB, env *apptest.Env) {
	t.Helper()
	resp, err := http.Get(env.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) //nolint:errcheck
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %d", resp.StatusCode)
	}
}

// rawResponse is an HTTP answer as it came.
type rawResponse struct {
	Status      int
	ContentType string
	RequestID   string // X-Request-Id
	Allow       string
	Body        []byte
}

// raw sends any request to the API, without apptest's JSON decoding.
func raw(t testing.TB, env *apptest.Env, method, path, token string, header map[string]string, body io.Reader) rawResponse {
	t.Helper()
	r := env.Raw(t, method, path, token, header, body)
	return rawResponse{Status: r.Status, ContentType: r.Header.Get("Content-Type"),
		RequestID: r.Header.Get("X-Request-Id"), Allow: r.Header.Get("Allow"), Body: r.Body}
}

// errorBody decodes a GraphQL-shaped error body, failing if it is not one.
func errorBody(t testing.TB, r rawResponse) []apptest.Error {
	t.Helper()
	var out struct {
		Errors []apptest.Error `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Errors) == 0 {
		t.Fatalf("status %d: want a JSON body with errors, got %q (%v)", r.Status, truncate(r.Body), err)
	}
	return out.Errors
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// jsonBody marshals v.
func jsonBody(t testing.TB, v any) *bytes.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

// hasPath reports whether errs has an error at path with keyword.
func hasPath(errs []fieldError, path, keyword string) bool {
	for _, e := range errs {
		if e.Path == path && (keyword == "" || e.Keyword == keyword) {
			return true
		}
	}
	return false
}

// leaks reports whether a message gives away SQL or Go internals.
func leaks(msg string) bool {
	low := strings.ToLower(msg)
	for _, s := range []string{"select ", "insert ", "update ", "sqlstate", "pgx", "postgres", "goroutine", ".go:", "panic"} {
		if strings.Contains(low, s) {
			return true
		}
	}
	return false
}

// noData reports whether a response carries no value: data is null or
// every field in it is null.
func noData(res apptest.Response) bool {
	if len(res.Data) == 0 || string(res.Data) == "null" {
		return true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(res.Data, &m); err != nil {
		return false
	}
	for _, v := range m {
		if string(v) != "null" {
			return false
		}
	}
	return true
}
