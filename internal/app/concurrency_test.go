package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/auth"
)

const racers = 8

// race sends the same kind of call from racers goroutines released at
// once; call builds the variables of the i-th. It returns the responses.
func race(t *testing.T, env *apptest.Env, token, query string, vars func(i int) map[string]any) []apptest.Response {
	t.Helper()
	out := make([]apptest.Response, racers)
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		body, err := json.Marshal(map[string]any{"query": query, "variables": vars(i)})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			<-start
			out[i], errs[i] = post(env, token, body)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
	}
	return out
}

// raceClient gives up on a call that hangs, so that a deadlock in the
// service fails the test instead of stalling it.
var raceClient = &http.Client{Timeout: 30 * time.Second}

// post is apptest's Post without testing.TB, for use off the test goroutine.
func post(env *apptest.Env, token string, body []byte) (apptest.Response, error) {
	req, err := http.NewRequest(http.MethodPost, env.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return apptest.Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := raceClient.Do(req)
	if err != nil {
		return apptest.Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return apptest.Response{}, err
	}
	out := apptest.Response{Status: resp.StatusCode}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("status %d: %s: %w", resp.StatusCode, b, err)
	}
	return out, nil
}

// winners checks that exactly one response succeeded and every other one
// is a CONFLICT, and returns the winner's index.
func winners(t *testing.T, res []apptest.Response) int {
	t.Helper()
	won := -1
	for i, r := range res {
		switch {
		case len(r.Errors) == 0:
			if won >= 0 {
				t.Fatalf("racers %d and %d both succeeded", won, i)
			}
			won = i
		case r.Code() != "CONFLICT" || len(r.Errors) != 1:
			t.Fatalf("racer %d: %+v, want CONFLICT", i, r.Errors)
		}
	}
	if won < 0 {
		t.Fatal("no racer succeeded")
	}
	return won
}

// TestConcurrentSavesOnOneVersion: racers save different answers on the
// same expectedVersion at once; exactly one wins, the version moves by
// one and exactly one version row is written.
func TestConcurrentSavesOnOneVersion(t *testing.T) {
	w := newWorld(t)
	fp := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	sub := w.mustSave(t, fp, "KEN", sample(t), -1)
	before := w.counts(t)

	res := race(t, w.env, fp, saveDraftMutation, func(i int) map[string]any {
		doc := sample(t)
		section(doc, "prevention")["agency_name"] = fmt.Sprintf("Agency of racer %d", i)
		return map[string]any{"c": w.cycle, "s": "KEN", "a": doc, "v": sub.Version}
	})
	won := winners(t, res)
	p := payloadOf(t, res[won], "saveDraft")
	if p.Submission.Version != 2 {
		t.Fatalf("the winner stored version %d", p.Submission.Version)
	}
	got := w.get(t, fp, "KEN")
	if got.Version != 2 || len(got.Versions) != 2 {
		t.Fatalf("after the race: version %d, %d versions", got.Version, len(got.Versions))
	}
	var stored map[string]any
	if err := json.Unmarshal(got.Answers, &stored); err != nil {
		t.Fatal(err)
	}
	if name := section(stored, "prevention")["agency_name"]; name != fmt.Sprintf("Agency of racer %d", won) {
		t.Fatalf("stored agency %v, but racer %d won", name, won)
	}
	if d := diff(before, w.counts(t)); d.Versions != 1 || d.Audit != 1 || d.Submissions != 0 {
		t.Fatalf("the race wrote %+v", d)
	}
	// Drafts project nothing: only a submit writes answer facts.
	w.checkProjection(t, sub.ID, nil)
}

// TestConcurrentCreates: racers create the same State's submission at
// once; exactly one creates it.
func TestConcurrentCreates(t *testing.T) {
	w := newWorld(t)
	before := w.counts(t)
	res := race(t, w.env, w.sec, saveDraftMutation, func(i int) map[string]any {
		return map[string]any{"c": w.cycle, "s": "DEU", "a": map[string]any{"prevention": map[string]any{"agency_name": fmt.Sprint(i)}}}
	})
	winners(t, res)
	if d := diff(before, w.counts(t)); d.Submissions != 1 || d.Versions != 1 || d.Audit != 1 || d.Answers != 0 {
		t.Fatalf("the race wrote %+v", d)
	}
}

// TestConcurrentSubmitsAndReviews: racers submit the same version; then
// racers accept and return the same submitted version at once.
func TestConcurrentSubmitsAndReviews(t *testing.T) {
	w := newWorld(t)
	sub := w.mustSave(t, w.sec, "JPN", sample(t), -1)
	before := w.counts(t)
	winners(t, race(t, w.env, w.sec, submitMutation, func(int) map[string]any {
		return map[string]any{"c": w.cycle, "s": "JPN", "v": 1}
	}))
	if d := diff(before, w.counts(t)); d.Versions != 1 || d.Audit != 1 {
		t.Fatalf("the submit race wrote %+v", d)
	}
	before = w.counts(t)
	res := race(t, w.env, w.sec, `mutation($id: ID!, $v: Int!, $cs: [CommentInput!]!, $accept: Boolean!) {
		a: acceptSubmission(id: $id, expectedVersion: $v) @include(if: $accept) { submission { status version } }
		r: returnSubmission(id: $id, expectedVersion: $v, comments: $cs) @skip(if: $accept) { submission { status version } } }`,
		func(i int) map[string]any {
			return map[string]any{"id": sub.ID, "v": 2, "accept": i%2 == 0, "cs": []any{map[string]any{"body": fmt.Sprint("racer ", i)}}}
		})
	won := winners(t, res)
	got := w.get(t, w.sec, "JPN")
	want := "ACCEPTED"
	if won%2 == 1 {
		want = "RETURNED"
	}
	if got.Status != want || got.Version != 3 {
		t.Fatalf("racer %d won, but the submission is %s v%d", won, got.Status, got.Version)
	}
	d := diff(before, w.counts(t))
	if d.Versions != 1 || d.Audit != 1 || (want == "RETURNED") != (d.Comments == 1) || d.Comments > 1 {
		t.Fatalf("the review race wrote %+v", d)
	}
}

// TestConcurrentComments: comments take the submission's row lock inside
// a transaction; racers commenting at once all succeed (more racers than
// the pool has connections must not deadlock) and every one is stored.
func TestConcurrentComments(t *testing.T) {
	w := newWorld(t)
	fp := w.token(t, "Kenya FP", auth.FocalPoint, "KEN")
	sub := w.mustSave(t, fp, "KEN", sample(t), -1)
	before := w.counts(t)
	res := race(t, w.env, fp, commentMutation, func(i int) map[string]any {
		return map[string]any{"id": sub.ID, "p": "/prevention", "b": fmt.Sprint("remark ", i)}
	})
	for i, r := range res {
		if len(r.Errors) > 0 {
			t.Fatalf("racer %d: %+v", i, r.Errors)
		}
	}
	if d := diff(before, w.counts(t)); d != (counts{Comments: racers, Audit: racers}) {
		t.Fatalf("the comment race wrote %+v", d)
	}
	if got := w.get(t, fp, "KEN"); got.Version != 1 || len(got.Comments) != racers {
		t.Fatalf("after the race: version %d, %d comments", got.Version, len(got.Comments))
	}
}
