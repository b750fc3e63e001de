package app_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
)

// accessWorld has one token per kind of caller and, depending on the
// action under test, a submission in a given status for KEN and BRA.
type accessWorld struct {
	*world
	tokens map[string]string // role -> token
	subID  map[string]string // State -> its submission, when prepared
}

const (
	roleSecretariat = "secretariat"
	roleOwnFP       = "focal point of KEN"
	roleOtherFP     = "focal point of FRA"
	roleMember      = "working-group member"
)

var roles = []string{roleSecretariat, roleOwnFP, roleOtherFP, roleMember}

// target is the State each role acts on in TestAccessByRole: the
// secretariat on BRA, everyone else on KEN, so that the allowed calls of
// the secretariat and of Kenya's focal point do not meet.
var target = map[string]string{roleSecretariat: "BRA", roleOwnFP: "KEN", roleOtherFP: "KEN", roleMember: "KEN"}

// prepare states the submissions KEN and BRA need before an action.
type prepare int

const (
	noSubmission prepare = iota
	draftV1              // complete sample saved as a draft, version 1
	submittedV2          // complete sample submitted, version 2
)

func newAccessWorld(t *testing.T, prep prepare) *accessWorld {
	w := &accessWorld{world: newWorld(t), tokens: map[string]string{}, subID: map[string]string{}}
	w.tokens[roleSecretariat] = w.sec
	w.tokens[roleOwnFP] = w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	w.tokens[roleOtherFP] = w.token(t, "France FP", auth.FocalPoint, "FRA")
	w.tokens[roleMember] = w.token(t, "IC member", auth.WorkingGroup, "", "international-cooperation", "technical-assistance")
	for _, st := range []string{"KEN", "BRA"} {
		if prep >= draftV1 {
			w.subID[st] = w.mustSave(t, w.sec, st, sample(t), -1).ID
		}
		if prep >= submittedV2 {
			w.mustSubmit(t, w.sec, st, 1)
		}
	}
	return w
}

// TestAccessByRole runs every action as every role. A denied call is
// FORBIDDEN, returns no data and changes nothing; an allowed one does
// what it says. Each action gets one database: the denied calls run
// first, then the allowed ones.
func TestAccessByRole(t *testing.T) {
	type action struct {
		name    string
		prep    prepare
		allowed []string
		do      func(t *testing.T, w *accessWorld, tok, state string) apptest.Response
		check   func(t *testing.T, w *accessWorld, state string, res apptest.Response) // after an allowed call
	}
	statusIs := func(field, status string, version int) func(t *testing.T, w *accessWorld, state string, res apptest.Response) {
		return func(t *testing.T, w *accessWorld, state string, res apptest.Response) {
			p := payloadOf(t, res, field)
			if len(p.Errors) > 0 || p.Submission == nil || p.Submission.Status != status || p.Submission.Version != version || p.Submission.State.Code != state {
				t.Fatalf("%s: %+v", field, p)
			}
			var st string
			var v int
			if err := w.env.Pool.QueryRow(context.Background(), `SELECT status, version FROM submissions WHERE state_code = $1`, state).Scan(&st, &v); err != nil {
				t.Fatal(err)
			}
			if st != status || v != version {
				t.Fatalf("database holds %s v%d for %s, want %s v%d", st, v, state, status, version)
			}
		}
	}
	all := roles
	secOnly := []string{roleSecretariat}
	ownState := []string{roleSecretariat, roleOwnFP}
	actions := []action{
		{name: "viewer", allowed: all,
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				return w.env.Do(t, tok, `{ viewer { role name state { code } workingGroups { id } } }`, nil)
			}},
		{name: "reference data", allowed: all,
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				return w.env.Do(t, tok, `{ states(party: false) { code } cycles { id } questionnaires { id } workingGroups { id } cycle(id: "2027") { id } }`, nil)
			}},
		{name: "read submission", prep: draftV1, allowed: ownState,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.env.Do(t, tok, submissionQuery, map[string]any{"c": w.cycle, "s": state})
			},
			check: func(t *testing.T, w *accessWorld, state string, res apptest.Response) {
				var out struct{ Submission *submission }
				res.Decode(t, &out)
				if out.Submission == nil || out.Submission.ID != w.subID[state] {
					t.Fatalf("read %+v", out.Submission)
				}
			}},
		{name: "list submissions", prep: draftV1, allowed: []string{roleSecretariat, roleOwnFP, roleOtherFP},
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				return w.env.Do(t, tok, `query($c: ID!) { submissions(cycle: $c) { totalCount edges { node { state { code } } } } }`,
					map[string]any{"c": w.cycle})
			}},
		{name: "create draft", prep: noSubmission, allowed: ownState,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.saveDraft(t, tok, state, sample(t), -1)
			},
			check: statusIs("saveDraft", "DRAFT", 1)},
		{name: "update draft", prep: draftV1, allowed: ownState,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				doc := sample(t)
				section(doc, "prevention")["agency_name"] = "Changed"
				return w.saveDraft(t, tok, state, doc, 1)
			},
			check: statusIs("saveDraft", "DRAFT", 2)},
		{name: "submit", prep: draftV1, allowed: ownState,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.submit(t, tok, state, 1)
			},
			check: statusIs("submit", "SUBMITTED", 2)},
		{name: "comment", prep: draftV1, allowed: ownState,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.env.Do(t, tok, commentMutation, map[string]any{"id": w.subID[state], "b": "A remark."})
			},
			check: func(t *testing.T, w *accessWorld, state string, res apptest.Response) {
				var n int
				if err := w.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM review_comments WHERE submission_id = $1`, w.subID[state]).Scan(&n); err != nil || n != 1 {
					t.Fatalf("%d comments stored (%v)", n, err)
				}
			}},
		{name: "return", prep: submittedV2, allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.env.Do(t, tok, returnMutation, map[string]any{"id": w.subID[state], "v": 2, "cs": []any{map[string]any{"body": "Fix it."}}})
			},
			check: statusIs("returnSubmission", "RETURNED", 3)},
		{name: "accept", prep: submittedV2, allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.env.Do(t, tok, acceptMutation, map[string]any{"id": w.subID[state], "v": 2})
			},
			check: statusIs("acceptSubmission", "ACCEPTED", 3)},
		{name: "open cycle", allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				return w.env.Do(t, tok, openCycleMutation, map[string]any{"in": map[string]any{
					"id": "2028", "name": "2028", "questionnaire": "implementation-v1", "opensOn": "2028-01-01", "closesOn": "2028-06-30"}})
			},
			check: func(t *testing.T, w *accessWorld, _ string, res apptest.Response) {
				if w.counts(t).Cycles != 2 {
					t.Fatal("the cycle was not stored")
				}
			}},
		{name: "set state party", allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, state string) apptest.Response {
				return w.env.Do(t, tok, setPartyMutation, map[string]any{"s": state, "p": true})
			},
			check: func(t *testing.T, w *accessWorld, state string, res apptest.Response) {
				var party bool
				if err := w.env.Pool.QueryRow(context.Background(), `SELECT party FROM states WHERE code = $1`, state).Scan(&party); err != nil || !party {
					t.Fatalf("party not stored (%v)", err)
				}
			}},
		{name: "review translation", allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				return w.env.Do(t, tok, `mutation { reviewTranslation(questionnaire: "implementation-v1", lang: "fr", reviewed: true) { lang reviewed } }`, nil)
			},
			check: func(t *testing.T, w *accessWorld, _ string, res apptest.Response) {
				var reviewed bool
				if err := w.env.Pool.QueryRow(context.Background(), `SELECT reviewed FROM translation_reviews
					WHERE questionnaire_id = 'implementation-v1' AND lang = 'fr'`).Scan(&reviewed); err != nil || !reviewed {
					t.Fatalf("review not stored (%v)", err)
				}
			}},
		{name: "download a translation kit", allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				return w.env.Do(t, tok, kitQuery, map[string]any{"q": "implementation-v1", "l": "es"})
			}},
		{name: "upload a translation", allowed: secOnly,
			do: func(t *testing.T, w *accessWorld, tok, _ string) apptest.Response {
				var kit struct{ TranslationKit string }
				w.env.Do(t, w.tokens[roleSecretariat], kitQuery, map[string]any{"q": "implementation-v1", "l": "es"}).Decode(t, &kit)
				return w.env.Do(t, tok, uploadQuery, map[string]any{"q": "implementation-v1", "l": "es", "x": kit.TranslationKit})
			},
			check: func(t *testing.T, w *accessWorld, _ string, res apptest.Response) {
				var n int
				if err := w.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM translation_uploads
					WHERE questionnaire_id = 'implementation-v1' AND lang = 'es'`).Scan(&n); err != nil || n != 1 {
					t.Fatalf("upload not stored (%v)", err)
				}
			}},
	}
	for _, a := range actions {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			w := newAccessWorld(t, a.prep)
			isAllowed := map[string]bool{}
			for _, r := range a.allowed {
				isAllowed[r] = true
			}
			before := w.snapshot(t)
			for _, role := range roles {
				if isAllowed[role] {
					continue
				}
				res := a.do(t, w, w.tokens[role], target[role])
				if res.Code() != "FORBIDDEN" || len(res.Errors) != 1 {
					t.Errorf("%s: got %+v, want one FORBIDDEN error", role, res.Errors)
				}
				if res.Status != http.StatusOK {
					t.Errorf("%s: a FORBIDDEN GraphQL error came with HTTP %d", role, res.Status)
				}
				if !noData(res) {
					t.Errorf("%s: a denied call returned data %s", role, res.Data)
				}
			}
			if after := w.snapshot(t); after != before {
				t.Fatalf("denied calls changed the database:\n%s\n%s", before, after)
			}
			for _, role := range a.allowed {
				res := a.do(t, w, w.tokens[role], target[role])
				if len(res.Errors) > 0 {
					t.Fatalf("%s: allowed call failed: %+v", role, res.Errors)
				}
				if a.check != nil {
					a.check(t, w, target[role], res)
				}
			}
		})
	}
}

// TestViewerByRole: each token sees who it is.
func TestViewerByRole(t *testing.T) {
	w := newAccessWorld(t, noSubmission)
	type viewer struct {
		Role          string
		Name          string
		State         *struct{ Code string }
		WorkingGroups []struct{ ID string }
	}
	get := func(role string) viewer {
		var out struct{ Viewer viewer }
		w.env.Do(t, w.tokens[role], `{ viewer { role name state { code } workingGroups { id } } }`, nil).Decode(t, &out)
		return out.Viewer
	}
	if v := get(roleOwnFP); v.Role != "FOCAL_POINT" || v.Name != "Kenya FP" || v.State == nil || v.State.Code != "KEN" || len(v.WorkingGroups) != 0 {
		t.Fatalf("focal point viewer: %+v", v)
	}
	if v := get(roleMember); v.Role != "WORKING_GROUP" || v.State != nil || len(v.WorkingGroups) != 2 {
		t.Fatalf("member viewer: %+v", v)
	}
	if v := get(roleSecretariat); v.Role != "SECRETARIAT" || v.Name != secName || v.State != nil || len(v.WorkingGroups) != len(w.env.Registry.WorkingGroups()) {
		t.Fatalf("secretariat viewer: %+v", v)
	}
}

// TestOtherStateIsForbidden: a focal point cannot touch another State's
// submission by any route, and the attempt changes nothing.
func TestOtherStateIsForbidden(t *testing.T) {
	w := newAccessWorld(t, submittedV2)
	fra := w.tokens[roleOtherFP]
	member := w.tokens[roleMember]
	before := w.snapshot(t)
	for name, res := range map[string]apptest.Response{
		"read":              w.env.Do(t, fra, submissionQuery, map[string]any{"c": w.cycle, "s": "KEN"}),
		"read lower case":   w.env.Do(t, fra, submissionQuery, map[string]any{"c": w.cycle, "s": "ken"}),
		"create other":      w.saveDraft(t, fra, "KEN", sample(t), -1),
		"save other":        w.saveDraft(t, fra, "KEN", sample(t), 2),
		"submit other":      w.submit(t, fra, "KEN", 2),
		"comment other":     w.env.Do(t, fra, commentMutation, map[string]any{"id": w.subID["KEN"], "b": "x"}),
		"member read":       w.env.Do(t, member, submissionQuery, map[string]any{"c": w.cycle, "s": "KEN"}),
		"member list":       w.env.Do(t, member, `query($c: ID!) { submissions(cycle: $c) { totalCount } }`, map[string]any{"c": w.cycle}),
		"member save":       w.saveDraft(t, member, "KEN", sample(t), 2),
		"member create":     w.saveDraft(t, member, "DEU", sample(t), -1),
		"member comment":    w.env.Do(t, member, commentMutation, map[string]any{"id": w.subID["KEN"], "b": "x"}),
		"member accept":     w.env.Do(t, member, acceptMutation, map[string]any{"id": w.subID["KEN"], "v": 2}),
		"own FP return":     w.env.Do(t, w.tokens[roleOwnFP], returnMutation, map[string]any{"id": w.subID["KEN"], "v": 2, "cs": []any{map[string]any{"body": "x"}}}),
		"other unknown sub": w.env.Do(t, fra, submissionQuery, map[string]any{"c": "no-such-cycle", "s": "KEN"}),
	} {
		if res.Code() != "FORBIDDEN" {
			t.Errorf("%s: got %+v, want FORBIDDEN", name, res.Errors)
		}
	}
	if after := w.snapshot(t); after != before {
		t.Fatal("forbidden calls changed the database")
	}
}

// TestUnauthenticated: no token, a malformed header or an unknown or
// revoked token is HTTP 401 with code UNAUTHENTICATED, on both transports.
func TestUnauthenticated(t *testing.T) {
	w := newWorld(t)
	revoked := w.token(t, "Leaving FP", auth.FocalPoint, "KEN")
	if n, err := w.env.Tokens.RevokeNamed(context.Background(), "Leaving"); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	before := w.snapshot(t)
	query := map[string]any{"query": `{ viewer { name } }`}
	mutation := map[string]any{"query": `mutation { setStateParty(state: "KEN", party: true) { party } }`}
	for name, header := range map[string]string{
		"none":         "",
		"unknown":      "Bearer irm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"not ours":     "Bearer abc",
		"empty bearer": "Bearer ",
		"basic":        "Basic " + w.sec,
		"lower bearer": "bearer " + w.sec,
		"revoked":      "Bearer " + revoked,
		"secret+1":     "Bearer " + w.sec + "x",
		"very long":    "Bearer irm_" + strings.Repeat("A", 4000),
		"two bearers":  "Bearer " + w.sec + " Bearer " + w.sec,
	} {
		h := map[string]string{"Content-Type": "application/json"}
		if header != "" {
			h["Authorization"] = header
		}
		for _, body := range []map[string]any{query, mutation} {
			r := raw(t, w.env, http.MethodPost, "/graphql", "", h, jsonBody(t, body))
			if r.Status != http.StatusUnauthorized {
				t.Errorf("%s: HTTP %d, want 401: %s", name, r.Status, truncate(r.Body))
				continue
			}
			if errs := errorBody(t, r); errs[0].Code() != "UNAUTHENTICATED" {
				t.Errorf("%s: code %q", name, errs[0].Code())
			}
		}
		r := raw(t, w.env, http.MethodGet, "/graphql?query=%7Bviewer%7Bname%7D%7D", "", h, nil)
		if r.Status != http.StatusUnauthorized || errorBody(t, r)[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("%s over GET: HTTP %d %s", name, r.Status, truncate(r.Body))
		}
	}
	if after := w.snapshot(t); after != before {
		t.Fatal("unauthenticated calls changed the database")
	}
	// The explorer page and the health check need no token.
	if r := raw(t, w.env, http.MethodGet, "/healthz", "", nil, nil); r.Status != http.StatusOK {
		t.Fatalf("healthz: %d", r.Status)
	}
}

// TestSubmissionsListAndPagination: the secretariat pages through every
// State's submission with first/after; a focal point's list holds its
// own State only.
func TestSubmissionsListAndPagination(t *testing.T) {
	w := newWorld(t)
	states := []string{"ARG", "BRA", "DEU", "FRA", "JPN", "KEN", "ZAF"}
	for _, s := range states {
		w.mustSave(t, w.sec, s, sample(t), -1)
	}
	w.mustSubmit(t, w.sec, "DEU", 1)
	w.mustSubmit(t, w.sec, "KEN", 1)
	// Another cycle's submissions never show in this one.
	w.openCycle(t, "other", "2026-01-01", "2027-12-31")
	w.cycle = "other"
	w.mustSave(t, w.sec, "AUS", sample(t), -1)
	w.cycle = "2027"

	type page struct {
		Submissions struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Cursor string
				Node   struct {
					State  struct{ Code string }
					Status string
				}
			}
		}
	}
	const q = `query($c: ID!, $st: SubmissionStatus, $first: Int, $after: String) {
		submissions(cycle: $c, status: $st, first: $first, after: $after) {
			totalCount pageInfo { hasNextPage endCursor } edges { cursor node { state { code } status } } } }`
	list := func(tok string, vars map[string]any) page {
		t.Helper()
		vars["c"] = w.cycle
		var p page
		w.env.Do(t, tok, q, vars).Decode(t, &p)
		return p
	}
	codes := func(p page) []string {
		out := []string{}
		for _, e := range p.Submissions.Edges {
			out = append(out, e.Node.State.Code)
		}
		return out
	}

	var got []string
	var after any
	pages := 0
	for {
		p := list(w.sec, map[string]any{"first": 3, "after": after})
		pages++
		if p.Submissions.TotalCount != len(states) {
			t.Fatalf("totalCount %d, want %d", p.Submissions.TotalCount, len(states))
		}
		got = append(got, codes(p)...)
		edges := p.Submissions.Edges
		if len(edges) == 0 || p.Submissions.PageInfo.EndCursor == nil || *p.Submissions.PageInfo.EndCursor != edges[len(edges)-1].Cursor {
			t.Fatalf("page %d: endCursor %v, edges %+v", pages, p.Submissions.PageInfo.EndCursor, edges)
		}
		if !p.Submissions.PageInfo.HasNextPage {
			break
		}
		if len(edges) != 3 || pages > 5 {
			t.Fatalf("page %d has %d edges but a next page", pages, len(edges))
		}
		after = *p.Submissions.PageInfo.EndCursor
	}
	if pages != 3 || !reflect.DeepEqual(got, states) {
		t.Fatalf("paged %d times through %v, want 3 pages of %v", pages, got, states)
	}
	// first = exactly the rest: no next page.
	p := list(w.sec, map[string]any{"first": 7})
	if len(p.Submissions.Edges) != 7 || p.Submissions.PageInfo.HasNextPage {
		t.Fatalf("first 7 of 7: %d edges, hasNextPage %v", len(p.Submissions.Edges), p.Submissions.PageInfo.HasNextPage)
	}
	// The default page holds them all; first 0 holds none.
	if p := list(w.sec, map[string]any{}); len(p.Submissions.Edges) != 7 || p.Submissions.PageInfo.HasNextPage {
		t.Fatalf("default page: %v", codes(p))
	}
	if p := list(w.sec, map[string]any{"first": 0}); len(p.Submissions.Edges) != 0 || p.Submissions.PageInfo.EndCursor != nil || p.Submissions.TotalCount != 7 {
		t.Fatalf("first 0: %+v", p.Submissions)
	}
	// The status filter narrows totalCount and edges.
	p = list(w.sec, map[string]any{"st": "SUBMITTED"})
	if p.Submissions.TotalCount != 2 || !reflect.DeepEqual(codes(p), []string{"DEU", "KEN"}) {
		t.Fatalf("SUBMITTED: %d %v", p.Submissions.TotalCount, codes(p))
	}
	// A focal point sees only its own State, whatever it asks for.
	fp := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	p = list(fp, map[string]any{"first": 50})
	if p.Submissions.TotalCount != 1 || !reflect.DeepEqual(codes(p), []string{"KEN"}) || p.Submissions.PageInfo.HasNextPage {
		t.Fatalf("Kenya's list: %d %v", p.Submissions.TotalCount, codes(p))
	}
	if p := list(fp, map[string]any{"st": "DRAFT"}); p.Submissions.TotalCount != 0 || len(p.Submissions.Edges) != 0 {
		t.Fatalf("Kenya's drafts: %v", codes(p))
	}
	usa := w.token(t, "USA FP", auth.FocalPoint, "USA")
	if p := list(usa, map[string]any{}); p.Submissions.TotalCount != 0 || len(p.Submissions.Edges) != 0 {
		t.Fatalf("a State with no submission lists %v", codes(p))
	}
	// Bad page arguments.
	for name, vars := range map[string]map[string]any{
		"negative first": {"first": -1},
		"first over cap": {"first": 201},
		"bad cursor":     {"after": "not a cursor!"},
		"foreign cursor": {"after": "eyJpZCI6MX0"},
	} {
		t.Run(name, func(t *testing.T) {
			vars["c"] = w.cycle
			wantCode(t, w.env.Do(t, w.sec, q, vars), "BAD_USER_INPUT")
		})
	}
	wantCode(t, w.env.Do(t, w.sec, q, map[string]any{"c": "nope"}), "NOT_FOUND")
}

// TestSecretariatActsForAnyState: the secretariat may save and submit for
// any State, and its name shows in the versions.
func TestSecretariatActsForAnyState(t *testing.T) {
	w := newWorld(t)
	for _, s := range []string{"KEN", "FRA", "BRA"} {
		sub := w.mustSave(t, w.sec, s, sample(t), -1)
		sub = w.mustSubmit(t, w.sec, s, sub.Version)
		if sub.Status != "SUBMITTED" || sub.Versions[1].SavedBy != secName {
			t.Fatalf("%s: %+v", s, sub)
		}
	}
	if c := w.counts(t); c.Submissions != 3 || c.Versions != 6 {
		t.Fatalf("counts %+v", c)
	}
}
