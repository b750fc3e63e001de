package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestErrorCodes: unknown things are NOT_FOUND, malformed arguments
// BAD_USER_INPUT, a duplicate cycle CONFLICT; none of them changes
// anything.
func TestErrorCodes(t *testing.T) {
	w := newWorld(t)
	sub := w.mustSave(t, w.sec, "KEN", sample(t), -1)
	w.mustSubmit(t, w.sec, "KEN", 1)
	const randomUUID = "0b6f1a8e-4a4f-4c1e-9c7e-2d9a5e0c1f00"
	cycle := func(in map[string]any) map[string]any {
		out := map[string]any{"id": "2030", "name": "Cycle 2030", "questionnaire": "implementation-v1",
			"opensOn": "2030-01-01", "closesOn": "2030-06-30"}
		for k, v := range in {
			out[k] = v
		}
		return map[string]any{"in": out}
	}
	comment := func(path any, body string) map[string]any {
		return map[string]any{"id": sub.ID, "p": path, "b": body}
	}
	ret := func(cs ...map[string]any) map[string]any {
		list := make([]any, len(cs))
		for i, c := range cs {
			list[i] = c
		}
		return map[string]any{"id": sub.ID, "v": 2, "cs": list}
	}
	tooMany := make([]map[string]any, 201)
	for i := range tooMany {
		tooMany[i] = map[string]any{"body": "x"}
	}

	type call struct {
		query string
		vars  map[string]any
		code  string
	}
	before := w.snapshot(t)
	for name, c := range map[string]call{
		// NOT_FOUND
		"submission in unknown cycle":    {submissionQuery, map[string]any{"c": "nope", "s": "KEN"}, "NOT_FOUND"},
		"submission of unknown State":    {submissionQuery, map[string]any{"c": w.cycle, "s": "XXX"}, "NOT_FOUND"},
		"submission of empty State":      {submissionQuery, map[string]any{"c": w.cycle, "s": ""}, "NOT_FOUND"},
		"submission with NUL State":      {submissionQuery, map[string]any{"c": w.cycle, "s": "K\x00N"}, "NOT_FOUND"},
		"submission with NUL cycle":      {submissionQuery, map[string]any{"c": "20\x0027", "s": "KEN"}, "NOT_FOUND"},
		"submissions of unknown cycle":   {`query($c: ID!) { submissions(cycle: $c) { totalCount } }`, map[string]any{"c": "nope"}, "NOT_FOUND"},
		"save in unknown cycle":          {saveDraftMutation, map[string]any{"c": "nope", "s": "KEN", "a": map[string]any{}}, "NOT_FOUND"},
		"save for unknown State":         {saveDraftMutation, map[string]any{"c": w.cycle, "s": "XXX", "a": map[string]any{}}, "NOT_FOUND"},
		"save a version of nothing":      {saveDraftMutation, map[string]any{"c": w.cycle, "s": "FRA", "a": map[string]any{}, "v": 1}, "NOT_FOUND"},
		"submit nothing":                 {submitMutation, map[string]any{"c": w.cycle, "s": "FRA", "v": 1}, "NOT_FOUND"},
		"submit in unknown cycle":        {submitMutation, map[string]any{"c": "nope", "s": "KEN", "v": 1}, "NOT_FOUND"},
		"accept a non-UUID":              {acceptMutation, map[string]any{"id": "not-a-uuid", "v": 2}, "NOT_FOUND"},
		"accept an unknown UUID":         {acceptMutation, map[string]any{"id": randomUUID, "v": 2}, "NOT_FOUND"},
		"return a non-UUID":              {returnMutation, map[string]any{"id": "42", "v": 2, "cs": []any{map[string]any{"body": "x"}}}, "NOT_FOUND"},
		"return an unknown UUID":         {returnMutation, map[string]any{"id": randomUUID, "v": 2, "cs": []any{map[string]any{"body": "x"}}}, "NOT_FOUND"},
		"comment on a non-UUID":          {commentMutation, map[string]any{"id": "'; DROP TABLE submissions; --", "b": "x"}, "NOT_FOUND"},
		"comment on an unknown UUID":     {commentMutation, map[string]any{"id": randomUUID, "b": "x"}, "NOT_FOUND"},
		"cycle of unknown questionnaire": {openCycleMutation, cycle(map[string]any{"questionnaire": "nope"}), "NOT_FOUND"},
		"party of unknown State":         {setPartyMutation, map[string]any{"s": "XXX", "p": true}, "NOT_FOUND"},
		// BAD_USER_INPUT
		"Date with month 13":       {openCycleMutation, cycle(map[string]any{"opensOn": "2030-13-01"}), "BAD_USER_INPUT"},
		"Date 30 February":         {openCycleMutation, cycle(map[string]any{"closesOn": "2030-02-30"}), "BAD_USER_INPUT"},
		"Date with time":           {openCycleMutation, cycle(map[string]any{"opensOn": "2030-01-01T00:00:00Z"}), "BAD_USER_INPUT"},
		"Date as number":           {openCycleMutation, cycle(map[string]any{"opensOn": 20300101}), "BAD_USER_INPUT"},
		"Date in words":            {openCycleMutation, cycle(map[string]any{"closesOn": "next June"}), "BAD_USER_INPUT"},
		"Date literal":             {`mutation { openCycle(input: {id: "x", name: "x", questionnaire: "implementation-v1", opensOn: "2030-1-1", closesOn: "2030-06-30"}) { id } }`, nil, "BAD_USER_INPUT"},
		"cycle id with space":      {openCycleMutation, cycle(map[string]any{"id": "20 30"}), "BAD_USER_INPUT"},
		"cycle id empty":           {openCycleMutation, cycle(map[string]any{"id": ""}), "BAD_USER_INPUT"},
		"cycle id leading dash":    {openCycleMutation, cycle(map[string]any{"id": "-2030"}), "BAD_USER_INPUT"},
		"cycle id of 65 chars":     {openCycleMutation, cycle(map[string]any{"id": strings.Repeat("a", 65)}), "BAD_USER_INPUT"},
		"cycle id with slash":      {openCycleMutation, cycle(map[string]any{"id": "../2030"}), "BAD_USER_INPUT"},
		"cycle name empty":         {openCycleMutation, cycle(map[string]any{"name": "   "}), "BAD_USER_INPUT"},
		"cycle name with NUL":      {openCycleMutation, cycle(map[string]any{"name": "a\x00b"}), "BAD_USER_INPUT"},
		"closesOn before opensOn":  {openCycleMutation, cycle(map[string]any{"opensOn": "2030-06-30", "closesOn": "2030-06-29"}), "BAD_USER_INPUT"},
		"comment path no pointer":  {commentMutation, comment("prevention", "x"), "BAD_USER_INPUT"},
		"comment path unknown":     {commentMutation, comment("/nowhere/at_all", "x"), "BAD_USER_INPUT"},
		"comment path empty":       {commentMutation, comment("", "x"), "BAD_USER_INPUT"},
		"comment path with NUL":    {commentMutation, comment("/prevention/\x00", "x"), "BAD_USER_INPUT"},
		"comment body empty":       {commentMutation, comment(nil, "  \n"), "BAD_USER_INPUT"},
		"comment body with NUL":    {commentMutation, comment(nil, "a\x00b"), "BAD_USER_INPUT"},
		"comment body too long":    {commentMutation, comment(nil, strings.Repeat("x", 10_001)), "BAD_USER_INPUT"},
		"return with bad path":     {returnMutation, ret(map[string]any{"body": "ok"}, map[string]any{"path": "/nope", "body": "x"}), "BAD_USER_INPUT"},
		"return with empty body":   {returnMutation, ret(map[string]any{"body": ""}), "BAD_USER_INPUT"},
		"return with no comments":  {returnMutation, ret(), "BAD_USER_INPUT"},
		"return with 201 comments": {returnMutation, ret(tooMany...), "BAD_USER_INPUT"},
		"answers with NUL":         {saveDraftMutation, map[string]any{"c": w.cycle, "s": "FRA", "a": map[string]any{"prevention": map[string]any{"agency_name": "a\x00"}}}, "BAD_USER_INPUT"},
		"answers key with NUL":     {saveDraftMutation, map[string]any{"c": w.cycle, "s": "FRA", "a": map[string]any{"a\x00": 1}}, "BAD_USER_INPUT"},
		"answers null":             {saveDraftMutation, map[string]any{"c": w.cycle, "s": "FRA", "a": nil}, "BAD_USER_INPUT"},
		"status not in the enum":   {`query($c: ID!) { submissions(cycle: $c, status: LATE) { totalCount } }`, map[string]any{"c": w.cycle}, "BAD_USER_INPUT"},
		"version not an Int":       {submitMutation, map[string]any{"c": w.cycle, "s": "KEN", "v": "two"}, "BAD_USER_INPUT"},
		"version a float":          {submitMutation, map[string]any{"c": w.cycle, "s": "KEN", "v": 2.5}, "BAD_USER_INPUT"},
		"version too big":          {submitMutation, map[string]any{"c": w.cycle, "s": "KEN", "v": 1e20}, "BAD_USER_INPUT"},
		"first not an Int":         {`query($c: ID!, $f: Int) { submissions(cycle: $c, first: $f) { totalCount } }`, map[string]any{"c": w.cycle, "f": "many"}, "BAD_USER_INPUT"},
		"party not a Boolean":      {setPartyMutation, map[string]any{"s": "KEN", "p": "yes"}, "BAD_USER_INPUT"},
		"missing argument":         {`mutation { submit(cycle: "2027", state: "KEN") { errors { path } } }`, nil, "BAD_USER_INPUT"},
		"unknown field":            {`{ submission(cycle: "2027", state: "KEN") { secret } }`, nil, "BAD_USER_INPUT"},
		"syntax error":             {`{ viewer { name `, nil, "BAD_USER_INPUT"},
		"breakdown not an object":  {`{ observations(indicator: "MLA_REQUESTS_RECEIVED", breakdown: [1]) { year } }`, nil, "BAD_USER_INPUT"},
		// CONFLICT
		"duplicate cycle id": {openCycleMutation, cycle(map[string]any{"id": w.cycle}), "CONFLICT"},
	} {
		t.Run(name, func(t *testing.T) {
			res := w.env.Do(t, w.sec, c.query, c.vars)
			wantCode(t, res, c.code)
			if res.Status >= 500 {
				t.Fatalf("HTTP %d", res.Status)
			}
			for _, e := range res.Errors {
				if leaks(e.Message) {
					t.Fatalf("the message leaks internals: %q", e.Message)
				}
			}
		})
	}
	if after := w.snapshot(t); after != before {
		t.Fatalf("refused calls changed the database:\n%s\n%s", before, after)
	}
	// Unknown things that are nullable by contract are null, not errors.
	var out struct {
		Cycle         *struct{ ID string }
		Questionnaire *struct{ ID string }
	}
	w.env.Do(t, w.sec, `{ cycle(id: "nope") { id } questionnaire(id: "nope") { id } }`, nil).Decode(t, &out)
	if out.Cycle != nil || out.Questionnaire != nil {
		t.Fatalf("unknown cycle or questionnaire: %+v", out)
	}
	// No submission yet is null, not an error.
	var none struct{ Submission *submission }
	w.env.Do(t, w.sec, submissionQuery, map[string]any{"c": w.cycle, "s": "FRA"}).Decode(t, &none)
	if none.Submission != nil {
		t.Fatalf("FRA has no submission, got %+v", none.Submission)
	}
	healthy(t, w.env)
}

// TestInternalErrorsDoNotLeak: when the database fails under a call, the
// caller gets INTERNAL with the request id only, never SQL or a cause.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	w := newWorld(t)
	w.mustSave(t, w.sec, "KEN", sample(t), -1)
	// Break the table that versions are read from.
	if _, err := w.env.Pool.Exec(context.Background(), `ALTER TABLE submission_versions RENAME TO submission_versions_gone`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.env.Pool.Exec(context.Background(), `ALTER TABLE submission_versions_gone RENAME TO submission_versions`) //nolint:errcheck
	})
	for name, c := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"read versions": {`query($c: ID!, $s: ID!) { submission(cycle: $c, state: $s) { id versions { version } } }`, map[string]any{"c": w.cycle, "s": "KEN"}},
		"save a draft":  {saveDraftMutation, map[string]any{"c": w.cycle, "s": "FRA", "a": sample(t)}},
	} {
		r := raw(t, w.env, http.MethodPost, "/graphql", w.sec, map[string]string{"Content-Type": "application/json"},
			jsonBody(t, map[string]any{"query": c.query, "variables": c.vars}))
		if r.Status != http.StatusOK {
			t.Errorf("%s: HTTP %d", name, r.Status)
		}
		errs := errorBody(t, r)
		if len(errs) != 1 || errs[0].Code() != "INTERNAL" {
			t.Fatalf("%s: %+v, want one INTERNAL error", name, errs)
		}
		// The message names the request (its X-Request-Id, for the logs) and nothing else.
		if msg := errs[0].Message; msg != "internal error (request "+r.RequestID+")" || len(r.RequestID) != 16 || leaks(msg) {
			t.Errorf("%s: message %q, request id %q", name, msg, r.RequestID)
		}
	}
	// The failed save stored nothing.
	var n int
	if err := w.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM submissions WHERE state_code = 'FRA'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d FRA submissions (%v)", n, err)
	}
	healthy(t, w.env)
}

// assertJSONError checks a refused HTTP call: a 4xx, a JSON body in the
// GraphQL error shape with a contract code.
func assertJSONError(t *testing.T, name string, r rawResponse, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: HTTP %d, want %d: %s", name, r.Status, status, truncate(r.Body))
		return
	}
	if !strings.HasPrefix(r.ContentType, "application/json") {
		t.Errorf("%s: Content-Type %q", name, r.ContentType)
	}
	for _, e := range errorBody(t, r) {
		if !contractCodes[e.Code()] {
			t.Errorf("%s: code %q is not one of the contract's", name, e.Code())
		}
		if leaks(e.Message) {
			t.Errorf("%s: message leaks internals: %q", name, e.Message)
		}
	}
}

var contractCodes = map[string]bool{"UNAUTHENTICATED": true, "FORBIDDEN": true, "NOT_FOUND": true,
	"CONFLICT": true, "BAD_USER_INPUT": true, "INTERNAL": true}
