package submission_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cosp-ict/irm/internal/aggregate"
	"github.com/cosp-ict/irm/internal/apperr"
	"github.com/cosp-ict/irm/internal/auth"
	"github.com/cosp-ict/irm/internal/demo"
	"github.com/cosp-ict/irm/internal/postgres/pgtest"
	"github.com/cosp-ict/irm/internal/questionnaire"
	"github.com/cosp-ict/irm/internal/state"
	"github.com/cosp-ict/irm/internal/submission"
	"github.com/cosp-ict/irm/questionnaires"
)

const questionnaireID = "implementation-v1"

// The principals the tests act as. The database takes a principal only
// with a live token of its role and State (irm_act), so newWorld creates
// their tokens, in this order, in every test's fresh database: their ids
// are the same in each.
var (
	secretariat = auth.Principal{TokenID: 1, Name: "Secretariat", Role: auth.Secretariat}
	member      = auth.Principal{TokenID: 2, Name: "IC member", Role: auth.WorkingGroup, WorkingGroups: []string{"international-cooperation"}}
	// focalPoints are the States whose focal points act, after those
	// two: every Member State (TestTransitions gives each case its own).
	focalPoints = state.Codes()
)

func focalPoint(code string) auth.Principal {
	for i, s := range focalPoints {
		if s == code {
			return auth.Principal{TokenID: int64(3 + i), Name: "Focal point " + code, Role: auth.FocalPoint, State: code}
		}
	}
	// Not a State: a principal no token can back, refused by the database.
	return auth.Principal{Name: "Focal point " + code, Role: auth.FocalPoint, State: code}
}

// createTokens creates the principals' tokens in the owner's pool, in
// the order their ids assume.
func createTokens(t *testing.T, owner *pgxpool.Pool) {
	t.Helper()
	tokens := auth.NewStore(owner)
	create := func(p auth.Principal) {
		if _, err := tokens.Create(context.Background(), auth.NewToken{Name: p.Name, Role: p.Role, State: p.State, WorkingGroups: p.WorkingGroups}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := owner.QueryRow(context.Background(), `SELECT id FROM tokens WHERE name = $1`, p.Name).Scan(&id); err != nil || id != p.TokenID {
			t.Fatalf("token %q has id %d (%v), want %d", p.Name, id, err, p.TokenID)
		}
	}
	create(secretariat)
	create(member)
	for _, s := range focalPoints {
		create(focalPoint(s))
	}
}

// Answers: complete ones (the demo's sample), an empty draft (valid as a
// draft, with every required answer missing), and a draft with a value of
// the wrong type.
var (
	complete   = json.RawMessage(demo.SampleAnswers())
	emptyDraft = json.RawMessage(`{}`)
	wrongType  = json.RawMessage(`{"general_provisions": 5}`)
)

// world is a fresh database, the service over it as the app role (under
// row-level security, as in production) and the owner's pool to set up
// and check what the tables hold.
type world struct {
	owner *pgxpool.Pool
	app   *pgxpool.Pool
	svc   *submission.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	owner, app := pgtest.NewApp(t)
	createTokens(t, owner)
	return &world{owner: owner, app: app, svc: newService(t, app, questionnaires.Files())}
}

// newService is the service over pool with the questionnaire files in
// files and the aggregates' projection, as the app builds it.
func newService(t *testing.T, pool *pgxpool.Pool, files fs.FS) *submission.Service {
	t.Helper()
	reg, err := questionnaire.Load(files, questionnaires.Catalogue())
	if err != nil {
		t.Fatalf("the questionnaires do not load: %v", err)
	}
	return submission.NewService(pool, reg, aggregate.Projection{})
}

// as returns a context whose calls act as p, as the transports' are.
func as(p auth.Principal) context.Context {
	return auth.WithPrincipal(context.Background(), p)
}

// openCycle opens cycle id as the secretariat, open from opensOn to the
// end of 2099.
func (w *world) openCycle(t *testing.T, id string, opensOn time.Time) submission.Cycle {
	t.Helper()
	c, err := w.svc.OpenCycle(as(secretariat), secretariat, submission.Cycle{ID: id, Name: "Review " + id,
		QuestionnaireID: questionnaireID, OpensOn: opensOn, ClosesOn: date(2099, 12, 31)})
	if err != nil {
		t.Fatalf("open cycle %s: %v", id, err)
	}
	return c
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// bring makes state's submission in cycle reach status (none: "") through
// the workflow, its draft holding answers, and returns it (nil for none).
func (w *world) bring(t *testing.T, cycle, state string, status submission.Status, answers json.RawMessage) *submission.Submission {
	t.Helper()
	if status == "" {
		return nil
	}
	fp := focalPoint(state)
	must := func(res submission.Result, err error) *submission.Submission {
		t.Helper()
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("bring %s's submission to %s: %v %v", state, status, err, res.Errors)
		}
		return res.Submission
	}
	sub := must(w.svc.SaveDraft(as(fp), fp, cycle, state, answers, nil))
	if status == submission.Draft {
		return sub
	}
	sub = must(w.svc.Submit(as(fp), fp, cycle, state, sub.Version))
	switch status {
	case submission.Returned:
		sub = must(w.svc.Return(as(secretariat), secretariat, sub.ID, sub.Version,
			[]submission.CommentInput{{Body: "Please give the figures for 2026."}}))
	case submission.Accepted:
		sub = must(w.svc.Accept(as(secretariat), secretariat, sub.ID, sub.Version))
	}
	return sub
}

// snapshot is everything the workflow's tables, the projection and the
// audit trail hold, as text to compare.
func (w *world) snapshot(t *testing.T) string {
	t.Helper()
	var s string
	err := w.owner.QueryRow(context.Background(), `SELECT concat_ws(E'\n',
		(SELECT string_agg(concat_ws(',', id, cycle_id, state_code, status, version, answers::text, updated_at,
			submitted_at, first_submitted_at), ';' ORDER BY id) FROM submissions),
		(SELECT string_agg(concat_ws(',', submission_id, version, status, saved_by), ';' ORDER BY submission_id, version) FROM submission_versions),
		(SELECT string_agg(concat_ws(',', submission_id, version, path, body, reply_to, resolved, resolved_by), ';' ORDER BY seq) FROM review_comments),
		(SELECT string_agg(concat_ws(',', cycle_id, state_code, closes_on, reason), ';' ORDER BY cycle_id, state_code) FROM extensions),
		(SELECT string_agg(concat_ws(',', cycle_id, state_code, publish_profile), ';' ORDER BY cycle_id, state_code) FROM consents),
		(SELECT string_agg(concat_ws(',', id, action, subject), ';' ORDER BY id) FROM audit_events),
		(SELECT string_agg(concat_ws(',', id, name, questionnaire_id, opens_on, closes_on), ';' ORDER BY id) FROM cycles),
		(SELECT string_agg(concat_ws(',', questionnaire_id, sha256), ';' ORDER BY questionnaire_id) FROM questionnaire_digests),
		(SELECT count(*) FROM answer_facts))`).Scan(&s)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

// event is an audit event as the tests compare them.
type event struct{ Action, Subject string }

// eventsSince returns the audit events after id, oldest first.
func (w *world) eventsSince(t *testing.T, id int64) []event {
	t.Helper()
	rows, err := w.owner.Query(context.Background(), `SELECT action, subject FROM audit_events WHERE id > $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []event
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.Action, &e.Subject); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// lastEvent is the id of the latest audit event (0 for none).
func (w *world) lastEvent(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := w.owner.QueryRow(context.Background(), `SELECT coalesce(max(id), 0) FROM audit_events`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// version is one row of submission_versions.
type version struct {
	Version int
	Status  submission.Status
	SavedBy string
}

// versions returns a submission's version rows, oldest first.
func (w *world) versions(t *testing.T, id string) []version {
	t.Helper()
	rows, err := w.owner.Query(context.Background(), `SELECT version, status, saved_by FROM submission_versions
		WHERE submission_id = $1 ORDER BY version`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []version
	for rows.Next() {
		var v version
		if err := rows.Scan(&v.Version, &v.Status, &v.SavedBy); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// codeOf is the apperr code of err, "" for nil.
func codeOf(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}
