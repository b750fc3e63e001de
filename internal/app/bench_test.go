package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/demo"
)

const (
	benchSave = `mutation($c: ID!, $s: ID!, $a: JSON!) {
		saveDraft(cycle: $c, state: $s, answers: $a) { submission { version status } errors { path } } }`
	benchSubmit = `mutation($c: ID!, $s: ID!) {
		submit(cycle: $c, state: $s, expectedVersion: 1) { submission { version status } errors { path } } }`
)

// benchSlots opens enough cycles for n submissions, one per (cycle,
// State), and returns the request bodies of the i-th save and submit.
func benchSlots(b *testing.B, env *apptest.Env, token string, n int) (save, submit func(i int) []byte) {
	b.Helper()
	rows, err := env.Pool.Query(context.Background(), `SELECT code FROM states ORDER BY code`)
	if err != nil {
		b.Fatal(err)
	}
	var states []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		states = append(states, c)
	}
	if rows.Err() != nil || len(states) != 193 {
		b.Fatalf("%d States (%v)", len(states), rows.Err())
	}
	for c := 0; c*len(states) < n; c++ {
		res := env.Do(b, token, openCycleMutation, map[string]any{"in": map[string]any{
			"id": fmt.Sprintf("bench-%d", c), "name": "Benchmark", "questionnaire": "implementation-v1",
			"opensOn": "2026-01-01", "closesOn": "2099-12-31"}})
		if len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
	}
	answers := json.RawMessage(demo.SampleAnswers())
	body := func(query string, i int, withAnswers bool) []byte {
		vars := map[string]any{"c": fmt.Sprintf("bench-%d", i/len(states)), "s": states[i%len(states)]}
		if withAnswers {
			vars["a"] = answers
		}
		out, err := json.Marshal(map[string]any{"query": query, "variables": vars})
		if err != nil {
			panic(err)
		}
		return out
	}
	return func(i int) []byte { return body(benchSave, i, true) }, func(i int) []byte { return body(benchSubmit, i, false) }
}

// checkStep fails unless a benchmark call stored what it should.
func checkStep(res apptest.Response, field, status string, version int) error {
	if len(res.Errors) > 0 {
		return fmt.Errorf("%s: %+v", field, res.Errors)
	}
	var out map[string]struct {
		Submission *struct {
			Version int
			Status  string
		}
		Errors []any
	}
	if err := json.Unmarshal(res.Data, &out); err != nil {
		return err
	}
	p := out[field]
	if len(p.Errors) > 0 || p.Submission == nil || p.Submission.Status != status || p.Submission.Version != version {
		return fmt.Errorf("%s: %s", field, res.Data)
	}
	return nil
}

// BenchmarkSaveDraftSubmit: one iteration is what a focal point does to
// file a complete questionnaire — saveDraft (create) and submit of the
// complete sample for a State that has none yet in the cycle — over HTTP
// through the real handler, one client after the other.
func BenchmarkSaveDraftSubmit(b *testing.B) {
	env := apptest.New(b)
	token := env.Secretariat(b)
	save, submit := benchSlots(b, env, token, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := checkStep(env.Post(b, token, "application/json", save(i)), "saveDraft", "DRAFT", 1); err != nil {
			b.Fatal(err)
		}
		if err := checkStep(env.Post(b, token, "application/json", submit(i)), "submit", "SUBMITTED", 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
	b.StopTimer()
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM submissions WHERE status = 'SUBMITTED'`).Scan(&n); err != nil || n != b.N {
		b.Fatalf("%d submitted (%v), want %d", n, err, b.N)
	}
}

// BenchmarkSaveDraftSubmitParallel: the same, from GOMAXPROCS×4 clients
// at once (the pool's connections are what they share).
func BenchmarkSaveDraftSubmitParallel(b *testing.B) {
	env := apptest.New(b)
	token := env.Secretariat(b)
	save, submit := benchSlots(b, env, token, b.N)
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) - 1)
			res, err := post(env, token, save(i))
			if err == nil {
				err = checkStep(res, "saveDraft", "DRAFT", 1)
			}
			if err == nil {
				res, err = post(env, token, submit(i))
			}
			if err == nil {
				err = checkStep(res, "submit", "SUBMITTED", 2)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
}
