package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cosp-ict/irm/internal/app"
	"github.com/cosp-ict/irm/internal/app/apptest"
	"github.com/cosp-ict/irm/internal/statistics"
)

// TestObservationsAreWeighedByTheirRows: the ten aliases of one
// observations query are refused by complexity before any row is read
// (each alias weighs its row cap), one of them is served, and
// observationsPage reads the rest a page at a time.
func TestObservationsAreWeighedByTheirRows(t *testing.T) {
	w, before := limitsWorld(t)
	const fields = `state { code name } year value status breakdown revision`
	var aliases strings.Builder
	aliases.WriteString("{ ")
	for i := range 10 {
		fmt.Fprintf(&aliases, `a%d: observations(indicator: "MLA_REQUESTS_RECEIVED") { %s } `, i, fields)
	}
	aliases.WriteString("}")
	res := w.env.Do(t, w.sec, aliases.String(), nil)
	wantCode(t, res, "BAD_USER_INPUT")
	if res.Status != http.StatusUnprocessableEntity || !noData(res) || !strings.Contains(res.Errors[0].Message, "complexity") {
		t.Fatalf("ten aliases: HTTP %d %+v", res.Status, res.Errors)
	}
	// One is served.
	one := w.env.Do(t, w.sec, `{ observations(indicator: "MLA_REQUESTS_RECEIVED") { `+fields+` } }`, nil)
	if len(one.Errors) > 0 || one.Status != http.StatusOK {
		t.Fatalf("one observations query: HTTP %d %+v", one.Status, one.Errors)
	}
	// A page as big as the cap, with the same fields, fits; two do not.
	page := fmt.Sprintf(`observationsPage(indicator: "MLA_REQUESTS_RECEIVED", first: %d) { edges { cursor node { %s } } pageInfo { hasNextPage endCursor } }`,
		statistics.MaxObservationPage, fields)
	if r := w.env.Do(t, w.sec, "{ "+page+" }", nil); len(r.Errors) > 0 {
		t.Fatalf("one page: %+v", r.Errors)
	}
	wantCode(t, w.env.Do(t, w.sec, "{ a: "+page+" b: "+page+" c: "+page+" }", nil), "BAD_USER_INPUT")
	// first over the page cap is refused by name.
	r := w.env.Do(t, w.sec, `{ observationsPage(indicator: "MLA_REQUESTS_RECEIVED", first: 1001) { pageInfo { hasNextPage } } }`, nil)
	wantCode(t, r, "BAD_USER_INPUT")
	if !strings.Contains(r.Errors[0].Message, "first must be between 0 and 1000") {
		t.Fatalf("first 1001: %q", r.Errors[0].Message)
	}
	w.after(t, before)
}

// TestMessagesDoNotLeakTheSchema: outside dev mode no message suggests
// names ("Did you mean …") for fields, arguments, enum values or types;
// an Int that overflows is BAD_USER_INPUT; every refusal of the
// operation is a 4xx.
func TestMessagesDoNotLeakTheSchema(t *testing.T) {
	w, before := limitsWorld(t)
	for name, q := range map[string]string{
		"a misspelt field":         `{ viewr { name } }`,
		"a misspelt argument":      `{ submissions(cycl: "2027") { totalCount } }`,
		"a misspelt enum value":    `{ submissions(cycle: "2027", status: SUBMITED) { totalCount } }`,
		"a misspelt type":          `query($s: SubmissionStatu) { submissions(cycle: "2027", status: $s) { totalCount } }`,
		"a misspelt input field":   `mutation { openCycle(input: {id: "x", nam: "x", questionnaire: "q", opensOn: "2030-01-01", closesOn: "2030-02-01"}) { id } }`,
		"a misspelt fragment type": `query { ...F } fragment F on Quer { __typename }`,
		"a field on a scalar":      `{ viewer { name { first } } }`,
		"an object without fields": `{ viewer }`,
	} {
		t.Run(name, func(t *testing.T) {
			res := w.env.Do(t, w.sec, q, nil)
			wantCode(t, res, "BAD_USER_INPUT")
			if res.Status < 400 || res.Status >= 500 {
				t.Errorf("HTTP %d, want a 4xx", res.Status)
			}
			for _, e := range res.Errors {
				if strings.Contains(e.Message, "Did you mean") || strings.Contains(e.Message, "did you mean") {
					t.Errorf("the message suggests names: %q", e.Message)
				}
			}
		})
	}
	// An Int beyond 32 bits reached the database's integer columns and
	// came back INTERNAL.
	for name, c := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"an Int literal beyond 32 bits":            {`{ trend(indicator: "OFFENCES_RECORDED", from: 9999999999) { group } }`, nil},
		"an Int literal beyond 32 bits, as to":     {`{ observations(indicator: "OFFENCES_RECORDED", to: 9999999999) { year } }`, nil},
		"an Int variable beyond 32 bits":           {`query($f: Int) { trend(indicator: "OFFENCES_RECORDED", from: $f) { group } }`, map[string]any{"f": 1e12}},
		"an Int in an input object beyond 32 bits": {`mutation { reportObservations(state: "KEN", observations: [{indicator: "OFFENCES_RECORDED", year: 9999999999, value: 1}]) { accepted } }`, nil},
		"an Int beyond 64 bits":                    {`{ trend(indicator: "OFFENCES_RECORDED", from: 99999999999999999999) { group } }`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			res := w.env.Do(t, w.sec, c.query, c.vars)
			wantCode(t, res, "BAD_USER_INPUT")
			if res.Status >= 500 {
				t.Fatalf("HTTP %d", res.Status)
			}
		})
	}
	w.after(t, before)
}

// TestSlowUploadsHoldNoConnection: the four slow CSV uploads from
// one focal point held the whole pool while their bodies trickled in.
// Bodies are now received before the ingest takes a connection: with
// four uploads in flight no connection is held, /healthz and the API
// answer, a fifth upload of that token is 429, and each of the four is
// stored once its body is complete.
func TestSlowUploadsHoldNoConnection(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("counts the spool files through /proc/self/fd")
	}
	spool := t.TempDir()
	env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1, Uploads: 8, UploadsPerToken: 4},
		SpoolDir: spool})
	fp := env.FocalPoint(t, "KEN")
	// Four uploads over raw connections: the header line is sent, the
	// rest of the declared length is held back.
	conns := make([]net.Conn, 4)
	rest := make([]string, 4)
	for i := range conns {
		c, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
		head := "indicator,year,value\n"
		rest[i] = fmt.Sprintf("OFFENCES_RECORDED,%d,%d\n", 2015+i, 10+i)
		fmt.Fprintf(c, "POST /statistics/KEN.csv HTTP/1.1\r\nHost: irm\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n%s",
			fp, len(head)+len(rest[i]), head)
	}
	// Wait (bounded) until the four are being received: each holds an
	// (unlinked) file in the spool folder.
	for i := 0; spooling(t, spool) < 4; i++ {
		if i == 500 {
			t.Fatalf("%d uploads are being received, want 4", spooling(t, spool))
		}
		time.Sleep(10 * time.Millisecond)
	}
	fifth := raw(t, env, http.MethodPost, "/statistics/KEN.csv", fp, nil, strings.NewReader("indicator,year,value\n"))
	if fifth.Status != http.StatusTooManyRequests {
		t.Fatalf("a fifth upload while four are in flight: HTTP %d %s, want 429", fifth.Status, truncate(fifth.Body))
	}
	if !strings.Contains(string(fifth.Body), `"code":"RATE_LIMITED"`) {
		t.Fatalf("the 429 body: %s", fifth.Body)
	}
	if held := env.Pool.Stat().AcquiredConns(); held != 0 {
		t.Fatalf("four uploads in flight hold %d database connections, want 0", held)
	}
	healthy(t, env)
	var v struct{ Viewer struct{ Role string } }
	env.Do(t, env.Secretariat(t), `{ viewer { role } }`, nil).Decode(t, &v)
	if v.Viewer.Role != "SECRETARIAT" {
		t.Fatalf("viewer during the uploads: %+v", v)
	}
	// Finish the four: each is stored.
	for i, c := range conns {
		if _, err := io.WriteString(c, rest[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range conns {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("upload %d: HTTP %d %s", i, resp.StatusCode, b)
		}
	}
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM observations WHERE state_code = 'KEN'`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("KEN has %d observations (%v), want 4", n, err)
	}
}

// TestStalledUploadIsCutOff: an upload that stops sending is refused
// (408, in the contract's shape) once it has been idle for UploadIdle,
// and frees its slot.
func TestStalledUploadIsCutOff(t *testing.T) {
	env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1,
		UploadsPerToken: 1, UploadIdle: 200 * time.Millisecond, UploadMinRate: 1 << 20}})
	fp := env.FocalPoint(t, "KEN")
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("indicator,year,value\n")) //nolint:errcheck
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/statistics/KEN.csv", pr)
	req.Header.Set("Authorization", "Bearer "+fp)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "too slowly") {
		t.Fatalf("a stalled upload: HTTP %d %s, want 408 saying it arrived too slowly", resp.StatusCode, body)
	}
	// The slot is free again.
	ok := raw(t, env, http.MethodPost, "/statistics/KEN.csv", fp, nil, strings.NewReader("indicator,year,value\nOFFENCES_RECORDED,2020,1\n"))
	if ok.Status != http.StatusOK {
		t.Fatalf("the next upload: HTTP %d %s", ok.Status, truncate(ok.Body))
	}
}

// TestManyBadRowsGetTheWholeAnswer: a CSV of 20 MB of bad rows gets its
// whole 422 (10,000 errors, valid JSON) every time: the body is received
// before the answer, so the client is never cut off while sending.
func TestManyBadRowsGetTheWholeAnswer(t *testing.T) {
	env := apptest.New(t)
	fp := env.FocalPoint(t, "KEN")
	var csv bytes.Buffer
	csv.WriteString("indicator,year,value\n")
	for csv.Len() < 20<<20 {
		csv.WriteString("NO_SUCH_INDICATOR,2020,1\n")
	}
	for try := range 3 {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/statistics/KEN.csv", bytes.NewReader(csv.Bytes()))
		req.Header.Set("Authorization", "Bearer "+fp)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("try %d: %v", try, err)
		}
		var out struct {
			Accepted int
			Errors   []struct{ Row int }
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusUnprocessableEntity || len(out.Errors) != statistics.MaxRowErrors {
			t.Fatalf("try %d: HTTP %d, %d errors (%v), want 422 with %d", try, resp.StatusCode, len(out.Errors), err, statistics.MaxRowErrors)
		}
	}
}

// TestRateLimits: a token over its rate gets 429 with Retry-After, in
// the contract's shape, and changes nothing; the secretariat's higher
// rate lets its bulk work through meanwhile; an address over its rate is
// refused before its token is looked up, and /healthz stays open.
func TestRateLimits(t *testing.T) {
	t.Run("per token, the secretariat not starved", func(t *testing.T) {
		env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: 0.1, SecretariatFactor: 500, RatePerAddress: -1}})
		fp, sec := env.FocalPoint(t, "KEN"), env.Secretariat(t)
		statuses := []int{}
		var refused apptest.RawResponse
		for range 2 {
			r := env.Raw(t, http.MethodPost, "/graphql", fp, map[string]string{"Content-Type": "application/json"},
				strings.NewReader(`{"query": "{ viewer { role } }"}`))
			statuses = append(statuses, r.Status)
			if r.Status == http.StatusTooManyRequests {
				refused = r
			}
		}
		if statuses[0] != 200 || statuses[1] != http.StatusTooManyRequests {
			t.Fatalf("a focal point's two requests at a rate of one per 10 s: %v, want [200 429]", statuses)
		}
		if ra := refused.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After %q", ra)
		}
		if !strings.Contains(string(refused.Body), `"code":"RATE_LIMITED"`) {
			t.Fatalf("429 body: %s", refused.Body)
		}
		for i := range 20 {
			if r := env.Do(t, sec, `{ viewer { role } }`, nil); r.Status != http.StatusOK {
				t.Fatalf("the secretariat's request %d: HTTP %d", i, r.Status)
			}
		}
	})
	t.Run("per address, before the token", func(t *testing.T) {
		env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: 0.1}})
		a := env.FocalPoint(t, "KEN")
		if r := env.Do(t, a, `{ viewer { role } }`, nil); r.Status != http.StatusOK {
			t.Fatalf("the first request: HTTP %d", r.Status)
		}
		r := env.Raw(t, http.MethodPost, "/graphql", "irm_not_a_token", map[string]string{"Content-Type": "application/json"},
			strings.NewReader(`{"query": "{ viewer { role } }"}`))
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("a second request from the address: HTTP %d, want 429", r.Status)
		}
		healthy(t, env)
	})
}

// TestDuplicateKeysAreRefused: an answers document with a key twice was
// stored with the last value; it is now refused with a field error at the
// duplicate's path, and nothing is stored.
func TestDuplicateKeysAreRefused(t *testing.T) {
	w, before := limitsWorld(t)
	q, _ := json.Marshal(saveDraftMutation)
	for name, answers := range map[string]string{
		"in a section":           `{"prevention": {"agency_name": "FIRST", "agency_name": "SECOND"}}`,
		"at the top":             `{"prevention": {}, "prevention": {"agency_name": "X"}}`,
		"inside a list's object": `{"prevention": {"agency_name": "X"}, "x": [{"a": 1, "a": 2}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			for _, state := range []string{"FRA", "KEN"} {
				v := ""
				if state == "KEN" {
					v = `, "v": 1`
				}
				body := fmt.Sprintf(`{"query": %s, "variables": {"c": "2027", "s": %q, "a": %s%s}}`, q, state, answers, v)
				res := w.env.Post(t, w.sec, "application/json", []byte(body))
				p := payloadOf(t, res, "saveDraft")
				if len(p.Errors) != 1 || p.Errors[0].Keyword != "duplicateKey" || !strings.HasPrefix(p.Errors[0].Path, "/") {
					t.Fatalf("%s: errors %+v, want one duplicateKey error at the key's path", state, p.Errors)
				}
			}
		})
	}
	res := w.env.Post(t, w.sec, "application/json", []byte(fmt.Sprintf(`{"query": %s, "variables": {"c": "2027", "s": "FRA", "a": %s}}`,
		q, `{"prevention": {"agency_name": "FIRST", "agency_name": "SECOND"}}`)))
	if p := payloadOf(t, res, "saveDraft"); len(p.Errors) != 1 || p.Errors[0].Path != "/prevention/agency_name" {
		t.Fatalf("the issue's document: %+v", p.Errors)
	}
	w.after(t, before)
}

// TestSavesBeforeTheCycleOpens: saves and submissions before a cycle's
// opensOn are CONFLICT naming the date, and change nothing.
func TestSavesBeforeTheCycleOpens(t *testing.T) {
	w := newWorld(t)
	w.openCycle(t, "2099", "2099-01-01", "2099-06-30")
	before := w.snapshot(t)
	for name, c := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"a new draft":      {saveDraftMutation, map[string]any{"c": "2099", "s": "KEN", "a": sample(t)}},
		"a draft's change": {saveDraftMutation, map[string]any{"c": "2099", "s": "KEN", "a": sample(t), "v": 1}},
		"a submission":     {submitMutation, map[string]any{"c": "2099", "s": "KEN", "v": 1}},
	} {
		t.Run(name, func(t *testing.T) {
			res := w.env.Do(t, w.sec, c.query, c.vars)
			wantCode(t, res, "CONFLICT")
			if !strings.Contains(res.Errors[0].Message, "2099-01-01") {
				t.Fatalf("message %q does not name the date", res.Errors[0].Message)
			}
		})
	}
	if after := w.snapshot(t); after != before {
		t.Fatalf("refused saves changed the database")
	}
}

// TestIdempotencyKey: a mutation sent again with the same Idempotency-Key
// replays the first answer (one comment, not two); the same key with
// another request is CONFLICT; keys are per token; queries ignore it.
func TestIdempotencyKey(t *testing.T) {
	w := newWorld(t)
	sub := w.mustSave(t, w.sec, "KEN", sample(t), -1)
	send := func(token, key string, vars map[string]any) apptest.RawResponse {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"query": commentMutation, "variables": vars})
		return w.env.Raw(t, http.MethodPost, "/graphql", token, map[string]string{"Content-Type": "application/json", "Idempotency-Key": key}, bytes.NewReader(b))
	}
	comments := func() int {
		var n int
		if err := w.env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM review_comments`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	vars := map[string]any{"id": sub.ID, "b": "Please give the agency's full name."}
	first := send(w.sec, "comment-1", vars)
	if first.Status != http.StatusOK || !strings.Contains(string(first.Body), `"body":"Please give`) {
		t.Fatalf("first: HTTP %d %s", first.Status, first.Body)
	}
	again := send(w.sec, "comment-1", vars)
	if again.Status != http.StatusOK || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: HTTP %d %s (replayed %q), want the first answer %s", again.Status, again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	if n := comments(); n != 1 {
		t.Fatalf("%d comments after a replayed comment, want 1", n)
	}
	other := send(w.sec, "comment-1", map[string]any{"id": sub.ID, "b": "Another comment."})
	if other.Status != http.StatusConflict || !strings.Contains(string(other.Body), `"code":"CONFLICT"`) {
		t.Fatalf("the same key with another comment: HTTP %d %s, want 409 CONFLICT", other.Status, other.Body)
	}
	if n := comments(); n != 1 {
		t.Fatalf("%d comments after a refused key, want 1", n)
	}
	// Another token's key of the same name is its own.
	sec2 := w.token(t, "Second desk", "SECRETARIAT", "")
	if r := send(sec2, "comment-1", vars); r.Status != http.StatusOK || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another token, same key: HTTP %d %s", r.Status, r.Body)
	}
	if n := comments(); n != 2 {
		t.Fatalf("%d comments, want 2", n)
	}
	// A malformed key is refused; a query ignores the header.
	if r := send(w.sec, strings.Repeat("k", 256), vars); r.Status != http.StatusBadRequest {
		t.Fatalf("a 256-character key: HTTP %d", r.Status)
	}
	q := w.env.Raw(t, http.MethodPost, "/graphql", w.sec, map[string]string{"Content-Type": "application/json", "Idempotency-Key": "comment-1"},
		strings.NewReader(`{"query": "{ viewer { role } }"}`))
	if q.Status != http.StatusOK || !strings.Contains(string(q.Body), "SECRETARIAT") {
		t.Fatalf("a query with a used key: HTTP %d %s", q.Status, q.Body)
	}
}

// spooling counts the files of dir this process holds open.
func spooling(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if link, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(link, dir+"/") {
			n++
		}
	}
	return n
}

// TestAnUploadCannotHoldItsSlotForHours: issue 16, finding 7. At the
// minimum rate (16 KiB/s) a 512 MiB upload held a slot for nine hours,
// and four tokens held all eight. An upload must now arrive within
// UploadMaxTime in all, and one that declares its size must keep the rate
// that brings it within that time.
func TestAnUploadCannotHoldItsSlotForHours(t *testing.T) {
	env := apptest.NewWith(t, app.HandlerOptions{Limits: app.Limits{RatePerToken: -1, RatePerAddress: -1,
		UploadsPerToken: 1, UploadIdle: 300 * time.Millisecond, UploadMinRate: 1 << 10, UploadMaxTime: 2 * time.Second}})
	fp := env.FocalPoint(t, "KEN")
	// trickle sends a valid CSV a row every 50 ms (far over the 1 KiB/s
	// minimum) until the server answers or 400 rows are sent; declared,
	// when positive, is the Content-Length announced.
	trickle := func(t *testing.T, declared int64) (status int, body string, sent int) {
		pr, pw := io.Pipe()
		var written atomic.Int64
		done := make(chan struct{})
		go func() {
			defer pw.Close()
			row := []byte("OFFENCES_RECORDED,2020,1\n")
			pw.Write([]byte("indicator,year,value\n")) //nolint:errcheck
			for i := 0; i < 400; i++ {
				select {
				case <-done:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := pw.Write(row); err != nil {
					return
				}
				written.Add(1)
			}
		}()
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/statistics/KEN.csv", pr)
		req.Header.Set("Authorization", "Bearer "+fp)
		if declared > 0 {
			req.ContentLength = declared
		}
		resp, err := http.DefaultClient.Do(req)
		close(done)
		if err != nil {
			return 0, err.Error(), int(written.Load())
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), int(written.Load())
	}
	t.Run("a declared size that would take longer than the limit must keep its rate", func(t *testing.T) {
		// 50 MB within 2 s is 25 MB/s: refused once the first pause allowed has passed.
		status, body, _ := trickle(t, 50<<20)
		if status != http.StatusRequestTimeout || !strings.Contains(body, "at least 25.0 MiB/s") {
			t.Fatalf("HTTP %d %s, want 408 naming the rate of 50 MiB within 2 s", status, body)
		}
	})
	t.Run("an upload of unknown size is cut off at the longest time", func(t *testing.T) {
		// 400 rows at 20 a second would take 20 s, at a rate well over
		// the minimum: it is cut off when the 2 s are over.
		status, body, sent := trickle(t, 0)
		if status != http.StatusRequestTimeout || !strings.Contains(body, "within 2s") || sent >= 400 {
			t.Fatalf("HTTP %d %s after %d rows, want 408 saying it must arrive within 2s", status, body, sent)
		}
	})
	t.Run("the slot is free again", func(t *testing.T) {
		ok := raw(t, env, http.MethodPost, "/statistics/KEN.csv", fp, nil, strings.NewReader("indicator,year,value\nOFFENCES_RECORDED,2020,1\n"))
		if ok.Status != http.StatusOK {
			t.Fatalf("the next upload: HTTP %d %s", ok.Status, truncate(ok.Body))
		}
	})
}
